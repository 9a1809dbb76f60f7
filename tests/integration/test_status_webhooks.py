"""Webhook subscribers of the status page (docs/api.md "Webhook subscribers"): subscribed
by an admin, they receive Statuspage-shaped POSTs (`incident` with `meta` and `page`, and
`component_update` when a component's status moves), signed per Standard Webhooks with the
subscriber's own secret, through the outbox with retries; the deliveries are visible to an admin;
an endpoint that keeps failing is disabled loudly (state, timeline, metric) and can be enabled
again. One dev-clock server and two loopback receivers for the module."""
import time

import pytest

from conftest import _teardown_all
from notify_receivers import Receiver, notify_config, verify_standard_webhook
from tocsin_harness import Server, require_bin


def config(allow_private=True):
    text = notify_config(["{id: alice, name: Alice, email: alice@example.com}"], throttle="1m",
                         extra="  max_attempts: 3\n  backoff: 1m\n  max_backoff: 1m")
    text = text.replace("  - {id: api, name: API Gateway}\n",
                        "  - {id: api, name: API Gateway, component: API}\n"
                        "  - {id: db, name: Database, component: Database}\n")
    assert "component: Database" in text
    return (text + "server: {public_url: \"https://status.example.test\"}\n"
            "status_page: {webhook_failure_limit: 3"
            + (", webhook_allow_private: true" if allow_private else "") + "}\n")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    d = tmp_path_factory.mktemp("swh")
    hook, dead = Receiver("hook"), Receiver("dead")
    s = Server(d / "srv", dev_clock=True, config_text=config())
    try:
        s.start()
        yield s, hook, dead
    finally:
        _teardown_all([s])
        hook.close()
        dead.close()


def subscribe(s, url, components=None):
    body = {"kind": "webhook", "endpoint": url}
    if components is not None:
        body["components"] = components
    return s.api("POST", "/api/v1/subscribers", body)


def bodies(reqs):
    return [r.json() for r in reqs]


def test_bad_input_is_refused_naming_the_field(env):
    s, hook, _ = env
    for body, status, field in [
        ({"kind": "webhook"}, 400, "endpoint"),
        ({"kind": "webhook", "endpoint": "ftp://x.example/"}, 400, "endpoint"),
        ({"kind": "webhook", "endpoint": "http://a b/"}, 400, "endpoint"),
        ({"kind": "email", "endpoint": hook.url}, 422, "kind"),
        ({"kind": "webhook", "endpoint": hook.url, "components": ["Nope"]}, 422, "components"),
        ({"kind": "webhook", "endpoint": hook.url, "components": "API"}, 400, "components"),
        ({"kind": "webhook", "endpoint": hook.url, "secret": "x"}, 400, "secret"),
    ]:
        st, j = s.api("POST", "/api/v1/subscribers", body)
        assert st == status and field in j["error"]["message"], (body, st, j)
    st, j = s.api("POST", "/api/v1/subscribers", {"kind": "webhook", "endpoint": hook.url},
                  token=s.make_token("responder"))
    assert st == 403, j
    st, _ = s.api("GET", "/api/v1/subscribers/sub_000000000000")
    assert st == 404


