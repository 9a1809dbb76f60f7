"""Alfred (seed 000_3593abefc8cb8488.txt, examples/alfred.yaml) replayed: section 2 "Severity
Classification" (the seed is one line: line 1; quoted by its words), declared on alfred-api
(policy `default`). The playbook engages everyone at once: SEV-1 "IC + Sergey Bar + SRE", SEV-2
"IC + SRE", SEV-3 "On-call engineer", SEV-4 "Ticket only"; "Acknowledge the PagerDuty alert
within 2 minutes" (First 5 Minutes).

On call on Wednesday 2099-06-17: tomas-novak (schedule sre-oncall); team sre is maya-chen,
tomas-novak, priya-raman. The on-call engineer is in the SRE team: one page each (steps due
together are merged; before, tomas-novak got two). Methods: sms, and voice for SEV-1
(`[sms, voice, slack]`; no Slack URL: a `dropped` entry on the timeline).
"""
from replay import assert_roles_filled, check, rows

S = "000:1 "
SRE = "maya-chen priya-raman tomas-novak"
REPEAT = "(repeat: 2, not in the playbook; every step at 0m, so a round is the 5-minute floor)"
ACK = "not acknowledged within %s: re-page the current step (on_ack_breach default)"

MATRIX = {
    ("SEV-1", "never"): rows(0, SRE, "sms voice", S + "SEV-1 escalation: IC + Sergey Bar + SRE")
    + rows(0, "sergey-bar", "sms voice", S + "SEV-1 escalation: IC + Sergey Bar + SRE")
    # before: at +2 nobody was paged and ack_breach_escalated read true (issue 16 item 2)
    + rows(2, SRE + " sergey-bar", "sms voice", ACK % "2 minutes (First 5 Minutes: acknowledge within 2")
    + rows(5, SRE + " sergey-bar", "sms voice", "round 2 " + REPEAT)
    + rows(10, SRE + " sergey-bar", "sms voice", "round 3 " + REPEAT),
    ("SEV-1", "ack3"): rows(0, SRE + " sergey-bar", "sms voice", S + "SEV-1 escalation")
    + rows(2, SRE + " sergey-bar", "sms voice", ACK % "2 minutes, before the ack at +3"),
    ("SEV-2", "never"): rows(0, SRE, "sms", S + "SEV-2 escalation: IC + SRE")
    + rows(5, SRE, "sms", "round 2 " + REPEAT)
    + rows(10, SRE, "sms", "round 3 " + REPEAT)
    + rows(15, SRE, "sms", ACK % "15 min (SEV-2 response SLA < 15 min)"),
    ("SEV-2", "ack3"): rows(0, SRE, "sms", S + "SEV-2 escalation: IC + SRE"),
    ("SEV-3", "never"): rows(0, "tomas-novak", "sms", S + "SEV-3 escalation: On-call engineer")
    + rows(5, "tomas-novak", "sms", "round 2 " + REPEAT)
    + rows(10, "tomas-novak", "sms", "round 3 " + REPEAT)
    + rows(60, "tomas-novak", "sms", ACK % "1 hour (SEV-3 response SLA < 1 hour)"),
    ("SEV-3", "ack3"): rows(0, "tomas-novak", "sms", S + "SEV-3 escalation: On-call engineer"),
    # "Ticket only": nobody is paged; its 1-day ack clock is beyond the replay (at 1 d the
    # breach pages the config's fallback, the on-call engineer: no step applies to SEV-4)
    ("SEV-4", "never"): [],
    ("SEV-4", "ack3"): [],
}


def test_alfred_matrix(make_server):
    s = check(make_server, "alfred", ["SEV-1", "SEV-2", "SEV-3", "SEV-4"], MATRIX,
              {"service": "alfred-api"})
    # Section 1 "Roles": the Incident Commander, from the SRE on call
    assert_roles_filled(s, {"commander": "tomas-novak"}, {"commander": "schedule:sre-oncall"})
    incs = s.api("GET", "/api/v1/incidents?limit=100")[1]["incidents"]
    sev4 = [i for i in incs if i["title"] == "alfred SEV-4 never"][0]["id"]
    # ticket-only: not "unrouted" (nobody is paged on purpose)
    assert not [e for e in s.timeline(sev4) if e["kind"] == "escalation.unrouted"]


LEDGER = S + "INC-08 'ESCALATE TO SERGEY BAR - all ledger issues require owner review' (policy ledger)"
EVERYONE = SRE + " sergey-bar"
MATRIX_LEDGER = {
    ("SEV-1", "never"): rows(0, EVERYONE, "sms voice", LEDGER)
    + rows(2, EVERYONE, "sms voice", ACK % "2 minutes")
    + rows(5, EVERYONE, "sms voice", "round 2 " + REPEAT) + rows(10, EVERYONE, "sms voice", "round 3 " + REPEAT),
    ("SEV-1", "ack3"): rows(0, EVERYONE, "sms voice", LEDGER) + rows(2, EVERYONE, "sms voice", ACK % "2 minutes"),
    ("SEV-2", "never"): rows(0, EVERYONE, "sms", LEDGER)
    + rows(5, EVERYONE, "sms", "round 2 " + REPEAT) + rows(10, EVERYONE, "sms", "round 3 " + REPEAT)
    + rows(15, EVERYONE, "sms", ACK % "15 min"),
    ("SEV-2", "ack3"): rows(0, EVERYONE, "sms", LEDGER),
}


def test_alfred_ledger_incident_reaches_the_owner_at_any_severity(make_server):
    check(make_server, "alfred", ["SEV-1", "SEV-2"], MATRIX_LEDGER,
          {"service": "alfred-api", "type": "credit-leakage"})
