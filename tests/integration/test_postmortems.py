"""Post-mortems (issue 17): made from the config's template, pre-filled from the incident, its
timeline, alerts and notifications; filled in by PATCH; draft -> in_review -> published (other
moves 409); exported as Markdown and as HTML (libcmark, raw HTML off); every change on the
timeline; an incident with an unpublished post-mortem does not close; an overdue one reminds its
owner through the outbox. Time moves only with the dev clock."""
import pytest

from tocsin_harness import parse_time, secs

TEMPLATES = """
postmortem_templates:
  - id: major
    title: Incident Review
    when: {severity: [SEV1, SEV2]}
    sections: [summary, impact, roles, timeline, alerts, notifications, root_cause,
               contributing_factors, went_well, went_badly, action_items, lessons]
  - id: light
    when: {severity: [SEV3, SEV4]}
    require_resolved: false
    sections: [summary, timeline, lessons]
"""


@pytest.fixture
def srv(make_server):
    from tocsin_harness import FIXTURE_CONFIG
    with open(FIXTURE_CONFIG) as f:
        text = f.read()
    return make_server(dev_clock=True, config_text=text + TEMPLATES)


def resolved_incident(srv, severity="SEV1", **kw):
    inc = srv.create("Checkout | 502s", severity, summary="Checkout failed for EU users", **kw)
    srv.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", {"user": "alice"})
    srv.advance("4m")
    srv.move(inc["id"], "acknowledged")
    srv.advance("20m")
    srv.move(inc["id"], "resolved", message="rolled back")
    return srv.get(inc["id"])


def kinds(srv, iid):
    return [e["kind"] for e in srv.timeline(iid)]


def test_create_prefilled_and_due_from_severity(srv):
    inc = resolved_incident(srv)
    st, pm = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    assert st == 201, pm
    assert pm["id"] == "PM-" + inc["id"]
    assert pm["template"] == "major" and pm["state"] == "draft"
    assert pm["owner"] == "alice", "defaults to the commander"
    assert pm["required"] is True
    assert secs(inc["resolved_at"], pm["due_at"]) == 48 * 3600, "SEV1: due 48h after resolution"
    assert pm["summary"] == "Checkout failed for EU users"
    assert pm["root_cause"] is None
    assert "postmortem.created" in kinds(srv, inc["id"])
    st, again = srv.api("GET", f"/api/v1/incidents/{inc['id']}/postmortem")
    assert st == 200 and again["id"] == pm["id"]
    st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    assert st == 409 and "already has a post-mortem" in j["error"]["message"]


def test_markdown_export_has_numbers_timeline_and_fields(srv):
    inc = resolved_incident(srv)
    iid = inc["id"]
    srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {"owner": "bob"})
    st, pm = srv.api("PATCH", f"/api/v1/postmortems/PM-{iid}",
                     {"root_cause": "A bad **config** push", "lessons": "Canary first",
                      "went_well": "Fast rollback"})
    assert st == 200, pm
    assert pm["root_cause"] == "A bad **config** push" and pm["owner"] == "bob"
    r = srv.request("GET", f"/api/v1/postmortems/PM-{iid}/export?format=markdown")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/markdown")
    md = r.body.decode()
    assert md.startswith(f"## Incident Review: {iid} Checkout \\| 502s")
    assert "| Severity | SEV1 (Critical) |" in md
    assert "| Duration | 24m 00s |" in md
    assert "| Time to acknowledge | 4m 00s |" in md
    assert "| Time to resolve | 24m 00s |" in md
    assert "| commander | Alice |" in md
    assert "### Timeline" in md and "incident.declared" in md and "rolled back" in md
    assert "postmortem.updated" in md, "the full timeline, post-mortem changes included"
    assert "### Root cause\n\nA bad **config** push" in md
    assert "### Lessons learned\n\nCanary first" in md
    assert "### Alerts" in md and "### Notifications" in md and "### Action items" in md
    order = [md.index(h) for h in ("### Summary", "### Impact", "### Roles", "### Timeline",
                                   "### Root cause", "### Lessons learned")]
    assert order == sorted(order), "the template's order"


def test_html_export_rendered_by_cmark_without_raw_html(srv):
    inc = resolved_incident(srv)
    iid = inc["id"]
    srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})
    srv.api("PATCH", f"/api/v1/postmortems/PM-{iid}",
            {"root_cause": "Bad *push* <script>alert(1)</script> [x](javascript:alert(1))"})
    r = srv.request("GET", f"/api/v1/postmortems/PM-{iid}/export?format=html")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    html = r.body.decode()
    assert "<h3>Root cause</h3>" in html
    assert "<em>push</em>" in html
    assert "incident.declared" in html, "the timeline is in it (CommonMark has no tables: text)"
    assert "<script>" not in html, "raw HTML is off"
    assert "javascript:" not in html
    st, j = srv.api("GET", f"/api/v1/postmortems/PM-{iid}/export?format=pdf")
    assert st == 400 and "format" in j["error"]["message"]


