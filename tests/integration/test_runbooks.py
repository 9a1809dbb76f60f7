"""Runbooks (issue 17): from the config, attached to incidents by service, type and alert labels,
shown with the incident (GET /api/v1/incidents/{id}/runbooks), steps marked done by responders
(on the timeline), `tocsin runbook list|show|incident|done`, Markdown rendered by libcmark with
raw HTML off; an unknown runbook or step is a 4xx naming it."""
import json
import os

import pytest

from test_ingest_support import generic_ok, ingest_config, key_of
from tocsin_harness import run_bin

SERVICES = "  - {id: pay, name: Payments, runbooks: [RB-PAY-001]}\n"
EXTRA = """
incident_types:
  - {id: security, name: Security, runbooks: [RB-SEC-001]}
runbooks:
  - id: RB-PAY-001
    title: Payments down
    owner: alice
    estimate: 10-20 minutes
    prerequisites: ["Access to the payments console"]
    steps: ["Check the **provider** status", "Fail over to the backup provider",
            "Verify a test payment"]
    rollback: "Fail back to the primary provider"
  - id: RB-DB-001
    title: Database outage
    alert_labels: ["alertname=PostgresDown"]
    steps: ["Check pg_isready", "Restart postgres"]
  - id: RB-SEC-001
    title: Security
    steps: ["Rotate keys"]
  - id: RB-API-001
    title: API
    services: [api]
    steps: ["<script>alert(1)</script> restart the API [x](javascript:alert(1))"]
"""


@pytest.fixture
def srv(make_server):
    return make_server(dev_clock=True, config_text=ingest_config(EXTRA, SERVICES))


def incident_runbooks(srv, iid):
    st, j = srv.api("GET", f"/api/v1/incidents/{iid}/runbooks")
    assert st == 200, j
    return {rb["id"]: rb for rb in j["runbooks"]}


def test_list_and_show_rendered_by_cmark(srv):
    st, j = srv.api("GET", "/api/v1/runbooks")
    assert st == 200
    assert [rb["id"] for rb in j["runbooks"]] == ["RB-PAY-001", "RB-DB-001", "RB-SEC-001",
                                                  "RB-API-001"]
    st, rb = srv.api("GET", "/api/v1/runbooks/RB-PAY-001")
    assert st == 200 and rb["owner"] == "alice" and rb["estimate"] == "10-20 minutes"
    assert rb["steps"][1] == "Fail over to the backup provider"
    assert "1. Check the **provider** status" in rb["markdown"]
    assert "<strong>provider</strong>" in rb["html"] and "<ol>" in rb["html"]
    assert "<h3>Rollback</h3>" in rb["html"] and "<h3>Prerequisites</h3>" in rb["html"]
    st, rb = srv.api("GET", "/api/v1/runbooks/RB-API-001")
    assert "<script>" not in rb["html"] and "javascript:" not in rb["html"], "raw HTML off"
    st, j = srv.api("GET", "/api/v1/runbooks/RB-NOPE")
    assert st == 404 and "runbook" in j["error"]["message"]


def test_attached_by_service_type_and_alert_labels(srv):
    pay = srv.create("payments failing", "SEV2", service="pay")
    got = incident_runbooks(srv, pay["id"])
    assert set(got) == {"RB-PAY-001"} and got["RB-PAY-001"]["matched_by"] == ["service"]
    api = srv.create("api slow", "SEV2", service="api")
    assert incident_runbooks(srv, api["id"])["RB-API-001"]["matched_by"] == ["service"]
    sec = srv.create("leak", "SEV1", type="security")
    assert set(incident_runbooks(srv, sec["id"])) == {"RB-SEC-001"}
    key = key_of(srv, "db", "generic")
    j = generic_ok(srv, key, {"summary": "Postgres is down", "dedup_key": "pg",
                              "labels": {"alertname": "PostgresDown", "severity": "critical"}})
    got = incident_runbooks(srv, j["incident_id"])
    assert set(got) == {"RB-DB-001"} and got["RB-DB-001"]["matched_by"] == ["alert_labels"]
    j = generic_ok(srv, key, {"summary": "Disk", "dedup_key": "disk",
                              "labels": {"alertname": "DiskFull"}})
    assert incident_runbooks(srv, j["incident_id"]) == {}
    assert srv.api("GET", "/api/v1/incidents/INC-2000-01-01-001/runbooks")[0] == 404


