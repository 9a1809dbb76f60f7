"""The incident state machine through the API (docs/api.md "States"; the full move table is a unit
test): a refusal is 409 with the allowed moves, ack, resolve, reopen, close with and without post-mortem."""
import json

import pytest

from tocsin_harness import OPEN_STATES, parse_time


def bring_to(srv, state, severity="SEV3"):
    inc = srv.create(f"to {state}", severity)
    iid = inc["id"]
    if state == "triggered":
        return inc
    if state in OPEN_STATES or state == "resolved":
        return srv.move(iid, state)
    srv.move(iid, "resolved")
    return srv.move(iid, "closed", postmortem="https://wiki.example.com/pm/1", postmortem_waiver="test: no post-mortem needed here")


# Every (from, to) pair is asserted against the pure rules in tests/unit/domain/test_incident.c
# (test_set_status_every_pair, test_refusal_messages, test_allowed_moves). Here: that a refusal
# reaches the API as 409 with that message and changes nothing, and the moves the lifecycle
# tests below make.


def test_409_message_example(server):
    inc = bring_to(server, "monitoring")
    st, j = server.status(inc["id"], "investigating")
    assert st == 409
    assert j["error"]["message"] == "status: cannot move from monitoring to investigating; allowed: resolved", j
    got = server.get(inc["id"])
    assert got["status"] == "monitoring" and got["updated_at"] == inc["updated_at"], "a refused move changes nothing"
    closed = bring_to(server, "closed")
    st, j = server.status(closed["id"], "acknowledged")
    assert st == 409
    assert j["error"]["message"] == "status: cannot move from closed to acknowledged; allowed: none", j
    assert server.get(closed["id"])["status"] == "closed"


def test_unknown_status_is_422(server):
    inc = server.create("x")
    st, j = server.status(inc["id"], "bogus")
    assert st == 422 and j["error"]["message"].startswith("status")
    assert server.get(inc["id"])["status"] == "triggered"


def test_ack(server):
    inc = server.create("ack me", "SEV2")
    assert inc["acknowledged_at"] is None
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")  # body optional
    assert st == 200, j
    assert j["status"] == "acknowledged"
    t = parse_time(j["acknowledged_at"])
    assert t >= parse_time(inc["created_at"])
    assert server.get(inc["id"])["acknowledged_at"] == j["acknowledged_at"]


def test_ack_with_empty_object_body(server):
    inc = server.create("ack me")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack", {})
    assert st == 200 and j["status"] == "acknowledged"


def test_ack_rejects_unknown_field(server):
    inc = server.create("ack me")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack", {"bogus": 1})
    assert st == 400 and "bogus" in j["error"]["message"]
    assert server.get(inc["id"])["status"] == "triggered"


def test_double_ack_is_409(server):
    inc = server.create("ack twice")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 200
    first = j["acknowledged_at"]
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 409
    assert "already acknowledged" in j["error"]["message"]
    assert server.get(inc["id"])["acknowledged_at"] == first


@pytest.mark.parametrize("state", ["investigating", "identified", "monitoring", "resolved", "closed"])
def test_ack_unless_triggered_is_409(server, state):
    inc = bring_to(server, state)
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 409, (st, j)
    assert server.get(inc["id"])["status"] == state


def test_implied_ack(server):
    inc = server.create("jump", "SEV1")
    j = server.move(inc["id"], "identified")
    assert j["acknowledged_at"] is not None
    assert parse_time(j["acknowledged_at"]) >= parse_time(inc["created_at"])
    st, j2 = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 409


def test_resolve_route(server):
    inc = bring_to(server, "monitoring", "SEV1")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/resolve", {"message": "rolled back"})
    assert st == 200, j
    assert j["status"] == "resolved"
    assert j["resolved_at"] is not None
    assert j["sla"]["next_update_due"] is None, "next_update_due is null once resolved"
    assert j["sla"]["update_overdue"] is False
    entries = server.timeline(inc["id"])
    assert entries[-1]["kind"] == "incident.resolved"
    assert "rolled back" in json.dumps(entries[-1]["data"])
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/resolve", {})
    assert st == 409, "resolving a resolved incident"


