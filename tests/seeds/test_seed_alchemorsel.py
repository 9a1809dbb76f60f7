"""Alchemorsel (seed 003_0ef027d45b7c6cba.txt, examples/alchemorsel.yaml) replayed: the
time-based escalation matrix (lines 245-250), which counts time unresolved (line 239 "Incident
duration exceeds resolution target"), so its columns are `until: resolved` steps and reach the
CTO, CEO, Board and "External" of an acknowledged SEV1; the backup contacts after 10 minutes
(line 254) stop at the acknowledgement. Declared on alchemorsel-api (policy `default`).

On call on Wednesday 2099-06-17 10:00 Los Angeles: incident commander sre-lead (backup
eng-mgr), technical lead backend-lead (backup frontend-lead), communications lead pm (backup
csm), business hours (SEV4) sre-lead. Methods: SEV1 `[voice, sms, slack]` reaches voice and sms, SEV2
sms (no Slack URL: a `dropped` entry on the timeline); the CTO and CEO by their own contact
rules (SEV1 call + text, SEV2 text, then email at +10 min unless acknowledged); the Board and
the AWS account manager are contacts (`contact:board`: phone and email, so SEV1's voice and sms;
`contact:aws-tam`: an email only, so email); SEV3 `[slack, email]` and SEV4 `[email]` email.
"""
from replay import assert_roles_filled, check, example, rows

S = "003:"
T0 = S + "36 SEV1 escalation immediate to CTO and CEO; roles paged at 0m not in the playbook"
TEAM = S + "70-95 response team (IC, technical lead, comms lead primary)"
BACKUP = S + "254 no response in 10 minutes: backup contact"
EXEC = S + "252-254 Executive Contact Protocol: no response in 10 minutes, the backup contact " \
    "(contact rule: email at +10 min unless acknowledged; which contact is not in the playbook)"
ACK = "response time breached (%s, line %s): re-page the current step (on_ack_breach default)"
CONTACT = " (a contacts directory entry: escalation target contact:ID, by its phone and email)"
RES = "resolution target breached (%s, line %s): re-page the current step, merged with it"

MATRIX = {
    ("SEV1", "never"): rows(0, "sre-lead backend-lead pm", "sms voice", TEAM)
    + rows(0, "cto ceo", "sms voice", T0)
    + rows(10, "eng-mgr frontend-lead csm", "sms voice", BACKUP)
    + rows(15, "eng-mgr frontend-lead csm", "sms voice", ACK % ("15 minutes", "34"))
    + rows(30, "cto", "sms voice", S + "247 Sev 1, 30 min: CTO")
    + rows(60, "ceo", "sms voice", S + "247 Sev 1, 1 hour: CEO; " + RES % ("1 hour", "35"))
    + rows(120, "contact:board", "sms voice", S + "247 Sev 1, 2 hours: Board" + CONTACT)
    + rows(240, "contact:aws-tam", "email", S + "247 Sev 1, 4 hours: External (326 External Vendors"
           ", 330 Account Manager: an email only)" + CONTACT)
    + rows(10, "cto ceo", "email", EXEC) + rows(40, "cto", "email", EXEC)
    + rows(70, "ceo", "email", EXEC),
    ("SEV1", "ack3"): rows(0, "sre-lead backend-lead pm", "sms voice", TEAM)
    + rows(0, "cto ceo", "sms voice", T0)
    + rows(30, "cto", "sms voice", S + "247 Sev 1, 30 min: CTO (until resolved)")
    + rows(60, "ceo", "sms voice", S + "247 Sev 1, 1 hour: CEO (until resolved); " + RES % ("1 hour", "35"))
    + rows(120, "contact:board", "sms voice", S + "247 Sev 1, 2 hours: Board (until resolved)" + CONTACT)
    + rows(240, "contact:aws-tam", "email", S + "247 Sev 1, 4 hours: External (until resolved)" + CONTACT)
    # the mails of the 0m pages are cancelled by the ack at +3; those of the later pages
    # (queued after it: the step climbs until resolved) go
    + rows(40, "cto", "email", EXEC) + rows(70, "ceo", "email", EXEC),
    ("SEV2", "never"): rows(0, "sre-lead backend-lead pm", "sms", TEAM)
    + rows(10, "eng-mgr frontend-lead csm", "sms", BACKUP)
    + rows(30, "eng-mgr", "sms", S + "248 Sev 2, 30 min: Eng Mgr; " + ACK % ("30 minutes", "45")
           + ", merged")
    + rows(60, "cto", "sms", S + "248 Sev 2, 1 hour: CTO")
    + rows(120, "ceo", "sms", S + "248 Sev 2, 2 hours: CEO")
    + rows(240, "ceo", "sms", RES % ("4 hours", "46"))
    + rows(70, "cto", "email", EXEC) + rows(130, "ceo", "email", EXEC),  # 250: beyond the replay
    ("SEV2", "ack3"): rows(0, "sre-lead backend-lead pm", "sms", TEAM)
    + rows(30, "eng-mgr", "sms", S + "248 Sev 2, 30 min: Eng Mgr (until resolved)")
    + rows(60, "cto", "sms", S + "248 Sev 2, 1 hour: CTO (until resolved)")
    + rows(120, "ceo", "sms", S + "248 Sev 2, 2 hours: CEO (until resolved)")
    + rows(240, "ceo", "sms", RES % ("4 hours", "46"))
    + rows(70, "cto", "email", EXEC) + rows(130, "ceo", "email", EXEC),
    ("SEV3", "never"): rows(0, "sre-lead backend-lead", "email", TEAM)
    + rows(10, "eng-mgr frontend-lead", "email", BACKUP)
    + rows(30, "team-lead", "email", S + "249 Sev 3, 30 min: Team Lead")
    + rows(60, "eng-mgr", "email", S + "249 Sev 3, 1 hour: Eng Mgr; " + ACK % ("1 hour", "55")
           + ", merged")
    + rows(120, "cto", "email", S + "249 Sev 3, 2 hours: CTO"),
    ("SEV3", "ack3"): rows(0, "sre-lead backend-lead", "email", TEAM)
    + rows(30, "team-lead", "email", S + "249 Sev 3, 30 min: Team Lead (until resolved)")
    + rows(60, "eng-mgr", "email", S + "249 Sev 3, 1 hour: Eng Mgr (until resolved)")
    + rows(120, "cto", "email", S + "249 Sev 3, 2 hours: CTO (until resolved)"),
    # SEV4 "Escalation: standard business hours" (line 67): the business-hours schedule is on
    # call at 10:00 Los Angeles; holding a page until business hours is issue 16 later work.
    ("SEV4", "never"): rows(0, "sre-lead", "email", S + "67 standard business hours")
    + rows(60, "team-lead", "email", S + "250 Sev 4, 1 hour: Team Lead")
    + rows(120, "eng-mgr", "email", S + "250 Sev 4, 2 hours: Eng Mgr")
    + rows(240, "eng-mgr", "email", ACK % ("4 hours", "65")),
    ("SEV4", "ack3"): rows(0, "sre-lead", "email", S + "67 standard business hours")
    + rows(60, "team-lead", "email", S + "250 Sev 4, 1 hour: Team Lead (until resolved)")
    + rows(120, "eng-mgr", "email", S + "250 Sev 4, 2 hours: Eng Mgr (until resolved)"),
}


