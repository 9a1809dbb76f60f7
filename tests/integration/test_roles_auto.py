"""Roles filled from the config on declare (`roles:`, docs/config.md "Roles filled on declare";
issue 16 item 11): the primary's user at that moment (a schedule's on-call user, or a user), the
backup when the primary resolves to nobody, marked automatic on the timeline; nobody at all is
loud (incident.role_unfilled, the log, tocsin_roles_unfilled_total, a check-config warning)."""
import re

import pytest

from conftest import _teardown_all
from tocsin_harness import FIXTURE_CONFIG, Server, require_bin, run_bin

MONDAY_NOON = "2099-06-15T12:00:00Z"  # inside "mon-fri 09:00-17:00"; outside 20:00-23:00

# Alice on call by day, Bob in the evening, nobody at MONDAY_NOON on "night" (shared with
# test_rules_actions.py).
DAY_NIGHT = """
schedules:
  - id: day
    name: Day shift
    timezone: UTC
    layers:
      - name: primary
        rotation: {every: 1w, handoff: "mon 09:00", users: [alice]}
        restrictions: ["mon-fri 09:00-17:00"]
  - id: night
    name: Night shift
    timezone: UTC
    layers:
      - name: primary
        rotation: {every: 1w, handoff: "mon 09:00", users: [bob]}
        restrictions: ["mon-fri 20:00-23:00"]
"""

ROLES = DAY_NIGHT + """
rules:
  - id: breach-sev1
    when: {severity: [SEV2], type: [breach]}
    set_severity: SEV1
roles:
  - {role: commander, when: {severity: [SEV1, SEV2]}, primary: "schedule:day", backup: "user:carol"}
  - {role: comms_lead, primary: "user:bob"}
  - {role: scribe, when: {type: [security]}, primary: "schedule:night"}
  - {role: tech_lead, when: {severity: [SEV1], type: [breach]}, primary: "user:carol"}
"""


def config_text():
    security = "  - {id: security, name: Security}\n"
    base = open(FIXTURE_CONFIG).read()
    assert security in base
    return base.replace(security, security + "  - {id: breach, name: Data breach}\n") + ROLES


@pytest.fixture(scope="module")
def rsrv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("roles"), dev_clock=True, config_text=config_text())
    s.start()
    s.pin_clock(MONDAY_NOON)
    yield s
    _teardown_all([s])


def entries(srv, iid, kind):
    return [e for e in srv.timeline(iid) if e["kind"] == kind]


def unfilled_metric(srv):
    r = srv.request("GET", "/metrics")
    m = re.search(r"^tocsin_roles_unfilled_total (\d+)$", r.body.decode(), re.M)
    assert m, r.body[:400]
    return int(m.group(1))


def test_primary_schedule_and_user_fill_roles_on_declare(rsrv):
    inc = rsrv.create("roles on declare", "SEV1")
    assert inc["roles"]["commander"] == "alice", inc["roles"]  # on call in `day` at noon
    assert inc["roles"]["comms_lead"] == "bob"
    assert inc["roles"]["tech_lead"] is None and inc["roles"]["scribe"] is None
    got = {e["data"]["role"]: e for e in entries(rsrv, inc["id"], "incident.role_assigned")}
    assert set(got) == {"commander", "comms_lead"}, got
    c = got["commander"]
    assert c["actor"] == "tocsin", c
    assert c["data"]["automatic"] is True and c["data"]["source"] == "schedule:day", c
    assert c["data"]["backup_used"] is False and c["data"]["user"] == "alice", c
    # the same path as a manual assignment: the person takes the role over, on the timeline
    st, j = rsrv.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", {"user": "bob"})
    assert st == 200 and j["roles"]["commander"] == "bob", (st, j)
    last = entries(rsrv, inc["id"], "incident.role_assigned")[-1]
    assert last["data"]["previous"] == "alice" and "automatic" not in last["data"], last


def test_when_limits_the_incidents(rsrv):
    inc = rsrv.create("minor", "SEV3")
    assert inc["roles"]["commander"] is None, inc["roles"]  # the entry is for SEV1/SEV2 only
    assert inc["roles"]["comms_lead"] == "bob"


def test_nobody_to_fill_is_loud(rsrv):
    before = unfilled_metric(rsrv)
    inc = rsrv.create("security at noon", "SEV2", type="security")
    assert inc["roles"]["scribe"] is None
    u = entries(rsrv, inc["id"], "incident.role_unfilled")
    assert len(u) == 1 and u[0]["data"]["role"] == "scribe", u
    assert u[0]["data"]["primary"] == "schedule:night", u
    assert unfilled_metric(rsrv) == before + 1
    assert rsrv.get(inc["id"])["roles"]["commander"] == "alice"


def test_backup_when_the_primary_resolves_to_nobody(rsrv):
    rsrv.pin_clock("2099-06-20T12:00:00Z")  # Saturday: nobody in `day`
    inc = rsrv.create("weekend", "SEV2")
    assert inc["roles"]["commander"] == "carol", inc["roles"]
    c = [e for e in entries(rsrv, inc["id"], "incident.role_assigned")
         if e["data"]["role"] == "commander"]
    assert c[0]["data"]["backup_used"] is True and c[0]["data"]["source"] == "user:carol", c


