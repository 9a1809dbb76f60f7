"""Regression tests for what the review of the paging change (issue 4) found; each failed before
its fix (docs/internals/notify.md and escalation.md say what the rule is).

- A page's message is accepted up to 2000 characters; in UTF-8 it was cut at a byte count in the
  middle of a character, and the webhook page then failed for good ("cannot encode the payload").
- A receiver's error answer cut at 200 bytes in the middle of a character made the row vanish
  from GET /notifications and left empty notify.failed / notify.exhausted timeline entries.
- Cadence reminders stopped after the first one once no other clock was due (after the resolve
  breach): "again every update_every until an update is posted" did not hold.
"""
import json

import pytest

from notify_receivers import WEBHOOK_SECRET, Receiver, notify_config, verify_standard_webhook
from tocsin_harness import parse_time


def rows(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200, (st, j)
    return j["notifications"]


def timeline_of(s, iid, prefix):
    return [e for e in s.timeline(iid) if e["kind"].startswith(prefix)]


def test_page_message_of_multibyte_characters_is_delivered_whole(make_server):
    hook = Receiver("hook")
    try:
        s = make_server(dev_clock=True, config_text=notify_config(
            [f'{{id: alice, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}}}']))
        iid = s.create(severity="SEV1", title="Checkout down", service="api")["id"]
        message = "x" + "é" * 1998 + "!"  # 2000 characters, 3999 bytes: any byte cut splits one
        st, j = s.api("POST", f"/api/v1/incidents/{iid}/page", {"user": "alice", "message": message})
        assert st == 201, (st, j)
        req = hook.wait_for(1)[0]
        s.advance("0s")
        verify_standard_webhook(WEBHOOK_SECRET, req.headers, req.body)
        assert message in req.json()["data"]["message"]
        row = rows(s, iid)[0]
        assert row["status"] == "sent" and row["attempts"][0]["ok"] is True, row
    finally:
        hook.close()


def test_peer_error_text_cut_mid_character_keeps_row_and_timeline(make_server):
    hook = Receiver("hook")
    try:
        s = make_server(dev_clock=True, config_text=notify_config(
            [f'{{id: alice, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}}}']))
        hook.answer(400, body=b"a" * 199 + "é".encode() + b" and caf\xe9 in Latin-1")
        iid = s.create(severity="SEV1", title="Checkout down", service="api")["id"]
        st, j = s.api("POST", f"/api/v1/incidents/{iid}/page", {"user": "alice"})
        assert st == 201, (st, j)
        hook.wait_for(1)
        s.advance("0s")
        got = rows(s, iid)
        assert len(got) == 1, got
        row = got[0]
        assert row["status"] == "failed" and row["last_error"].startswith("HTTP 400: aaa"), row
        assert row["attempts"][0]["error"] == row["last_error"]
        failed = timeline_of(s, iid, "notify.failed")
        assert len(failed) == 1 and failed[0]["data"]["user"] == "alice", failed
        assert failed[0]["data"]["error"].startswith("HTTP 400: aaa")
        exhausted = timeline_of(s, iid, "notify.exhausted")
        assert len(exhausted) == 1 and exhausted[0]["data"]["method"] == "webhook", exhausted
    finally:
        hook.close()


REMIND_CONFIG = """
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [email]}
users:
  - {id: alice, name: Alice}
  - {id: carol, name: Carol}
schedules:
  - {id: primary, timezone: UTC, rotation: {every: 1w, handoff: "mon 09:00", users: [alice]}}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [schedule:primary]}
services:
  - {id: api, name: API, escalation: default}
"""


def test_reminders_keep_coming_after_the_resolve_breach(make_server):
    s = make_server(dev_clock=True, config_text=REMIND_CONFIG)
    iid = s.create("Checkout down", "SEV1", service="api")["id"]
    assert s.api("POST", f"/api/v1/incidents/{iid}/ack")[0] == 200
    assert s.api("PUT", f"/api/v1/incidents/{iid}/roles/comms_lead", {"user": "carol"})[0] == 200
    reminders = lambda: [e for e in s.timeline(iid) if e["kind"] == "update.reminder"]
    s.advance("30m")
    s.advance("30m")  # 1h: the second reminder, and the resolve breach (the last other clock)
    assert len(reminders()) == 2
    s.advance("30m")  # 1h30m: no update posted yet, so reminded again
    assert len(reminders()) == 3, reminders()
    s.advance("30m")
    r = reminders()
    assert len(r) == 4 and all(e["data"]["to"] == ["carol"] for e in r), r
    s.move(iid, "investigating", message="Failing over", public=True)  # an update resets it
    s.advance("29m")
    assert len(reminders()) == 4
    s.advance("1m")
    assert len(reminders()) == 5


HANDOFF_CONFIG = """
severities:
  - {id: SEV2, name: Major, ack_within: 30m, notify: [email]}
users:
  - {id: alice, name: Alice}
  - {id: bob, name: Bob}
schedules:
  - {id: primary, timezone: UTC, rotation: {every: 1w, handoff: "mon 09:00", users: [alice]}}
"""


def handoffs(s):
    con = s.db()
    try:
        return [json.loads(d) for (d,) in con.execute(
            "SELECT data FROM timeline WHERE kind = 'oncall.handoff' ORDER BY seq")]
    finally:
        con.close()


@pytest.mark.parametrize("layer", [None, "primary"])
def test_the_end_of_an_override_hands_the_shift_back(make_server, layer):
    s = make_server(dev_clock=True, config_text=HANDOFF_CONFIG)
    s.advance("1s")
    before = len(handoffs(s))
    body = {"user": "bob", "from": "+1h", "to": "+2h"}
    if layer:
        body["layer"] = layer
    st, ov = s.api("POST", "/api/v1/schedules/primary/overrides", body)
    assert st == 201, (st, ov)
    s.advance("1h")
    s.advance("1s")
    got = handoffs(s)[before:]
    assert [h["user"] for h in got] == ["bob"], got
    assert got[0]["from"] == ov["from"] and got[0]["override"] == ov["id"]
    s.advance("1h")  # the override ends: alice is on call again, and is told so
    got = handoffs(s)[before:]
    assert [h["user"] for h in got] == ["bob", "alice"], got
    assert got[1]["from"] == ov["to"] and got[1]["override"] is None
    assert got[1]["layer"] == (layer or "*")
    s.advance("1h")
    assert len(handoffs(s)) == before + 2  # once


def test_clock_advance_returns_after_every_due_row_was_attempted(make_server):
    """More rows due at once than 32 notifier passes take (2048): POST /debug/clock used to answer
    while about half of them were still waiting. Here 6000 rows of one user and method are due
    together: two bundled messages leave, the throttle defers all the others, and every row has
    been looked at when the advance returns."""
    hook = Receiver("hook")
    try:
        s = make_server(dev_clock=True, config_text=notify_config(
            [f'{{id: alice, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}}}']))
        due = int(parse_time(s.now()).timestamp() * 1000) + 30 * 60 * 1000
        s.stop()
        con = s.db()
        try:
            con.execute("BEGIN")
            con.executemany(
                "INSERT INTO notifications(incident_id, kind, dkey, user_id, method, address, subject, "
                "body, due_at, next_attempt_at, created_at) VALUES ('', 'info', ?, 'alice', 'webhook', "
                "?, 'note', 'note', ?, ?, ?)",
                [(f"bulk:{i}", hook.url, due, due, due - 60000) for i in range(6000)])
            con.execute("COMMIT")
        finally:
            con.close()
        s.start()
        now = int(parse_time(s.advance("1h")).timestamp() * 1000)
        con = s.db()
        try:
            left = con.execute("SELECT count(*) FROM notifications WHERE status = 'pending' AND "
                               "next_attempt_at <= ?", (now,)).fetchone()[0]
            sent = con.execute("SELECT count(*) FROM notifications WHERE status IN "
                               "('sent', 'bundled')").fetchone()[0]
        finally:
            con.close()
        assert left == 0
        assert sent == 64 and hook.count() == 2  # one pass's worth, bundled; the rest throttled
    finally:
        hook.close()


def test_a_step_pages_every_member_of_a_big_team(make_server):
    """A step's users were kept in a fixed array of 64: members past the 64th were dropped without
    a word (not paged, not on the timeline)."""
    names = [f"u{i:02d}" for i in range(70)]
    config = (
        "severities:\n  - {id: SEV1, name: Critical, ack_within: 15m, notify: [email]}\n"
        "users:\n" + "".join(f"  - {{id: {n}, email: {n}@example.com}}\n" for n in names) +
        f"teams:\n  - {{id: everyone, members: [{', '.join(names)}]}}\n"
        "escalation_policies:\n  - id: default\n    steps:\n      - {after: 0m, notify: [team:everyone]}\n"
        "notify:\n  email: {url: \"smtp://127.0.0.1:9\", from: pager@tocsin.test}\n")
    s = make_server(dev_clock=True, config_text=config)
    iid = s.create("Everything is down", "SEV1")["id"]
    s.advance("1s")
    step = [e for e in s.timeline(iid) if e["kind"] == "escalation.step"]
    assert len(step) == 1 and step[0]["data"]["users"] == names, step
    queued = [e for e in s.timeline(iid) if e["kind"] == "notify.queued"]
    assert sorted(e["data"]["user"] for e in queued) == names
