"""One escalation that fails every time (a poison row) must not hold the others back (issue 14,
item 12): the engine's batch fails, each due incident then runs on its own, the poison one is
logged and tried again 30 s later, and every other incident's step fires on time. Runs on both
backends."""
from test_escalation import CONFIG, steps


def test_poison_escalation_row_does_not_delay_the_others(make_server):
    s = make_server(dev_clock=True, config_text=CONFIG)
    s.pin_clock()
    # An escalation whose incident does not exist (a damaged or hand-edited store): evaluating it
    # fails each time, and it sorts first among the due rows.
    con = s.db()
    try:
        con.execute("INSERT INTO escalations(incident_id, round_start, due_at, updated_at) "
                    "VALUES (?, ?, ?, ?)", ("INC-1999-01-01-001", 1, 1, 1))
    finally:
        con.close()
    ids = [s.create(title=f"incident {i}", severity="SEV2", service="api")["id"] for i in range(5)]
    s.advance("1s")
    for iid in ids:  # the first step (0m) of every real incident fired at once
        assert [e["data"]["step"] for e in steps(s, iid)] == [1], steps(s, iid)
    s.advance("15m")
    for iid in ids:  # and the second at 15 min, while the poison row keeps failing
        assert [e["data"]["step"] for e in steps(s, iid)] == [1, 2], steps(s, iid)
    log = s.stderr_text()
    assert "escalate: incident INC-1999-01-01-001" in log and "tried again in 30 s" in log, log[-3000:]
    con = s.db()
    try:
        due = con.execute("SELECT due_at FROM escalations WHERE incident_id = ?",
                          ("INC-1999-01-01-001",)).fetchone()[0]
    finally:
        con.close()
    now_ms = int(__import__("tocsin_harness").parse_time(s.now()).timestamp() * 1000)
    # deferred (the clock reads whole seconds), not retried every second
    assert now_ms < due <= now_ms + 31_000, (due, now_ms)