def test_steps_done_on_the_timeline(srv):
    inc = srv.create("payments failing", "SEV2", service="pay")
    iid = inc["id"]
    base = f"/api/v1/incidents/{iid}/runbooks"
    st, j = srv.api("POST", f"{base}/RB-PAY-001/steps/2/done")
    assert st == 200 and j["done"] is True
    steps = incident_runbooks(srv, iid)["RB-PAY-001"]["steps"]
    assert [s["done"] for s in steps] == [False, True, False]
    assert steps[1]["done_by"].startswith("token:") and steps[1]["done_at"]
    entries = [e for e in srv.timeline(iid) if e["kind"] == "runbook.step_done"]
    assert len(entries) == 1 and entries[0]["data"] == {
        "runbook": "RB-PAY-001", "step": 2, "text": "Fail over to the backup provider"}
    st, j = srv.api("POST", f"{base}/RB-PAY-001/steps/2/done")
    assert st == 409 and "already done" in j["error"]["message"]
    st, j = srv.api("POST", f"{base}/RB-PAY-001/steps/9/done")
    assert st == 404 and "step" in j["error"]["message"]
    st, j = srv.api("POST", f"{base}/RB-NOPE/steps/1/done")
    assert st == 404 and "runbook" in j["error"]["message"]
    st, j = srv.api("POST", f"{base}/RB-PAY-001/steps/x/done")
    assert st == 400 and "step" in j["error"]["message"]
    st, j = srv.api("POST", "/api/v1/incidents/INC-2000-01-01-001/runbooks/RB-PAY-001/steps/1/done")
    assert st == 404
    assert len([e for e in srv.timeline(iid) if e["kind"] == "runbook.step_done"]) == 1
    st, _ = srv.api("POST", f"{base}/RB-SEC-001/steps/1/done")
    assert st == 200, "any runbook of the config may be followed"
    assert incident_runbooks(srv, iid)["RB-SEC-001"]["matched_by"] == ["used"]
    viewer = srv.make_token("viewer")
    assert srv.api("POST", f"{base}/RB-PAY-001/steps/1/done", token=viewer)[0] == 403


def test_cli(srv):
    inc = srv.create("payments failing", "SEV2", service="pay")
    p = srv.cli("runbook", "list")
    assert p.returncode == 0 and "RB-PAY-001" in p.stdout and "4 runbooks" in p.stdout
    p = srv.cli("runbook", "show", "RB-PAY-001")
    assert p.returncode == 0 and p.stdout.startswith("## RB-PAY-001: Payments down")
    p = srv.cli("runbook", "show", "RB-PAY-001", "--format", "html")
    assert p.returncode == 0 and "<strong>provider</strong>" in p.stdout
    p = srv.cli("runbook", "show", "RB-NOPE")
    assert p.returncode == 1 and "runbook" in p.stderr
    p = srv.cli("runbook", "done", inc["id"], "RB-PAY-001", "1")
    assert p.returncode == 0, p.stderr
    p = srv.cli("runbook", "incident", inc["id"])
    assert p.returncode == 0 and "[x]  1. Check the **provider** status" in p.stdout
    p = srv.cli("runbook", "incident", inc["id"], "--json")
    assert list(json.loads(p.stdout)["runbooks"][0]["matched_by"]) == ["service"]


