"""Conditional rules and failed resolution attempts (issue 16 item 12) replayed minute by minute:
the seeds' "if" lines written as `rules:` in their example configs. Each case declares incidents
at REPLAY_AT (who is on call: see the seed's own test file), moves the dev clock a minute at a
time, does what a responder would at a given minute (set an incident field, acknowledge, resolve,
reopen), and compares every page (minute, user, method) with the table, exactly as replay.check
does for the escalation matrices; each row cites the seed's line or the rule."""
from replay import REPLAY_AT, diff, example, pages_of, rows, table
from test_ingest_support import am_alert, am_ok, integration
from tocsin_harness import parse_time


def run(make_server, name, declare, actions, horizon):
    """declare: {key: body of POST /api/v1/incidents}; actions: {minute: [(key, method, suffix,
    body)]}, done 59 s into that minute (after the look of the minute before, before the look of
    this one: the look's stamp is read after them, so what they cause is counted at this minute
    whatever the machine's load). Returns (server, incidents, pages)."""
    s = make_server(dev_clock=True, config_text=example(name))
    s.pin_clock(REPLAY_AT)
    incs = {}
    for k, body in declare.items():
        incs[k] = s.create(**body)
    looks = [parse_time(s.advance("0s"))]
    for minute in range(1, horizon + 1):
        if minute in actions:  # done at the end of the minute, so what follows counts in it
            s.advance("59s")
            for k, method, suffix, body in actions[minute]:
                st, j = s.api(method, f"/api/v1/incidents/{incs[k]['id']}{suffix}", body)
                assert st in (200, 201), (minute, k, suffix, st, j)
            looks.append(parse_time(s.advance("1s")))
        else:
            looks.append(parse_time(s.advance("1m")))
    return s, incs, {k: pages_of(s, inc["id"], looks) for k, inc in incs.items()}


def compare(got, matrix, what):
    want = {k: sorted((m, u, meth) for (m, u, meth, _src) in v) for k, v in matrix.items()}
    problems = diff(got, want)
    assert not problems, f"{what}:\n{problems}\n\ngot:\n{table(got)}"


def fired(s, iid):
    return [e["data"] for e in s.timeline(iid) if e["kind"] == "rule.fired"]


# ---- Alfred (seed 000, line 1; on call: tomas-novak) ----------------------------------------

A = "000:1 "
SRE = "maya-chen priya-raman tomas-novak"
A_REPEAT = "round %d (repeat: 2, not in the playbook; every step at 0m: 5-minute rounds)"


