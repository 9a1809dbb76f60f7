"""Notifications that always get through (docs/internals/notify.md): retries with backoff on the
dev clock, Retry-After honoured, redirects not followed, permanent failures falling back to the
user's next method, a receiver down for 10 minutes getting every message exactly once when it comes
back, throttle bundling, rule delays and cancellation, and kill -9 between queueing and delivery.
Time moves only by the dev clock (POST /api/v1/debug/clock returns after the notifier's pass).
"""
import collections

import pytest

from notify_receivers import WEBHOOK_SECRET, Receiver, notify_config, verify_standard_webhook
from test_notify import kinds, page, rows, sync
from tocsin_harness import secs


@pytest.fixture
def hook():
    r = Receiver("hook")
    yield r
    r.close()


def webhook_user(url, extra=""):
    return f'{{id: alice, webhook: "{url}", webhook_secret: {WEBHOOK_SECRET}{extra}}}'


def delivered(recv):
    """webhook-id -> how many requests carried it (all verified)."""
    c = collections.Counter()
    for r in recv.requests:
        c[verify_standard_webhook(WEBHOOK_SECRET, r.headers, r.body)] += 1
    return c


def test_receiver_down_ten_minutes_gets_each_message_once(make_server, hook):
    s = make_server(dev_clock=True, config_text=notify_config(
        [webhook_user(hook.url)], extra="  max_attempts: 20", throttle="0s"))
    hook.answer(503, body=b"maintenance")
    incs = [s.create(severity="SEV1", title=f"Outage {i}") for i in range(3)]
    for inc in incs:
        page(s, inc["id"])
    hook.wait_for(3)
    for _ in range(20):  # 10 minutes in 30 s steps, every attempt answered 503
        s.advance("30s")
    failed_tries = hook.count()
    assert failed_tries >= 3 * 5, failed_tries  # it kept trying (5s, 10s, 20s, 40s, 80s, ...)
    for inc in incs:
        (row,) = rows(s, inc["id"])
        assert row["status"] == "pending" and len(row["attempts"]) >= 5
        assert all(a["code"] == 503 and not a["ok"] for a in row["attempts"])
        assert "503" in row["last_error"]
        assert row["next_attempt_at"] is not None
    hook.answer(200)
    for _ in range(12):  # the longest backoff is max_backoff (5m): 6 minutes covers it
        s.advance("30s")
    ok = [r for r in hook.requests[failed_tries:]]
    ids = collections.Counter(verify_standard_webhook(WEBHOOK_SECRET, r.headers, r.body) for r in ok)
    want = {f"msg_{rows(s, inc['id'])[0]['id']}" for inc in incs}
    assert set(ids) == want and all(n == 1 for n in ids.values()), ids
    for inc in incs:
        (row,) = rows(s, inc["id"])
        assert row["status"] == "sent" and row["attempts"][-1]["ok"] is True
        assert kinds(s, inc["id"]) == ["notify.queued", "notify.sent"]
    s.advance("1h")
    assert hook.count() == failed_tries + 3  # nothing more


def test_backoff_grows_and_gives_up_after_max_attempts(make_server, hook):
    s = make_server(dev_clock=True, config_text=notify_config(
        [webhook_user(hook.url)], extra="  max_attempts: 4\n  backoff: 10s\n  max_backoff: 40s"))
    hook.answer(500)
    inc = s.create(severity="SEV2", title="Flaky")
    page(s, inc["id"])
    hook.wait_for(1)
    sync(s)
    for _ in range(40):
        s.advance("5s")
    (row,) = rows(s, inc["id"])
    assert row["status"] == "failed" and len(row["attempts"]) == 4 and hook.count() == 4
    assert "gave up after 4 attempts" in row["last_error"]
    # equal jitter: retry n waits between half and all of 10s * 2^(n-1), capped at 40s
    gaps = [secs(a["at"], b["at"]) for a, b in zip(row["attempts"], row["attempts"][1:])]
    for n, gap in enumerate(gaps, start=1):
        base = min(10 * 2 ** (n - 1), 40)
        assert base / 2 - 1 <= gap <= base + 5 + 1, (n, gaps)  # + the 5s step of the test
    assert kinds(s, inc["id"]) == ["notify.queued", "notify.failed", "notify.exhausted"]


def test_retry_after_is_honoured(make_server, hook):
    s = make_server(dev_clock=True, config_text=notify_config([webhook_user(hook.url)]))
    hook.answer(429, {"Retry-After": "120"}, b"slow down", times=1)
    inc = s.create(severity="SEV1", title="Rate limited")
    page(s, inc["id"])
    hook.wait_for(1)
    sync(s)
    (row,) = rows(s, inc["id"])
    assert row["status"] == "pending" and row["attempts"][0]["code"] == 429
    s.advance("60s")  # the 5s backoff has long passed, Retry-After has not
    s.advance("50s")
    assert hook.count() == 1
    s.advance("15s")  # past 120s
    assert hook.count() == 2
    (row,) = rows(s, inc["id"])
    assert row["status"] == "sent" and [a["code"] for a in row["attempts"]] == [429, 200]


