"""Scheduled fire drills (issue 17): a scenario's `schedule` (every, at, timezone, notice,
announce_to) starts the drill by itself, once per occurrence across restarts and nodes (a claim in
the store); the notice is mailed ahead and recorded (drill.announced); an occurrence no node was
running for is recorded as drill.missed, not started late. One server for the module; the dev
clock moved, never the wall clock."""
import json
import pytest

from tocsin_harness import Server, require_bin, run_bin

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV2, name: Major, ack_within: 15m, resolve_within: 4h, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
services:
  - {id: db, name: Database, escalation: default}
drills:
  - id: game-day
    title: "Game day: replica lag"
    severity: SEV2
    service: db
    schedule: {every: monthly, at: "2099-07-01 09:00", timezone: Europe/Paris, notice: 1d, announce_to: [alice]}
  - {id: by-hand, title: "By hand only", severity: SEV2}
"""
# 2099-07-01 09:00 in Paris (CEST, UTC+2) is 07:00Z; the next one 2099-08-01 07:00Z.


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("drill_schedule"), dev_clock=True, config_text=CONFIG)
    s.start()
    yield s
    s.teardown()


def drills(srv, scenario="game-day"):
    st, j = srv.api("GET", "/api/v1/incidents?limit=200")
    assert st == 200, j
    ids = [i["id"] for i in j["incidents"] if i.get("drill")]
    out = []
    for iid in ids:
        started = [e for e in srv.timeline(iid) if e["kind"] == "drill.started"]
        if started and started[0]["data"]["scenario"] == scenario:
            out.append((iid, started[0]))
    return out


def timeline_kinds(srv, kind):
    con = srv.db(readonly=True)
    try:
        return [r[0] for r in con.execute("SELECT data FROM timeline WHERE kind = ?", (kind,))]
    finally:
        con.close()


def notices(srv):
    con = srv.db(readonly=True)
    try:
        return [tuple(r) for r in con.execute(
            "SELECT user_id, subject FROM notifications WHERE dkey LIKE 'drill-notice:%'")]
    finally:
        con.close()


def test_notice_then_exactly_one_drill_across_a_restart(srv):
    srv.pin_clock("2099-06-30T06:00:00Z")
    st, j = srv.api("GET", "/api/v1/drills")
    sc = {s["id"]: s for s in j["scenarios"]}
    assert sc["by-hand"]["schedule"] is None
    sched = sc["game-day"]["schedule"]
    assert sched["next_at"] == "2099-07-01T07:00:00Z" and sched["last_at"] is None
    assert sched["timezone"] == "Europe/Paris" and sched["notice_ms"] == 86400000
    assert notices(srv) == [] and drills(srv) == []

    srv.advance("61m")  # the notice (1 day before) began at 2099-06-30T07:00Z
    (n,) = notices(srv)
    # the local wall time of the scenario's zone, with its offset: the label is true
    assert n[0] == "alice" and n[1].startswith(
        "[DRILL] Scheduled fire drill at 2099-07-01 09:00 +02:00 Europe/Paris:"), n
    (ann,) = [json.loads(d) for d in timeline_kinds(srv, "drill.announced")]
    assert ann["scheduled_for"] == "2099-07-01T07:00:00Z", ann
    assert ann["local"] == "2099-07-01 09:00 +02:00 Europe/Paris", ann
    srv.advance("1h")
    assert len(notices(srv)) == 1 and drills(srv) == []

    srv.advance("23h")  # 2099-07-01T07:01Z: the occurrence has passed
    (d,) = drills(srv)
    iid, started = d
    assert started["actor"] == "scheduler"
    assert started["data"]["scheduled_for"] == "2099-07-01T07:00:00Z"
    st, inc = srv.api("GET", f"/api/v1/incidents/{iid}")
    assert inc["drill"] is True and inc["severity"] == "SEV2" and inc["title"].startswith("Game day")
    srv.advance("1s")
    con = srv.db(readonly=True)
    try:
        subjects = [r[0] for r in con.execute(
            "SELECT subject FROM notifications WHERE incident_id = ?", (iid,))]
    finally:
        con.close()
    assert subjects and all(x.startswith("[DRILL]") for x in subjects), subjects
    srv.advance("5m")
    assert len(drills(srv)) == 1

    srv.restart()
    srv.advance("1m")
    assert len(drills(srv)) == 1, "a restart does not start the occurrence again"
    assert len(notices(srv)) == 1
    st, j = srv.api("GET", "/api/v1/drills")
    sched = {s["id"]: s for s in j["scenarios"]}["game-day"]["schedule"]
    assert sched["last_at"] == "2099-07-01T07:00:00Z" and sched["next_at"] == "2099-08-01T07:00:00Z"
    p = srv.cli("drill", "list")
    assert p.returncode == 0, p.stderr
    row = next(line for line in p.stdout.splitlines() if line.startswith("game-day"))
    assert "monthly" in row and "2099-08-01T07:00:00Z" in row, p.stdout


def test_an_occurrence_nobody_ran_is_missed_not_started_late(srv):
    # As though no node ran from before the August notice until two hours after the drill.
    srv.pin_clock("2099-08-01T09:00:00Z", down=True)
    assert len(drills(srv)) == 1
    missed = timeline_kinds(srv, "drill.missed")
    assert len(missed) == 1 and "2099-08-01T07:00:00Z" in missed[0]
    srv.advance("1h")
    assert len(timeline_kinds(srv, "drill.missed")) == 1 and len(drills(srv)) == 1


@pytest.mark.parametrize("sched,msg", [
    ('{every: 0d, at: "2099-07-01 09:00"}', "every"),
    ('{every: fortnightly, at: "2099-07-01 09:00"}', "every"),
    ('{every: 1mo, at: "2099-02-30 09:00"}', "at"),
    ('{every: 1mo, at: "2099-02-29 09:00"}', "is not a date: February 29"),
    ('{every: 1mo, at: "2100-02-29 09:00"}', "February 29 of a year that is not a leap year"),
    ('{every: 9223372036854775807w, at: "2099-07-01 09:00"}', "every"),
    ('{every: 2635249153387078803w, at: "2099-07-01 09:00"}', "every"),
    ('{every: 523w, at: "2099-07-01 09:00"}', "every"),
    ('{every: 1mo}', "at"),
    ('{every: 1mo, at: "2099-07-01 09:00", timezone: Mars/Olympus}', "timezone"),
    ('{every: 1mo, at: "2099-07-01 09:00", announce_to: [nobody]}', "nobody"),
])
def test_schedule_config_errors(tmp_path, sched, msg):
    text = CONFIG.replace(
        '{every: monthly, at: "2099-07-01 09:00", timezone: Europe/Paris, notice: 1d, announce_to: [alice]}',
        sched)
    path = tmp_path / "tocsin.yaml"
    path.write_text(text)
    p = run_bin("check-config", str(path))
    assert p.returncode != 0 and msg in (p.stdout + p.stderr), (p.stdout, p.stderr)
    assert "schedule" in p.stdout + p.stderr



def test_an_occurrence_before_the_scenario_was_first_run_is_not_missed(tmp_path):
    """A config just added whose `at` lies in the past: the last occurrence predates the first
    run of the scenario, so it is neither started late nor reported missed; the next one runs."""
    import datetime
    first = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=45))
    text = CONFIG.replace(
        '{every: monthly, at: "2099-07-01 09:00", timezone: Europe/Paris, notice: 1d, announce_to: [alice]}',
        '{every: 30d, at: "%s", timezone: UTC}' % first.strftime("%Y-%m-%d %H:%M"))
    s = Server(tmp_path, dev_clock=True, config_text=text)
    s.start()
    try:
        s.advance("1m")  # a pass: the occurrence 15 days ago is older than the scenario's first run
        assert timeline_kinds(s, "drill.missed") == [] and drills(s) == []
        s.advance("15d")  # the next occurrence (45 days after the first) has just passed
        assert timeline_kinds(s, "drill.missed") == [] and len(drills(s)) == 1
    finally:
        s.teardown()
