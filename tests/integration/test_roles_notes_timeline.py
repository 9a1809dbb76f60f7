"""Roles, notes and the per-incident timeline (docs/api.md "Routes", "Timeline entries")."""
import json

import pytest

from tocsin_harness import HEX64_RE, ROLES, parse_time


def put_role(srv, iid, role, user, **kw):
    return srv.api("PUT", f"/api/v1/incidents/{iid}/roles/{role}", {"user": user}, **kw)


def test_assign_all_four_roles(server):
    inc = server.create("roles", "SEV2")
    want = {"commander": "alice", "tech_lead": "bob", "comms_lead": "carol", "scribe": "alice"}
    for role, user in want.items():
        st, j = put_role(server, inc["id"], role, user)
        assert st == 200, (role, st, j)
        assert j["roles"][role] == user
    assert {r: server.get(inc["id"])["roles"][r] for r in ROLES} == want
    entries = [e for e in server.timeline(inc["id"]) if e["kind"] == "incident.role_assigned"]
    assert len(entries) == 4


def test_reassign_records_previous_holder(server):
    inc = server.create("handoff", "SEV1")
    iid = inc["id"]
    assert put_role(server, iid, "commander", "alice")[0] == 200
    st, j = put_role(server, iid, "commander", "bob")
    assert st == 200 and j["roles"]["commander"] == "bob"
    st, j = put_role(server, iid, "commander", None)
    assert st == 200 and j["roles"]["commander"] is None, "null clears the role"
    assert server.get(iid)["roles"]["commander"] is None
    entries = [e for e in server.timeline(iid) if e["kind"] == "incident.role_assigned"]
    assert len(entries) == 3
    first, second, third = (e["data"] for e in entries)
    assert "commander" in json.dumps(first)
    assert "alice" in json.dumps(first)
    vals2 = json.dumps(second)
    assert "alice" in vals2 and "bob" in vals2, f"handoff entry must name the previous holder: {second}"
    assert "bob" in json.dumps(third), f"clearing must name the previous holder: {third}"
    assert "alice" not in json.dumps(third)


def test_roles_are_independent(server):
    inc = server.create("two roles")
    put_role(server, inc["id"], "scribe", "carol")
    st, j = put_role(server, inc["id"], "tech_lead", "bob")
    assert j["roles"] == {**j["roles"], "scribe": "carol", "tech_lead": "bob", "commander": None, "comms_lead": None}


def test_unknown_role_or_user_is_422(server):
    inc = server.create("bad roles")
    st, j = put_role(server, inc["id"], "janitor", "alice")
    assert st == 422 and j["error"]["message"].startswith("role"), j
    st, j = put_role(server, inc["id"], "commander", "mallory")
    assert st == 422 and j["error"]["message"].startswith("user"), j
    assert all(v is None for v in server.get(inc["id"])["roles"].values())


@pytest.mark.parametrize("body,field", [
    ({}, "user"),
    ({"user": 7}, "user"),
    ({"user": ["alice"]}, "user"),
    ({"user": "alice", "extra": True}, "extra"),
])
def test_role_body_validation(server, body, field):
    inc = server.create("role body")
    st, j = server.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", body)
    assert st == 400, (st, j)
    assert field in j["error"]["message"]


def test_role_on_unknown_incident_is_404(server):
    st, j = put_role(server, "INC-2000-01-01-001", "commander", "alice")
    assert st == 404


def test_notes(server):
    inc = server.create("notes")
    st, e = server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "first note ✓"})
    assert st == 201, e
    assert e["kind"] == "incident.note_added"
    assert e["incident_id"] == inc["id"]
    assert isinstance(e["seq"], int)
    assert HEX64_RE.match(e["hash"]) and HEX64_RE.match(e["prev_hash"])
    parse_time(e["at"])
    assert "first note ✓" in json.dumps(e["data"], ensure_ascii=False)
    entries = server.timeline(inc["id"])
    assert entries[-1] == e, "the 201 body is the stored timeline entry"


