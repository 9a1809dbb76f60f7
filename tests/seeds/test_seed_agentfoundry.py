"""AgentFoundry (seed 002_7d52dae04e4d1403.txt, examples/agentfoundry.yaml) replayed: the
severity table (lines 10-13: response time, channels) and the escalation matrix (lines 17-25),
declared on api-gateway (policy `platform`: "Service crash / outage: On-call engineer -> Platform
lead", line 19). The playbook gives no delay before escalating: the config escalates when the
response time runs out unacknowledged (its comment says so: an interpretation).

On call on Wednesday 2099-06-17: marco (schedule oncall). Methods: P1 "SMS + Email + Slack"
(line 10) reaches sms and email, P2 "Email + Slack" email (Slack needs a per-user URL: issue 16
item 5, later), P3 "Slack" falls back to every method the user has.
"""
from replay import assert_roles_filled, check, rows

S = "002:"
FIRST = S + "19 first responder: on-call engineer"
ESC = S + "19 escalation: Platform lead, when the %s response time (line %s) runs out"
ROUND = "round 2 (repeat: 1, not in the playbook); the round is %s: the steps that apply to %s " \
        "(before: 4 h, the P3 step's, issue 16 item 3)"

MATRIX = {
    ("P1", "never"): rows(0, "marco", "email sms", FIRST)
    + rows(15, "platform-lead", "email sms", ESC % ("15 minutes", "10") + "; the breach re-pages "
           "it, merged")
    + rows(30, "marco", "email sms", ROUND % ("30m", "P1"))
    + rows(45, "platform-lead", "email sms", ROUND % ("30m", "P1")),
    ("P1", "ack3"): rows(0, "marco", "email sms", FIRST),
    ("P2", "never"): rows(0, "marco", "email", FIRST)
    + rows(60, "platform-lead", "email", ESC % ("1 hour", "11"))
    + rows(120, "marco", "email", ROUND % ("2h", "P2"))
    + rows(180, "platform-lead", "email", ROUND % ("2h", "P2")),
    ("P2", "ack3"): rows(0, "marco", "email", FIRST),
    ("P3", "never"): rows(0, "marco", "email sms", FIRST)
    + rows(240, "platform-lead", "email sms", ESC % ("4 hours", "12")),
    ("P3", "ack3"): rows(0, "marco", "email sms", FIRST),
    # "Ticket only" (line 13): nobody is paged
    ("P4", "never"): [],
    ("P4", "ack3"): [],
}


def test_agentfoundry_matrix(make_server):
    s = check(make_server, "agentfoundry", ["P1", "P2", "P3", "P4"], MATRIX,
              {"service": "api-gateway"})
    # the "first responder" column: the on-call engineer
    assert_roles_filled(s, {"commander": "marco"}, {"commander": "schedule:oncall"})
    # "Ticket only" (line 13): each P4 incident opens exactly one ticket in 4 hours (notify.ticket
    # on loopback), pages nobody, and is not "unrouted"
    incs = s.api("GET", "/api/v1/incidents?limit=100")[1]["incidents"]
    p4 = [i["id"] for i in incs if i["severity"] == "P4"]
    assert len(p4) == 2, incs
    for iid in p4:
        kinds = [e["kind"] for e in s.timeline(iid)]
        assert kinds.count("ticket.queued") == 1, kinds
        assert "notify.queued" not in kinds and "escalation.unrouted" not in kinds, kinds
        st, j = s.api("GET", f"/api/v1/incidents/{iid}/notifications")
        assert [n["method"] for n in j["notifications"]] == ["ticket"], j


def test_agentfoundry_incident_without_service_pages_the_fallback(make_server):
    """No service, no type: no policy (there is no `default`): before, nobody was paged and
    nothing said so (issue 16 item 8). Now: escalation.unrouted, the metric, and the config's
    fallback (schedule:oncall, marco)."""
    from replay import REPLAY_AT, example
    s = make_server(dev_clock=True, config_text=example("agentfoundry"))
    s.pin_clock(REPLAY_AT)
    inc = s.create("Something is wrong", "P1")
    s.advance("0s")
    u = [e for e in s.timeline(inc["id"]) if e["kind"] == "escalation.unrouted"]
    assert len(u) == 1 and u[0]["data"]["users"] == ["marco"], u
    assert u[0]["data"]["fallback_target"] == "schedule:oncall"
    pages = [e for e in s.timeline(inc["id"]) if e["kind"] == "notify.queued"]
    assert [p["data"]["user"] for p in pages] == ["marco"], pages
    r = s.request("GET", "/metrics", token=None)
    assert r.status == 200 and "tocsin_incidents_unrouted_total 1\n" in r.body.decode(), r.body[:300]


DB_FIRST = S + "22 data breach: first responder Security lead"
DB_ESC = S + "22 data breach: escalation CTO + Legal, when the %s response time (line %s) runs out"
MATRIX_DATA_BREACH = {
    ("P1", "never"): rows(0, "security-lead", "email sms", DB_FIRST)
    + rows(15, "cto contact:legal", "email sms", DB_ESC % ("15 minutes", "10"))
    + rows(30, "security-lead", "email sms", ROUND % ("30m", "P1"))
    + rows(45, "cto contact:legal", "email sms", ROUND % ("30m", "P1")),
    ("P1", "ack3"): rows(0, "security-lead", "email sms", DB_FIRST),
    ("P2", "never"): rows(0, "security-lead", "email", DB_FIRST)
    + rows(60, "cto contact:legal", "email", DB_ESC % ("1 hour", "11"))
    + rows(120, "security-lead", "email", ROUND % ("2h", "P2"))
    + rows(180, "cto contact:legal", "email", ROUND % ("2h", "P2")),
    ("P2", "ack3"): rows(0, "security-lead", "email", DB_FIRST),
}


def test_agentfoundry_data_breach(make_server):
    s = check(make_server, "agentfoundry", ["P1", "P2"], MATRIX_DATA_BREACH,
              {"type": "data-breach"})
    # "Data breach: first responder Security lead"
    assert_roles_filled(s, {"commander": "security-lead"}, {"commander": "user:security-lead"})