def test_states_forward_only_and_published_is_frozen(srv):
    inc = resolved_incident(srv)
    iid = inc["id"]
    pid = f"PM-{iid}"
    srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})
    st, j = srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": "published"})
    assert st == 409 and "in_review" in j["error"]["message"] and "state" in j["error"]["message"]
    st, j = srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": "in_review"})
    assert st == 200 and j["state"] == "in_review"
    st, j = srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": "draft"})
    assert st == 409
    st, j = srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": "published",
                                                             "lessons": "x"})
    assert st == 200 and j["state"] == "published" and j["published_at"] and j["lessons"] == "x"
    st, j = srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"lessons": "y"})
    assert st == 409 and "published" in j["error"]["message"]
    assert srv.api("GET", f"/api/v1/postmortems/{pid}")[1]["lessons"] == "x"
    k = kinds(srv, iid)
    assert "postmortem.in_review" in k and "postmortem.published" in k


def test_close_waits_for_publication(srv):
    inc = resolved_incident(srv)
    iid = inc["id"]
    pid = f"PM-{iid}"
    srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})
    st, j = srv.status(iid, "closed")
    assert st == 409 and "postmortem" in j["error"]["message"] and pid in j["error"]["message"]
    st, j = srv.status(iid, "closed", postmortem="https://wiki/elsewhere")
    assert st == 409, "an outside link does not stand in for tocsin's own unpublished one"
    assert srv.get(iid)["status"] == "resolved"
    srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": "in_review"})
    srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": "published"})
    st, j = srv.status(iid, "closed")
    assert st == 200 and j["status"] == "closed", j
    closed = [e for e in srv.timeline(iid) if e["kind"] == "incident.closed"]
    assert closed and closed[-1]["data"]["postmortem"] == pid


def test_open_incident_refused_when_template_requires_resolved(srv):
    inc = srv.create("still burning", "SEV1")
    st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    assert st == 409 and "status" in j["error"]["message"] and "resolved" in j["error"]["message"]
    st, j = srv.api("GET", f"/api/v1/incidents/{inc['id']}/postmortem")
    assert st == 404, "nothing half-written"
    assert "postmortem.created" not in kinds(srv, inc["id"])
    light = srv.create("minor", "SEV3")
    st, pm = srv.api("POST", f"/api/v1/incidents/{light['id']}/postmortem", {})
    assert st == 201 and pm["template"] == "light" and pm["required"] is False
    assert pm["due_at"] is None, "SEV3: optional, no due date"
    md = srv.request("GET", f"/api/v1/postmortems/{pm['id']}/export").body.decode()
    assert "### Timeline" in md and "### Root cause" not in md


@pytest.mark.parametrize("body,code,word", [
    ({"owner": "mallory"}, 422, "owner"),
    ({"owner": 5}, 400, "owner"),
    ({"nope": 1}, 400, "nope"),
])
def test_create_bad_input(srv, body, code, word):
    inc = resolved_incident(srv)
    st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", body)
    assert st == code and word in j["error"]["message"], (st, j)
    assert srv.api("GET", f"/api/v1/incidents/{inc['id']}/postmortem")[0] == 404


@pytest.mark.parametrize("body,code,word", [
    ({}, 400, "nothing to change"),
    ({"state": "done"}, 422, "state"),
    ({"root_cause": 3}, 400, "root_cause"),
    ({"owner": "mallory"}, 422, "owner"),
    ({"why": "x"}, 400, "why"),
])
def test_patch_bad_input(srv, body, code, word):
    inc = resolved_incident(srv)
    srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    st, j = srv.api("PATCH", f"/api/v1/postmortems/PM-{inc['id']}", body)
    assert st == code and word in j["error"]["message"], (st, j)


def test_unknown_ids_and_roles(srv):
    st, j = srv.api("POST", "/api/v1/incidents/INC-2000-01-01-001/postmortem", {})
    assert st == 404 and "INC-2000-01-01-001" in j["error"]["message"]
    assert srv.api("GET", "/api/v1/postmortems/PM-nope")[0] == 404
    assert srv.api("PATCH", "/api/v1/postmortems/PM-nope", {"lessons": "x"})[0] == 404
    inc = resolved_incident(srv)
    viewer = srv.make_token("viewer")
    st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {}, token=viewer)
    assert st == 403