def test_alfred_billing_bug_raises_inc07_and_gdpr_breach_pages_legal(make_server):
    s, incs, got = run(make_server, "alfred", {
        "inc07": {"title": "wallets at zero", "severity": "SEV-2", "type": "quota-exhaustion",
                  "service": "alfred-api"},
        "inc14": {"title": "PII in logs", "severity": "SEV-1", "type": "data-breach",
                  "service": "alfred-api"},
    }, {1: [("inc14", "POST", "/ack", None)],
        4: [("inc07", "PUT", "/fields/cause", {"value": "billing-bug"}),
            ("inc14", "PUT", "/fields/gdpr", {"value": "yes"})],
        7: [("inc07", "PUT", "/fields/cause", {"value": "other"})],
        8: [("inc07", "PUT", "/fields/cause", {"value": "billing-bug"})]}, 12)
    compare(got, {
        "inc07": rows(0, SRE, "sms", A + "INC-07 Severity SEV-2; SEV-2 escalation: IC + SRE")
        # the responder finds a billing bug at +4: rule billing-bug-is-sev1 ("SLA Breach: If
        # caused by Alfred bug (incorrect deductions), SEV-1"): SEV-1 now, so Sergey Bar's step
        # (SEV-1 only) fires, and SEV-1's 2-minute ack clock, already past, re-pages the rest
        + rows(4, SRE + " sergey-bar", "sms voice", A + "INC-07 SEV-1: IC + Sergey Bar + SRE")
        + rows(5, SRE + " sergey-bar", "sms voice", A_REPEAT % 2)
        + rows(10, SRE + " sergey-bar", "sms voice", A_REPEAT % 3),
        # (cause set again at +8: the rule fired once, it does not fire again: no page)
        "inc14": rows(0, SRE + " sergey-bar security-lead", "sms voice",
                      A + "INC-14 Notify immediately: Sergey Bar (Owner), Security Lead (+ SRE)")
        # GDPR-regulated users found affected at +4: rule gdpr-breach-pages-legal
        + rows(4, "legal", "sms voice", A + "INC-14 Notify immediately: Legal (if GDPR-regulated "
               "users affected)"),
    }, "alfred rules")
    inc07, inc14 = (s.get(incs[k]["id"]) for k in ("inc07", "inc14"))
    assert inc07["severity"] == "SEV-1" and inc07["rules_fired"] == ["billing-bug-is-sev1"], inc07
    assert inc07["fields"] == {"cause": "billing-bug"}, inc07
    f = fired(s, inc07["id"])
    assert len(f) == 1 and f[0]["severity"] == {"from": "SEV-2", "to": "SEV-1"}, f
    sc = [e["data"] for e in s.timeline(inc07["id"]) if e["kind"] == "incident.severity_changed"]
    assert sc == [{"from": "SEV-2", "to": "SEV-1", "reason": "rule billing-bug-is-sev1"}], sc
    # Mitigation 2 "Rollback the deployment": the rule attaches INC-12's rollback runbook
    assert f[0]["runbooks"] == ["bad-release"], f
    st, j = s.api("GET", f"/api/v1/incidents/{inc07['id']}/runbooks")
    by = {r["id"]: r["matched_by"] for r in j["runbooks"]}
    assert st == 200 and "rule" in by.get("bad-release", []), by
    st, j = s.api("GET", f"/api/v1/incidents/{inc14['id']}/runbooks")
    by = {r["id"]: r["matched_by"] for r in j["runbooks"]}
    assert st == 200 and "rule" not in by.get("bad-release", []), by
    assert inc14["fields"] == {"gdpr": "yes", "legal_review": "required"}, inc14
    f = fired(s, inc14["id"])
    assert len(f) == 1 and f[0]["paged"] == [{"target": "user:legal", "users": ["legal"]}], f


# ---- Bud (seed 004; on call: bella) -----------------------------------------------------------

B = "004:"


def test_bud_major_incident_pages_c_level(make_server):
    s, incs, got = run(make_server, "bud", {
        "sev1": {"title": "platform down", "severity": "SEV1", "service": "budapp"},
        "sev2": {"title": "auth broken", "severity": "SEV2", "service": "budapp"},
    }, {3: [("sev1", "POST", "/ack", None)],
        10: [("sev2", "PUT", "/fields/major", {"value": "yes"})],
        20: [("sev1", "PUT", "/fields/major", {"value": "yes"})]}, 25)
    compare(got, {
        "sev1": rows(0, "bella", "sms voice", B + "373 L1 on-call engineer")
        + rows(0, "team-lead", "sms voice", B + "374 L2 team lead, SEV1 immediate")
        # the commander declares a major incident at +20 (acknowledged since +3): rule
        # major-incident-pages-c-level, by phone (SEV1's sms and voice)
        + rows(20, "contact:c-level", "sms voice", B + "377 Executive: major incident -> C-level, "
               "phone"),
        "sev2": rows(0, "bella", "sms", B + "373 L1 on-call engineer")
        + rows(10, "contact:c-level", "sms", B + "377 Executive: major incident -> C-level "
               "(SEV2 pages by sms)")
        + rows(15, "team-lead", "sms", B + "374 L2 team lead, SEV2 15min"),
    }, "bud rules")
    for k in ("sev1", "sev2"):
        f = fired(s, incs[k]["id"])
        assert [x["rule"] for x in f] == ["major-incident-pages-c-level"], f
        assert f[0]["paged"] == [{"target": "contact:c-level", "users": ["contact:c-level"]}], f


# ---- Alchemorsel (seed 003; IC sre-lead, tech lead backend-lead, comms pm) ----------------------

C = "003:241 Automatic Escalation Triggers: Multiple failed resolution attempts"


