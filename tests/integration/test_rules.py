"""Conditional rules (`rules:`, docs/config.md "rules"; issue 16 item 12): evaluated on declare
and after each change that can make one match (severity, a field, a failed resolution attempt),
each firing once per incident and on the timeline; the incident fields and failed resolution
attempts they read, by API and CLI; bad input refused, check-config's warnings."""
import pytest

from conftest import _teardown_all
from test_ingest_support import generic_ok, integration
from tocsin_harness import FIXTURE_CONFIG, Server, require_bin, run_bin

RULES = """
contacts:
  - {id: dpo, name: Data protection officer, kind: legal, email: dpo@example.com}
rules:
  - id: breach-legal
    when: {type: [security], fields: {gdpr: "yes"}}
    page: ["user:carol", "contact:dpo"]
    set_fields: {legal_review: required}
    note: "GDPR: legal engaged"
  - id: raise-db
    when: {severity: [SEV3], service: [db]}
    set_severity: SEV2
  - id: db-sev2
    when: {severity: [SEV2], service: [db]}
    set_fields: {dba: engaged}
  - id: repeated-failures
    when: {failed_resolutions: 2}
    page: ["user:bob"]
  - id: prod-alert
    when: {service: [api], labels: {env: prod, "app.kubernetes.io/name": web}}
    set_fields: {env: prod}
"""


def config_text():
    return open(FIXTURE_CONFIG).read() + RULES


@pytest.fixture(scope="module")
def rs(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("rules"), dev_clock=True, config_text=config_text())
    s.start()
    s.pin_clock()
    yield s
    _teardown_all([s])


def kinds(s, iid, kind):
    return [e["data"] for e in s.timeline(iid) if e["kind"] == kind]


