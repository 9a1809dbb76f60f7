"""Escalation policies on the dev clock: steps fire at their times, `when` filters, ack stops the
timed steps, the ack and resolve SLA breaches escalate, repeat rounds, routing by incident type,
manual `tocsin escalate`, cadence reminders, restarts (kill -9: no step lost, none twice), and
10,000 open incidents whose steps each fire within 1 s (of dev-clock time) of their deadline.

What is asserted is the timeline (escalation.step entries name every target and user chosen) and
the escalation state on the incident; delivery itself is tested in test_notify*.py and the whole
walk in test_paging_walk.py."""
import json
import time

import pytest

from tocsin_harness import parse_time, run_threads

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [email]}
  - {id: SEV2, name: Major, ack_within: 30m, resolve_within: 4h, update_every: 1h, notify: [email]}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [email]}
users:
  - {id: alice, name: Alice}
  - {id: bob, name: Bob}
  - {id: carol, name: Carol}
  - {id: dave, name: Dave}
  - {id: erin, name: Erin}
teams:
  - {id: sre, name: SRE, members: [carol, dave]}
schedules:
  - {id: primary, timezone: UTC, rotation: {every: 1w, handoff: "mon 09:00", users: [alice]}}
  - {id: secondary, timezone: UTC, rotation: {every: 1w, handoff: "mon 09:00", users: [bob]}}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [schedule:primary]}
      - {after: 15m, notify: [schedule:secondary]}
      - {after: 30m, notify: [user:dave], when: {severity: [SEV1, SEV2]}}
      - {after: 1h, notify: [user:erin], when: {severity: [SEV1]}}
  - id: security
    repeat: 1
    steps:
      - {after: 0m, notify: [user:erin, team:sre]}
incident_types:
  - {id: security, name: Security, escalation: security}
services:
  - {id: api, name: API, escalation: default}