@pytest.mark.parametrize("state", OPEN_STATES)
def test_resolve_route_from_each_open_state(server, state):
    inc = bring_to(server, state)
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/resolve")
    assert st == 200, (st, j)
    assert j["status"] == "resolved" and j["acknowledged_at"] is not None


def test_resolve_route_validation(server):
    inc = server.create("r")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/resolve", {"message": 5})
    assert st == 400 and j["error"]["message"].startswith("message")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/resolve", {"message": "m" * 10001})
    assert st == 400 and j["error"]["message"].startswith("message")
    assert server.get(inc["id"])["status"] == "triggered"


def test_reopen(server):
    inc = bring_to(server, "resolved", "SEV1")
    j = server.move(inc["id"], "acknowledged")
    assert j["status"] == "acknowledged"
    assert j["sla"]["next_update_due"] is not None, "open again: the update clock runs again"
    entries = server.timeline(inc["id"])
    assert entries[-1]["kind"] == "incident.reopened"
    # and it can be resolved again
    assert server.move(inc["id"], "resolved")["resolved_at"] is not None


def test_timeline_kinds_through_lifecycle(server):
    inc = server.create("lifecycle", "SEV3")
    iid = inc["id"]
    assert server.api("POST", f"/api/v1/incidents/{iid}/ack")[0] == 200
    server.move(iid, "investigating", message="looking")
    assert server.api("POST", f"/api/v1/incidents/{iid}/resolve", {"message": "fixed"})[0] == 200
    server.move(iid, "acknowledged")
    assert server.api("POST", f"/api/v1/incidents/{iid}/resolve")[0] == 200
    server.move(iid, "closed")
    kinds = [e["kind"] for e in server.timeline(iid)]
    assert kinds == ["incident.declared", "incident.acknowledged", "incident.status_changed",
                     "incident.resolved", "incident.reopened", "incident.resolved", "incident.closed"], kinds


def test_status_message_and_public(server):
    inc = server.create("comms", "SEV1")
    j = server.move(inc["id"], "investigating", message="We are looking into 502s", public=False)
    assert j["last_public_update_at"] is None, "a non-public update does not count"
    j = server.move(inc["id"], "identified", message="Bad deploy identified", public=True)
    assert j["last_public_update_at"] is not None
    dump = json.dumps(server.timeline(inc["id"]))
    assert "We are looking into 502s" in dump and "Bad deploy identified" in dump


@pytest.mark.parametrize("body,field", [
    ({}, "status"),
    ({"status": 5}, "status"),
    ({"status": None}, "status"),
    ({"status": "investigating", "message": 5}, "message"),
    ({"status": "investigating", "message": "m" * 10001}, "message"),
    ({"status": "investigating", "public": "yes"}, "public"),
    ({"status": "investigating", "extra": 1}, "extra"),
])
def test_status_validation(server, body, field):
    inc = server.create("x")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/status", body)
    assert st == 400, (st, j)
    assert field in j["error"]["message"], j
    assert server.get(inc["id"])["status"] == "triggered"


@pytest.mark.parametrize("sev", ["SEV1", "SEV2"])
def test_close_requires_postmortem(server, sev):
    inc = bring_to(server, "resolved", sev)
    st, j = server.status(inc["id"], "closed")
    assert st == 409, (st, j)
    assert "postmortem" in j["error"]["message"].replace("-", "").replace(" ", "").lower()
    assert server.get(inc["id"])["status"] == "resolved"
    st, j = server.status(inc["id"], "closed", postmortem="https://wiki.example.com/pm/42")
    assert st == 409 and "has none" in j["error"]["message"], "a link alone is not a post-mortem"
    j = server.move(inc["id"], "closed", postmortem="https://wiki.example.com/pm/42",
                    postmortem_waiver="kept in the wiki")
    assert j["closed_at"] is not None
    assert j["postmortem"] == "https://wiki.example.com/pm/42"
    assert server.get(inc["id"])["postmortem"] == "https://wiki.example.com/pm/42"


def test_close_without_postmortem_when_not_required(server):
    inc = bring_to(server, "resolved", "SEV3")
    j = server.move(inc["id"], "closed")
    assert j["closed_at"] is not None