def test_overdue_reminds_owner_through_outbox(srv):
    inc = resolved_incident(srv, severity="SEV2")  # due 5d in the fixture
    iid = inc["id"]
    srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {"owner": "carol"})

    def reminders():
        st, j = srv.api("GET", f"/api/v1/incidents/{iid}/notifications")
        return [n for n in j["notifications"] if n["key"].startswith("pm-reminder:")]

    srv.advance("4d")
    assert reminders() == []
    srv.advance("1d1m")
    got = reminders()
    assert got and {n["user"] for n in got} == {"carol"} and got[0]["kind"] == "reminder"
    overdue = [e for e in srv.timeline(iid) if e["kind"] == "postmortem.overdue"]
    assert len(overdue) == 1 and overdue[0]["data"]["notified"] is True
    assert srv.api("GET", f"/api/v1/postmortems/PM-{iid}")[1]["overdue"] is True
    srv.advance("2h")
    assert len(reminders()) == len(got), "at most one reminder a day"
    srv.advance("22h")
    assert len(reminders()) > len(got), "the next day, again"
    n = len(reminders())
    srv.api("PATCH", f"/api/v1/postmortems/PM-{iid}", {"state": "in_review"})
    srv.api("PATCH", f"/api/v1/postmortems/PM-{iid}", {"state": "published"})
    srv.advance("2d")
    assert len(reminders()) == n, "published: no more reminders"


def test_survives_restart(srv):
    inc = resolved_incident(srv)
    srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    srv.api("PATCH", f"/api/v1/postmortems/PM-{inc['id']}", {"impact": "40% of checkouts"})
    srv.kill9()
    srv.start()
    st, j = srv.api("GET", f"/api/v1/postmortems/PM-{inc['id']}")
    assert st == 200 and j["impact"] == "40% of checkouts"


def test_cli_create_set_publish_export(srv):
    inc = resolved_incident(srv)
    iid = inc["id"]
    p = srv.cli("postmortem", iid, "--owner", "bob")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0] == f"PM-{iid}"
    p = srv.cli("postmortem", "set", iid, "root_cause", "Config push without canary")
    assert p.returncode == 0, p.stderr
    p = srv.cli("postmortem", "set", iid, "colour", "x")
    assert p.returncode == 2 and "unknown field" in p.stderr
    p = srv.cli("postmortem", "publish", iid)
    assert p.returncode == 1 and "in_review" in p.stderr
    assert srv.cli("postmortem", "review", f"PM-{iid}").returncode == 0
    p = srv.cli("postmortem", "show", iid)
    assert p.returncode == 0 and "in_review" in p.stdout and "Config push" in p.stdout
    p = srv.cli("postmortem", "export", iid)
    assert p.returncode == 0 and "### Root cause\n\nConfig push without canary" in p.stdout
    p = srv.cli("postmortem", "export", iid, "--format", "html")
    assert p.returncode == 0 and "<h3>Root cause</h3>" in p.stdout
    assert srv.cli("postmortem", "publish", iid).returncode == 0
    p = srv.cli("postmortem", "show", iid, "--json")
    import json
    assert json.loads(p.stdout)["state"] == "published"
    p = srv.cli("postmortem", "INC-2000-01-01-001")
    assert p.returncode == 1


@pytest.mark.parametrize("point", ["timeline_insert", "postmortem_insert", "commit"])
def test_failed_create_writes_nothing(srv, point):
    inc = resolved_incident(srv)
    st, j = srv.api("POST", "/api/v1/debug/failpoint", {"point": point, "count": 1})
    assert st == 200, j
    r = srv.request("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {}, allow_503=True)
    assert r.status == 503, r
    assert srv.api("GET", f"/api/v1/incidents/{inc['id']}/postmortem")[0] == 404
    assert "postmortem.created" not in kinds(srv, inc["id"])
    st, pm = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    assert st == 201, "and works once the failure is gone"


def test_failed_patch_changes_nothing(srv):
    inc = resolved_incident(srv)
    srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    srv.api("POST", "/api/v1/debug/failpoint", {"point": "timeline_insert", "count": 1})
    r = srv.request("PATCH", f"/api/v1/postmortems/PM-{inc['id']}",
                    {"lessons": "x", "state": "in_review"}, allow_503=True)
    assert r.status == 503
    st, j = srv.api("GET", f"/api/v1/postmortems/PM-{inc['id']}")
    assert j["lessons"] is None and j["state"] == "draft"
