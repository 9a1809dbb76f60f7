"""Voice calls, tickets and methods that cannot deliver (issue 16, item 5).

One server for the module (dev clock), with local receivers standing in for a Twilio-style voice
gateway, an SMS gateway and a ticket system:
- a SEV1 (`notify: [voice, sms, slack]`) page reaches alice by voice and SMS; the call's TwiML
  reads the page and gathers one digit whose action is the signed ack link: pressing 2 changes
  nothing, pressing 1 acknowledges (on the timeline);
- bob has no Slack URL: the page says so on the timeline (notify.queued `dropped`) and
  tocsin_notify_methods_dropped_total counts it;
- a SEV4 (`notify: [ticket]`) incident gets exactly one ticket, with a stable Idempotency-Key,
  however often its escalation runs, and pages nobody;
- a step whose schedule has nobody on call pages the config's fallback target;
- check-config prints a warning for each method that cannot deliver, and still exits 0.
"""
import re
import urllib.parse

import pytest
from notify_receivers import Receiver
from conftest import _teardown_all
from tocsin_harness import Server, http, require_bin, run_bin


def config(voice, sms, ticket):
    return f"""\
severities:
  - {{id: SEV1, name: Critical, ack_within: 15m, notify: [voice, sms, slack]}}
  - {{id: SEV2, name: Major, notify: [sms]}}
  - {{id: SEV4, name: Low, notify: [ticket]}}
services:
  - {{id: api, name: API Gateway}}
users:
  - {{id: alice, email: alice@example.com, phone: "+15550101", slack: "{sms.url}/slack"}}
  - {{id: bob, email: bob@example.com, phone: "+15550102"}}
schedules:
  - id: weekend-night
    timezone: UTC
    layers:
      - name: only
        rotation: {{every: 1w, handoff: "mon 09:00", users: [bob]}}
        restrictions: ["sat 03:00-03:01"]
fallback: "user:alice"
escalation_policies:
  - id: default
    steps:
      - {{after: 0m, notify: [user:alice, user:bob], when: {{severity: [SEV1]}}}}
      - {{after: 0m, notify: ["schedule:weekend-night"], when: {{severity: [SEV2]}}}}
notify:
  sms: {{url: "{sms.url}/sms", from: "+15550000"}}
  voice: {{url: "{voice.url}/Calls.json", from: "+15550009", username: AC123, password: tok}}
  ticket: {{url: "{ticket.url}/tickets", auth_header: "Bearer t0ken"}}
  throttle: 0s
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    recv = {name: Receiver(name) for name in ("voice", "sms", "ticket")}
    s = Server(tmp_path_factory.mktemp("voice"), dev_clock=True,
               config_text=config(recv["voice"], recv["sms"], recv["ticket"]))
    s.start()
    yield s, recv
    _teardown_all([s])
    for r in recv.values():
        r.close()


def test_voice_call_reads_the_page_and_pressing_1_acknowledges(env):
    s, recv = env
    inc = s.create(severity="SEV1", title="Checkout API 502s", service="api")
    s.advance("0s")
    calls = recv["voice"].wait_for(2)
    by_to = {c.form()["To"]: c for c in calls}
    assert set(by_to) == {"+15550101", "+15550102"}, calls
    call = by_to["+15550101"]
    f = call.form()
    assert call.path.endswith("/Calls.json") and f["From"] == "+15550009"
    assert call.headers["Authorization"].startswith("Basic ")
    twiml = f["Twiml"]
    assert "<Say>tocsin page. [SEV1] " + inc["id"] + ": Checkout API 502s." in twiml, twiml
    m = re.search(r'<Gather numDigits="1" method="POST" action="([^"]+)">', twiml)
    assert m, twiml
    action = m.group(1).replace("&amp;", "&")
    assert "/ack/" in action and action.endswith("?voice=1")
    path = urllib.parse.urlsplit(action)
    url = s.url + path.path + "?" + path.query
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = http("POST", url, b"CallSid=CA1&Digits=2", form)
    assert r.status == 200 and b"Not acknowledged" in r.body, r.body
    assert s.api("GET", f"/api/v1/incidents/{inc['id']}")[1]["status"] == "triggered"
    r = http("POST", url, b"CallSid=CA1&Digits=1", form)
    assert r.status == 200 and r.headers["Content-Type"] == "application/xml", r.headers
    assert b"Acknowledged " + inc["id"].encode() in r.body, r.body
    assert s.api("GET", f"/api/v1/incidents/{inc['id']}")[1]["status"] == "acknowledged"
    assert recv["sms"].count() >= 2  # sms went too; alice also by Slack
    # bob lacks a Slack URL: said on the timeline and counted, not silently dropped
    queued = {e["data"]["user"]: e["data"] for e in s.timeline(inc["id"])
              if e["kind"] == "notify.queued"}
    assert sorted(queued["alice"]["methods"]) == ["slack", "sms", "voice"], queued
    assert sorted(queued["bob"]["methods"]) == ["sms", "voice"], queued
    assert queued["bob"]["dropped"] == [{"method": "slack", "why": "the user has no address for it"}]
    assert "dropped" not in queued["alice"]
    r = s.request("GET", "/metrics", token=None)
    assert "tocsin_notify_methods_dropped_total 1\n" in r.body.decode(), r.body[:600]


def test_ticket_is_created_once_per_incident_and_pages_nobody(env):
    s, recv = env
    before = recv["ticket"].count()
    inc = s.create(severity="SEV4", title="Typo on the pricing page", service="api")
    s.advance("0s")
    s.api("POST", f"/api/v1/incidents/{inc['id']}/escalate", {"reason": "again"}, check=False)
    s.advance("2h")
    reqs = recv["ticket"].wait_for(before + 1)[before:]
    assert len(reqs) == 1, reqs
    t = reqs[0]
    assert t.path.endswith("/tickets") and t.headers["Authorization"] == "Bearer t0ken"
    assert t.headers["Idempotency-Key"] == f"tocsin-ticket-{inc['id']}"
    body = t.json()
    assert body["type"] == "incident.ticket" and body["drill"] is False
    assert body["incident"]["id"] == inc["id"] and body["incident"]["severity"] == "SEV4"
    tl = s.timeline(inc["id"])
    assert [e["kind"] for e in tl].count("ticket.queued") == 1
    assert not [e for e in tl if e["kind"] == "notify.queued"], "a ticket pages nobody"


def test_check_config_warns_for_methods_that_cannot_deliver(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("""\
severities:
  - {id: SEV1, name: Critical, notify: [voice, sms, slack]}
  - {id: SEV4, name: Low, notify: [ticket]}
