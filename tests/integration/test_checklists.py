"""Checklists (issue 17): the config's checklists attach to incidents when they match (on declare
and on a severity change), items tocsin can observe tick themselves (commander assigned, public
update posted, post-mortem created), people tick the rest (API, `tocsin tick`), every tick is on
the timeline, and a checklist item that does not exist is a 4xx naming it."""
import json

import pytest

CHECKLISTS = """
checklists:
  - id: first-5
    title: First 5 minutes
    phase: triage
    items: ["Acknowledge the page", "Assign an Incident Commander",
            "Post the first status page update"]
  - id: sev1
    title: SEV1 checklist
    when: {severity: [SEV1]}
    phase: mitigate
    items: ["Page the exec on call", "Assign an incident commander", "Schedule the post-mortem"]
  - id: breach
    title: Breach
    phase: resolve
    items: ["Notify legal"]
  - id: shift
    title: Hand-off
    phase: handoff
    items: ["Read the open incidents"]
"""


@pytest.fixture
def srv(make_server):
    from tocsin_harness import FIXTURE_CONFIG
    with open(FIXTURE_CONFIG) as f:
        text = f.read()
    assert "  - {id: security, name: Security}" in text
    text = text.replace("  - {id: security, name: Security}",
                        "  - {id: security, name: Security, checklists: [breach]}")
    return make_server(dev_clock=True, config_text=text + CHECKLISTS)


def lists(srv, iid):
    st, j = srv.api("GET", f"/api/v1/incidents/{iid}/checklists")
    assert st == 200, j
    return {c["id"]: c for c in j["checklists"]}


def done(c):
    return [i["n"] for i in c["items"] if i["done"]]


def test_attach_on_declare_by_match(srv):
    inc = srv.create("api down", "SEV2")
    got = lists(srv, inc["id"])
    assert set(got) == {"first-5"}, "no when: every incident; sev1 and breach do not match"
    c = got["first-5"]
    assert c["title"] == "First 5 minutes" and c["phase"] == "triage"
    assert [i["text"] for i in c["items"]][1] == "Assign an Incident Commander"
    assert [i["auto"] for i in c["items"]] == [None, "commander_assigned", "public_update"]
    assert done(c) == []
    att = [e for e in srv.timeline(inc["id"]) if e["kind"] == "checklist.attached"]
    assert [e["data"]["checklist"] for e in att] == ["first-5"] and att[0]["data"]["items"] == 3
    sec = srv.create("leak", "SEV2", type="security")
    assert set(lists(srv, sec["id"])) == {"first-5", "breach"}, "named by its type"
    sev1 = srv.create("all down", "SEV1")
    assert set(lists(srv, sev1["id"])) == {"first-5", "sev1"}


def test_observed_items_tick_themselves(srv):
    inc = srv.create("api down", "SEV2")
    iid = inc["id"]
    st, _ = srv.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"})
    assert st == 200
    assert done(lists(srv, iid)["first-5"]) == [2]
    srv.move(iid, "investigating", message="looking", public=True)
    c = lists(srv, iid)["first-5"]
    assert done(c) == [2, 3]
    assert c["items"][1]["done_by"] == "tocsin"
    ticks = [e for e in srv.timeline(iid) if e["kind"] == "checklist.ticked"]
    assert [(t["data"]["item"], t["data"]["auto"], t["data"]["event"]) for t in ticks] == [
        (2, True, "commander_assigned"), (3, True, "public_update")]


def test_severity_change_attaches_and_ticks_what_already_happened(srv):
    inc = srv.create("api down", "SEV2")
    iid = inc["id"]
    srv.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "bob"})
    st, _ = srv.api("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV1"})
    assert st == 200
    got = lists(srv, iid)
    assert set(got) == {"first-5", "sev1"}
    assert done(got["sev1"]) == [2], "the commander was assigned before it attached"
    st, _ = srv.api("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV2"})
    st, _ = srv.api("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV1"})
    att = [e for e in srv.timeline(iid) if e["kind"] == "checklist.attached"]
    assert [e["data"]["checklist"] for e in att] == ["first-5", "sev1"], "attached once"
    srv.move(iid, "resolved")
    st, _ = srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})
    assert st == 201
    assert done(lists(srv, iid)["sev1"]) == [2, 3], "post-mortem created"


def test_tick_by_hand_and_bad_items(srv):
    inc = srv.create("api down", "SEV2")
    iid = inc["id"]
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/1/tick")
    assert st == 200 and j["item"]["done"] is True and j["item"]["done_by"].startswith("token:")
    ticks = [e for e in srv.timeline(iid) if e["kind"] == "checklist.ticked"]
    assert len(ticks) == 1 and ticks[0]["data"]["auto"] is False
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/1/tick")
    assert st == 409 and "already done" in j["error"]["message"]
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/9/tick")
    assert st == 404 and "item" in j["error"]["message"]
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/sev1/items/1/tick")
    assert st == 404 and "checklist" in j["error"]["message"]
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/two/tick")
    assert st == 400 and "item" in j["error"]["message"]
    st, j = srv.api("POST", "/api/v1/incidents/INC-2000-01-01-001/checklists/first-5/items/1/tick")
    assert st == 404
    assert srv.api("GET", "/api/v1/incidents/INC-2000-01-01-001/checklists")[0] == 404
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/2/tick",
                    {"x": 1})
    assert st == 400
    assert done(lists(srv, iid)["first-5"]) == [1], "nothing half-written"
    viewer = srv.make_token("viewer")
    assert srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/2/tick",
                   token=viewer)[0] == 403


