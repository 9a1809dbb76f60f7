"""The playbook rendered from the config (issue 17): `tocsin playbook render [--format
markdown|html] [--config FILE]` and GET /api/v1/playbook?format=markdown|html|json. For each of the
five examples/ configs the rendered playbook carries the tables of its seed: the values below are
those the seed states (quoted), compared with the rendered severity table, escalation timings,
checklists and runbook ids. The examples are rendered offline (--config: no server); the route and
the CLI through a server use one server for the module."""
import json
import os
import re

import pytest

from tocsin_harness import Server, require_bin, run_bin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# example -> what its seed states: {severity: response time}, escalation rows (policy heading
# prefix, step after, target), checklist titles, runbook ids.
SEEDS = {
    # 002_7d52dae04e4d1403.txt "Severity Levels": P1 "15 minutes", P2 "1 hour", P3 "4 hours",
    # P4 "Next business day"; "Escalation Matrix": on-call engineer first, Platform lead next.
    "agentfoundry": {
        "ack": {"P1": "15m", "P2": "1h", "P3": "4h", "P4": "1d"},
        "escalation": [("Service crash", "at once", "schedule:oncall"),
                       ("Service crash", "15m", "user:platform-lead")],
        "checklists": ["Post-incident review (within 48 hours of P1/P2 resolution)"],
        "runbooks": ["service-crash", "database-connection-failure", "model-server-timeout",
                     "high-latency", "auth-failures", "rabbitmq-backlog", "disk-space-full"],
    },
    # 003_0ef027d45b7c6cba.txt: SEV1 "15 minutes" ... SEV4 "4 hours"; resolution SEV1 1 hour,
    # SEV2 4 hours; backups paged after 10 minutes, the CTO at 30 minutes.
    "alchemorsel": {
        "ack": {"SEV1": "15m", "SEV2": "30m", "SEV3": "1h", "SEV4": "4h"},
        "resolve": {"SEV1": "1h", "SEV2": "4h"},
        "escalation": [("Alchemorsel escalation matrix", "10m",
                        "schedule:incident-commander/backup, schedule:technical-lead/backup"),
                       ("Alchemorsel escalation matrix", "30m", "user:cto")],
        "checklists": ["Phase 1: detection and initial response (0-15 minutes)",
                       "Phase 2: war room setup (15-45 minutes)"],
        "runbooks": ["initial-assessment", "database-operations"],
    },
    # 000_3593abefc8cb8488.txt: "Acknowledge the PagerDuty alert within 2 minutes" (SEV-1),
    # SEV-2 "< 15 min", SEV-3 "< 1 hour"; "First 5 Minutes"; "Within 1 Hour of resolution";
    # runbooks INC-01 .. INC-15.
    "alfred": {
        "ack": {"SEV-1": "2m", "SEV-2": "15m", "SEV-3": "1h"},
        "escalation": [("Alfred default", "at once", "user:sergey-bar")],
        "checklists": ["First 5 minutes (every incident)", "Within 1 hour of resolution"],
        "runbooks": ["db-unreachable", "credit-leakage", "data-breach", "cache-poisoning"],
    },
    # 001_662dbf12ac9f9c9c.txt: P0 "< 15 minutes"; Level 2 "after 15 minutes with no response",
    # Level 3 "after 30 minutes for P0/P1", Level 4 CTO "after 1 hour for unresolved P0";
    # "P0: Every 30 minutes until resolved".
    "alloy": {
        "ack": {"P0": "15m"},
        "update": {"P0": "30m"},
        "escalation": [("Alloy default", "15m", "schedule:oncall/secondary"),
                       ("Alloy default", "30m", "user:eng-lead"),
                       ("Alloy default", "1h", "user:cto")],
        "checklists": [],
        "runbooks": ["security-breach", "auth-failures", "cache-failures"],
    },
    # 004_a113b9fa0887d839.txt 1.1: SEV1 "15 min", SEV2 "30 min", SEV3 "4 hours", SEV4
    # "24 hours"; 9.1 SEV1 Checklist, 9.2 Handoff Checklist.
    "bud": {
        "ack": {"SEV1": "15m", "SEV2": "30m", "SEV3": "4h", "SEV4": "1d"},
        "escalation": [("Bud escalation matrix", "30m", "user:eng-manager"),
                       ("Bud escalation matrix", "1h", "user:vp-eng")],
        "checklists": ["9.1 SEV1 checklist", "9.2 Handoff checklist"],
        "runbooks": ["sev1-investigation", "platform-outage", "database-failure"],
    },
}


def table_after(md, heading):
    """The rows (lists of cells) of the first table after the line starting with `heading`."""
    lines = md.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(heading))
    rows, seen = [], False
    for l in lines[start + 1:]:
        if l.startswith("|"):
            seen = True
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", l)[1:-1]]
            if not set("".join(cells)) <= set("-:"):
                rows.append(cells)
        elif seen or l.startswith("#"):
            break
    return rows


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_examples_carry_their_seeds_tables(name):
    p = run_bin("playbook", "render", "--config", os.path.join(ROOT, "examples", f"{name}.yaml"))
    assert p.returncode == 0, p.stderr
    md, seed = p.stdout, SEEDS[name]
    sev = {r[0]: r for r in table_after(md, "## Severity Levels")[1:]}
    for level, ack in seed["ack"].items():
        assert sev[level][3] == ack, (level, sev[level])
    for level, res in seed.get("resolve", {}).items():
        assert sev[level][4] == res, (level, sev[level])
    for level, upd in seed.get("update", {}).items():
        assert sev[level][5] == upd, (level, sev[level])
    for policy, after, target in seed["escalation"]:
        steps = table_after(md, f"### {policy}")
        assert any(r[1] == after and r[2] == target for r in steps), (policy, after, target, steps)
    for title in seed["checklists"]:
        assert re.search(rf"^### {re.escape(title)} \(`", md, re.M), title
    runbooks = [r[0] for r in table_after(md, "## Runbooks")[1:]]
    assert set(seed["runbooks"]) <= set(runbooks), runbooks
    for rb in seed["runbooks"]:
        assert f"\n### " in md and rb in md