"""

NO_DEFAULT = CONFIG.replace("  - id: default\n", "  - id: standard\n").replace(
    "escalation: default}", "escalation: standard}") + "  - {id: db, name: Database}\n" + \
    "fallback: user:alice\n"  # db routes to no one: check-config asks for a fallback


@pytest.fixture
def esc(make_server):
    return make_server(dev_clock=True, config_text=CONFIG)


def steps(server, iid):
    return [e for e in server.timeline(iid) if e["kind"] == "escalation.step"]


def users_of(step):
    return step["data"]["users"]


def test_steps_fire_at_their_times(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    s = steps(esc, inc["id"])
    assert len(s) == 1 and users_of(s[0]) == ["alice"], s
    assert s[0]["data"]["policy"] == "default" and s[0]["data"]["step"] == 1
    assert s[0]["data"]["targets"] == [{"target": "schedule:primary", "users": ["alice"]}]
    started = [e for e in esc.timeline(inc["id"]) if e["kind"] == "escalation.started"]
    assert started and started[0]["data"]["policy"] == "default"
    esc.advance("13m")
    assert len(steps(esc, inc["id"])) == 1  # 13m: not yet
    esc.advance("2m")
    s = steps(esc, inc["id"])
    assert len(s) == 2 and users_of(s[1]) == ["bob"], s
    created = parse_time(inc["created_at"])
    assert (parse_time(s[1]["at"]) - created).total_seconds() >= 15 * 60
    esc.advance("15m")
    s = steps(esc, inc["id"])
    assert [users_of(x) for x in s] == [["alice"], ["bob"], ["dave"]]
    j = esc.get(inc["id"])
    assert j["escalation"]["policy"] == "default" and j["escalation"]["next_step"] == 4
    assert (parse_time(j["escalation"]["next_at"]) - created).total_seconds() == 60 * 60


def test_when_filters_by_severity(esc):
    inc = esc.create("Slow page", "SEV3", service="api")
    esc.advance("2h")
    s = steps(esc, inc["id"])
    # SEV3: only the two unconditional steps, then (resolve_within 1d) nothing more in 2h
    assert [users_of(x) for x in s] == [["alice"], ["bob"]], s


def test_ack_stops_timed_steps(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    st, j = esc.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 200
    esc.advance("40m")
    assert len(steps(esc, inc["id"])) == 1


def breaches(server, iid, kind="escalation.ack_breach"):
    return [e for e in server.timeline(iid) if e["kind"] == kind]


def test_resolve_breach_is_its_own_event_even_when_acked(esc):
    """The resolve breach re-pages the current step (alice); it does not pull step 2 forward."""
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    esc.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    esc.advance("1h")
    assert len(steps(esc, inc["id"])) == 1
    b = breaches(esc, inc["id"], "escalation.resolve_breach")
    assert len(b) == 1 and b[0]["data"]["action"] == "repage" and b[0]["data"]["users"] == ["alice"], b
    esc.advance("3h")
    assert len(breaches(esc, inc["id"], "escalation.resolve_breach")) == 1  # once
    assert esc.get(inc["id"])["escalation"]["resolve_breach_escalated"] is True


def test_ack_breach_repages_current_step_and_steps_keep_their_times(make_server):
    cfg = CONFIG.replace("ack_within: 15m", "ack_within: 5m")
    srv = make_server(dev_clock=True, config_text=cfg)
    inc = srv.create("Checkout down", "SEV1", service="api")
    srv.advance("5m")
    assert len(steps(srv, inc["id"])) == 1  # step 2 waits for its 15m
    b = breaches(srv, inc["id"])
    assert len(b) == 1 and b[0]["data"]["action"] == "repage" and b[0]["data"]["users"] == ["alice"]
    srv.advance("10m")
    s = steps(srv, inc["id"])
    assert len(s) == 2 and s[1]["data"]["reason"] == "step" and users_of(s[1]) == ["bob"], s


def test_ack_breach_next_pages_the_next_step_now(make_server):
    cfg = CONFIG.replace("ack_within: 15m", "ack_within: 5m, on_ack_breach: next")
    srv = make_server(dev_clock=True, config_text=cfg)
    inc = srv.create("Checkout down", "SEV1", service="api")
    srv.advance("5m")
    s = steps(srv, inc["id"])
    assert len(s) == 2 and s[1]["data"]["reason"] == "ack_sla_breached" and users_of(s[1]) == ["bob"]
    srv.advance("11m")  # 16m: step 2 went at the breach, so nothing new at 15m
    assert len(steps(srv, inc["id"])) == 2


def test_ack_breach_to_a_named_target(make_server):
    cfg = CONFIG.replace("ack_within: 15m", "ack_within: 5m, on_ack_breach: user:erin")
    srv = make_server(dev_clock=True, config_text=cfg)
    inc = srv.create("Checkout down", "SEV1", service="api")
    srv.advance("5m")
    b = breaches(srv, inc["id"])
    assert b[0]["data"]["action"] == "target" and b[0]["data"]["users"] == ["erin"], b
    assert len(steps(srv, inc["id"])) == 1


def test_incident_type_routes_to_its_policy_and_repeats(esc):
    inc = esc.create("Leaked key", "SEV2", service="api", type="security")
    esc.advance("1s")
    s = steps(esc, inc["id"])
    assert s[0]["data"]["policy"] == "security"
    assert sorted(users_of(s[0])) == ["carol", "dave", "erin"]
    assert {"target": "team:sre", "users": ["carol", "dave"]} in s[0]["data"]["targets"]
    esc.advance("5m")  # one step at 0m: a round lasts the 5-minute floor; repeat 1
    s = steps(esc, inc["id"])
    assert len(s) == 2 and s[1]["data"]["round"] == 2
    esc.advance("30m")
    assert len(steps(esc, inc["id"])) == 2


def test_resolved_incident_stops_escalating(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    esc.move(inc["id"], "resolved")
    esc.advance("2h")
    assert len(steps(esc, inc["id"])) == 1
    assert esc.get(inc["id"])["escalation"]["state"] == "done"


def test_manual_escalate_api_and_cli(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    st, j = esc.api("POST", f"/api/v1/incidents/{inc['id']}/escalate", {"message": "need DB help"})
    assert st == 200, j
    assert j["escalation"]["users"] == ["bob"] and j["escalation"]["reason"] == "manual"
    assert j["escalation"]["message"] == "need DB help"
    r = esc.cli("escalate", inc["id"])
    assert r.returncode == 0, r.stderr
    assert "dave" in r.stdout and inc["id"] in r.stdout
    esc.cli("escalate", inc["id"])  # erin
    r = esc.cli("escalate", inc["id"], "--json")  # nothing left: the last step again
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["escalation"]["users"] == ["erin"] and j["escalation"]["key"].startswith("manual:")
    # the timed steps that went early do not go again
    esc.advance("2h")
    keys = [x["data"]["key"] for x in steps(esc, inc["id"])]
    assert len(keys) == len(set(keys)), keys
    entry = [e for e in steps(esc, inc["id"]) if e["data"]["reason"] == "manual"][0]
    assert entry["actor"] != "tocsin"


def test_manual_escalate_errors(make_server):
    srv = make_server(dev_clock=True, config_text=NO_DEFAULT)
    st, j = srv.api("POST", "/api/v1/incidents/INC-2020-01-01-001/escalate")
    assert st == 404 and "id" in j["error"]["message"]
    inc = srv.create("DB slow", "SEV2", service="db")  # db names no policy, no "default"
    st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/escalate")
    assert st == 422 and "escalation policy" in j["error"]["message"], j
    inc2 = srv.create("API slow", "SEV2", service="api")
    srv.move(inc2["id"], "resolved")
    st, j = srv.api("POST", f"/api/v1/incidents/{inc2['id']}/escalate")
    assert st == 409, j
    st, j = srv.api("POST", f"/api/v1/incidents/{inc2['id']}/escalate", {"bogus": 1})
    assert st == 400 and "bogus" in j["error"]["message"]
    st, j = srv.api("POST", f"/api/v1/incidents/{inc2['id']}/escalate", {"message": 5})
    assert st == 400 and "message" in j["error"]["message"]
    viewer = srv.make_token("viewer")
    st, j = srv.api("POST", f"/api/v1/incidents/{inc2['id']}/escalate", token=viewer)
    assert st == 403
    r = srv.cli("escalate", inc["id"])
    assert r.returncode != 0 and "escalation policy" in r.stderr


def test_cadence_reminder_goes_to_comms_lead(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    st, j = esc.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/comms_lead", {"user": "carol"})
    assert st == 200, j
    esc.advance("29m")
    rem = lambda: [e for e in esc.timeline(inc["id"]) if e["kind"] == "update.reminder"]
    assert rem() == []
    esc.advance("1m")
    r = rem()
    assert len(r) == 1 and r[0]["data"]["to"] == ["carol"] and r[0]["data"]["role"] == "comms_lead"
    assert esc.get(inc["id"])["sla"]["update_overdue"] is True  # shows on the incident
    esc.advance("5m")
    assert len(rem()) == 1  # once per due time
    esc.move(inc["id"], "investigating", message="Failing over", public=True)
    esc.advance("29m")
    assert len(rem()) == 1
    esc.advance("2m")
    assert len(rem()) == 2


def test_reminder_falls_back_to_commander_then_on_call(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    esc.advance("30m")
    r = [e for e in esc.timeline(inc["id"]) if e["kind"] == "update.reminder"]
    assert r[0]["data"]["to"] == ["alice"] and r[0]["data"]["role"] == "on_call"
    esc.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", {"user": "dave"})
    esc.advance("30m")
    r = [e for e in esc.timeline(inc["id"]) if e["kind"] == "update.reminder"]
    assert r[1]["data"]["to"] == ["dave"] and r[1]["data"]["role"] == "commander"


def test_kill9_no_step_lost_or_doubled(esc):
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    assert len(steps(esc, inc["id"])) == 1
    esc.kill9()
    esc.start()
    esc.advance("15m")
    esc.kill9()
    esc.start()
    esc.advance("1s")
    s = steps(esc, inc["id"])
    assert [users_of(x) for x in s] == [["alice"], ["bob"]], s
    assert esc.verify()["valid"]


def test_severity_change_replans(esc):
    inc = esc.create("Slow page", "SEV3", service="api")
    esc.advance("20m")  # SEV3: steps 1, 2
    st, j = esc.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV1"})
    assert st == 200
    esc.advance("11m")  # 31m: SEV1 adds dave at 30m, and the ack breach already passed
    s = steps(esc, inc["id"])
    assert ["dave"] in [users_of(x) for x in s], s


def test_ten_thousand_open_incidents_fire_on_time(esc):
    """10,000 open incidents, created in 100 groups one dev-clock second apart; walking the clock
    half a second at a time across their 15-minute deadlines, every second step fires in the first
    pass at or after its deadline: at - deadline < 1 s for all 10,000."""
    groups, per = 100, 100
    for g in range(groups):
        def ten(t):
            for i in range(per // 10):
                st, j = esc.api("POST", "/api/v1/incidents",
                                {"title": f"load {g}-{t}-{i}", "severity": "SEV1", "service": "api"})
                assert st == 201, j
            return t
        run_threads(10, ten)
        esc.advance("1s")
    con = esc.db()
    try:
        first, last = con.execute("SELECT min(created_at), max(created_at) FROM incidents").fetchone()
    finally:
        con.close()
    # the dev clock also runs in real time: jump to 1 s before the first deadline, then walk
    now_ms = int(parse_time(esc.now()).timestamp() * 1000)
    esc.advance(f"{(first + 15 * 60 * 1000 - 1000 - now_ms) // 1000}s")
    # half-second steps: each pass's clock is at most 0.5 s (plus the real time the previous pass
    # took) after the one before, so a step is late only if a pass skipped it. On a loaded machine
    # the real time between two passes adds to the half second: that gap is measured, not assumed.
    gap_ms, before = 0, time.monotonic()
    for _ in range((last - first) // 500 + 6):
        esc.advance("500ms")
        after = time.monotonic()
        gap_ms, before = max(gap_ms, int((after - before) * 1000)), after
    con = esc.db()
    try:
        rows = con.execute(
            "SELECT t.incident_id, t.at, i.created_at FROM timeline t JOIN incidents i ON "
            "i.id = t.incident_id WHERE t.kind = 'escalation.step' AND "
            f"{con.json_int('t.data', 'step')} = 2").fetchall()
    finally:
        con.close()
    assert len(rows) == groups * per
    bound = max(1000, 500 + gap_ms + 100)
    late = [(iid, at - c - 15 * 60 * 1000) for iid, at, c in rows if not 0 <= at - c - 15 * 60 * 1000 < bound]
    assert late == [], (bound, late[:10])


HANDOFF_CONFIG = """
server: {{listen: "127.0.0.1:8080"}}
severities:
  - {{id: SEV2, name: Major, ack_within: 30m, notify: [email]}}
