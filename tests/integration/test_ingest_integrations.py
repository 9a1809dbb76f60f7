"""Integrations (docs/api.md "Alert ingest" > Integrations): keys are 32 hex, shown once, revocable
at once; ingest routes take integration keys only and /api/v1 routes never do."""
import json

import pytest

from test_ingest_support import (KEY_RE, am_alert, am_send, checkin, generic, ing, integration,  # noqa: F401
                                 key_of, snapshot, v2, v2_event)

TYPES = ["alertmanager", "events_v2", "generic", "heartbeat"]


def test_create_shows_key_once_and_list_never(ing):
    made = {}
    for t in TYPES:
        j = integration(ing, "api", t)
        assert set(j) >= {"id", "name", "service", "type", "key", "created_at", "revoked_at"}, j
        assert j["id"].startswith("int_"), j
        assert KEY_RE.match(j["key"]), f"key is not 32 lowercase hex: {j['key']!r}"
        assert j["name"] == f"api-{t}", "name defaults to <service>-<type>"
        assert (j["service"], j["type"], j["revoked_at"]) == ("api", t, None)
        made[j["id"]] = j["key"]
    named = integration(ing, "db", "generic", name="db.cron_scripts-1")
    assert named["name"] == "db.cron_scripts-1"
    made[named["id"]] = named["key"]
    assert len(set(made.values())) == len(made), "two integrations got the same key"

    r = ing.request("GET", "/api/v1/integrations")
    assert r.status == 200, r
    listed = r.json["integrations"]
    assert {i["id"] for i in listed} == set(made)
    for i in listed:
        assert "key" not in i, f"the list shows a key: {i}"
    text = r.body.decode()
    for k in made.values():
        assert k not in text, "a key appears in GET /api/v1/integrations"
    # the store keeps only a hash: no key in the database (SQLite: main file and WAL)
    blob = ing.store_bytes()
    assert blob, "no database content"
    for k in made.values():
        assert k.encode() not in blob, "an integration key is stored in clear"


def test_bad_names_refused(ing):
    for name in ["", "has space", "x" * 65, "semi;colon"]:
        st, j = ing.api("POST", "/api/v1/integrations", {"service": "api", "type": "generic", "name": name})
        assert st == 400, (name, st, j)
        assert j["error"]["message"].startswith("name"), j
    st, j = ing.api("POST", "/api/v1/integrations", {"service": "api", "type": "generic", "bogus": 1})
    assert st == 400, (st, j)
    st, j = ing.api("POST", "/api/v1/integrations", {"type": "generic"})
    assert st == 400 and j["error"]["message"].startswith("service"), (st, j)
    assert ing.api("GET", "/api/v1/integrations")[1]["integrations"] == []


def test_unknown_service_or_type_is_422(ing):
    st, j = ing.api("POST", "/api/v1/integrations", {"service": "nope", "type": "generic"})
    assert st == 422 and j["error"]["message"].startswith("service"), (st, j)
    st, j = ing.api("POST", "/api/v1/integrations", {"service": "api", "type": "nagios"})
    assert st == 422 and j["error"]["message"].startswith("type"), (st, j)
    assert ing.api("GET", "/api/v1/integrations")[1]["integrations"] == []


def test_only_admin_manages_integrations(ing):
    made = integration(ing, "api", "generic")
    for role in ("viewer", "responder"):
        tok = ing.make_token(role)
        st, j = ing.api("POST", "/api/v1/integrations", {"service": "api", "type": "generic"}, token=tok)
        assert st == 403, (role, st, j)
        st, j = ing.api("DELETE", f"/api/v1/integrations/{made['id']}", token=tok)
        assert st == 403, (role, st, j)
        st, j = ing.api("GET", "/api/v1/integrations", token=tok)
        assert st == 403, (role, "list is admin only", st, j)
    listed = ing.api("GET", "/api/v1/integrations")[1]["integrations"]
    assert [(i["id"], i["revoked_at"]) for i in listed] == [(made["id"], None)]