def test_cli_checklist_and_tick(srv):
    inc = srv.create("api down", "SEV1")
    iid = inc["id"]
    p = srv.cli("tick", iid, "sev1", "1")
    assert p.returncode == 0, p.stderr
    assert "[x] Page the exec on call" in p.stdout
    p = srv.cli("checklist", iid)
    assert p.returncode == 0, p.stderr
    assert "first-5 (First 5 minutes, triage)" in p.stdout
    assert "[x]  1. Page the exec on call" in p.stdout
    assert "[ ]  2. Assign an Incident Commander  (ticks itself: commander_assigned)" in p.stdout
    p = srv.cli("checklist", iid, "--json")
    assert {c["id"] for c in json.loads(p.stdout)["checklists"]} == {"first-5", "sev1"}
    p = srv.cli("tick", iid, "sev1", "7")
    assert p.returncode == 1 and "item" in p.stderr
    p = srv.cli("tick", iid, "sev1")
    assert p.returncode == 2


DEADLINES = """
checklists:
  - id: first-5
    title: First 5 minutes
    within: 5m
    items: ["Acknowledge the page", "Open a bridge"]
  - id: after
    title: After resolution
    within: 1h
    from: resolved
    owner: scribe
    items: ["Write the customer note"]
"""


def test_deadlines_remind_the_owner_once(make_server):
    """Alfred's "first 5 minutes" and "within 1 hour of resolution": an item past its deadline
    reminds its owner (the commander by default, or the named role) once, through the outbox,
    with checklist.overdue on the timeline; a ticked item is not reminded."""
    from tocsin_harness import FIXTURE_CONFIG
    with open(FIXTURE_CONFIG) as f:
        srv = make_server(dev_clock=True, config_text=f.read() + DEADLINES)
    inc = srv.create("api down", "SEV2")
    iid = inc["id"]
    srv.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"})
    srv.api("PUT", f"/api/v1/incidents/{iid}/roles/scribe", {"user": "bob"})
    got = lists(srv, iid)
    dl = got["first-5"]["items"][0]["deadline"]
    assert dl["from"] == "declared" and dl["within"] == "5m" and dl["owner"] == "commander"
    assert dl["due_at"] is not None and dl["reminded_at"] is None
    after = got["after"]["items"][0]["deadline"]
    assert after["from"] == "resolved" and after["owner"] == "scribe"
    assert after["due_at"] is None, "not resolved yet: no due time"
    st, _ = srv.api("POST", f"/api/v1/incidents/{iid}/checklists/first-5/items/1/tick")
    assert st == 200

    def reminders():
        st, j = srv.api("GET", f"/api/v1/incidents/{iid}/notifications")
        return [n for n in j["notifications"] if n["key"].startswith("cl-reminder:")]

    srv.advance("4m")
    assert reminders() == []
    srv.advance("2m")
    got = reminders()
    assert [n["user"] for n in got if "first-5:2" in n["key"]] and \
        {n["user"] for n in got} == {"alice"}, got
    assert not [n for n in got if "first-5:1" in n["key"]], "ticked: not reminded"
    over = [e for e in srv.timeline(iid) if e["kind"] == "checklist.overdue"]
    assert [(e["data"]["checklist"], e["data"]["item"]) for e in over] == [("first-5", 2)]
    assert lists(srv, iid)["first-5"]["items"][1]["deadline"]["reminded_at"] is not None
    srv.advance("1h")
    assert len(reminders()) == len(got), "one reminder per item"
    srv.move(iid, "resolved")
    srv.advance("59m")
    assert not [n for n in reminders() if "after:" in n["key"]]
    srv.advance("2m")
    assert {n["user"] for n in reminders() if "after:1" in n["key"]} == {"bob"}


@pytest.mark.parametrize("line,msg", [
    ("{id: a, title: A, from: resolved, items: [x]}", "a: `from` and `owner` need `within`"),
    ("{id: b, title: B, within: 1h, owner: nobody, items: [x]}", 'owner "nobody" is neither'),
    ("{id: c, title: C, within: 1h, from: mitigated, items: [x]}", '"mitigated" is not one of'),
])
def test_deadline_config_errors(tmp_path, line, msg):
    from tocsin_harness import FIXTURE_CONFIG, run_bin
    with open(FIXTURE_CONFIG) as f:
        base = f.read()
    path = tmp_path / "bad.yaml"
    path.write_text(base + "checklists:\n  - " + line + "\n")
    p = run_bin("check-config", str(path))
    assert p.returncode == 1 and msg in p.stderr, p.stderr