def test_check_config_warns_and_refuses(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text(config_text())
    p = run_bin("check-config", path)
    assert p.returncode == 0, p.stderr
    scribe = config_text().splitlines().index(
        '  - {role: scribe, when: {type: [security]}, primary: "schedule:night"}') + 1
    assert f"{path}:{scribe}: warning: roles: scribe from schedule:night can resolve to nobody" \
        in p.stderr, p.stderr
    assert "roles: commander" not in p.stderr, "a backup user covers the gaps: no warning"
    bad = config_text() + '  - {role: tech_lead, primary: "team:nope"}\n' \
        '  - {role: tech_lead, primary: "schedule:ghost", backup: "user:mallory"}\n'
    path.write_text(bad)
    p = run_bin("check-config", path)
    n = len(bad.splitlines())
    assert p.returncode == 1, p.stderr
    assert f"{path}:{n - 1}: roles[4].primary:" in p.stderr and "one person" in p.stderr, p.stderr
    assert f"{path}:{n}: roles[5].primary: unknown schedule \"ghost\"" in p.stderr, p.stderr
    assert f"{path}:{n}: roles[5].backup: unknown user \"mallory\"" in p.stderr, p.stderr


def test_a_rule_raising_the_severity_fills_the_new_severitys_roles(rsrv):
    rsrv.pin_clock("2099-06-22T12:00:00Z")  # a Monday again: alice is on call in `day`
    inc = rsrv.create("breach", "SEV2", type="breach")  # the rule raises it to SEV1 on declare
    assert inc["severity"] == "SEV1", inc
    assert inc["roles"]["tech_lead"] == "carol", inc["roles"]  # the SEV1-only entry
    assert inc["roles"]["commander"] == "alice", inc["roles"]  # filled on declare, kept
    got = [e["data"] for e in entries(rsrv, inc["id"], "incident.role_assigned")]
    assert [d["role"] for d in got].count("commander") == 1, got  # never replaced
    assert any(d["role"] == "tech_lead" and d["automatic"] is True for d in got), got
    # a manual raise fills the roles still empty too; one held is left alone
    other = rsrv.create("breach later", "SEV3", type="breach")
    assert other["roles"]["tech_lead"] is None, other["roles"]
    st, j = rsrv.api("PATCH", f"/api/v1/incidents/{other['id']}", {"severity": "SEV1"})
    assert st == 200 and j["roles"]["tech_lead"] == "carol", (st, j)


def test_unfilled_counted_once_after_the_commit(rsrv):
    """A declare whose COMMIT fails counts no unfilled role (it was counted inside the job, so a
    rolled-back and retried declare counted twice); the retry that commits counts one."""
    before = unfilled_metric(rsrv)  # a Monday noon: nobody in `night` for the scribe
    rsrv.advance("0s")  # the engine's jobs of earlier requests done: the failpoint is ours
    st, j = rsrv.api("POST", "/api/v1/debug/failpoint", {"point": "commit", "count": 1})
    assert st == 200, (st, j)
    r = rsrv.request("POST", "/api/v1/incidents",
                     {"title": "rolled back", "severity": "SEV2", "type": "security"},
                     allow_503=True)
    assert r.status == 503, (r.status, r.body[:300])
    assert unfilled_metric(rsrv) == before, "a rolled-back declare was counted"
    inc = rsrv.create("rolled back", "SEV2", type="security")
    assert inc["roles"]["scribe"] is None
    assert unfilled_metric(rsrv) == before + 1


def test_postmortem_owner_is_who_holds_commander_at_creation(rsrv):
    """The post-mortem's owner defaults to the commander at its creation: a person's take-over
    of the auto-filled role wins; the owner is then the post-mortem's own (PATCH), not moved by
    later commander changes (docs/postmortems.md)."""
    inc = rsrv.create("owner", "SEV1")
    iid = inc["id"]
    assert inc["roles"]["commander"] == "alice", inc["roles"]  # filled automatically
    st, j = rsrv.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "bob"})
    assert st == 200, j
    for to in ("ack", "resolve"):
        st, j = rsrv.api("POST", f"/api/v1/incidents/{iid}/{to}", {})
        assert st == 200, (to, st, j)
    st, pm = rsrv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})
    assert st == 201 and pm["owner"] == "bob", (st, pm)  # the person, not the auto-fill
    st, pm = rsrv.api("PATCH", f"/api/v1/postmortems/{pm['id']}", {"owner": "carol"})
    assert st == 200 and pm["owner"] == "carol", (st, pm)
    st, j = rsrv.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"})
    assert st == 200, j
    st, pm = rsrv.api("GET", f"/api/v1/incidents/{iid}/postmortem")
    assert st == 200 and pm["owner"] == "carol", pm