def test_incident_and_component_update_payloads_signed(env):
    s, hook, _ = env
    st, sub = subscribe(s, hook.url, ["API"])
    assert st == 201, sub
    assert sub["state"] == "confirmed" and sub["kind"] == "webhook"
    assert sub["secret"].startswith("whsec_")
    st, again = subscribe(s, hook.url)
    assert st == 409 and sub["id"] in again["error"]["message"], again

    # a public update on the Database says nothing to an API subscriber
    other = s.create(title="DB slow", severity="SEV2", service="db")
    s.move(other["id"], "investigating", message="db", public=True)
    s.advance("0s")
    assert hook.count() == 0

    before = hook.count()
    inc = s.create(title="API <errors>", severity="SEV1", service="api")
    s.move(inc["id"], "investigating", message="Looking <into> it", public=True)
    s.advance("0s")
    reqs = hook.wait_for(before + 2)[before:]
    got = {("incident" if "incident" in b else "component_update"): (r, b)
           for r, b in zip(reqs, bodies(reqs))}
    assert set(got) == {"incident", "component_update"}, bodies(reqs)
    ids = set()
    for r, b in got.values():
        ids.add(verify_standard_webhook(sub["secret"], r.headers, r.body))
        assert b["meta"]["unsubscribe"].startswith(
            f"https://status.example.test/status/subscribers/{sub['id']}/unsubscribe/")
        assert b["page"] == {"id": "tocsin", "status_indicator": "critical",
                             "status_description": "Major System Outage"}, b["page"]
    assert len(ids) == 2  # one message id per row
    i = got["incident"][1]["incident"]
    assert i["id"] == inc["id"] and i["name"] == "API <errors>" and i["impact"] == "critical"
    assert i["status"] == "investigating"
    assert [u["body"] for u in i["incident_updates"]] == ["Looking <into> it"]
    assert i["components"][0]["name"] == "API"
    assert i["components"][0]["status"] == "major_outage"
    cu = got["component_update"][1]
    assert cu["component_update"]["old_status"] == "operational"
    assert cu["component_update"]["new_status"] == "major_outage"
    assert cu["component"]["name"] == "API" and cu["component"]["status"] == "major_outage"

    # a second update within the throttle window still goes at once, alone; no component change
    before = hook.count()
    s.move(inc["id"], "identified", message="Bad deploy", public=True)
    s.advance("0s")
    b = hook.wait_for(before + 1)[before].json()
    assert b["incident"]["status"] == "identified"
    assert [u["status"] for u in b["incident"]["incident_updates"]] == ["identified",
                                                                       "investigating"]
    # resolved: the incident, and the component back to operational
    before = hook.count()
    s.move(inc["id"], "resolved", message="Fixed", public=True)
    s.advance("0s")
    reqs = bodies(hook.wait_for(before + 2)[before:])
    cu = [b for b in reqs if "component_update" in b]
    assert len(cu) == 1 and cu[0]["component_update"]["new_status"] == "operational", reqs
    assert [b["incident"]["status"] for b in reqs if "incident" in b] == ["resolved"]
    s.advance("0s")
    assert hook.count() == before + 2

    # an admin sees the deliveries and their attempts
    st, j = s.api("GET", f"/api/v1/subscribers/{sub['id']}")
    assert st == 200, j
    assert j["failures"] == 0 and j["state"] == "confirmed"
    assert len(j["deliveries"]) == 5
    assert all(d["status"] == "sent" and d["attempts_made"][0]["code"] == 200
               for d in j["deliveries"]), j["deliveries"]
    assert j["deliveries"][0]["subject"].startswith("component_update API")

    # unsubscribed: nothing more
    st, j = s.api("DELETE", f"/api/v1/subscribers/{sub['id']}")
    assert st == 200 and j["state"] == "unsubscribed", j
    inc2 = s.create(title="API again", severity="SEV1", service="api")
    before = hook.count()
    s.move(inc2["id"], "investigating", message="again", public=True)
    s.advance("0s")
    assert hook.count() == before
    s.move(inc2["id"], "resolved", message="done", public=True)


