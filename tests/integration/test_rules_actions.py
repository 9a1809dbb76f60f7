"""Conditional rules, more conditions and actions (docs/config.md "rules"; issue 16, "Conditional
rules"): `when.open_for` (fired by the engine at created_at + open_for, on the dev clock, also
after a restart; never for a resolved incident; at a later change when the rest matches only
then), `when.labels` values as lists, labels of any alert of the incident matched on a person's
change, the actions `assign` (fills empty roles only; nobody is loud), `attach_checklist` and
`attach_runbook` (the API, the rule's own page links the runbook), and check-config's refusals."""
import time

import pytest

from conftest import _teardown_all
from notify_receivers import WEBHOOK_SECRET, Receiver
from test_ingest_support import generic_ok, integration
from test_roles_auto import DAY_NIGHT, MONDAY_NOON
from tocsin_harness import FIXTURE_CONFIG, Server, parse_time, require_bin, run_bin


EXTRA = DAY_NIGHT + """
checklists:
  - id: leak-steps
    title: Leak steps
    when: {type: [security]}
    items: ["Call legal", "Rotate the keys"]
  - id: shift
    title: Hand-off
    phase: handoff
    items: ["Read the open incidents"]
runbooks:
  - id: RB-LEAK
    title: Leak response
    url: https://wiki.example.com/rb-leak
    steps: ["Find the leak", "Rotate the keys"]
notify:
  throttle: 0s
rules:
  - id: aging-30m
    when: {type: [aging], open_for: 30m}
    set_fields: {aged: "yes"}
  - id: gated-30m
    when: {type: [gated], open_for: 30m, fields: {ready: "yes"}}
    set_fields: {went: "yes"}
  - id: any-of
    when: {service: [lbl], labels: {severity: [critical, page], team: db}}
    set_fields: {anyof: "yes"}
  - id: gold-sev1
    when: {service: [lbl], severity: [SEV1], labels: {tier: gold}}
    set_fields: {gold: "yes"}
  - id: platinum-aged
    when: {service: [lbl], labels: {tier: platinum}, open_for: 45m}
    set_fields: {platinum: "yes"}
  - id: staff
    when: {type: [staffed], fields: {staff: now}}
    assign: {commander: "schedule:day/primary", tech_lead: "user:carol", scribe: "schedule:night"}
  - id: docs
    when: {type: [leak, security], fields: {scope: wide}}
    note: "wide leak: legal engaged"
    attach_checklist: [leak-steps]
    attach_runbook: [RB-LEAK]
    page: ["user:dave"]
"""


def config_text(hook_url):
    base = open(FIXTURE_CONFIG).read()
    carol = '  - {id: carol, name: Carol, email: carol@example.com, phone: "+15550103"}\n'
    security = "  - {id: security, name: Security}\n"
    db = "  - {id: db, name: Database}\n"
    for line in (carol, security, db):
        assert line in base, line
    dave = f'  - {{id: dave, name: Dave, webhook: "{hook_url}", webhook_secret: {WEBHOOK_SECRET}}}\n'
    types = "".join(f"  - {{id: {t}, name: {t.capitalize()}}}\n"
                    for t in ("aging", "gated", "staffed", "leak"))
    lbl = ("  - {id: lbl, name: Labelled, alerts: {group_by: [case], severity: SEV3, "
           "severity_map: {critical: SEV1}}}\n")
    return (base.replace(carol, carol + dave).replace(security, security + types)
            .replace(db, db + lbl) + EXTRA)


@pytest.fixture(scope="module")
def hook():
    r = Receiver("hook")
    yield r
    r.close()


@pytest.fixture(scope="module")
def rs(tmp_path_factory, hook):
    require_bin()
    s = Server(tmp_path_factory.mktemp("rules_actions"), dev_clock=True,
               config_text=config_text(hook.url))
    s.start()
    s.pin_clock(MONDAY_NOON)
    yield s
    _teardown_all([s])


def entries(s, iid, kind):
    return [e for e in s.timeline(iid) if e["kind"] == kind]


def fired(s, iid):
    return [e["data"]["rule"] for e in entries(s, iid, "rule.fired")]


def set_field(s, iid, name, value):
    st, j = s.api("PUT", f"/api/v1/incidents/{iid}/fields/{name}", {"value": value})
    assert st == 200, (st, j)


def elapsed(a, b):
    return (parse_time(b) - parse_time(a)).total_seconds()