users:
  - {id: alice, phone: "+15550101"}
notify:
  sms: {url: "http://127.0.0.1:9/sms"}
""")
    r = run_bin("check-config", str(p))
    assert r.returncode == 0, r.stderr
    err = r.stderr
    assert f"{p}:2: warning: severity SEV1 names voice, but notify.voice is not configured" in err
    assert f"{p}:2: warning: severity SEV1 names slack, which no user can receive" in err
    assert f"{p}:3: warning: severity SEV4 names ticket, but notify.ticket is not configured" in err
    assert f"{p}:5: warning: user alice lacks slack" in err
    assert "names sms" not in err  # configured, and alice has a phone


def test_step_whose_schedule_has_nobody_on_call_pages_the_fallback(env):
    s, _ = env
    inc = s.create(severity="SEV2", title="Replica lag", service="api")
    s.advance("0s")
    tl = s.timeline(inc["id"])
    step = [e for e in tl if e["kind"] == "escalation.step"]
    assert len(step) == 1 and step[0]["data"]["users"] == [], step
    assert step[0]["data"]["fallback"] == ["alice"], step
    queued = [e["data"] for e in tl if e["kind"] == "notify.queued"]
    assert [(q["user"], q["methods"]) for q in queued] == [("alice", ["sms"])], queued
