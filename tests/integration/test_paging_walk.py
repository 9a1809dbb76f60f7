"""The paging walk, end to end, with real mail and the dev clock:

alert fires (an Alertmanager webhook) -> incident -> the primary on call is paged by SMS, email and
Slack -> nobody acknowledges for 15 minutes -> the secondary is paged the same way -> the secondary
acknowledges from the link in the email (GET shows a page and changes nothing; the form's POST
acknowledges) -> escalation stops (the 30-minute step pages nobody) -> at 30 minutes the status
update is due and the comms lead is reminded by email.

Real components: aiosmtpd receives the mail (SmtpSink); local HTTP receivers stand in for the SMS
gateway and Slack (notify_receivers.Receiver). Nothing waits on the wall clock: the dev clock moves
and POST /api/v1/debug/clock returns after the engine and the notifier are done."""
import pytest

from notify_receivers import Receiver, SmtpSink, ack_links, parts
from test_ingest_support import am_alert, am_ok, integration
from tocsin_harness import http, parse_time


def config(smtp, sms, slack):
    return f"""
server: {{listen: "127.0.0.1:8080"}}
severities:
  - {{id: SEV1, name: Critical, ack_within: 15m, resolve_within: 4h, update_every: 30m,
     notify: [sms, email, slack], postmortem: {{required: true, due: 48h}}}}
  - {{id: SEV3, name: Minor, ack_within: 1h, notify: [email]}}
users:
  - {{id: alice, name: Alice, email: alice@example.com, phone: "+15550101", slack: "{slack.url}/alice"}}
  - {{id: bob, name: Bob, email: bob@example.com, phone: "+15550102", slack: "{slack.url}/bob"}}
  - {{id: carol, name: Carol, email: carol@example.com}}
  - {{id: dave, name: Dave, email: dave@example.com}}
schedules:
  - {{id: primary, timezone: Europe/Berlin, rotation: {{every: 1w, handoff: "mon 09:00", users: [alice]}}}}
  - {{id: secondary, timezone: Europe/Berlin, rotation: {{every: 1w, handoff: "mon 09:00", users: [bob]}}}}
escalation_policies:
  - id: default
    steps:
      - {{after: 0m, notify: [schedule:primary]}}
      - {{after: 15m, notify: [schedule:secondary]}}
      - {{after: 30m, notify: [user:dave], when: {{severity: [SEV1]}}}}
services:
  - id: api
    name: API Gateway
    escalation: default
    alerts: {{severity_map: {{critical: SEV1, warning: SEV3}}}}
notify:
  email: {{url: "{smtp.url}", from: pager@tocsin.test}}
  sms: {{url: "{sms.url}/sms", from: "+15550000", username: AC123, password: tok}}
  throttle: 1m
"""


@pytest.fixture
def walk(make_server, tmp_path):
    smtp = SmtpSink(tmp_path / "mail")
    sms, slack = Receiver("sms"), Receiver("slack")
    try:
        s = make_server(dev_clock=True, config_text=config(smtp, sms, slack))
        yield s, smtp, sms, slack
    finally:
        for r in (sms, slack):
            r.close()
        smtp.close()


def mail_to(smtp, addr):
    return [m for (_, rcpt, m) in smtp.messages if addr in rcpt]


def sms_to(sms, number):
    return [r for r in sms.requests if r.form().get("To") == number]


def slack_to(slack, user):
    return [r for r in slack.requests if r.path.endswith(f"/{user}")]