def test_failing_endpoint_retried_then_disabled_loudly(env):
    s, _, dead = env
    dead.answer(500, body=b"broken")
    st, sub = subscribe(s, dead.url)
    assert st == 201, sub
    inc = s.create(title="Disk full", severity="SEV1", service="db")
    s.move(inc["id"], "investigating", message="disk", public=True)  # DB slow was SEV2
    s.advance("0s")
    first = dead.wait_for(2)  # the incident and the component_update, both answered 500
    assert sorted(("incident" in r.json()) for r in first) == [False, True], [r.json() for r in first]
    st, j = s.api("GET", f"/api/v1/subscribers/{sub['id']}")
    assert j["state"] == "confirmed" and j["failures"] == 2 and j["last_error"] == "HTTP 500", j
    assert all("broken" not in str(a) for d in j["deliveries"] for a in d["attempts_made"]), j
    assert {d["status"] for d in j["deliveries"]} == {"pending"}  # retried later
    s.advance("61s")
    dead.wait_for(3)
    st, j = s.api("GET", f"/api/v1/subscribers/{sub['id']}")
    assert j["state"] == "disabled" and j["failures"] >= 3 and j["disabled_at"], j
    st, j = s.api("GET", "/api/v1/subscribers?state=disabled")
    assert [x["id"] for x in j["subscribers"]] == [sub["id"]]
    r = s.request("GET", "/metrics")
    assert b"tocsin_status_webhooks_disabled 1" in r.body
    with s.db() as d:
        kinds = [k for (k,) in d.execute("SELECT kind FROM timeline WHERE kind LIKE 'subscriber.%'")]
    assert "subscriber.disabled" in kinds, kinds
    # disabled: no new notification is queued for it
    with s.db() as d:
        n = d.execute("SELECT COUNT(*) FROM notifications WHERE user_id = ?",
                      (f"subscriber:{sub['id']}",)).fetchone()[0]
    s.move(inc["id"], "identified", message="cleaning", public=True)
    with s.db() as d:
        assert d.execute("SELECT COUNT(*) FROM notifications WHERE user_id = ?",
                         (f"subscriber:{sub['id']}",)).fetchone()[0] == n
    # enabled again by an admin: delivered once the endpoint answers
    st, j = s.api("POST", f"/api/v1/subscribers/{sub['id']}/enable")
    assert st == 200 and j["state"] == "confirmed" and j["failures"] == 0, j
    st, j = s.api("POST", f"/api/v1/subscribers/{sub['id']}/enable")
    assert st == 200  # twice is once
    dead.answer(200)
    before = dead.count()
    s.move(inc["id"], "resolved", message="cleaned", public=True)
    s.advance("0s")
    dead.wait_for(before + 2)
    st, j = s.api("GET", f"/api/v1/subscribers/{sub['id']}")
    assert j["state"] == "confirmed" and j["failures"] == 0, j
    st, j = s.api("POST", "/api/v1/subscribers/sub_000000000000/enable")
    assert st == 404


def test_private_destinations_refused_without_the_key(tmp_path):
    """Without status_page.webhook_allow_private, an admin cannot point a subscriber at tocsin's
    own network: a literal private address is refused at subscribe, and a subscriber that reaches
    one anyway (made while the key was on, or a name resolving to one: DNS rebinding) is refused
    at connect time, naming the rule, without a byte sent."""
    require_bin()
    hook = Receiver("private")
    s = Server(tmp_path / "srv", dev_clock=True, config_text=config(allow_private=True))
    try:
        s.start()
        st, sub = subscribe(s, hook.url)
        assert st == 201, sub
        s.write_config(config(allow_private=False))
        st, j = s.api("POST", "/api/v1/config/reload")
        assert st == 200, j
        for url in [hook.url, "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/",
                    "http://10.0.0.7/hook", "http://2130706433/", "http://localhost:9/"]:
            st, j = subscribe(s, url)
            assert st == 400, (url, j)
            assert "endpoint" in j["error"]["message"], j
            assert "webhook_allow_private" in j["error"]["message"], j
        assert "link-local" in subscribe(s, "http://169.254.169.254/")[1]["error"]["message"]
        inc = s.create(title="API down", severity="SEV1", service="api")
        s.move(inc["id"], "investigating", message="looking", public=True)
        s.advance("0s")
        deadline = time.monotonic() + 20
        while True:  # bounded: the notifier's pass runs on its own thread
            j = s.api("GET", f"/api/v1/subscribers/{sub['id']}")[1]
            if j["last_error"] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert "refused to connect to 127.0.0.1" in (j["last_error"] or ""), j
        assert "loopback" in j["last_error"] and "webhook_allow_private" in j["last_error"], j
        assert {d["status"] for d in j["deliveries"]} == {"failed"}, j["deliveries"]
        assert hook.count() == 0
    finally:
        _teardown_all([s])
        hook.close()
