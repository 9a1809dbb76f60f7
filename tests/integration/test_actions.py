"""Action items (issue 17): title, owner, due date, priority, status, linked incident and
post-mortem; a list across incidents with filters; done; overdue reminders through the outbox;
every change on the incident's timeline; `tocsin action add|list|done`. Dev clock only."""
import json

import pytest

from tocsin_harness import secs


@pytest.fixture
def srv(make_server):
    return make_server(dev_clock=True)


def add(srv, **body):
    st, j = srv.api("POST", "/api/v1/actions", body)
    assert st == 201, (st, j)
    return j


def test_add_get_and_timeline(srv):
    inc = srv.create("db failover", "SEV2")
    now = srv.now()
    a = add(srv, title="Add a replica lag alert", owner="bob", priority="p1", due_in="3d",
            incident=inc["id"])
    assert a["id"].startswith("ACT-") and a["status"] == "open" and a["priority"] == "p1"
    assert a["owner"] == "bob" and a["incident_id"] == inc["id"] and a["postmortem_id"] is None
    assert abs(secs(now, a["due_at"]) - 3 * 86400) < 60
    assert a["overdue"] is False
    st, j = srv.api("GET", f"/api/v1/actions/{a['id']}")
    assert st == 200 and j == a
    created = [e for e in srv.timeline(inc["id"]) if e["kind"] == "action.created"]
    assert len(created) == 1 and created[0]["data"]["id"] == a["id"]
    b = add(srv, title="No incident")
    assert b["priority"] == "p2" and b["incident_id"] is None and b["due_at"] is None
    assert int(b["id"].split("-")[1]) == int(a["id"].split("-")[1]) + 1


def test_link_to_postmortem_implies_incident(srv):
    inc = srv.create("x", "SEV3")
    st, pm = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    assert st == 409  # SEV3 in the fixture still needs it resolved (built-in template)
    srv.move(inc["id"], "resolved")
    st, pm = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {})
    assert st == 201
    a = add(srv, title="Runbook for x", postmortem=pm["id"])
    assert a["incident_id"] == inc["id"] and a["postmortem_id"] == pm["id"]
    md = srv.request("GET", f"/api/v1/postmortems/{pm['id']}/export").body.decode()
    assert f"| {a['id']} | Runbook for x | - | p2 |" in md, "listed in the post-mortem"


def test_list_filters_across_incidents(srv):
    i1 = srv.create("one", "SEV2")
    i2 = srv.create("two", "SEV3")
    a1 = add(srv, title="a1", owner="alice", incident=i1["id"], due_in="1d")
    a2 = add(srv, title="a2", owner="bob", incident=i2["id"], due_in="10d")
    a3 = add(srv, title="a3", owner="alice", incident=i2["id"])

    def ids(q=""):
        st, j = srv.api("GET", "/api/v1/actions" + q)
        assert st == 200, j
        return [a["id"] for a in j["actions"]]

    assert ids() == [a1["id"], a2["id"], a3["id"]], "across incidents, oldest first"
    assert ids("?owner=alice") == [a1["id"], a3["id"]]
    assert ids(f"?incident={i2['id']}") == [a2["id"], a3["id"]]
    assert ids("?overdue=true") == []
    srv.advance("2d")
    assert ids("?overdue=true") == [a1["id"]]
    st, j = srv.api("POST", f"/api/v1/actions/{a1['id']}/done")
    assert st == 200 and j["status"] == "done" and j["done_at"] and j["overdue"] is False
    assert ids() == [a2["id"], a3["id"]], "open by default"
    assert ids("?status=done") == [a1["id"]]
    assert ids("?status=all") == [a1["id"], a2["id"], a3["id"]]
    assert ids("?overdue=true") == []
    done = [e for e in srv.timeline(i1["id"]) if e["kind"] == "action.done"]
    assert len(done) == 1


def test_patch_and_done_rules(srv):
    inc = srv.create("p", "SEV2")
    a = add(srv, title="t", incident=inc["id"])
    st, j = srv.api("PATCH", f"/api/v1/actions/{a['id']}",
                    {"title": "better", "owner": "carol", "priority": "p0",
                     "due_at": "2099-01-01T00:00:00Z"})
    assert st == 200 and j["title"] == "better" and j["owner"] == "carol" and j["priority"] == "p0"
    assert j["due_at"] == "2099-01-01T00:00:00Z"
    st, j = srv.api("PATCH", f"/api/v1/actions/{a['id']}", {"owner": None, "due_at": None})
    assert st == 200 and j["owner"] is None and j["due_at"] is None
    assert "action.updated" in [e["kind"] for e in srv.timeline(inc["id"])]
    st, j = srv.api("PATCH", f"/api/v1/actions/{a['id']}", {"status": "done"})
    assert st == 200 and j["status"] == "done"
    st, j = srv.api("POST", f"/api/v1/actions/{a['id']}/done")
    assert st == 409 and "already done" in j["error"]["message"]
    st, j = srv.api("PATCH", f"/api/v1/actions/{a['id']}", {"title": "again"})
    assert st == 409 and "status" in j["error"]["message"]
    assert srv.api("GET", f"/api/v1/actions/{a['id']}")[1]["title"] == "better"