# --- when.open_for -----------------------------------------------------------------------------

def test_open_for_fires_at_the_moment_without_any_event(rs):
    a = rs.create("aging one", "SEV3", type="aging")
    gone = rs.create("aging but resolved", "SEV3", type="aging")
    late = rs.create("gated, field later", "SEV3", type="gated")
    early = rs.create("gated, field now", "SEV3", type="gated")
    assert rs.api("POST", f"/api/v1/incidents/{gone['id']}/resolve", {})[0] == 200
    set_field(rs, early["id"], "ready", "yes")  # the rest matches now; open_for not yet
    assert rs.get(early["id"])["rules_fired"] == []
    rs.advance("1m")
    rs.advance("28m")  # +29m: not yet
    for inc in (a, gone, late, early):
        assert fired(rs, inc["id"]) == [], inc["id"]
    assert rs.get(a["id"])["fields"] == {}
    rs.advance("1m")  # +30m: the engine fires, nobody did anything
    got = rs.get(a["id"])
    assert got["rules_fired"] == ["aging-30m"] and got["fields"] == {"aged": "yes"}, got
    f = entries(rs, a["id"], "rule.fired")
    assert len(f) == 1 and f[0]["actor"] == "tocsin", f
    assert 30 * 60 - 1 <= elapsed(a["created_at"], f[0]["at"]) < 31 * 60, (a["created_at"], f[0])
    assert fired(rs, early["id"]) == ["gated-30m"]
    assert rs.get(early["id"])["fields"] == {"ready": "yes", "went": "yes"}
    assert fired(rs, gone["id"]) == [], "a resolved incident never fires"
    assert fired(rs, late["id"]) == [], "the field is not set yet"
    # the rest matches only at +40m: it fires at that change
    rs.advance("10m")
    assert fired(rs, late["id"]) == []
    set_field(rs, late["id"], "ready", "yes")
    assert rs.get(late["id"])["rules_fired"] == ["gated-30m"]
    f = entries(rs, late["id"], "rule.fired")
    assert len(f) == 1 and 40 * 60 - 1 <= elapsed(late["created_at"], f[0]["at"]) < 41 * 60, f
    # later passes fire nothing again
    rs.advance("31m")
    assert len(entries(rs, a["id"], "rule.fired")) == 1
    assert fired(rs, gone["id"]) == []


def test_open_for_survives_a_restart(rs):
    inc = rs.create("aging across a restart", "SEV3", type="aging")
    rs.restart()
    rs.advance("1m")
    rs.advance("28m")
    assert fired(rs, inc["id"]) == []
    rs.advance("1m")
    assert fired(rs, inc["id"]) == ["aging-30m"]
    assert rs.get(inc["id"])["fields"] == {"aged": "yes"}


# --- when.labels -------------------------------------------------------------------------------

def test_labels_value_may_be_a_list_of_accepted_values(rs):
    key = integration(rs, "lbl", "generic")["key"]

    def alert(case, **labels):
        j = generic_ok(rs, key, {"summary": f"lbl {case} {sorted(labels.items())}",
                                 "labels": {"case": case, **labels}})
        assert j["incident_id"], j
        return j["incident_id"]

    page = alert("a", severity="page", team="db")
    crit = alert("b", severity="critical", team="db")
    warn = alert("c", severity="warning", team="db")
    web = alert("d", severity="critical", team="web")
    assert len({page, crit, warn, web}) == 4, "group_by: [case] opens one incident per case"
    for iid in (page, crit):
        got = rs.get(iid)
        assert got["rules_fired"] == ["any-of"] and got["fields"] == {"anyof": "yes"}, got
    assert fired(rs, warn) == [], "warning is not one of the values"
    assert fired(rs, web) == [], "every named label must match"
    # an alert with accepted values joins the warning incident: it fires then
    assert alert("c", severity="page", team="db") == warn
    assert fired(rs, warn) == ["any-of"]