def test_alchemorsel_matrix(make_server):
    s = check(make_server, "alchemorsel", ["SEV1", "SEV2", "SEV3", "SEV4"], MATRIX,
              {"service": "alchemorsel-api"})
    # "Response Team Structure" (lines 71-99): each role's primary
    assert_roles_filled(s, {"commander": "sre-lead", "tech_lead": "backend-lead", "comms_lead": "pm"},
                        {"commander": "schedule:incident-commander/primary",
                         "tech_lead": "schedule:technical-lead/primary",
                         "comms_lead": "schedule:communications-lead/primary"})


def test_alchemorsel_sev4_waits_for_business_hours(make_server):
    """SEV4 "Escalation: Standard business hours" (line 67): declared at 07:30 in Los Angeles
    (calendar `office`, 09:00-17:00 Monday to Friday, not in the playbook), the first step's page
    is held until 09:00 (+90 min), on the timeline; acknowledged before the opening, the held
    page is cancelled. Declared at 10:00 (the matrix above) nothing is held."""
    from tocsin_harness import parse_time
    s = make_server(dev_clock=True, config_text=example("alchemorsel"))
    s.pin_clock("2099-06-17T14:30:00Z")  # Wednesday 07:30 in Los Angeles (PDT, UTC-7)
    never = s.create("alchemorsel SEV4 early", "SEV4", service="alchemorsel-api")
    acked = s.create("alchemorsel SEV4 early, acked", "SEV4", service="alchemorsel-api")
    s.advance("0s")
    for inc in (never, acked):
        held = [e for e in s.timeline(inc["id"]) if e["kind"] == "escalation.held"]
        assert len(held) == 1, s.timeline(inc["id"])
        assert held[0]["data"]["calendar"] == "office" and held[0]["data"]["users"] == ["sre-lead"]
        assert held[0]["data"]["until"] == "2099-06-17T16:00:00Z"
        q = [e for e in s.timeline(inc["id"]) if e["kind"] == "notify.queued"]
        assert q[0]["data"]["held_until"] == "2099-06-17T16:00:00Z", q
        st, j = s.api("GET", f"/api/v1/incidents/{inc['id']}/notifications")
        assert st == 200 and {n["due_at"] for n in j["notifications"]} == {"2099-06-17T16:00:00Z"}
    st, _ = s.api("POST", f"/api/v1/incidents/{acked['id']}/ack")
    assert st == 200
    s.advance("89m")  # 08:59: the 1-hour step (team-lead, until resolved) fired at 08:30, held too
    st, j = s.api("GET", f"/api/v1/incidents/{never['id']}/notifications")
    got = sorted((n["address"], n["status"], n["due_at"], len(n["attempts"])) for n in j["notifications"])
    assert got == [("sre-lead@example.com", "pending", "2099-06-17T16:00:00Z", 0),
                   ("team-lead@example.com", "pending", "2099-06-17T16:00:00Z", 0)], j
    s.advance("2m")  # 09:01: the opening has come
    st, j = s.api("GET", f"/api/v1/incidents/{acked['id']}/notifications")
    # acknowledged: the first step's page is cancelled; the 1-hour step climbs until resolved
    got = {n["address"]: n["status"] for n in j["notifications"]}
    assert got["sre-lead@example.com"] == "cancelled", j
    assert got["team-lead@example.com"] != "cancelled", j
    st, j = s.api("GET", f"/api/v1/incidents/{never['id']}/notifications")
    assert all(n["attempts"] for n in j["notifications"]), j  # tried at the opening