def test_alert_to_page_to_escalation_to_email_ack_to_reminder(walk):
    s, smtp, sms, slack = walk
    key = integration(s, "api", "alertmanager")["key"]

    # 1. the alert fires: an incident opens and the primary (alice) is paged three ways
    am_ok(s, key, [am_alert({"alertname": "HighErrorRate", "severity": "critical"},
                            summary="5xx above 5% on checkout")])
    s.advance("0s")
    st, j = s.api("GET", "/api/v1/incidents?status=open")
    assert st == 200 and len(j["incidents"]) == 1
    inc = j["incidents"][0]
    iid = inc["id"]
    assert inc["severity"] == "SEV1" and inc["service"] == "api"
    created = parse_time(inc["created_at"])

    smtp.wait_for(1)
    sms.wait_for(1)
    slack.wait_for(1)
    (alice_mail,) = mail_to(smtp, "alice@example.com")
    assert iid in alice_mail["Subject"] and "SEV1" in alice_mail["Subject"]
    text, html = parts(alice_mail)
    assert "5xx above 5% on checkout" in text and ack_links(text)
    (alice_sms,) = sms_to(sms, "+15550101")
    assert iid in alice_sms.form()["Body"] and "/ack/" in alice_sms.form()["Body"]
    (alice_slack,) = slack_to(slack, "alice")
    blocks = alice_slack.json()["blocks"]
    assert any("SEV1" in str(b) for b in blocks) and any(b.get("type") == "actions" for b in blocks)
    assert mail_to(smtp, "bob@example.com") == [] and sms_to(sms, "+15550102") == []

    # 2. no ack for 14 minutes: nothing more; at 15 minutes the secondary (bob) is paged
    s.advance("14m")
    assert mail_to(smtp, "bob@example.com") == []
    s.advance("1m")
    smtp.wait_for(2)
    sms.wait_for(2)
    slack.wait_for(2)
    (bob_mail,) = mail_to(smtp, "bob@example.com")
    assert len(sms_to(sms, "+15550102")) == 1 and len(slack_to(slack, "bob")) == 1
    step2 = [e for e in s.timeline(iid) if e["kind"] == "escalation.step"][1]
    assert step2["data"]["users"] == ["bob"]
    assert (parse_time(step2["at"]) - created).total_seconds() >= 15 * 60

    # 3. bob acknowledges from the email: GET is only a page, the form's POST acknowledges
    (url, token), = ack_links(parts(bob_mail)[0])
    r = http("GET", f"{s.url}/ack/{token}")
    assert r.status == 200 and b"<form" in r.body and iid.encode() in r.body
    assert s.get(iid)["status"] == "triggered"
    r = http("POST", f"{s.url}/ack/{token}", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200
    j = s.get(iid)
    assert j["status"] == "acknowledged"
    acks = [e for e in s.timeline(iid) if e["kind"] == "incident.acknowledged"]
    assert len(acks) == 1 and "bob" in acks[0]["actor"]

    # the comms lead for the rest of the incident
    st, _ = s.api("PUT", f"/api/v1/incidents/{iid}/roles/comms_lead", {"user": "carol"})
    assert st == 200

    # 4. at 30 minutes: the escalation stopped (dave is not paged), carol is reminded
    s.advance("14m")
    assert mail_to(smtp, "carol@example.com") == []
    s.advance("1m")
    smtp.wait_for(3)
    assert mail_to(smtp, "dave@example.com") == []
    assert len([e for e in s.timeline(iid) if e["kind"] == "escalation.step"]) == 2
    (carol_mail,) = mail_to(smtp, "carol@example.com")
    assert "update" in carol_mail["Subject"].lower() and iid in carol_mail["Subject"]
    reminders = [e for e in s.timeline(iid) if e["kind"] == "update.reminder"]
    assert len(reminders) == 1 and reminders[0]["data"]["to"] == ["carol"]
    assert s.get(iid)["sla"]["update_overdue"] is True

    # every message went out once and is recorded as sent; the chain verifies
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200
    sent = [(n["user"], n["method"]) for n in j["notifications"] if n["status"] == "sent"]
    assert sorted(sent) == sorted([("alice", "sms"), ("alice", "email"), ("alice", "slack"),
                                   ("bob", "sms"), ("bob", "email"), ("bob", "slack"),
                                   ("carol", "email")]), j
    assert len(sms.requests) == 2 and len(slack.requests) == 2 and len(smtp.messages) == 3
    assert s.verify()["valid"]
