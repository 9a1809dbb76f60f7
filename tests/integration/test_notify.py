"""Notifications through real components (docs/internals/notify.md): a real SMTP server (aiosmtpd)
receives the mail, local HTTP receivers stand in for Slack, a generic webhook endpoint and an SMS
gateway and check what arrives (Standard Webhooks signatures verified in Python with hmac). The
producer is POST /api/v1/incidents/{id}/page. The ack link in a page: GET shows a page and changes
nothing, POST acknowledges (timeline entry), tampered 403, expired 410.
"""
import base64
import json
import re
import urllib.parse

import pytest

from notify_receivers import (INBOUND_SECRET, WEBHOOK_SECRET, Receiver, SmtpSink, ack_links,
                              notify_config, parts, verify_standard_webhook)
from tocsin_harness import http


@pytest.fixture
def receivers():
    made = []

    def make(name):
        r = Receiver(name)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


@pytest.fixture
def smtp(tmp_path):
    s = SmtpSink(tmp_path / "mail")
    yield s
    s.close()


def sync(s):
    """Returns once every delivery due now was attempted and recorded (dev clock, +0s)."""
    return s.advance("0s")


def rows(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200, (st, j)
    return j["notifications"]


def page(s, iid, user="alice", **kw):
    body = {"user": user}
    body.update(kw)
    st, j = s.api("POST", f"/api/v1/incidents/{iid}/page", body)
    assert st == 201, (st, j)
    return j


def kinds(s, iid, prefix="notify."):
    return [e["kind"] for e in s.timeline(iid) if e["kind"].startswith(prefix)]


def test_webhook_is_signed_per_standard_webhooks(make_server, receivers):
    hook = receivers("hook")
    s = make_server(dev_clock=True, config_text=notify_config(
        [f'{{id: alice, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}}}']))
    inc = s.create(severity="SEV1", title="Checkout API 502s", service="api")
    j = page(s, inc["id"], message="please join the bridge")
    assert j["queued"] == 1 and j["key"] == "manual:1" and j["user"] == "alice"
    assert [n["method"] for n in j["notifications"]] == ["webhook"]
    req = hook.wait_for(1)[0]
    sync(s)
    row = rows(s, inc["id"])[0]
    msg_id = verify_standard_webhook(WEBHOOK_SECRET, req.headers, req.body)
    assert msg_id == f"msg_{row['id']}"
    assert req.headers["Content-Type"] == "application/json"
    body = req.json()
    assert body["type"] == "incident.page"
    data = body["data"]
    assert data["incident"]["id"] == inc["id"] and data["incident"]["severity"] == "SEV1"
    assert data["incident"]["status"] == "triggered" and data["incident"]["service"] == "api"
    assert data["incident"]["url"].endswith(f"/api/v1/incidents/{inc['id']}")
    assert "/ack/" in data["ack_url"]
    assert "please join the bridge" in data["message"] and "Checkout API 502s" in data["message"]
    assert data["notification_id"] == row["id"] and data["key"] == "manual:1"
    # a forged signature fails the same Python check (the check can fail)
    with pytest.raises(AssertionError):
        verify_standard_webhook(WEBHOOK_SECRET, dict(req.headers), req.body + b" ")
    assert row["status"] == "sent" and row["address"].endswith("/...") and "hook" not in row["address"]
    assert len(row["attempts"]) == 1 and row["attempts"][0]["ok"] is True
    assert row["attempts"][0]["code"] == 200 and row["sent_at"]
    assert kinds(s, inc["id"]) == ["notify.queued", "notify.sent"]
    q = [e for e in s.timeline(inc["id"]) if e["kind"] == "notify.queued"][0]
    assert q["actor"].startswith("token:") and q["data"]["methods"] == ["webhook"]
    assert q["data"]["key"] == "manual:1" and q["data"]["user"] == "alice"


def test_email_through_real_smtp_with_ack_link(make_server, smtp):
    s = make_server(dev_clock=True, config_text=notify_config(
        ["{id: alice, name: Alice, email: alice@example.com}"], smtp=smtp))
    inc = s.create(severity="SEV3", title="Queue ünicode <backlog>", service="api")
    page(s, inc["id"])
    mail_from, rcpt, msg = smtp.wait_for(1)[0]
    assert mail_from == "pager@tocsin.test" and rcpt == ["alice@example.com"]
    assert msg["From"] == "pager@tocsin.test" and msg["To"] == "alice@example.com"
    assert msg["Subject"] == f"[SEV3] {inc['id']}: Queue ünicode <backlog>"
    assert msg["Date"] and msg["Message-ID"].startswith("<tocsin-notification-")
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    assert text and html
    assert "Status: triggered" in text and "Service: API Gateway (api)" in text
    assert "&lt;backlog&gt;" in html and "<backlog>" not in html  # escaped in HTML
    links = ack_links(text)
    assert len(links) == 1 and links[0] in ack_links(html)
    url, token = links[0]
    sync(s)
    assert rows(s, inc["id"])[0]["status"] == "sent"

    # GET shows a confirmation page and changes nothing (mail scanners follow links)
    r = http("GET", f"{s.url}/ack/{token}")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    page_html = r.body.decode()
    assert inc["id"] in page_html and 'method="post"' in page_html and "<script" not in page_html
    assert "&lt;backlog&gt;" in page_html and "<backlog>" not in page_html
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    assert s.get(inc["id"])["status"] == "triggered"

    # POST acknowledges, as the user, with a timeline entry
    r = http("POST", f"{s.url}/ack/{token}", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200 and b"Acknowledged" in r.body
    assert s.get(inc["id"])["status"] == "acknowledged"
    acks = [e for e in s.timeline(inc["id"]) if e["kind"] == "incident.acknowledged"]
    assert len(acks) == 1 and acks[0]["actor"] == "user:alice (ack link)"
    # again: says so, changes nothing
    r = http("POST", f"{s.url}/ack/{token}", b"")
    assert r.status == 200 and b"already acknowledged" in r.body
    assert len([e for e in s.timeline(inc["id"]) if e["kind"] == "incident.acknowledged"]) == 1
    r = http("GET", f"{s.url}/ack/{token}")
    assert r.status == 200 and b'method="post"' not in r.body


def test_ack_link_tampered_is_403_and_expired_is_410(make_server, smtp):
    s = make_server(dev_clock=True, config_text=notify_config(
        ["{id: alice, email: alice@example.com}", "{id: bob, email: bob@example.com}"], smtp=smtp,
        extra="  ack_link_ttl: 1h"))
    inc = s.create(severity="SEV2", title="Disk full")
    page(s, inc["id"])
    _, token = ack_links(parts(smtp.wait_for(1)[0][2])[0])[0]
    payload, mac = token.split(".")
    # the payload says alice; rewrite it to bob without the key: refused
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert raw.startswith("v1|") and "|alice|" in raw
    forged = base64.urlsafe_b64encode(raw.replace("|alice|", "|bob|").encode()).decode().rstrip("=")
    for bad in (f"{forged}.{mac}", f"{payload}.{mac[:-2]}AA", payload, "x" * 300, f"{payload}."):
        for method in ("GET", "POST"):
            r = http(method, f"{s.url}/ack/{bad}", b"" if method == "POST" else None)
            assert r.status in (403, 404), (bad, method, r)
            if len(bad) < 250:
                assert r.status == 403 and b"not valid" in r.body, (bad, r)
    assert s.get(inc["id"])["status"] == "triggered"
    s.advance("61m")
    for method in ("GET", "POST"):
        r = http(method, f"{s.url}/ack/{token}", b"" if method == "POST" else None)
        assert r.status == 410 and b"expired" in r.body and inc["id"].encode() in r.body
    assert s.get(inc["id"])["status"] == "triggered"


def test_slack_message_has_blocks_and_buttons(make_server, receivers):
    slack = receivers("slack")
    s = make_server(dev_clock=True, config_text=notify_config(
        [f'{{id: alice, slack: "{slack.url}"}}']))
    inc = s.create(severity="SEV1", title="Payments <down> & out", service="api")
    page(s, inc["id"])
    body = slack.wait_for(1)[0].json()
    assert "Payments &lt;down&gt; &amp; out" in body["text"]
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header" and inc["id"] in blocks[0]["text"]["text"]
    section = blocks[1]
    assert section["type"] == "section"
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in section["fields"]}
    assert fields == {"*Severity*": "SEV1", "*Service*": "api", "*Status*": "triggered"}
    actions = blocks[2]
    assert actions["type"] == "actions"
    urls = {e["text"]["text"]: e["url"] for e in actions["elements"]}
    assert "/ack/" in urls["Acknowledge"]
    assert urls["Open incident"].endswith(f"/api/v1/incidents/{inc['id']}")


def test_sms_gateway_twilio_style_and_ack_reply(make_server, receivers):
    gw = receivers("sms")
    gw.answer(201, {"Content-Type": "application/json"}, b'{"sid":"SM1"}')
    s = make_server(dev_clock=True, config_text=notify_config(
        ['{id: alice, phone: "+15550101"}', '{id: bob, phone: "+15550102"}'], sms=gw))
    inc = s.create(severity="SEV1", title="API down")
    page(s, inc["id"])
    req = gw.wait_for(1)[0]
    sync(s)
    row = rows(s, inc["id"])[0]
    assert row["status"] == "sent" and row["attempts"][0]["code"] == 201
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:tok").decode()
    form = req.form()
    assert form["To"] == "+15550101" and form["From"] == "+15550000"
    text = form["Body"]
    assert text.startswith(f"[SEV1] {inc['id']}: API down - ack: ")
    assert text.endswith(f"or reply ACK {row['id']}") and len(text) <= 480
    inbound = f"/api/v1/sms/inbound?secret={INBOUND_SECRET}"
    form_h = {"Content-Type": "application/x-www-form-urlencoded"}

    def reply(frm, body, path=inbound, headers=form_h, token=None):
        raw = urllib.parse.urlencode({"From": frm, "Body": body, "To": "+15550000",
                                      "MessageSid": "SM9"})
        return s.api("POST", path, raw=raw, headers=headers, token=token)

    # wrong number, unknown code, not a command: 422 naming the problem; no ack
    st, j = reply("+15550102", f"ACK {row['id']}")
    assert st == 422 and j["error"]["message"].startswith("from:")
    st, j = reply("+15550101", "ACK 999")
    assert st == 422 and "unknown code 999" in j["error"]["message"]
    st, j = reply("+15550101", "yes please")
    assert st == 422 and j["error"]["message"].startswith("body:")
    assert s.get(inc["id"])["status"] == "triggered"
    # the right sender and code, any case: acknowledged as the user
    st, j = reply("+15550101", f"  ack {row['id']} ")
    assert st == 200 and j["result"] == "acknowledged" and j["incident"] == inc["id"]
    assert j["user"] == "alice" and s.get(inc["id"])["status"] == "acknowledged"
    acks = [e for e in s.timeline(inc["id"]) if e["kind"] == "incident.acknowledged"]
    assert len(acks) == 1 and acks[0]["actor"] == "user:alice (sms)"
    # JSON body, secret as bearer: already acknowledged, still 200
    st, j = s.api("POST", "/api/v1/sms/inbound", {"from": "+15550101", "body": f"ACK {row['id']}"},
                  token=INBOUND_SECRET)
    assert st == 200 and j["result"] == "already acknowledged"


def test_sms_inbound_auth_and_bad_input(make_server, receivers):
    gw = receivers("sms")
    s = make_server(config_text=notify_config(['{id: alice, phone: "+15550101"}'], sms=gw))
    path = "/api/v1/sms/inbound"
    form_h = {"Content-Type": "application/x-www-form-urlencoded"}
    st, j = s.api("POST", path, raw="From=%2B1&Body=ACK+1", headers=form_h, token=None)
    assert st == 401 and j["error"]["message"].startswith("authorization:")
    st, j = s.api("POST", path + "?secret=wrong-secret-wrong-secret", raw="From=x&Body=y",
                  headers=form_h, token=None)
    assert st == 401
    st, j = s.api("POST", path, raw="From=x&Body=y", headers=form_h)  # an admin token is not it
    assert st == 401
    q = f"{path}?secret={INBOUND_SECRET}"
    st, j = s.api("POST", q, raw="Body=ACK+1", headers=form_h, token=None)
    assert st == 400 and j["error"]["message"].startswith("From:")
    st, j = s.api("POST", q, raw="From=%2B15550101", headers=form_h, token=None)
    assert st == 400 and j["error"]["message"].startswith("Body:")
    st, j = s.api("POST", q, raw="{not json", token=None)
    assert st == 400
    st, j = s.api("POST", q, {"from": "+15550101", "body": "ACK 1", "extra": 1}, token=None)
    assert st == 400 and "extra" in j["error"]["message"]
    st, j = s.api("POST", q, {"from": "+15550101", "body": "ACK 12345678901234567890123"}, token=None)
    assert st == 422


def test_sms_inbound_is_404_when_not_configured(server):
    st, j = server.api("POST", "/api/v1/sms/inbound", {"from": "+1555", "body": "ACK 1"}, token=None)
    assert st == 404 and "inbound_secret" in j["error"]["message"]


def test_unconfigured_channel_fails_and_falls_back(make_server, receivers):
    """alice has email first, but notify.email is not configured: the row fails at once with a
    clear error and the page goes to her next method."""
    hook = receivers("hook")
    s = make_server(dev_clock=True, config_text=notify_config(
        [f'{{id: alice, email: alice@example.com, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}, '
         'notify: [{methods: [email]}]}']))
    inc = s.create(severity="SEV2", title="Latency")
    page(s, inc["id"])
    hook.wait_for(1)
    sync(s)
    rs = {r["method"]: r for r in rows(s, inc["id"])}
    assert rs["email"]["status"] == "failed" and "notify.email.url" in rs["email"]["last_error"]
    assert rs["email"]["attempts"][0]["ok"] is False and rs["email"]["attempts"][0]["code"] is None
    assert rs["webhook"]["status"] == "sent" and rs["webhook"]["fallback_of"] == rs["email"]["id"]
    assert kinds(s, inc["id"]) == ["notify.queued", "notify.failed", "notify.fallback", "notify.sent"]
    fb = [e for e in s.timeline(inc["id"]) if e["kind"] == "notify.fallback"][0]
    assert fb["data"]["from"] == "email" and fb["data"]["to"] == "webhook"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback test
def test_email_smtp_auth_and_refused_login(make_server, tmp_path, receivers):
    smtp = SmtpSink(tmp_path / "authmail", credentials=("pager", "s3cret"))
    hook = receivers("hook")
    try:
        def cfg(password):
            return notify_config(
                [f'{{id: alice, email: alice@example.com, webhook: "{hook.url}", '
                 f'webhook_secret: {WEBHOOK_SECRET}, notify: [{{methods: [email]}}]}}'],
                extra=f'  email: {{url: "{smtp.url}", from: pager@tocsin.test, username: pager, '
                      f'password: {password}}}')
        s = make_server(dev_clock=True, config_text=cfg("s3cret"))
        inc = s.create(severity="SEV2", title="Auth works")
        page(s, inc["id"])
        assert smtp.wait_for(1)[0][1] == ["alice@example.com"]
        assert smtp.logins and smtp.logins[0][1:] == ("pager", True)
        # a wrong password (another server: no connection to reuse): SMTP 535 is permanent ->
        # the next method, on the timeline
        s = make_server(dev_clock=True, config_text=cfg("wrong"))
        inc2 = s.create(severity="SEV2", title="Auth refused")
        page(s, inc2["id"])
        hook.wait_for(1)
        sync(s)
        rs = {r["method"]: r for r in rows(s, inc2["id"])}
        assert rs["email"]["status"] == "failed" and len(rs["email"]["attempts"]) == 1
        assert rs["email"]["attempts"][0]["code"] == 535, rs["email"]
        assert rs["webhook"]["status"] == "sent"
        assert len(smtp.messages) == 1
    finally:
        smtp.close()


def test_email_starttls_required_but_not_offered_fails(make_server, smtp, receivers):
    hook = receivers("hook")
    s = make_server(dev_clock=True, config_text=notify_config(
        [f'{{id: alice, email: alice@example.com, webhook: "{hook.url}", '
         f'webhook_secret: {WEBHOOK_SECRET}, notify: [{{methods: [email]}}]}}'],
        extra=f'  email: {{url: "{smtp.url}", from: pager@tocsin.test, starttls: true}}'))
    inc = s.create(severity="SEV2", title="No TLS here")
    page(s, inc["id"])
    hook.wait_for(1)
    sync(s)
    rs = {r["method"]: r for r in rows(s, inc["id"])}
    assert rs["email"]["status"] == "failed" and "SMTP" in rs["email"]["last_error"]
    assert smtp.messages == []  # nothing went out in the clear