def test_roles_and_conditional_rules_are_rendered():
    """alfred.yaml's commander (roles:) and its conditional rules (rules:), as tables: who fills
    the role and from where; each rule's conditions and actions."""
    p = run_bin("playbook", "render", "--config", os.path.join(ROOT, "examples", "alfred.yaml"))
    assert p.returncode == 0, p.stderr
    roles = table_after(p.stdout, "## Roles Filled on Declare")
    assert ["commander", "every incident", "schedule:sre-oncall", "user:sergey-bar", "-"] in \
        roles, roles
    rules = {r[0]: r[1:] for r in table_after(p.stdout, "## Conditional Rules")[1:]}
    when, then = rules["INC-07 caused by an Alfred billing bug"]
    assert when == "type quota-exhaustion; field cause = billing-bug", when
    assert then.startswith("severity -> SEV-1; runbook bad-release; \"INC-07"), then
    when, then = rules["INC-14 with GDPR-regulated users affected"]
    assert then.startswith("page user:legal; set field legal_review = required"), then
    p = run_bin("playbook", "render", "--config", os.path.join(ROOT, "examples", "dev.yaml"))
    rules = {r[0]: r[1:] for r in table_after(p.stdout, "## Conditional Rules")[1:]}
    assert rules["Open for an hour"][0] == "severity SEV1 or SEV2; open for 1h", rules
    assert rules["Open for an hour"][1].startswith(
        "comms_lead -> schedule:primary/secondary (if empty)"), rules
    assert rules["Critical database alert"][0] == \
        "service db; alert label severity = critical or page", rules


CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [email], postmortem: {required: true, due: 48h}}
users:
  - {id: alice, name: Alice, email: alice@example.com, phone: "+15550101"}
escalation_policies:
  - id: default
    name: Default path
    steps:
      - {after: 0m, notify: [user:alice]}
      - {after: 10m, notify: [user:alice]}
services:
  - {id: db, name: Database, escalation: default}
runbooks:
  - id: RB-DB-001
    title: "Database | failover"
    owner: alice
    steps: ["<script>alert(1)</script> promote the replica"]
checklists:
  - {id: sev1, title: SEV1 checklist, when: {severity: [SEV1]}, items: ["Assign an incident commander"]}
drills:
  - {id: db-failover, title: "Game day", severity: SEV1, service: db, runbook: RB-DB-001}
contacts:
  - {id: pg-vendor, name: "PG Support Inc", kind: vendor, phone: "+15550199", email: support@pg.example}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("playbook"), dev_clock=True, config_text=CONFIG)
    s.start()
    yield s
    s.teardown()


def test_route_markdown_html_json(srv):
    r = srv.request("GET", "/api/v1/playbook")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/markdown")
    md = r.body.decode()
    assert md.startswith("# Incident Response Playbook") and "running configuration at" in md
    assert table_after(md, "## Severity Levels")[1][:7] == [
        "SEV1", "Critical", "-", "15m", "1h", "30m", "email"]
    assert table_after(md, "### Default path")[2][1:3] == ["10m", "user:alice"]
    assert ["RB-DB-001", "Database \\| failover", "Alice", "-", "-", "-"] in table_after(
        md, "## Runbooks")
    assert ["db-failover", "Game day", "SEV1", "db", "RB-DB-001"] in table_after(md, "## Fire Drills")
    assert ["pg-vendor", "PG Support Inc", "vendor", "-", "+15550199", "support@pg.example"] in \
        table_after(md, "## Contacts")
    assert "- [ ] Assign an incident commander" in md
    r = srv.request("GET", "/api/v1/playbook?format=html")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    html = r.body.decode()
    assert html.startswith("<!DOCTYPE html>") and "<h2>Severity Levels</h2>" in html
    assert "<table>" in html and "<td>15m</td>" in html, "tables by libcmark-gfm's extension"
    assert "<script>" not in html, "raw HTML off (libcmark safe mode)"
    st, j = srv.api("GET", "/api/v1/playbook?format=json")
    assert st == 200 and j["markdown"].startswith("# Incident") and "<h1>" in j["html"]
    st, j = srv.api("GET", "/api/v1/playbook?format=pdf")
    assert st == 400 and "format" in j["error"]["message"]


def test_cli_render_from_server_and_bad_input(srv, tmp_path):
    p = srv.cli("playbook", "render")
    assert p.returncode == 0, p.stderr
    assert "## Escalation Paths" in p.stdout and "PG Support Inc" in p.stdout
    p = srv.cli("playbook", "render", "--format", "html")
    assert p.returncode == 0 and "<h2>Contacts</h2>" in p.stdout
    p = srv.cli("playbook", "render", "--format", "pdf")
    assert p.returncode == 2 and "--format" in p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIG.replace("runbook: RB-DB-001}", "runbook: RB-NOPE}"))
    p = run_bin("playbook", "render", "--config", str(bad))
    assert p.returncode != 0 and "RB-NOPE" in p.stderr