def test_config_checks_runbook_fields(tmp_path):
    text = ingest_config("""
runbooks:
  - {id: RB-1, title: x, alert_labels: ["no equals"], owner: nobody, services: [nowhere]}
""")
    path = os.path.join(tmp_path, "c.yaml")
    with open(path, "w") as f:
        f.write(text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert "alert_labels" in p.stderr and "label=value" in p.stderr
    assert "nobody" in p.stderr and "nowhere" in p.stderr


REVIEW_RUNBOOKS = """
runbooks:
  - {id: RB-OLD, title: Old runbook, owner: alice, review_by: "YESTERDAY", services: [api],
     steps: [x], url: "https://wiki.example.com/rb-old"}
  - {id: RB-NEW, title: Fresh runbook, owner: alice, review_by: "2099-12-31", steps: [y]}
  - {id: RB-NONE, title: No date, owner: alice, services: [api], steps: [z]}
"""


def test_review_by_reminds_owner_weekly_and_pages_link_runbooks(make_server, tmp_path):
    """A runbook past its review_by date reminds its owner by the outbox, once a week; a page
    about an incident links the runbooks of its service."""
    import datetime
    from notify_receivers import SmtpSink, notify_config, parts
    # due at the end of yesterday (UTC): the dev clock starts at the wall clock, so the first
    # weekly reminder is 0 to 2 days old, and the next one 7 days after the date
    yesterday = (datetime.datetime.now(datetime.timezone.utc).date()
                 - datetime.timedelta(days=1)).isoformat()
    smtp = SmtpSink(tmp_path / "mail")
    try:
        srv = make_server(dev_clock=True, config_text=notify_config(
            ["{id: alice, name: Alice, email: alice@example.com}"], smtp=smtp,
            throttle="1s") + REVIEW_RUNBOOKS.replace("YESTERDAY", yesterday))
        srv.advance("1s")
        msgs = smtp.wait_for(1)
        rem = [m for m in msgs if "Runbook review overdue" in m[2]["Subject"]]
        assert len(rem) == 1 and "RB-OLD" in rem[0][2]["Subject"], [m[2]["Subject"] for m in msgs]
        assert yesterday in parts(rem[0][2])[0]
        srv.advance("1d")
        inc = srv.create("api down", "SEV3", service="api")
        st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/page", {"user": "alice"})
        assert st == 201, j
        msgs = smtp.wait_for(2)
        assert len([m for m in msgs if "Runbook review" in m[2]["Subject"]]) == 1, "not daily"
        pg = [m for m in msgs if inc["id"] in m[2]["Subject"]]
        text = parts(pg[0][2])[0]
        assert "Runbooks:" in text and "RB-OLD: Old runbook (https://wiki.example.com/rb-old)" in text
        assert "RB-NONE: No date (tocsin runbook show RB-NONE)" in text and "RB-NEW" not in text
        srv.advance("7d")
        msgs = smtp.wait_for(3)
        assert len([m for m in msgs if "Runbook review" in m[2]["Subject"]]) == 2, "a week later"
        st, j = srv.api("GET", "/api/v1/runbooks")
        got = {rb["id"]: rb for rb in j["runbooks"]}
        assert got["RB-OLD"]["review_by"] == yesterday and got["RB-OLD"]["review_overdue"]
        assert got["RB-NEW"]["review_overdue"] is False and got["RB-NONE"]["review_by"] is None
    finally:
        smtp.close()


def test_review_by_needs_owner_and_a_date(tmp_path):
    for bad, word in [("{id: RB-1, title: x, review_by: '2026-01-01'}", "needs an owner"),
                      ("{id: RB-1, title: x, owner: alice, review_by: 'soon'}", "YYYY-MM-DD"),
                      ("{id: RB-1, title: x, owner: alice, review_by: '2026-02-30'}", "YYYY-MM-DD")]:
        path = os.path.join(tmp_path, "c.yaml")
        with open(path, "w") as f:
            f.write(ingest_config("runbooks:\n  - " + bad + "\n"))
        p = run_bin("check-config", path)
        assert p.returncode == 1 and word in p.stderr, (bad, p.stderr)


def test_cli_list_shows_review_by(make_server):
    srv = make_server(config_text=ingest_config(
        "runbooks:\n  - {id: RB-OLD, title: Old, owner: alice, review_by: '2000-01-31'}\n"))
    p = srv.cli("runbook", "list")
    assert p.returncode == 0 and "REVIEW BY" in p.stdout and "2000-01-31 (overdue)" in p.stdout
    p = srv.cli("runbook", "show", "RB-OLD")
    assert p.returncode == 0 and "*Review by:* 2000-01-31" in p.stdout
