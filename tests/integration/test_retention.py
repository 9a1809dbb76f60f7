"""Retention (issue 14 "Backups", docs/config.md "retention"): resolved alerts and delivered
notifications older than the configured days are pruned by a job on the engine's clock (the dev
clock here); open alerts, recent rows, pending notifications and the timeline stay, and
`audit verify` is still valid after the prune. Runs on both backends."""
import pytest

from test_ingest_support import alerts, generic_ok, ingest_config, key_of
from tocsin_harness import Server, parse_time, require_bin, run_bin

RETENTION = "retention: {resolved_alerts_days: 30, sent_notifications_days: 7}\n"
DAY_MS = 24 * 3600 * 1000


@pytest.fixture(scope="module")
def ret(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("retention"), dev_clock=True,
               config_text=ingest_config(extra=RETENTION))
    s.start()
    yield s
    s.teardown()


def now_ms(s):
    return int(parse_time(s.now()).timestamp() * 1000)


def put_notes(s, rows):
    """Outbox rows written straight into the store (delivery itself is tested elsewhere):
    (dkey, status, sent_at or None, created_at)."""
    con = s.db()
    try:
        for dkey, status, sent_at, created in rows:
            con.execute(
                "INSERT INTO notifications(incident_id, kind, dkey, user_id, method, address, "
                "subject, body, status, attempts, due_at, next_attempt_at, created_at, sent_at) "
                "VALUES ('', 'info', ?, 'alice', 'email', 'a@example.com', 's', 'b', ?, 1, ?, ?, "
                "?, ?)", (dkey, status, created, created, created, sent_at))
    finally:
        con.close()


def note_dkeys(s):
    con = s.db()
    try:
        return {r[0] for r in con.execute("SELECT dkey FROM notifications WHERE dkey LIKE 'ret-%'")}
    finally:
        con.close()


def timeline_count(s):
    con = s.db()
    try:
        return next(iter(con.execute("SELECT count(*) FROM timeline")))[0]
    finally:
        con.close()


def test_prune_old_resolved_alerts_and_sent_notifications_keeps_the_chain(ret):
    key = key_of(ret, "web", "generic")  # web: auto_resolve false, so its incident stays open
    for d in ("old1", "old2", "open1"):
        generic_ok(ret, key, {"summary": f"retention {d}", "dedup_key": d})
    for d in ("old1", "old2"):
        generic_ok(ret, key, {"action": "resolve", "dedup_key": d})
    t0 = now_ms(ret)
    put_notes(ret, [("ret-old-sent", "sent", t0, t0), ("ret-old-bundled", "bundled", None, t0),
                    ("ret-old-failed", "failed", None, t0), ("ret-old-pending", "pending", None, t0)])
    ret.advance("20d")
    generic_ok(ret, key, {"summary": "retention recent", "dedup_key": "recent"})
    generic_ok(ret, key, {"action": "resolve", "dedup_key": "recent"})
    t1 = now_ms(ret)
    put_notes(ret, [("ret-new-sent", "sent", t1, t1)])
    entries = timeline_count(ret)
    assert entries > 0
    v = ret.verify()
    assert v["valid"] is True, v

    ret.advance("11d")  # old1/old2 resolved 31 days ago, recent 11 days ago; notes 31 and 11 days
    keys = {a["dedup_key"] for a in alerts(ret)}
    assert {"old1", "old2"}.isdisjoint(keys), keys
    assert {"open1", "recent"} <= keys, keys
    assert note_dkeys(ret) == {"ret-old-failed", "ret-old-pending"}
    assert timeline_count(ret) >= entries, "the timeline is never pruned"
    v = ret.verify()
    assert v["valid"] is True, v
    assert "retention: pruned 2 resolved alerts" in ret.stderr_text() + ret.stdout_text()

    ret.advance("20d")  # recent is now 31 days resolved; the open alert stays
    keys = {a["dedup_key"] for a in alerts(ret)}
    assert "recent" not in keys and "open1" in keys, keys
    assert ret.verify()["valid"] is True


def test_retention_refuses_negative_days(tmp_path):
    require_bin()
    path = tmp_path / "bad.yaml"
    path.write_text(ingest_config(extra="retention: {resolved_alerts_days: -1}\n"))
    p = run_bin("check-config", str(path))
    assert p.returncode != 0
    assert "retention.resolved_alerts_days" in p.stdout + p.stderr, p.stdout + p.stderr
