"""Bud (seed 004_a113b9fa0887d839.txt, examples/bud.yaml) replayed: the escalation matrix of
section 6 (lines 369-377), SEV1 declared on service budapp (policy `default`).

Who is on call: schedule `oncall` (weekly, Monday 09:00 UTC) has bella on Wednesday 2099-06-17.
Methods: the severity's channels the user can receive: SEV1 `[sms, voice, slack]` reaches sms and
voice, SEV2 `[sms, slack]` sms (no user has a Slack URL: each gap is a `dropped` entry on the
timeline and a check-config warning); SEV3 `[slack]` and SEV4 `[ticket]` fall back to every method the user has (email, sms).
"""
from replay import assert_roles_filled, check, rows

S = "004:"
L1 = S + "373 L1 on-call engineer"
L2_SEV1 = S + "374 L2 team lead, SEV1 immediate"
L2_SEV2 = S + "374 L2 team lead, SEV2 15min"
L3 = S + "375 L3 engineering manager, SEV1 30min"
L4 = S + "376 L4 VP Engineering, SEV1 1hr"
ACK = "ack_within breached (%s, line %s): re-page the current step (on_ack_breach default)"
REPEAT = "round 2 (repeat: 1, not in the playbook; the round is %s: the steps that apply to %s)"
RENO = "(repeat: 1 and a 5-minute round: the config's, not in the playbook)"

MATRIX = {
    ("SEV1", "never"): rows(0, "bella", "sms voice", L1) + rows(0, "team-lead", "sms voice", L2_SEV1)
    + rows(15, "bella team-lead", "sms voice", ACK % ("15 min", "16"))
    + rows(30, "eng-manager", "sms voice", L3) + rows(60, "vp-eng", "sms voice", L4)
    + rows(90, "bella team-lead", "sms voice", REPEAT % ("90m", "SEV1") + ": L1, L2")
    + rows(120, "eng-manager", "sms voice", REPEAT % ("90m", "SEV1") + ": L3")
    + rows(150, "vp-eng", "sms voice", REPEAT % ("90m", "SEV1") + ": L4"),
    ("SEV1", "ack3"): rows(0, "bella", "sms voice", L1) + rows(0, "team-lead", "sms voice", L2_SEV1),
    ("SEV2", "never"): rows(0, "bella", "sms", L1) + rows(15, "team-lead", "sms", L2_SEV2)
    + rows(30, "bella", "sms", REPEAT % ("30m", "SEV2") + ", and the 30 min ack breach (line 17) "
           "re-pages it: one page")
    + rows(45, "team-lead", "sms", REPEAT % ("30m", "SEV2")),
    ("SEV2", "ack3"): rows(0, "bella", "sms", L1),
    ("SEV3", "never"): rows(0, "bella", "email sms", L1)
    + rows(5, "bella", "email sms", "round 2 " + RENO)
    + rows(240, "bella", "email sms", ACK % ("4 hours", "18")),
    ("SEV3", "ack3"): rows(0, "bella", "email sms", L1),
    # SEV4 is `notify: [ticket]` in the config (not in the playbook), but L1 applies to every
    # severity, so the on-call engineer is paged; its 24 h ack clock is beyond the replay.
    ("SEV4", "never"): rows(0, "bella", "email sms", L1)
    + rows(5, "bella", "email sms", "round 2 " + RENO),
    ("SEV4", "ack3"): rows(0, "bella", "email sms", L1),
}


def test_bud_matrix(make_server):
    s = check(make_server, "bud", ["SEV1", "SEV2", "SEV3", "SEV4"], MATRIX, {"service": "budapp"})
    # the SEV1 breach is an event of its own and L3 was not pulled forward to +15
    iid = [i for i in s.api("GET", "/api/v1/incidents?limit=100")[1]["incidents"]
           if i["title"] == "bud SEV1 never"][0]["id"]
    b = [e for e in s.timeline(iid) if e["kind"] == "escalation.ack_breach"]
    assert len(b) == 1 and b[0]["data"]["action"] == "repage", b
    assert sorted(b[0]["data"]["users"]) == ["bella", "team-lead"]
    # 3.1 "Page incident commander if not on-call": the on-call engineer is the commander
    assert_roles_filled(s, {"commander": "bella"}, {"commander": "schedule:oncall"})


ALL4 = "bella security-eng team-lead vp-eng"
BREACH = S + "376 L4 VP Engineering: data breach (policy data-breach, with L1, L2 and 5.5 " \
    "'Notify: ... security')"
MATRIX_DATA_BREACH = {
    ("SEV1", "never"): rows(0, ALL4, "sms voice", BREACH)
    + rows(15, ALL4, "sms voice", ACK % ("15 min", "16"))
    + rows(30, "eng-manager", "sms voice", L3)
    + rows(60, ALL4, "sms voice", REPEAT % ("60m", "SEV1 in data-breach") + ": the 0m step")
    + rows(90, "eng-manager", "sms voice", REPEAT % ("60m", "SEV1 in data-breach") + ": L3"),
    ("SEV1", "ack3"): rows(0, ALL4, "sms voice", BREACH),
}


def test_bud_data_breach(make_server):
    check(make_server, "bud", ["SEV1"], MATRIX_DATA_BREACH,
          {"service": "budapp", "type": "data-breach"})


def test_bud_drill_pages_on_the_same_schedule_and_say_drill(make_server):
    """A drill follows the matrix exactly; every page it queues says [DRILL] first."""
    drill = {k: v for k, v in MATRIX.items() if k[0] == "SEV1"}
    s = check(make_server, "bud", ["SEV1"], drill, {"service": "budapp", "drill": True})
    con = s.db()
    try:
        # the replay's own incidents (the config's probes open others: nothing listens here)
        subjects = [r[0] for r in con.execute(
            "SELECT subject FROM notifications WHERE kind = ? AND incident_id IN "
            "(SELECT id FROM incidents WHERE title LIKE ?)", ("page", "bud SEV1 %")).fetchall()]
    finally:
        con.close()
    assert subjects and all(x.startswith("[DRILL] ") for x in subjects), subjects
