"""The post-mortem on the status page (issue 17, docs/postmortems.md "On the status page"): a
published post-mortem of a public incident is linked from the incident in /status's history, has
its public page (/status/incidents/{id}/postmortem: summary, impact, root cause, lessons, rendered
by libcmark with raw HTML off) and is a `postmortem` update with `postmortem_body` in Statuspage's
JSON; a draft, a post-mortem in review, a private incident's or a drill's never shows, nor do the
internal sections. One server for the module."""
import pytest

from tocsin_harness import FIXTURE_CONFIG, Server, require_bin

SECRET = "internal-only-went-badly-text"


def config():
    with open(FIXTURE_CONFIG) as f:
        text = f.read()
    text = text.replace("  - {id: api, name: API Gateway}",
                        "  - {id: api, name: API Gateway, component: API}")
    assert "component: API" in text, "fixture changed"
    return text


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("status_pm"), config_text=config())
    s.start()
    yield s
    s.teardown()


def pub(srv, path):
    return srv.request("GET", path, token=None)


def incidents_json(srv):
    r = pub(srv, "/api/v2/incidents.json")
    assert r.status == 200
    return {i["id"]: i for i in r.json["incidents"]}


def with_postmortem(srv, public=True, drill=False, fields=None):
    inc = srv.create("Checkout 502s", "SEV1", service="api", drill=drill)
    iid = inc["id"]
    srv.move(iid, "resolved", message="Rolled back the deploy", public=public)
    st, pm = srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})
    assert st == 201, pm
    body = fields or {"summary": "Checkout failed for 40 minutes. <script>alert(1)</script>",
                      "impact": "EU customers could not pay.",
                      "root_cause": "A **config push** removed the TLS chain.",
                      "lessons": "We validate pushes before they ship.",
                      "went_badly": SECRET, "contributing_factors": SECRET}
    assert srv.api("PATCH", f"/api/v1/postmortems/{pm['id']}", body)[0] == 200
    return iid, pm["id"]


def publish(srv, pmid, to=("in_review", "published")):
    for state in to:
        assert srv.api("PATCH", f"/api/v1/postmortems/{pmid}", {"state": state})[0] == 200


def test_only_published_shows_and_only_its_public_text(srv):
    iid, pmid = with_postmortem(srv)
    link = f'href="/status/incidents/{iid}/postmortem"'
    for state in (None, "in_review"):  # a draft, then in review: nothing anywhere
        if state:
            publish(srv, pmid, (state,))
        assert link not in pub(srv, "/status").body.decode()
        i = incidents_json(srv)[iid]
        assert i["postmortem_body"] is None and i["postmortem_published_at"] is None
        assert i["status"] == "resolved"
        assert all(u["status"] != "postmortem" for u in i["incident_updates"])
        assert pub(srv, f"/status/incidents/{iid}/postmortem").status == 404
    publish(srv, pmid, ("published",))

    html = pub(srv, "/status").body.decode()
    assert link in html, "the incident's entry in the history links its post-mortem"
    i = incidents_json(srv)[iid]
    assert i["status"] == "postmortem" and i["postmortem_published_at"]
    body = i["postmortem_body"]
    assert "## Root cause" in body and "A **config push** removed the TLS chain." in body
    assert "EU customers could not pay." in body and "We validate pushes" in body
    assert SECRET not in body and "Timeline" not in body
    first = i["incident_updates"][0]
    assert first["status"] == "postmortem" and first["body"] == body
    assert first["created_at"] == i["postmortem_published_at"] and first["incident_id"] == iid
    assert [u["status"] for u in i["incident_updates"][1:]] == ["resolved"]
    assert pub(srv, "/api/v2/summary.json").status == 200

    r = pub(srv, f"/status/incidents/{iid}/postmortem")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.body.decode()
    assert "<h2>Root cause</h2>" in page and "<strong>config push</strong>" in page
    assert "Checkout 502s" in page and f'href="/status#{iid}"' in page
    assert "<script>" not in page, "libcmark's safe mode drops raw HTML"
    assert SECRET not in page
    assert "default-src 'none'" in r.headers.get("Content-Security-Policy", "")


def test_private_incident_and_drill_never_show(srv):
    for kw in ({"public": False}, {"public": True, "drill": True}):
        iid, pmid = with_postmortem(srv, **kw)
        publish(srv, pmid)
        assert iid not in incidents_json(srv)
        assert iid not in pub(srv, "/status").body.decode()
        r = pub(srv, f"/status/incidents/{iid}/postmortem")
        assert r.status == 404 and "no published post-mortem" in r.json["error"]["message"]
    assert pub(srv, "/status/incidents/INC-2000-01-01-001/postmortem").status == 404


def test_published_without_public_text_is_not_linked(srv):
    iid, pmid = with_postmortem(srv, fields={"summary": None, "went_badly": SECRET})
    publish(srv, pmid)
    assert incidents_json(srv)[iid]["postmortem_body"] is None
    assert pub(srv, f"/status/incidents/{iid}/postmortem").status == 404


def test_four_long_sections_all_kept(srv):
    """Each public field at its 20,000-character limit (one of them all 4-byte characters: about
    80 KB alone, well past the old 64 KiB buffer): every section, to its last words, is on the
    page and in the JSON."""
    def long_text(name, unit):
        end = f" END-OF-{name}"
        return unit * ((20000 - len(end)) // len(unit)) + end
    fields = {"summary": long_text("summary", "word "), "impact": long_text("impact", "ab "),
              "root_cause": long_text("root_cause", "\U0001F600"),
              "lessons": long_text("lessons", "lesson ")}
    assert all(len(v) <= 20000 for v in fields.values())
    iid, pmid = with_postmortem(srv, fields=fields)
    publish(srv, pmid)
    body = incidents_json(srv)[iid]["postmortem_body"]
    r = pub(srv, f"/status/incidents/{iid}/postmortem")
    assert r.status == 200
    page = r.body.decode()
    for name in fields:
        assert f"END-OF-{name}" in body, (name, len(body.encode()))
        assert f"END-OF-{name}" in page, (name, len(page.encode()))
    assert "## What we are changing" in body and "<h2>What we are changing</h2>" in page
    assert body.count("\U0001F600") == (20000 - len(" END-OF-root_cause"))