def test_retry_after_too_far_fails_over(make_server, hook):
    slack = Receiver("slack")
    try:
        s = make_server(dev_clock=True, config_text=notify_config(
            [webhook_user(hook.url, f', slack: "{slack.url}", notify: [{{methods: [webhook]}}]')]))
        hook.answer(503, {"Retry-After": "86400"})
        inc = s.create(severity="SEV1", title="Down for a day")
        page(s, inc["id"])
        slack.wait_for(1)
        sync(s)
        rs = {r["method"]: r for r in rows(s, inc["id"])}
        assert rs["webhook"]["status"] == "failed" and "Retry-After" in rs["webhook"]["last_error"]
        assert rs["slack"]["status"] == "sent"
    finally:
        slack.close()


def test_redirect_is_not_followed_and_counts_as_failed(make_server, hook):
    target = Receiver("target")
    try:
        s = make_server(dev_clock=True, config_text=notify_config([webhook_user(hook.url)]))
        hook.answer(302, {"Location": target.url})
        inc = s.create(severity="SEV3", title="Moved")
        page(s, inc["id"])
        hook.wait_for(1)
        sync(s)
        s.advance("10m")
        assert hook.count() == 1 and target.count() == 0
        (row,) = rows(s, inc["id"])
        assert row["status"] == "failed" and row["attempts"][0]["code"] == 302
        assert "redirect" in row["last_error"] and target.url in row["last_error"]
        assert kinds(s, inc["id"]) == ["notify.queued", "notify.failed", "notify.exhausted"]
    finally:
        target.close()


def test_permanent_failure_uses_next_method_and_is_on_the_timeline(make_server, hook):
    slack = Receiver("slack")
    try:
        s = make_server(dev_clock=True, config_text=notify_config([webhook_user(
            hook.url, f', slack: "{slack.url}", notify: [{{methods: [webhook]}}]')]))
        hook.answer(400, body=b"bad payload")
        inc = s.create(severity="SEV1", title="Primary channel broken")
        page(s, inc["id"])
        slack.wait_for(1)
        sync(s)
        rs = {r["method"]: r for r in rows(s, inc["id"])}
        assert rs["webhook"]["status"] == "failed" and len(rs["webhook"]["attempts"]) == 1
        assert "HTTP 400: bad payload" in rs["webhook"]["last_error"]
        assert rs["slack"]["status"] == "sent" and rs["slack"]["fallback_of"] == rs["webhook"]["id"]
        assert rs["slack"]["reason"] == "fallback from webhook"
        tl = [e for e in s.timeline(inc["id"]) if e["kind"].startswith("notify.")]
        assert [e["kind"] for e in tl] == ["notify.queued", "notify.failed", "notify.fallback", "notify.sent"]
        failed = tl[1]["data"]
        assert failed["user"] == "alice" and failed["method"] == "webhook" and failed["attempts"] == 1
        assert "400" in failed["error"] and tl[1]["actor"] == "notifier"
        assert tl[3]["data"]["method"] == "slack"
        s.advance("1h")
        assert hook.count() == 1 and slack.count() == 1
    finally:
        slack.close()


def test_throttle_bundles_three_pages_into_one_message(make_server, hook):
    s = make_server(dev_clock=True, config_text=notify_config([webhook_user(hook.url)]))
    first = s.create(severity="SEV2", title="First")
    page(s, first["id"])
    hook.wait_for(1)
    others = [s.create(severity="SEV2", title=f"Storm {i}") for i in range(3)]
    for inc in others:
        page(s, inc["id"])
    s.advance("30s")  # inside the 1m window: held back, not dropped
    assert hook.count() == 1
    for inc in others:
        (row,) = rows(s, inc["id"])
        assert row["status"] == "pending" and row["attempts"] == []
    s.advance("31s")
    assert hook.count() == 2
    body = hook.requests[1].json()
    assert body["data"]["message"].startswith("3 notifications:")
    assert body["data"]["subject"].startswith("3 notifications: ")
    assert [b["incident"]["id"] for b in body["data"]["bundle"]] == [i["id"] for i in others]
    for inc in others:
        assert inc["title"] in body["data"]["message"]
    lead = rows(s, others[0]["id"])[0]
    assert lead["status"] == "sent" and lead["bundle_count"] == 3
    assert verify_standard_webhook(WEBHOOK_SECRET, hook.requests[1].headers,
                                   hook.requests[1].body) == f"msg_{lead['id']}"
    for inc in others[1:]:
        (row,) = rows(s, inc["id"])
        assert row["status"] == "bundled" and row["bundled_into"] == lead["id"]
        sent = [e for e in s.timeline(inc["id"]) if e["kind"] == "notify.sent"]
        assert len(sent) == 1 and sent[0]["data"]["bundled_into"] == lead["id"]
    s.advance("10m")
    assert hook.count() == 2