def test_revoke_stops_the_key_at_once(ing):
    am = integration(ing, "api", "alertmanager")
    gen = integration(ing, "api", "generic")
    hb = integration(ing, "batch", "heartbeat")
    assert am_send(ing, am["key"], [am_alert({"alertname": "A"}, "before revoke")]).status == 200
    assert generic(ing, gen["key"], {"summary": "before revoke"}).status == 202
    assert checkin(ing, hb["key"]).status == 200
    before = snapshot(ing)
    for integ in (am, gen, hb):
        st, j = ing.api("DELETE", f"/api/v1/integrations/{integ['id']}")
        assert st == 200, (st, j)
        assert j["id"] == integ["id"] and j["revoked_at"], j
        assert "key" not in j
    r = am_send(ing, am["key"], [am_alert({"alertname": "B"}, "after revoke")])
    assert r.status == 401, r
    r = generic(ing, gen["key"], {"summary": "after revoke"})
    assert r.status == 401, r
    r = checkin(ing, hb["key"])
    assert r.status == 401, r
    after = snapshot(ing)
    assert after[:2] == before[:2], "a revoked key stored something"
    assert after[2] == before[2] + 3, "each revoke is one timeline entry, nothing else"
    st, j = ing.api("DELETE", f"/api/v1/integrations/{am['id']}")
    assert st == 409, (st, j)
    st, j = ing.api("DELETE", "/api/v1/integrations/int_0000000000000000")
    assert st == 404, (st, j)
    listed = {i["id"]: i for i in ing.api("GET", "/api/v1/integrations")[1]["integrations"]}
    assert all(listed[i["id"]]["revoked_at"] for i in (am, gen, hb))
    # revocation survives a restart
    ing.kill9()
    ing.start()
    assert am_send(ing, am["key"], [am_alert({"alertname": "C"}, "after restart")]).status == 401


def test_user_tokens_refused_on_ingest_routes(ing):
    viewer = ing.make_token("viewer")
    before = snapshot(ing)
    for tok in (ing.admin_token, viewer):
        r = am_send(ing, tok, [am_alert({"alertname": "A"}, "by a user")])
        assert r.status == 403, r
        r = generic(ing, tok, {"summary": "by a user"})
        assert r.status == 403, r
        r = checkin(ing, tok)
        assert r.status == 403, r
        r = v2(ing, v2_event(tok))
        assert r.status == 403, r
    assert snapshot(ing) == before


def test_integration_keys_refused_on_api_routes(ing):
    for t in TYPES:
        key = key_of(ing, "api", t, name=f"k-{t}")
        for method, path, body in [
            ("GET", "/api/v1/incidents", None),
            ("POST", "/api/v1/incidents", {"title": "by a key", "severity": "SEV3"}),
            ("GET", "/api/v1/alerts", None),
            ("GET", "/api/v1/integrations", None),
            ("POST", "/api/v1/integrations", {"service": "api", "type": "generic"}),
            ("POST", "/api/v1/silences", {"service": "api", "duration": "1h", "reason": "x"}),
        ]:
            st, j = ing.api(method, path, body, token=key)
            assert st == 403, (t, method, path, st, j)
    assert ing.api("GET", "/api/v1/incidents?status=all")[1]["incidents"] == []
    assert len(ing.api("GET", "/api/v1/integrations")[1]["integrations"]) == 4


def test_key_of_another_type_is_403(ing):
    keys = {t: key_of(ing, "batch", t) for t in TYPES}
    before = snapshot(ing)
    for t in TYPES:
        if t != "alertmanager":
            r = am_send(ing, keys[t], [am_alert({"alertname": "A"}, "wrong type")])
            assert r.status == 403, (t, r)
        if t != "generic":
            r = generic(ing, keys[t], {"summary": "wrong type"})
            assert r.status == 403, (t, r)
        if t != "heartbeat":
            r = checkin(ing, keys[t])
            assert r.status == 403, (t, r)
        if t != "events_v2":
            r = v2(ing, v2_event(keys[t]))
            assert r.status == 403, (t, r)
    assert snapshot(ing) == before


@pytest.mark.parametrize("key", ["0" * 32, "garbage", "tcn_notatoken", "f" * 31])
def test_unknown_key_is_401(ing, key):
    integration(ing, "api", "alertmanager")
    before = snapshot(ing)
    r = am_send(ing, key, [am_alert({"alertname": "A"}, "unknown key")])
    assert r.status == 401, r
    r = generic(ing, key, {"summary": "unknown key"})
    assert r.status == 401, r
    r = checkin(ing, key)
    assert r.status == 401, r
    assert snapshot(ing) == before


def test_no_credentials_is_401(ing):
    r = am_send(ing, None, [am_alert({"alertname": "A"}, "no key")])
    assert r.status == 401, r
    r = generic(ing, None, {"summary": "no key"})
    assert r.status == 401, r
    r = checkin(ing, None)
    assert r.status == 401, r
    r = ing.request("POST", "/api/v1/ingest/generic", {"summary": "basic"}, token=None,
                    headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status == 401, r
    assert ing.api("GET", "/api/v1/alerts?status=all")[1]["alerts"] == []


def test_events_v2_unknown_routing_key_is_401(ing):
    """Issue 3 and docs/api.md: a wrong or revoked integration key is 401, also as a routing key;
    the body keeps PagerDuty's shape; nothing stored."""
    key_of(ing, "api", "events_v2")
    before = snapshot(ing)
    for rk in ["0" * 32, "garbage"]:
        r = v2(ing, v2_event(rk))
        assert r.status == 401, f"unknown routing key {rk!r}: {r}"
        assert r.json["status"] == "unauthorized", r
        assert any("integration key" in e for e in r.json["errors"]), r.json
    assert snapshot(ing) == before
    assert json.loads(before[0]) == []