def test_labels_of_an_earlier_alert_match_on_a_persons_change(rs):
    key = integration(rs, "lbl", "generic", name="gold")["key"]
    gold = generic_ok(rs, key, {"summary": "gold tier slow", "labels": {"case": "g", "tier": "gold"}})
    iid = gold["incident_id"]
    silver = generic_ok(rs, key, {"summary": "silver tier slow",
                                  "labels": {"case": "s", "tier": "silver"}})["incident_id"]
    assert iid and silver and iid != silver
    inc = rs.get(iid)
    assert inc["severity"] == "SEV3" and inc["rules_fired"] == [], inc
    # a person raises it to SEV1: the rule needs SEV1 and a gold alert, which joined earlier
    st, j = rs.api("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV1"})
    assert st == 200 and j["severity"] == "SEV1", (st, j)
    got = rs.get(iid)
    assert got["rules_fired"] == ["gold-sev1"] and got["fields"] == {"gold": "yes"}, got
    f = entries(rs, iid, "rule.fired")
    assert [x["data"]["rule"] for x in f] == ["gold-sev1"], f
    # no alert of the incident carries tier=gold: never
    st, j = rs.api("PATCH", f"/api/v1/incidents/{silver}", {"severity": "SEV1"})
    assert st == 200, j
    assert fired(rs, silver) == []
    declared = rs.create("gold by hand", "SEV1", service="lbl")  # no alert at all
    assert declared["rules_fired"] == [] and fired(rs, declared["id"]) == []
    st, j = rs.api("PATCH", f"/api/v1/incidents/{declared['id']}", {"severity": "SEV2"})
    assert st == 200, j
    st, j = rs.api("PATCH", f"/api/v1/incidents/{declared['id']}", {"severity": "SEV1"})
    assert st == 200 and fired(rs, declared["id"]) == []


def test_an_alert_raising_the_severity_lets_an_earlier_alerts_labels_count(rs):
    """gold-sev1 needs SEV1 and a tier=gold alert: the gold alert joins at SEV3, then an alert
    without the label raises the incident to SEV1 (severity critical): the earlier label counts."""
    key = integration(rs, "lbl", "generic", name="gold2")["key"]
    iid = generic_ok(rs, key, {"summary": "gold slow", "labels": {"case": "g2", "tier": "gold"}})[
        "incident_id"]
    assert rs.get(iid)["severity"] == "SEV3" and fired(rs, iid) == []
    again = generic_ok(rs, key, {"summary": "gold down", "severity": "critical",
                                 "labels": {"case": "g2"}})
    assert again["incident_id"] == iid, again
    got = rs.get(iid)
    assert got["severity"] == "SEV1" and got["rules_fired"] == ["gold-sev1"], got


def test_open_for_with_labels_fires_from_the_engine_once(rs):
    """platinum-aged: a tier=platinum alert's incident at +45m (the engine reads its alerts), not
    an incident whose alerts lack the label, and once."""
    key = integration(rs, "lbl", "generic", name="plat")["key"]
    plat = generic_ok(rs, key, {"summary": "platinum slow",
                                "labels": {"case": "plat-p", "tier": "platinum"}})["incident_id"]
    other = generic_ok(rs, key, {"summary": "bronze slow",
                                 "labels": {"case": "plat-b", "tier": "bronze"}})["incident_id"]
    rs.advance("1m")
    rs.advance("43m")  # +44m: not yet
    assert fired(rs, plat) == [] and fired(rs, other) == []
    rs.advance("1m")  # +45m
    assert fired(rs, plat) == ["platinum-aged"], entries(rs, plat, "rule.fired")
    assert rs.get(plat)["fields"] == {"platinum": "yes"}
    assert fired(rs, other) == []
    rs.advance("30m")
    assert fired(rs, plat) == ["platinum-aged"] and fired(rs, other) == []


# --- assign ------------------------------------------------------------------------------------

def role_entries(s, iid, kind):
    return {e["data"]["role"]: e for e in entries(s, iid, kind)}