@pytest.mark.parametrize("body,field", [
    ({}, "text"),
    ({"text": ""}, "text"),
    ({"text": 5}, "text"),
    ({"text": "t" * 10001}, "text"),
    ({"text": "ok", "extra": 1}, "extra"),
])
def test_note_validation(server, body, field):
    inc = server.create("notes")
    st, j = server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", body)
    assert st == 400, (st, j)
    assert field in j["error"]["message"]
    assert [x["kind"] for x in server.timeline(inc["id"])] == ["incident.declared"]


def test_note_max_length_ok(server):
    inc = server.create("notes")
    st, e = server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "t" * 10000})
    assert st == 201


def test_note_on_unknown_incident_is_404(server):
    st, j = server.api("POST", "/api/v1/incidents/INC-2000-01-01-001/notes", {"text": "x"})
    assert st == 404


def test_timeline_unknown_incident_is_404(server):
    st, j = server.api("GET", "/api/v1/incidents/INC-2000-01-01-001/timeline")
    assert st == 404


def test_timeline_order_kinds_and_chain(server):
    tok = server.make_token("responder", name="resp1")
    inc = server.create("timeline", "SEV2", token=tok)
    iid = inc["id"]
    steps = [
        ("POST", f"/api/v1/incidents/{iid}/ack", None, "incident.acknowledged"),
        ("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"}, "incident.role_assigned"),
        ("POST", f"/api/v1/incidents/{iid}/notes", {"text": "n1"}, "incident.note_added"),
        ("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV1"}, "incident.severity_changed"),
        ("PATCH", f"/api/v1/incidents/{iid}", {"title": "timeline 2"}, "incident.updated"),
        ("POST", f"/api/v1/incidents/{iid}/status", {"status": "investigating"}, "incident.status_changed"),
        ("POST", f"/api/v1/incidents/{iid}/resolve", None, "incident.resolved"),
        ("POST", f"/api/v1/incidents/{iid}/status", {"status": "acknowledged"}, "incident.reopened"),
        ("POST", f"/api/v1/incidents/{iid}/resolve", None, "incident.resolved"),
        ("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV3"}, "incident.severity_changed"),
        ("POST", f"/api/v1/incidents/{iid}/status", {"status": "closed", "postmortem": "pm"}, "incident.closed"),
    ]
    for method, path, body, _ in steps:
        st, j = server.api(method, path, body, token=tok)
        want = 201 if path.endswith("/notes") else 200
        assert st == want, (method, path, st, j)
    entries = server.timeline(iid)
    assert [e["kind"] for e in entries] == ["incident.declared"] + [s[3] for s in steps]
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "oldest first, unique seq"
    times = [parse_time(e["at"]) for e in entries]
    assert times == sorted(times)
    for e in entries:
        assert e["incident_id"] == iid
        assert e["actor"] == "token:resp1", e
        assert HEX64_RE.match(e["hash"]) and HEX64_RE.match(e["prev_hash"])
        assert set(e) >= {"seq", "at", "actor", "kind", "incident_id", "data", "prev_hash", "hash"}
    for prev, cur in zip(entries, entries[1:]):
        if cur["seq"] == prev["seq"] + 1:
            assert cur["prev_hash"] == prev["hash"], "hash chain: prev_hash is the previous entry's hash"
    sev = next(e for e in entries if e["kind"] == "incident.severity_changed")
    assert "SEV2" in json.dumps(sev["data"]) and "SEV1" in json.dumps(sev["data"])


def test_timelines_are_per_incident(server):
    a = server.create("a")
    b = server.create("b")
    server.api("POST", f"/api/v1/incidents/{a['id']}/notes", {"text": "for a"})
    ta, tb = server.timeline(a["id"]), server.timeline(b["id"])
    assert all(e["incident_id"] == a["id"] for e in ta)
    assert all(e["incident_id"] == b["id"] for e in tb)
    assert "for a" not in json.dumps(tb)
    assert len(ta) == 2 and len(tb) == 1