@pytest.mark.parametrize("pm", ["", "p" * 501, 7])
def test_close_bad_postmortem(server, pm):
    inc = bring_to(server, "resolved", "SEV1")
    st, j = server.status(inc["id"], "closed", postmortem=pm)
    assert st == 400, (st, j)
    assert j["error"]["message"].startswith("postmortem")
    assert server.get(inc["id"])["status"] == "resolved"


def test_postmortem_500_chars_ok(server):
    inc = bring_to(server, "resolved", "SEV1")
    assert server.move(inc["id"], "closed", postmortem="p" * 500, postmortem_waiver="test: no post-mortem needed here")["postmortem"] == "p" * 500


def test_close_open_incident_is_409(server):
    inc = bring_to(server, "monitoring", "SEV3")
    st, j = server.status(inc["id"], "closed", postmortem="x")
    assert st == 409


def test_closed_incident_is_frozen(server):
    inc = bring_to(server, "closed", "SEV1")
    iid = inc["id"]
    before = server.get(iid)
    n_entries = len(server.timeline(iid))
    attempts = [
        ("POST", f"/api/v1/incidents/{iid}/ack", None),
        ("POST", f"/api/v1/incidents/{iid}/resolve", {}),
        ("POST", f"/api/v1/incidents/{iid}/status", {"status": "acknowledged"}),
        ("POST", f"/api/v1/incidents/{iid}/status", {"status": "investigating"}),
        ("POST", f"/api/v1/incidents/{iid}/status", {"status": "closed", "postmortem": "y"}),
        ("PATCH", f"/api/v1/incidents/{iid}", {"title": "renamed"}),
        ("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV2"}),
        ("PATCH", f"/api/v1/incidents/{iid}", {"summary": "s"}),
        ("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"}),
        ("POST", f"/api/v1/incidents/{iid}/notes", {"text": "late note"}),
    ]
    for method, path, body in attempts:
        st, j = server.api(method, path, body)
        assert st == 409, f"{method} {path} {body} on a closed incident: {st} {j}"
    after = server.get(iid)
    assert {k: v for k, v in after.items() if k != "sla"} == {k: v for k, v in before.items() if k != "sla"}
    assert len(server.timeline(iid)) == n_entries


def test_resolved_incident_still_editable(server):
    """Only closed is frozen: a resolved incident takes notes, roles and edits (the post-mortem phase)."""
    inc = bring_to(server, "resolved", "SEV2")
    iid = inc["id"]
    assert server.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": "pm draft"})[0] == 201
    assert server.api("PUT", f"/api/v1/incidents/{iid}/roles/scribe", {"user": "bob"})[0] == 200
    st, j = server.api("PATCH", f"/api/v1/incidents/{iid}", {"summary": "root cause: bad deploy"})
    assert st == 200 and j["summary"] == "root cause: bad deploy" and j["status"] == "resolved"


def test_open_filter_covers_all_open_states(server):
    ids = {s: bring_to(server, s)["id"] for s in OPEN_STATES + ["resolved"]}
    st, j = server.api("GET", "/api/v1/incidents?status=open")
    got = {i["id"] for i in j["incidents"]}
    assert got == {ids[s] for s in OPEN_STATES}
    for s in OPEN_STATES + ["resolved"]:
        st, j = server.api("GET", f"/api/v1/incidents?status={s}")
        assert [i["id"] for i in j["incidents"]] == [ids[s]], s


def test_incident_survives_severity_removed_from_config(server):
    inc = server.create("orphan severity", "SEV4")
    text = server.fixture_text()
    line = next(l for l in text.splitlines(True) if "id: SEV4" in l)
    server.write_config(text.replace(line, ""))
    assert server.api("POST", "/api/v1/config/reload")[0] == 200
    got = server.get(inc["id"])
    assert got["severity"] == "SEV4"
    st, j = server.api("GET", "/api/v1/incidents?status=all")
    assert st == 200 and inc["id"] in [i["id"] for i in j["incidents"]]
    assert server.request("GET", "/metrics", token=None).status == 200
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 200
    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV3"})
    assert st == 200 and j["severity"] == "SEV3"
    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV4"})
    assert st == 422
