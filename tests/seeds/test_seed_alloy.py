"""Alloy (seed 001_662dbf12ac9f9c9c.txt, examples/alloy.yaml) replayed: "Escalation Paths"
(lines 30-34) with the response times of the severity table (lines 11-14), declared on alloy-api
(policy `default`). Level 4 is "after 1 hour for unresolved P0": an `until: resolved` step, so
the CTO hears of a P0 acknowledged at +3 and still open at 1 h (before: nobody did).

On call on Wednesday 2099-06-17 13:00 New York: primary ben, secondary chloe (schedule
oncall). Methods: P0 `[sms, voice, slack]` reaches sms and voice, P1 `[sms, slack]` sms (no Slack URL:
a `dropped` entry on the timeline), P2 `[slack, email]` email, P3 `[ticket]` every method the user has.
"""
from replay import assert_roles_filled, check, rows

S = "001:"
L1 = S + "31 Level 1: primary on-call engineer"
L2 = S + "32 Level 2: secondary on-call engineer after 15 minutes with no response"
L3 = S + "33 Level 3: Engineering Lead after 30 minutes for P0/P1"
L4 = S + "34 Level 4: CTO after 1 hour for unresolved P0"
ROUND = "round 2 (repeat: 1, not in the playbook; a %s round: the steps that apply to %s)"
ACK = "response time breached (%s, line %s): re-page the current step, merged with it"

MATRIX = {
    ("P0", "never"): rows(0, "ben", "sms voice", L1) + rows(15, "chloe", "sms voice", L2 + "; "
                                                     + ACK % ("< 15 minutes", "11"))
    + rows(30, "eng-lead", "sms voice", L3) + rows(60, "cto", "sms voice", L4)
    + rows(90, "ben", "sms voice", ROUND % ("90m", "P0")) + rows(105, "chloe", "sms voice", ROUND % ("90m", "P0"))
    + rows(120, "eng-lead", "sms voice", ROUND % ("90m", "P0"))
    + rows(150, "cto", "sms voice", ROUND % ("90m", "P0")),
    ("P0", "ack3"): rows(0, "ben", "sms voice", L1) + rows(60, "cto", "sms voice", L4 + " (until: resolved)"),
    ("P1", "never"): rows(0, "ben", "sms", L1) + rows(15, "chloe", "sms", L2)
    + rows(30, "eng-lead", "sms", L3)
    + rows(45, "ben", "sms", ROUND % ("45m", "P1"))
    + rows(60, "chloe", "sms", ROUND % ("45m", "P1") + "; " + ACK % ("< 1 hour", "12"))
    + rows(75, "eng-lead", "sms", ROUND % ("45m", "P1")),
    ("P1", "ack3"): rows(0, "ben", "sms", L1),
    ("P2", "never"): rows(0, "ben", "email", L1) + rows(15, "chloe", "email", L2)
    + rows(30, "ben", "email", ROUND % ("30m", "P2")) + rows(45, "chloe", "email", ROUND % ("30m", "P2"))
    + rows(240, "chloe", "email", "response time breached (< 4 hours, line 13): re-page the "
           "current step (on_ack_breach default)"),
    ("P2", "ack3"): rows(0, "ben", "email", L1),
    ("P3", "never"): rows(0, "ben", "email sms", L1) + rows(15, "chloe", "email sms", L2)
    + rows(30, "ben", "email sms", ROUND % ("30m", "P3"))
    + rows(45, "chloe", "email sms", ROUND % ("30m", "P3")),
    ("P3", "ack3"): rows(0, "ben", "email sms", L1),
}


def test_alloy_matrix(make_server):
    s = check(make_server, "alloy", ["P0", "P1", "P2", "P3"], MATRIX, {"service": "alloy-api"})
    # "On-Call Rotation": the primary on-call engineer coordinates the response
    assert_roles_filled(s, {"commander": "ben"}, {"commander": "schedule:oncall/primary"})


def test_alloy_alert_rules_open_incidents_at_their_mapped_severity(make_server):
    """The playbook's Prometheus rules (lines 346-385) sent by Alertmanager: HighErrorRate and
    DatabaseDown (`severity: critical`) open P1 incidents, HighLatency and HighMemoryUsage
    (`warning`) P2 (severity_map; before, every alert opened the config's second severity, P1,
    whatever its label); the P1 pages the primary at once like a declared P1."""
    from replay import REPLAY_AT, example
    from test_ingest_support import am_alert, am_ok, integration
    s = make_server(dev_clock=True, config_text=example("alloy"))
    s.pin_clock(REPLAY_AT)
    # one service each: alerts of one service share its open incident (no group_by)
    rules = [("alloy-api", "HighErrorRate", "critical", "P1"),
             ("auth", "HighLatency", "warning", "P2"),
             ("postgres", "DatabaseDown", "critical", "P1"),
             ("redis", "HighMemoryUsage", "warning", "P2")]
    for service, name, label, _ in rules:
        key = integration(s, service, "alertmanager", name)["key"]
        am_ok(s, key, [am_alert({"alertname": name, "severity": label}, summary=name)])
    s.advance("0s")
    st, j = s.api("GET", "/api/v1/incidents?status=open&limit=100")
    assert st == 200
    got = sorted((i["service"], i["title"], i["severity"]) for i in j["incidents"])
    assert got == sorted((sv, n, sev) for sv, n, _, sev in rules), got
    p1 = [i["id"] for i in j["incidents"] if i["title"] == "HighErrorRate"][0]
    q = [(e["data"]["user"], e["data"]["methods"]) for e in s.timeline(p1)
         if e["kind"] == "notify.queued"]
    assert q == [("ben", ["sms"])], q