def test_assign_fills_empty_roles_and_says_who_is_missing(rs):
    inc = rs.create("staff me", "SEV2", type="staffed")
    iid = inc["id"]
    assert inc["roles"]["commander"] is None and inc["rules_fired"] == [], inc
    set_field(rs, iid, "staff", "now")
    got = rs.get(iid)
    assert got["rules_fired"] == ["staff"], got
    assert got["roles"]["commander"] == "alice", got["roles"]  # on call in day/primary at noon
    assert got["roles"]["tech_lead"] == "carol" and got["roles"]["scribe"] is None, got["roles"]
    assigned = role_entries(rs, iid, "incident.role_assigned")
    assert set(assigned) == {"commander", "tech_lead"}, assigned
    c = assigned["commander"]
    assert c["actor"] == "tocsin", c
    assert c["data"]["user"] == "alice" and c["data"]["automatic"] is True, c
    assert c["data"]["source"] == "schedule:day/primary" and c["data"]["rule"] == "staff", c
    assert c["data"]["reason"] == "rule staff", c
    t = assigned["tech_lead"]["data"]
    assert t["user"] == "carol" and t["source"] == "user:carol" and t["rule"] == "staff", t
    unfilled = role_entries(rs, iid, "incident.role_unfilled")
    assert set(unfilled) == {"scribe"}, unfilled
    u = unfilled["scribe"]["data"]
    assert u["source"] == "schedule:night" and u["rule"] == "staff" and "nobody" in u["reason"], u
    f = entries(rs, iid, "rule.fired")
    assert len(f) == 1, f
    roles = {r["role"]: r for r in f[0]["data"]["roles"]}
    assert set(roles) == {"commander", "tech_lead", "scribe"}, roles
    assert roles["commander"]["user"] == "alice" and roles["tech_lead"]["user"] == "carol", roles
    assert roles["scribe"]["user"] is None and roles["scribe"]["source"] == "schedule:night", roles
    assert not any(r.get("kept") for r in roles.values()), roles


def test_assign_keeps_a_role_someone_holds(rs):
    inc = rs.create("staffed already", "SEV2", type="staffed")
    iid = inc["id"]
    st, j = rs.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "bob"})
    assert st == 200 and j["roles"]["commander"] == "bob", (st, j)
    set_field(rs, iid, "staff", "now")
    got = rs.get(iid)
    assert got["rules_fired"] == ["staff"], got
    assert got["roles"]["commander"] == "bob", "a role someone holds is kept"
    assert got["roles"]["tech_lead"] == "carol", got["roles"]
    commander = [e["data"] for e in entries(rs, iid, "incident.role_assigned")
                 if e["data"]["role"] == "commander"]
    assert len(commander) == 1 and commander[0]["user"] == "bob", commander
    roles = {r["role"]: r for r in entries(rs, iid, "rule.fired")[0]["data"]["roles"]}
    assert roles["commander"].get("kept") is True and roles["commander"]["user"] == "bob", roles
    assert roles["tech_lead"]["user"] == "carol" and not roles["tech_lead"].get("kept"), roles


# --- attach_checklist, attach_runbook ----------------------------------------------------------