users:
  - {{id: alice, name: Alice, email: alice@example.com}}
  - {{id: bob, name: Bob, email: bob@example.com}}
schedules:
  - {{id: primary, timezone: UTC, rotation: {{every: 1d, handoff: "09:00", users: [alice, bob]}}}}
checklists:
  - {{id: handover, title: Hand-off checklist, phase: handoff,
     items: ["Read the open incidents", "Check the pager works"]}}
services:
  - {{id: api, name: API}}
notify:
  email: {{url: "{smtp}", from: pager@tocsin.test}}
  throttle: 0s
"""


def test_handoff_tells_the_incoming_person_once(make_server, tmp_path):
    import datetime
    from notify_receivers import SmtpSink, parts
    smtp = SmtpSink(tmp_path / "mail")
    try:
        srv = make_server(dev_clock=True, config_text=HANDOFF_CONFIG.format(smtp=smtp.url))
        inc = srv.create("Checkout slow", "SEV2", service="api")
        con = srv.db()
        count = lambda: con.execute("SELECT count(*) FROM timeline WHERE kind = 'oncall.handoff'").fetchone()[0]
        before, mails = count(), len(smtp.messages)
        now = parse_time(srv.now())
        nxt = now.replace(hour=9, minute=0, second=0, microsecond=0)
        if nxt <= now:
            nxt += datetime.timedelta(days=1)
        srv.advance(f"{int((nxt - now).total_seconds()) + 1}s")
        assert count() == before + 1
        row = con.execute("SELECT data FROM timeline WHERE kind = 'oncall.handoff' ORDER BY seq DESC "
                          "LIMIT 1").fetchone()
        data = json.loads(row[0])
        st, j = srv.api("GET", "/api/v1/oncall?schedule=primary")
        incoming = [o for o in j["oncall"] if o["layer"] == "primary"][0]["user"]
        assert data["user"] == incoming and parse_time(data["from"]) == nxt
        smtp.wait_for(mails + 1)
        _, rcpt, msg = smtp.messages[-1]
        assert rcpt == [f"{incoming}@example.com"]
        text = parts(msg)[0]
        assert inc["id"] in text and "Check the pager works" in text, text
        srv.advance("1h")
        srv.kill9()
        srv.start()
        srv.advance("1s")
        assert count() == before + 1  # announced once, across a restart
        con.close()
    finally:
        smtp.close()


def test_reopened_incident_is_planned_again(esc):
    """A reopen through POST /status re-arms the escalation: reminders (and the resolve breach)
    come back for the reopened incident."""
    inc = esc.create("Checkout down", "SEV1", service="api")
    esc.advance("1s")
    esc.move(inc["id"], "resolved")
    esc.advance("20m")  # the engine has looked at it resolved: nothing is pending any more
    j = esc.get(inc["id"])["escalation"]
    assert j["state"] == "done" and j["next_at"] is None
    esc.move(inc["id"], "acknowledged")  # reopen
    esc.advance("1s")
    assert esc.get(inc["id"])["escalation"]["state"] == "active"
    esc.advance("11m")  # 31m: the update due at 30m is reminded
    reminders = [e for e in esc.timeline(inc["id"]) if e["kind"] == "update.reminder"]
    assert len(reminders) == 1, reminders