def test_rule_delay_and_cancel_when_acknowledged(make_server, hook):
    s = make_server(dev_clock=True, config_text=notify_config(
        [webhook_user(hook.url, ", notify: [{severity: [SEV3], methods: [webhook], after: 5m}]")]))
    a = s.create(severity="SEV3", title="Slow one")
    page(s, a["id"])
    s.advance("4m")
    assert hook.count() == 0
    q = [e for e in s.timeline(a["id"]) if e["kind"] == "notify.queued"][0]
    assert q["data"]["after"] == "5m" and q["data"]["choice"] == "rule 1 of user alice"
    s.advance("61s")
    assert hook.count() == 1
    b = s.create(severity="SEV3", title="Acked before the page")
    page(s, b["id"])
    st, _ = s.api("POST", f"/api/v1/incidents/{b['id']}/ack")
    assert st == 200
    s.advance("6m")
    assert hook.count() == 1
    (row,) = rows(s, b["id"])
    assert row["status"] == "cancelled" and "acknowledged" in row["last_error"]
    assert kinds(s, b["id"]) == ["notify.queued", "notify.cancelled"]
    # SEV1 matches no rule: the severity's channels she has (none: sms, email, slack) -> all
    c = s.create(severity="SEV1", title="No rule")
    page(s, c["id"])
    hook.wait_for(2)
    q = [e for e in s.timeline(c["id"]) if e["kind"] == "notify.queued"][0]
    assert q["data"]["methods"] == ["webhook"] and "every method" in q["data"]["choice"]


def test_kill9_between_queue_and_delivery_delivers_once(make_server, hook):
    s = make_server(dev_clock=True, config_text=notify_config([webhook_user(hook.url)]))
    hook.down()  # connection refused
    inc = s.create(severity="SEV1", title="Crash in the middle")
    page(s, inc["id"])
    sync(s)
    (row,) = rows(s, inc["id"])
    assert row["status"] == "pending" and len(row["attempts"]) == 1
    assert row["attempts"][0]["code"] is None and row["attempts"][0]["ok"] is False
    s.kill9()
    hook.up()
    s.start()
    s.advance("1m")  # the restarted server's clock: the row is due
    hook.wait_for(1)
    s.advance("1m")
    s.advance("1h")
    assert dict(delivered(hook)) == {f"msg_{row['id']}": 1}
    (row,) = rows(s, inc["id"])
    assert row["status"] == "sent" and len(row["attempts"]) == 2
    assert kinds(s, inc["id"]) == ["notify.queued", "notify.sent"]


def test_queued_page_survives_restart_before_first_attempt(make_server, hook):
    """Queued with a delay, server killed before it was due: after the restart it goes out once."""
    s = make_server(dev_clock=True, config_text=notify_config(
        [webhook_user(hook.url, ", notify: [{methods: [webhook], after: 1m}]")]))
    inc = s.create(severity="SEV1", title="Delayed")
    page(s, inc["id"])
    s.kill9()
    s.start()
    s.advance("2m")
    hook.wait_for(1)
    s.advance("10m")
    assert hook.count() == 1


def test_cancelled_bundle_lead_releases_the_rest(make_server, hook):
    """A bundle waiting for a retry whose lead's incident gets acknowledged: the lead is cancelled
    and the pages it carried go out on their own (here as a new bundle of 2), never lost."""
    s = make_server(dev_clock=True, config_text=notify_config([webhook_user(hook.url)]))
    first = s.create(severity="SEV2", title="First")
    page(s, first["id"])
    hook.wait_for(1)
    incs = [s.create(severity="SEV2", title=f"Storm {i}") for i in range(3)]
    for inc in incs:
        page(s, inc["id"])
    hook.answer(503)
    s.advance("61s")
    assert hook.count() == 2 and hook.requests[1].json()["data"]["message"].startswith("3 notifications:")
    # which of the three rows leads the bundle is the notifier's choice (the first due; the dev
    # clock runs with the wall clock, so not always the first created): find it
    before = {inc["id"]: rows(s, inc["id"])[0] for inc in incs}
    leads = [iid for iid, r in before.items() if r["status"] == "pending" and r["bundle_count"] == 3]
    assert len(leads) == 1, before
    lead_iid = leads[0]
    others = [inc["id"] for inc in incs if inc["id"] != lead_iid]
    assert all(before[o]["status"] == "bundled" for o in others), before
    st, _ = s.api("POST", f"/api/v1/incidents/{lead_iid}/ack")
    assert st == 200
    hook.answer(200)
    s.advance("10s")
    assert hook.count() == 3
    body = hook.requests[2].json()["data"]
    assert body["message"].startswith("2 notifications:")
    assert sorted(b["incident"]["id"] for b in body["bundle"]) == sorted(others)
    assert rows(s, lead_iid)[0]["status"] == "cancelled"
    after = {o: rows(s, o)[0] for o in others}
    sent = [o for o in others if after[o]["status"] == "sent"]
    assert len(sent) == 1 and after[sent[0]]["bundle_count"] == 2, after
    member = after[[o for o in others if o != sent[0]][0]]
    assert member["status"] == "bundled" and member["bundled_into"] == after[sent[0]]["id"]
    s.advance("10m")
    assert hook.count() == 3
