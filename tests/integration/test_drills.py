"""Fire drills (issue 17): scenarios in the config's `drills:`; `POST /api/v1/drills` and
`tocsin drill start` declare a drill incident (drill: true, drill.started on its timeline) that
pages like any incident, marked [DRILL]; `GET /api/v1/drills/{id}/report` and `tocsin drill report`
score it against the severity's targets (ack, commander, first update, checklists, resolution,
the expected runbook); an unknown scenario is a 4xx naming the field. One server for the module,
the dev clock moved instead of waiting."""
import json

import pytest

from tocsin_harness import Server, require_bin

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [email], postmortem: {required: true, due: 48h}}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
  - {id: bob, name: Bob, email: bob@example.com}
contacts:
  - {id: legal, name: Legal counsel, kind: legal, email: legal@example.com}
  - {id: vendor, name: Cloud vendor, kind: vendor, email: tam@example.com}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
  - id: breach
    steps:
      - {after: 0m, notify: [user:alice, "contact:vendor"]}
services:
  - {id: db, name: Database, escalation: default}
  - {id: vault, name: Secrets vault, escalation: breach}
rules:
  - id: breach-legal
    when: {service: [vault]}
    page: ["contact:legal", "user:bob"]
    note: "Legal engaged"
runbooks:
  - id: RB-DB-001
    title: Database failover
    services: [db]
    steps: ["Check replication lag", "Promote the replica"]
checklists:
  - id: sev1
    title: SEV1 checklist
    when: {severity: [SEV1]}
    items: ["Assign an incident commander", "Page the DBA"]
drills:
  - id: db-failover
    title: "Game day: primary database down"
    severity: SEV1
    service: db
    summary: The primary is unreachable; fail over.
    runbook: RB-DB-001
  - {id: minor, title: "Slow queries", severity: SEV3}
  - {id: breach, title: "Game day: vault leaked", severity: SEV3, service: vault}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("drills"), dev_clock=True, config_text=CONFIG)
    s.start()
    yield s
    s.teardown()


def start(srv, scenario):
    st, j = srv.api("POST", "/api/v1/drills", {"scenario": scenario})
    assert st == 201, j
    return j


def report(srv, iid):
    st, j = srv.api("GET", f"/api/v1/drills/{iid}/report")
    assert st == 200, j
    return j, {c["name"]: c for c in j["checks"]}


def test_start_declares_a_drill_that_pages_marked_drill(srv):
    inc = start(srv, "db-failover")
    iid = inc["id"]
    assert inc["drill"] is True and inc["scenario"] == "db-failover" and inc["severity"] == "SEV1"
    assert inc["title"] == "Game day: primary database down" and inc["service"] == "db"
    kinds = [e["kind"] for e in srv.timeline(iid)]
    assert kinds[0] == "incident.declared" and "drill.started" in kinds
    started = [e for e in srv.timeline(iid) if e["kind"] == "drill.started"][0]
    assert started["data"] == {"scenario": "db-failover", "runbook": "RB-DB-001",
                               "expect_severity": "SEV1"}  # defaults to severity
    srv.advance("1s")
    st, j = srv.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200 and j["notifications"], "a drill pages as paging does"
    assert all(n["user"] == "alice" for n in j["notifications"])


def test_score_all_passed_then_a_late_one(srv):
    iid = start(srv, "db-failover")["id"]
    rep, c = report(srv, iid)
    assert rep["complete"] is False and rep["scenario"] == "db-failover"
    assert {k: v["result"] for k, v in c.items()} == {
        "ack": "pending", "commander": "pending", "first_update": "pending",
        "checklists": "pending", "resolve": "pending", "runbook": "pending"}
    srv.advance("2m")
    srv.move(iid, "acknowledged")
    srv.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"})
    srv.advance("3m")
    srv.move(iid, "investigating", message="Failing over the primary", public=True)
    st, _ = srv.api("POST", f"/api/v1/incidents/{iid}/runbooks/RB-DB-001/steps/1/done")
    assert st == 200
    st, _ = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/sev1/items/2/tick")
    assert st == 200
    srv.advance("10m")
    srv.move(iid, "resolved")
    rep, c = report(srv, iid)
    assert rep["complete"] is True and rep["status"] == "resolved"
    assert {k: v["result"] for k, v in c.items()} == {
        "ack": "pass", "commander": "pass", "first_update": "pass", "checklists": "pass",
        "resolve": "pass", "runbook": "pass"}, c
    assert c["ack"]["took"] == "2m" and c["ack"]["target"] == "15m"
    assert abs(c["resolve"]["took_ms"] - 15 * 60 * 1000) < 1000 and c["checklists"]["done"] == "2/2"
    assert rep["score"] == 100 and rep["passed"] == rep["scored"] == 6

    late = start(srv, "db-failover")["id"]
    srv.advance("20m")  # ack_within 15m
    srv.move(late, "acknowledged")
    srv.advance("50m")  # resolve_within 1h: 70m in
    srv.move(late, "resolved")
    rep, c = report(srv, late)
    assert c["ack"]["result"] == "fail" and c["resolve"]["result"] == "fail"
    assert c["commander"]["result"] == "fail" and c["runbook"]["result"] == "fail"
    assert c["first_update"]["result"] == "fail" and c["checklists"]["done"] == "0/2"
    assert rep["score"] == 0

    st, j = srv.api("GET", "/api/v1/drills")
    assert st == 200 and [s["id"] for s in j["scenarios"]] == ["db-failover", "minor", "breach"]
    runs = {d["incident_id"]: d for d in j["drills"]}
    assert runs[iid]["score"] == 100 and runs[late]["score"] == 0


