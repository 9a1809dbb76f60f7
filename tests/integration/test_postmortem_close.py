"""Closing waits for the post-mortem (issue 17, docs/postmortems.md "Closing"): a SEV1/SEV2
incident (its severity's policy requires one) closes only once its post-mortem is published; a
link is not a post-mortem; resolve stays allowed; an admin may close without it with
`postmortem_waiver` (a reason, on the timeline), a responder may not; drills need none. One
server for the module."""
import pytest


@pytest.fixture(scope="module")
def srv(shared_server):
    return shared_server


def resolved(srv, severity="SEV1", **kw):
    inc = srv.create("pm gate", severity, **kw)
    j = srv.move(inc["id"], "resolved", message="rolled back")
    assert j["status"] == "resolved", "resolve never waits for the post-mortem"
    return inc["id"]


def kinds(srv, iid):
    return [e["kind"] for e in srv.timeline(iid)]


@pytest.mark.parametrize("sev", ["SEV1", "SEV2"])
def test_required_and_missing_is_409_naming_it(srv, sev):
    iid = resolved(srv, sev)
    for body in ({}, {"postmortem": "https://wiki.example.com/pm/1"}):
        st, j = srv.status(iid, "closed", **body)
        assert st == 409, (st, j)
        msg = j["error"]["message"]
        assert msg.startswith("postmortem:") and sev in msg and "has none" in msg, msg
        assert f"tocsin postmortem {iid}" in msg and "postmortem_waiver" in msg, msg
    got = srv.get(iid)
    assert got["status"] == "resolved" and got["postmortem"] is None
    assert "incident.closed" not in kinds(srv, iid)


def test_published_one_closes_with_its_id(srv):
    iid = resolved(srv)
    pid = srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})[1]["id"]
    st, j = srv.status(iid, "closed")
    assert st == 409 and pid in j["error"]["message"] and "not published" in j["error"]["message"]
    for state in ("in_review", "published"):
        assert srv.api("PATCH", f"/api/v1/postmortems/{pid}", {"state": state})[0] == 200
    j = srv.move(iid, "closed", postmortem="https://wiki.example.com/pm/x")
    assert j["postmortem"] == pid
    assert "incident.postmortem_waived" not in kinds(srv, iid)


def test_not_required_closes_without(srv):
    iid = resolved(srv, "SEV3")
    assert srv.move(iid, "closed")["postmortem"] is None


def test_drill_needs_none(srv):
    iid = resolved(srv, "SEV1", drill=True)
    assert srv.get(iid)["drill"] is True
    assert srv.move(iid, "closed")["status"] == "closed"


def test_admin_waiver_closes_and_is_on_the_timeline(srv):
    iid = resolved(srv)
    j = srv.move(iid, "closed", postmortem_waiver="vendor outage; their RCA is linked",
                 message="closing")
    assert j["closed_at"] is not None
    tl = srv.timeline(iid)
    closed = [e for e in tl if e["kind"] == "incident.closed"][-1]
    assert closed["data"]["postmortem_waiver"] == "vendor outage; their RCA is linked"
    waived = [e for e in tl if e["kind"] == "incident.postmortem_waived"]
    assert len(waived) == 1 and waived[0]["data"]["reason"] == "vendor outage; their RCA is linked"
    assert waived[0]["data"]["severity"] == "SEV1" and waived[0]["actor"].startswith("token:")


def test_admin_waiver_over_a_draft(srv):
    iid = resolved(srv, "SEV2")
    pid = srv.api("POST", f"/api/v1/incidents/{iid}/postmortem", {})[1]["id"]
    srv.move(iid, "closed", postmortem_waiver="duplicate of the earlier incident")
    waived = [e for e in srv.timeline(iid) if e["kind"] == "incident.postmortem_waived"]
    assert waived[0]["data"]["postmortem"] == pid and waived[0]["data"]["published"] is False


def test_waiver_refusals_change_nothing(srv):
    iid = resolved(srv)
    tok = srv.make_token("responder", name="pmgate-resp")
    n = len(srv.timeline(iid))
    st, j = srv.status(iid, "closed", token=tok, postmortem_waiver="please")
    assert st == 403 and j["error"]["message"].startswith("postmortem_waiver"), (st, j)
    st, j = srv.status(iid, "acknowledged", postmortem_waiver="x")
    assert st == 422 and j["error"]["message"].startswith("postmortem_waiver"), (st, j)
    st, j = srv.api("POST", f"/api/v1/incidents/{iid}/resolve", {"postmortem_waiver": "x"})
    assert st == 422 and j["error"]["message"].startswith("postmortem_waiver"), (st, j)
    for bad in ("", 7, "w" * 5000):
        st, j = srv.status(iid, "closed", postmortem_waiver=bad)
        assert st == 400 and j["error"]["message"].startswith("postmortem_waiver"), (bad, st, j)
    assert srv.get(iid)["status"] == "resolved" and len(srv.timeline(iid)) == n


def test_cli_no_postmortem(srv):
    iid = resolved(srv)
    p = srv.cli("close", iid)
    assert p.returncode == 1 and "has none" in p.stderr, p.stderr
    p = srv.cli("close", iid, "--no-postmortem", "reviewed in the weekly ops review")
    assert p.returncode == 0, p.stderr
    assert srv.get(iid)["status"] == "closed"
    assert "incident.postmortem_waived" in kinds(srv, iid)