def rule_pages(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200, j
    return sorted({(n["user"], n["key"]) for n in j["notifications"] if n["key"].startswith("rule:")})


def test_declare_runs_rules_until_none_fires(rs):
    inc = rs.create("db slow", "SEV3", service="db")
    # raise-db fires on declare, then db-sev2 matches the new severity: both, in that order
    assert inc["severity"] == "SEV2" and inc["rules_fired"] == ["raise-db", "db-sev2"], inc
    assert inc["fields"] == {"dba": "engaged"}, inc
    f = kinds(rs, inc["id"], "rule.fired")
    assert [x["rule"] for x in f] == ["raise-db", "db-sev2"], f
    assert f[0]["severity"] == {"from": "SEV3", "to": "SEV2"}, f
    sc = kinds(rs, inc["id"], "incident.severity_changed")
    assert sc == [{"from": "SEV3", "to": "SEV2", "reason": "rule raise-db"}], sc
    # a severity change by a person re-runs the rules; both fired already: nothing again
    st, j = rs.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV3"})
    assert st == 200 and j["severity"] == "SEV3", j
    assert len(kinds(rs, inc["id"], "rule.fired")) == 2


def test_field_set_by_cli_fires_once_and_pages(rs):
    inc = rs.create("PII in a log", "SEV1", type="security")
    assert inc["fields"] == {} and inc["rules_fired"] == [], inc
    p = rs.cli("field", inc["id"], "gdpr", "yes")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [f"{inc['id']} gdpr=yes", "rules fired: breach-legal"], p.stdout
    got = rs.get(inc["id"])
    assert got["fields"] == {"gdpr": "yes", "legal_review": "required"}, got
    assert rule_pages(rs, inc["id"]) == [("carol", "rule:breach-legal"),
                                         ("contact:dpo", "rule:breach-legal")]
    set_ = kinds(rs, inc["id"], "incident.field_set")
    assert set_ == [{"name": "gdpr", "value": "yes", "previous": None}], set_
    # cleared and set again: the rule fired once and does not fire again
    p = rs.cli("field", inc["id"], "gdpr", "--clear")
    assert p.returncode == 0 and p.stdout.startswith(f"{inc['id']} gdpr cleared"), (p.stdout, p.stderr)
    assert rs.api("PUT", f"/api/v1/incidents/{inc['id']}/fields/gdpr", {"value": "yes"})[0] == 200
    assert len(kinds(rs, inc["id"], "rule.fired")) == 1
    assert len(rule_pages(rs, inc["id"])) == 2
    assert [x.get("previous") for x in kinds(rs, inc["id"], "incident.field_set")] == \
        [None, "yes", None]


def test_failed_resolutions_by_reopen_and_by_cli(rs):
    inc = rs.create("checkout errors", "SEV2")
    iid = inc["id"]
    assert rs.api("POST", f"/api/v1/incidents/{iid}/resolve", {})[0] == 200
    # a failed attempt is recorded on an open incident only
    st, j = rs.api("POST", f"/api/v1/incidents/{iid}/failed-resolutions", {})
    assert st == 409 and "open incident" in j["error"]["message"], j
    st, j = rs.api("POST", f"/api/v1/incidents/{iid}/status", {"status": "acknowledged"})
    assert st == 200 and j["failed_resolutions"] == 1, j
    p = rs.cli("failed-resolution", iid, "-m", "rollback did not help")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [f"{iid} failed resolution attempts: 2",
                                     "rules fired: repeated-failures"], p.stdout
    assert rule_pages(rs, iid) == [("bob", "rule:repeated-failures")]
    assert rs.cli("failed-resolution", iid).returncode == 0
    assert [x["failed_resolutions"] for x in kinds(rs, iid, "incident.reopened")] == [1]
    f = kinds(rs, iid, "incident.resolution_failed")
    assert [(x["count"], x["how"], x.get("note")) for x in f] == [
        (2, "recorded", "rollback did not help"), (3, "recorded", None)], f
    assert len(kinds(rs, iid, "rule.fired")) == 1 and rs.get(iid)["failed_resolutions"] == 3


def test_alert_joining_with_matching_labels_fires_once(rs):
    key = integration(rs, "api", "generic")["key"]
    web = {"env": "prod", "app.kubernetes.io/name": "web"}
    first = generic_ok(rs, key, {"summary": "api 5xx", "labels": {**web, "env": "staging"}})
    iid = first["incident_id"]
    assert iid and rs.get(iid)["rules_fired"] == [], rs.get(iid)
    # a second alert joins the same incident with every label the rule names: it fires
    assert generic_ok(rs, key, {"summary": "api 5xx prod", "labels": {**web, "zone": "a"}})["incident_id"] == iid
    got = rs.get(iid)
    assert got["rules_fired"] == ["prod-alert"] and got["fields"] == {"env": "prod"}, got
    assert [x["rule"] for x in kinds(rs, iid, "rule.fired")] == ["prod-alert"]
    # one more matching alert: the rule fired already
    generic_ok(rs, key, {"summary": "api 5xx again", "labels": web})
    assert len(kinds(rs, iid, "rule.fired")) == 1


@pytest.mark.parametrize("path,body,status,field", [
    ("/fields/Bad!Name", {"value": "x"}, 422, "name"),
    ("/fields/_x", {"value": "x"}, 422, "name"),
    ("/fields/cause", {}, 400, "value"),
    ("/fields/cause", {"value": ""}, 400, "value"),
    ("/fields/cause", {"value": "x" * 201}, 400, "value"),
    ("/fields/cause", {"value": 7}, 400, "value"),
    ("/fields/cause", {"value": "x", "extra": 1}, 400, "extra"),
    ("/failed-resolutions", {"note": 5}, 400, "note"),
])
def test_bad_input_is_refused_naming_the_field(rs, path, body, status, field):
    inc = rs.create("bad input", "SEV4")
    st, j = rs.api("PUT" if "/fields/" in path else "POST", f"/api/v1/incidents/{inc['id']}{path}",
                   body)
    assert st == status and j["error"]["message"].startswith(field), (st, j)
    got = rs.get(inc["id"])
    assert got["fields"] == {} and got["failed_resolutions"] == 0, got


def test_unknown_incident_is_404(rs):
    st, j = rs.api("PUT", "/api/v1/incidents/INC-2099-01-01-999/fields/cause", {"value": "x"})
    assert st == 404 and j["error"]["message"].startswith("id"), j
    st, j = rs.api("POST", "/api/v1/incidents/INC-2099-01-01-999/failed-resolutions", {})
    assert st == 404, j


def test_check_config_refuses_bad_rules_and_warns(tmp_path):
    path = tmp_path / "rules.yaml"
    bad = config_text() + """  - id: typo
    when: {severity: [SEV9], service: [nope]}
    page: ["contact:ghost", "schedule:none"]
  - id: idle
    when: {type: [security]}
"""
    path.write_text(bad)
    p = run_bin("check-config", path)
    lines = bad.splitlines()
    ln = {k: lines.index(k) + 1 for k in ("  - id: typo", "  - id: idle",
                                           "    page: [\"contact:ghost\", \"schedule:none\"]")}
    assert p.returncode == 1, p.stderr
    w, pg = ln["  - id: typo"] + 1, ln["    page: [\"contact:ghost\", \"schedule:none\"]"]
    assert f"{path}:{w}: rules[5].when.severity[0]: unknown severity \"SEV9\"" in p.stderr, p.stderr
    assert f"{path}:{w}: rules[5].when.service[0]: unknown service \"nope\"" in p.stderr, p.stderr
    assert f"{path}:{pg}: rules[5].page[0]: unknown contact \"ghost\"" in p.stderr, p.stderr
    assert f"{path}:{pg}: rules[5].page[1]: unknown schedule \"none\"" in p.stderr, p.stderr
    assert f"{path}:{ln['  - id: idle']}: rules[6]: rule idle does nothing" in p.stderr, p.stderr
    warn = config_text().replace("kind: legal, email: dpo@example.com}", "kind: legal}") + \
        "  - {id: same, when: {severity: [SEV1]}, set_severity: SEV1}\n"
    path.write_text(warn)
    p = run_bin("check-config", path)
    assert p.returncode == 0, p.stderr
    assert "warning: rules: breach-legal pages contact:dpo, which reaches nobody (the contact " \
        "has no phone and no email)" in p.stderr, p.stderr
    n = len(warn.splitlines())
    assert f"{path}:{n}: warning: rules: same sets severity SEV1 only when" in p.stderr, p.stderr