def checklists(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/checklists")
    assert st == 200, j
    return {c["id"]: c for c in j["checklists"]}


def runbooks(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/runbooks")
    assert st == 200, j
    return {rb["id"]: rb for rb in j["runbooks"]}


def message(hook, iid, key, timeout=20):
    """The data of the webhook page about iid with that key (bounded wait for its delivery)."""
    deadline = time.monotonic() + timeout
    with hook.lock:
        while True:
            for r in hook.requests:
                d = r.json().get("data") or {}
                if (d.get("incident") or {}).get("id") == iid and d.get("key") == key:
                    return d
            left = deadline - time.monotonic()
            assert left > 0, f"no page {key} about {iid}: {hook.requests}"
            hook.lock.wait(left)


def test_attach_checklist_and_runbook_and_the_page_links_it(rs, hook):
    inc = rs.create("keys in a public repo", "SEV3", type="leak")
    iid = inc["id"]
    assert "leak-steps" not in checklists(rs, iid), "its own when does not match a leak"
    assert "RB-LEAK" not in runbooks(rs, iid)
    st, j = rs.api("POST", f"/api/v1/incidents/{iid}/page", {"user": "dave", "message": "before"})
    assert st == 201, j
    rs.advance("0s")
    before = message(hook, iid, j["key"])
    assert "RB-LEAK" not in before["message"], before
    set_field(rs, iid, "scope", "wide")
    assert rs.get(iid)["rules_fired"] == ["docs"]
    f = entries(rs, iid, "rule.fired")
    assert len(f) == 1, f
    d = f[0]["data"]
    assert d["checklists"] == ["leak-steps"] and d["runbooks"] == ["RB-LEAK"], d
    assert [p["target"] for p in d["paged"]] == ["user:dave"], d
    cl = checklists(rs, iid)
    assert "leak-steps" in cl, cl
    assert [i["text"] for i in cl["leak-steps"]["items"]] == ["Call legal", "Rotate the keys"]
    att = [e["data"] for e in entries(rs, iid, "checklist.attached")]
    assert [a["checklist"] for a in att if a["checklist"] == "leak-steps"] == ["leak-steps"], att
    rb = runbooks(rs, iid)
    assert "RB-LEAK" in rb and "rule" in rb["RB-LEAK"]["matched_by"], rb
    rs.advance("0s")
    page = message(hook, iid, "rule:docs")
    text = page["message"]
    assert "wide leak: legal engaged" in text, text
    assert "Runbooks:" in text and "RB-LEAK: Leak response (https://wiki.example.com/rb-leak)" in text, text
    # a page by hand after the firing links it too
    st, j = rs.api("POST", f"/api/v1/incidents/{iid}/page", {"user": "dave", "message": "after"})
    assert st == 201, j
    rs.advance("0s")
    assert "RB-LEAK" in message(hook, iid, j["key"])["message"]


def test_a_checklist_attached_already_is_not_attached_twice(rs):
    inc = rs.create("security leak", "SEV3", type="security")
    iid = inc["id"]
    att = [e["data"]["checklist"] for e in entries(rs, iid, "checklist.attached")]
    assert att.count("leak-steps") == 1, "attached on declare by its own when"
    set_field(rs, iid, "scope", "wide")
    assert fired(rs, iid) == ["docs"]
    att = [e["data"]["checklist"] for e in entries(rs, iid, "checklist.attached")]
    assert att.count("leak-steps") == 1, att
    st, j = rs.api("GET", f"/api/v1/incidents/{iid}/checklists")
    assert st == 200 and [c["id"] for c in j["checklists"]].count("leak-steps") == 1, j


# --- check-config ------------------------------------------------------------------------------

BAD_RULES = """  - id: bad-refs
    when: {type: [leak]}
    attach_checklist: [nope]
    attach_runbook: [RB-NOPE]
  - id: bad-role
    when: {type: [leak]}
    assign: {boss: "user:alice"}
  - id: bad-targets
    when: {type: [leak]}
    assign: {commander: "user:mallory", scribe: "schedule:ghost"}
  - id: handoff-list
    when: {type: [leak]}
    attach_checklist: [shift]
  - id: too-soon
    when: {open_for: 30s}
    set_fields: {x: "y"}
  - id: idle
    when: {open_for: 1h}
    note: "a note is not an action"
  - id: no-values
    when: {labels: {env: []}}
    set_fields: {x: "y"}
"""


def test_check_config_accepts_the_new_keys_and_refuses_bad_ones(tmp_path):
    path = tmp_path / "rules.yaml"
    good = config_text("http://127.0.0.1:9/hook")
    path.write_text(good)
    p = run_bin("check-config", path)
    assert p.returncode == 0, p.stderr
    assert "does nothing" not in p.stderr, p.stderr  # assign alone is an action
    bad = good + BAD_RULES
    path.write_text(bad)
    p = run_bin("check-config", path)
    assert p.returncode == 1, p.stderr
    lines = bad.splitlines()
    first = lines.index("  - id: bad-refs")

    def at(text):
        return f"{path}:{lines.index(text, first) + 1}: "

    def line_with(prefix, *words):
        got = [x for x in p.stderr.splitlines() if x.startswith(prefix)]
        assert any(all(w in x for w in words) for x in got), (prefix, words, p.stderr)

    line_with(at("    attach_checklist: [nope]") + "rules[7].attach_checklist[0]: ",
              'unknown checklist "nope"')
    line_with(at("    attach_runbook: [RB-NOPE]") + "rules[7].attach_runbook[0]: ",
              'unknown runbook "RB-NOPE"')
    line_with(at('    assign: {boss: "user:alice"}') + "rules[8].assign", '"boss"', "not a role")
    bt = at('    assign: {commander: "user:mallory", scribe: "schedule:ghost"}')
    line_with(bt + "rules[9].assign.commander: ", 'unknown user "mallory"')
    line_with(bt + "rules[9].assign.scribe: ", 'unknown schedule "ghost"')
    line_with(at("    attach_checklist: [shift]") + "rules[10].attach_checklist[0]", "shift",
              "handoff")
    line_with(at("    when: {open_for: 30s}") + "rules[11].when.open_for: ", "at least 1m")
    assert f"{at('  - id: idle')}rules[12]: rule idle does nothing" in p.stderr, p.stderr
    line_with(at("    when: {labels: {env: []}}") + "rules[13].when.labels.env: ",
              "needs at least 1 value")
    for ok in ("rules[0]", "rules[1]", "rules[2]", "rules[3]", "rules[4]", "rules[5]", "rules[6]"):
        assert ok not in p.stderr, (ok, p.stderr)