@pytest.mark.parametrize("body,code,word", [
    ({}, 400, "title"),
    ({"title": ""}, 400, "title"),
    ({"title": "x", "owner": "mallory"}, 422, "owner"),
    ({"title": "x", "priority": "urgent"}, 422, "priority"),
    ({"title": "x", "due_at": "tomorrow"}, 400, "due_at"),
    ({"title": "x", "due_in": "-1d"}, 400, "due_in"),
    ({"title": "x", "due_in": "1d", "due_at": "2099-01-01T00:00:00Z"}, 400, "due_in"),
    ({"title": "x", "incident": "INC-2000-01-01-001"}, 422, "incident"),
    ({"title": "x", "postmortem": "PM-nope"}, 422, "postmortem"),
    ({"title": "x", "color": "red"}, 400, "color"),
])
def test_add_bad_input_writes_nothing(srv, body, code, word):
    st, j = srv.api("POST", "/api/v1/actions", body)
    assert st == code and word in j["error"]["message"], (st, j)
    assert srv.api("GET", "/api/v1/actions?status=all")[1] == {"actions": [], "next_cursor": None}


def test_bad_list_and_unknown_ids(srv):
    assert srv.api("GET", "/api/v1/actions?status=maybe")[0] == 400
    assert srv.api("GET", "/api/v1/actions?overdue=yes")[0] == 400
    st, j = srv.api("GET", "/api/v1/actions/ACT-999")
    assert st == 404 and "ACT-999" in j["error"]["message"]
    assert srv.api("POST", "/api/v1/actions/ACT-999/done")[0] == 404
    assert srv.api("PATCH", "/api/v1/actions/ACT-999", {"title": "x"})[0] == 404
    a = add(srv, title="t")
    assert srv.api("PATCH", f"/api/v1/actions/{a['id']}", {})[0] == 400
    st, j = srv.api("PATCH", f"/api/v1/actions/{a['id']}", {"status": "open"})
    assert st == 422 and "status" in j["error"]["message"]
    viewer = srv.make_token("viewer")
    assert srv.api("POST", "/api/v1/actions", {"title": "x"}, token=viewer)[0] == 403
    assert srv.api("GET", "/api/v1/actions", token=viewer)[0] == 200


def test_overdue_reminds_owner_daily_until_done(srv):
    inc = srv.create("r", "SEV2")
    a = add(srv, title="Fix the alert", owner="alice", due_in="2d", incident=inc["id"])

    def reminders():
        st, j = srv.api("GET", f"/api/v1/incidents/{inc['id']}/notifications")
        return [n for n in j["notifications"] if n["key"].startswith("act-reminder:")]

    srv.advance("1d")
    assert reminders() == []
    srv.advance("1d1m")
    got = reminders()
    assert got and {n["user"] for n in got} == {"alice"} and got[0]["kind"] == "reminder"
    overdue = [e for e in srv.timeline(inc["id"]) if e["kind"] == "action.overdue"]
    assert len(overdue) == 1 and overdue[0]["data"]["id"] == a["id"]
    srv.advance("1h")
    assert len(reminders()) == len(got)
    srv.advance("23h")
    n = len(reminders())
    assert n > len(got)
    srv.api("POST", f"/api/v1/actions/{a['id']}/done")
    srv.advance("3d")
    assert len(reminders()) == n, "done: no more reminders"


def test_unowned_overdue_item_is_on_the_timeline_only(srv):
    inc = srv.create("u", "SEV2")
    add(srv, title="nobody's", due_in="1h", incident=inc["id"])
    srv.advance("2h")
    overdue = [e for e in srv.timeline(inc["id"]) if e["kind"] == "action.overdue"]
    assert len(overdue) == 1 and overdue[0]["data"]["notified"] is False


def test_cli_add_list_done(srv):
    inc = srv.create("cli", "SEV2")
    p = srv.cli("action", "add", "Write the runbook", "--owner", "bob", "--due", "2d", "-p", "p1",
                "--incident", inc["id"])
    assert p.returncode == 0, p.stderr
    aid = p.stdout.splitlines()[0]
    assert aid.startswith("ACT-")
    p = srv.cli("action", "list")
    assert p.returncode == 0 and aid in p.stdout and "Write the runbook" in p.stdout
    p = srv.cli("action", "list", "--owner", "alice", "--json")
    assert p.returncode == 0 and json.loads(p.stdout) == {"actions": [], "next_cursor": None}
    p = srv.cli("action", "done", aid)
    assert p.returncode == 0 and "done" in p.stdout
    p = srv.cli("action", "list", "--status", "done", "--json")
    assert [a["id"] for a in json.loads(p.stdout)["actions"]] == [aid]
    p = srv.cli("action", "done", aid)
    assert p.returncode == 1 and "already done" in p.stderr
    p = srv.cli("action", "add", "x", "--due", "soonish")
    assert p.returncode == 2 and "--due" in p.stderr
    p = srv.cli("action", "add", "x", "--owner", "mallory")
    assert p.returncode == 1 and "owner" in p.stderr


def test_failed_add_writes_nothing(srv):
    inc = srv.create("f", "SEV2")
    srv.api("POST", "/api/v1/debug/failpoint", {"point": "timeline_insert", "count": 1})
    r = srv.request("POST", "/api/v1/actions", {"title": "x", "incident": inc["id"]},
                    allow_503=True)
    assert r.status == 503
    assert srv.api("GET", "/api/v1/actions?status=all")[1] == {"actions": [], "next_cursor": None}