def test_bad_input(srv):
    st, j = srv.api("POST", "/api/v1/drills", {"scenario": "nope"})
    assert st == 422 and "scenario" in j["error"]["message"]
    st, j = srv.api("POST", "/api/v1/drills", {})
    assert st == 400 and "scenario" in j["error"]["message"]
    st, j = srv.api("POST", "/api/v1/drills", {"scenario": "minor", "x": 1})
    assert st == 400 and "x" in j["error"]["message"]
    real = srv.create("real one", "SEV3")
    st, j = srv.api("GET", f"/api/v1/drills/{real['id']}/report")
    assert st == 404 and "not a drill" in j["error"]["message"]
    st, j = srv.api("GET", "/api/v1/drills/INC-2000-01-01-001/report")
    assert st == 404


def test_cli(srv):
    p = srv.cli("drill", "start", "minor")
    assert p.returncode == 0, p.stderr
    iid = p.stdout.splitlines()[0]
    assert "[DRILL]" in p.stdout
    p = srv.cli("drill", "report", iid)
    assert p.returncode == 0, p.stderr
    assert "ack" in p.stdout and "score:" in p.stdout and "pending" in p.stdout
    p = srv.cli("drill", "report", iid, "--json")
    assert json.loads(p.stdout)["incident_id"] == iid
    p = srv.cli("drill", "list")
    assert p.returncode == 0 and "db-failover" in p.stdout and iid in p.stdout
    p = srv.cli("drill", "start", "nope")
    assert p.returncode != 0 and "scenario" in p.stderr


def test_a_drill_pages_no_contact_outside_the_team(srv):
    """A drill's pages to contacts (Legal, a vendor: people outside the team) are not sent, by a
    rule or by an escalation step; each is on the drill's timeline and in its report as what
    would have been paged. Users are paged as ever, marked [DRILL]; the rule still fires."""
    inc = start(srv, "breach")
    iid = inc["id"]
    srv.advance("1s")
    st, j = srv.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200, j
    users = sorted({n["user"] for n in j["notifications"]})
    assert users == ["alice", "bob"], users  # no contact:legal, no contact:vendor
    tl = srv.timeline(iid)
    assert any(e["kind"] == "rule.fired" and e["data"]["rule"] == "breach-legal" for e in tl), tl
    withheld = {e["data"]["contact"]: e["data"] for e in tl if e["kind"] == "drill.page_withheld"}
    assert set(withheld) == {"contact:legal", "contact:vendor"}, withheld
    assert withheld["contact:legal"]["reason"] == "rule breach-legal", withheld
    assert withheld["contact:legal"]["name"] == "Legal counsel", withheld
    rep, _ = report(srv, iid)
    assert sorted(w["contact"] for w in rep["withheld_pages"]) == ["contact:legal",
                                                                   "contact:vendor"], rep
    # a manual page of a contact about the drill: not sent either, and said so
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/page", {"user": "contact:legal"})
    assert st == 201 and j["queued"] == 0 and j["notifications"] == [], (st, j)
    tl = srv.timeline(iid)
    assert [e["data"]["key"] for e in tl if e["kind"] == "drill.page_withheld"
            and e["data"]["key"].startswith("manual:")], tl
    # a real incident of the same kind pages them
    real = srv.create("real vault leak", "SEV3", service="vault")
    srv.advance("1s")
    st, j = srv.api("GET", f"/api/v1/incidents/{real['id']}/notifications")
    got = {n["user"] for n in j["notifications"]}
    assert {"contact:legal", "contact:vendor"} <= got, got
    assert not [e for e in srv.timeline(real["id"]) if e["kind"] == "drill.page_withheld"]