def test_alchemorsel_escalates_after_failed_resolution_attempts(make_server):
    s, incs, got = run(make_server, "alchemorsel", {
        "sev2": {"title": "checkout errors", "severity": "SEV2", "service": "alchemorsel-api"},
        "sev3": {"title": "slow search", "severity": "SEV3", "service": "alchemorsel-api"},
    }, {2: [("sev2", "POST", "/ack", None), ("sev3", "POST", "/ack", None)],
        5: [("sev2", "POST", "/resolve", {}),
            ("sev3", "POST", "/failed-resolutions", {"note": "restart did not help"})],
        6: [("sev2", "POST", "/status", {"status": "acknowledged", "message": "errors are back"})],
        9: [("sev2", "POST", "/resolve", {})],
        10: [("sev2", "POST", "/status", {"status": "acknowledged", "message": "back again"}),
             ("sev3", "POST", "/failed-resolutions", {})]}, 20)
    compare(got, {
        "sev2": rows(0, "backend-lead pm sre-lead", "sms", "003: SEV2 step 0 (see test_seed_alchemorsel)")
        # resolved at +5 and +9, reopened at +6 and +10: the second reopen is the second failed
        # attempt: rule failed-resolutions-high pages the CTO (sms for SEV2; the CTO's own
        # contact rule adds the email 10 minutes later: 003:252-255)
        + rows(10, "cto", "sms", C + " (SEV2: CTO)") + rows(20, "cto", "email", "003:254 backup "
                                                                                "contact after 10 min"),
        "sev3": rows(0, "backend-lead sre-lead", "email", "003: SEV3 step 0 (see test_seed_alchemorsel)")
        # two attempts recorded by a responder (+5, +10): rule failed-resolutions-low
        + rows(10, "eng-mgr", "email", C + " (SEV3: Engineering Manager)"),
    }, "alchemorsel rules")
    sev2 = s.get(incs["sev2"]["id"])
    assert sev2["failed_resolutions"] == 2 and sev2["rules_fired"] == ["failed-resolutions-high"]
    fails = [e["data"] for e in s.timeline(sev2["id"]) if e["kind"] == "incident.reopened"]
    assert [x["failed_resolutions"] for x in fails] == [1, 2], fails
    sev3 = s.get(incs["sev3"]["id"])
    assert sev3["failed_resolutions"] == 2 and sev3["rules_fired"] == ["failed-resolutions-low"]


# ---- Alloy (seed 001; its Prometheus alert rules, lines 346-385) ------------------------------


def test_alloy_alert_rules_attach_their_runbooks(make_server):
    """An Alertmanager alert named like one of the playbook's alert rules attaches that incident
    type's runbook (rules database-down-runbook, latency-memory-runbook in alloy.yaml): listed by
    the incident's runbooks with matched_by rule, in rule.fired, also when it joins an incident
    another alert opened; another alert name attaches nothing."""
    s = make_server(dev_clock=True, config_text=example("alloy"))
    s.pin_clock(REPLAY_AT)

    def alert(service, alertname, severity):
        key = integration(s, service, "alertmanager")["key"]
        j = am_ok(s, key, [am_alert({"alertname": alertname, "severity": severity,
                                     "instance": "a"}, summary=alertname)])
        assert len(j["incidents"]) == 1, j
        return j["incidents"][0]

    def runbooks(iid):
        st, j = s.api("GET", f"/api/v1/incidents/{iid}/runbooks")
        assert st == 200, j
        return {r["id"]: r["matched_by"] for r in j["runbooks"]}

    api = alert("alloy-api", "DatabaseDown", "critical")
    got = runbooks(api)
    assert got.get("RB-DB-001") == ["rule"], got
    assert got.get("RB-PERF-001") == ["service"], got  # alloy-api's own runbooks
    assert [x["runbooks"] for x in fired(s, api)] == [["RB-DB-001"]], fired(s, api)
    # HighLatency joins the same incident (alloy-api groups all its alerts): the second rule
    assert alert("alloy-api", "HighLatency", "warning") == api
    assert runbooks(api).get("RB-PERF-001") == ["service", "rule"], runbooks(api)
    assert [x["rule"] for x in fired(s, api)] == ["database-down-runbook",
                                                  "latency-memory-runbook"], fired(s, api)
    other = alert("redis", "RedisDown", "critical")
    assert other != api and fired(s, other) == [], fired(s, other)
    assert all("rule" not in by for by in runbooks(other).values()), runbooks(other)
