"""Failure paths of store jobs, driven by failpoints (POST /api/v1/debug/failpoint, only with
--dev-clock): a store operation or the COMMIT fails as if the database had, and the server answers
a clean 503, changes nothing, leaks nothing and does not crash. The servers run the ASan/UBSan
binary in `make test`: Server.stop() fails the test on any sanitizer report (a bad free aborts the
server; LeakSanitizer reports a leak at exit), so each test stops its server itself.
"""
from test_ingest_support import am_alert, am_payload, alerts, incidents, ing, key_of  # noqa: F401


def arm(s, point, count=1):
    # First let the engine and the notifier finish what earlier requests started ("advance 0s"
    # answers after a pass of each): a declare arms its escalation due now, and the engine's job
    # for it, committed after the failpoint was armed, would take a "commit" failpoint meant for
    # the request that follows (seen under CPU load: the note got 201).
    s.advance("0s")
    st, j = s.api("POST", "/api/v1/debug/failpoint", {"point": point, "count": count})
    assert st == 200, (st, j)
    assert j == {"point": point, "count": count}, j


def unavailable(r):
    assert r.status == 503, (r.status, r.body[:300])
    assert r.json["error"]["code"] == "unavailable", r.json
    assert r.json["error"]["message"].startswith("store:"), r.json


def alive(s):
    st, j = s.api("GET", "/healthz", token=None)
    assert st == 200 and j["status"] == "ok", (st, j)


def test_failpoints_exist_only_with_the_dev_clock(server):
    r = server.request("POST", "/api/v1/debug/failpoint", {"point": "commit"})
    assert r.status == 404, r.status
    assert "dev clock" in r.json["error"]["message"]


def test_failpoint_bad_input_names_the_field(clock_server):
    s = clock_server
    st, j = s.api("POST", "/api/v1/debug/failpoint", {"point": "no_such_operation"})
    assert st == 400 and "no_such_operation" in j["error"]["message"], (st, j)
    st, j = s.api("POST", "/api/v1/debug/failpoint", {"point": "commit", "count": -1})
    assert st == 400 and j["error"]["message"].startswith("count:"), (st, j)
    st, j = s.api("POST", "/api/v1/debug/failpoint", {"point": "commit", "count": "1"})
    assert st == 400 and j["error"]["message"].startswith("count:"), (st, j)
    st, j = s.api("POST", "/api/v1/debug/failpoint", {"count": 1})
    assert st == 400 and j["error"]["message"].startswith("point:"), (st, j)
    st, j = s.api("POST", "/api/v1/debug/failpoint", {"point": "commit"},
                  token=s.make_token("responder"))
    assert st == 403, (st, j)
    s.stop()


def test_counter_failure_during_alert_ingest(ing):
    """The incident id's counter fails while an alert opens an incident: 503, no alert and no
    incident stored, the server still up (attach() once freed an uninitialised incident here and
    ASan aborted the server), and the same alert sent again opens its incident."""
    s = ing
    key = key_of(s, "api", "alertmanager")
    payload = am_payload([am_alert({"alertname": "DiskFull", "instance": "db-1"}, summary="Disk full")])
    arm(s, "counter_next")
    r = s.request("POST", "/api/v1/ingest/alertmanager", payload, token=key, allow_503=True)
    unavailable(r)
    alive(s)
    assert alerts(s) == []
    assert incidents(s) == []
    r = s.request("POST", "/api/v1/ingest/alertmanager", payload, token=key)
    assert r.status == 200, r.status
    got = alerts(s)
    assert len(got) == 1 and got[0]["incident_id"], got
    assert len(incidents(s)) == 1
    assert s.verify()["valid"] is True
    s.stop()


def test_commit_failure_after_an_incident_change(clock_server):
    """The note's job succeeds, then the COMMIT fails: 503, the note is not on the timeline, the
    job's result and timeline entry are freed (LeakSanitizer at stop), and the next note lands."""
    s = clock_server
    inc = s.create(title="Checkout 502s", severity="SEV2")
    before = s.timeline(inc["id"])
    arm(s, "commit")
    r = s.request("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "rolled back"},
                  allow_503=True)
    unavailable(r)
    assert s.timeline(inc["id"]) == before
    # a change that fills the incident result (not a timeline entry) fails the same way
    arm(s, "commit")
    r = s.request("POST", f"/api/v1/incidents/{inc['id']}/ack", allow_503=True)
    unavailable(r)
    assert s.get(inc["id"])["status"] == "triggered"
    st, j = s.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "rolled back"})
    assert st == 201, (st, j)
    assert s.get(inc["id"])["status"] == "triggered"
    assert [e["kind"] for e in s.timeline(inc["id"])][-1] == "incident.note_added"
    assert s.verify()["valid"] is True
    s.stop()


def test_commit_failure_on_declare_leaves_no_incident_and_no_gap(clock_server):
    """A declare whose COMMIT fails: 503, no incident, and the day's counter was rolled back with
    it, so the next incident takes the number the failed one would have had."""
    s = clock_server
    arm(s, "commit")
    r = s.request("POST", "/api/v1/incidents", {"title": "Lost", "severity": "SEV3"}, allow_503=True)
    unavailable(r)
    st, j = s.api("GET", "/api/v1/incidents?status=all")
    assert st == 200 and j["incidents"] == [], j
    inc = s.create(title="Kept", severity="SEV3")
    assert inc["id"].endswith("-001"), inc["id"]
    s.stop()


def test_store_operation_failure_inside_a_change(clock_server):
    """incident_update fails inside the job (not at COMMIT): 503, the incident unchanged, the
    failpoint spent after one call (count 1), and the same request then succeeds."""
    s = clock_server
    inc = s.create(title="Queue backlog", severity="SEV3")
    arm(s, "incident_update")
    r = s.request("POST", f"/api/v1/incidents/{inc['id']}/ack", allow_503=True)
    unavailable(r)
    assert s.get(inc["id"])["status"] == "triggered"
    st, j = s.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert st == 200 and j["status"] == "acknowledged", (st, j)
    s.stop()


def test_disarm(clock_server):
    s = clock_server
    arm(s, "commit", 5)
    arm(s, "commit", 0)
    s.create(title="Fine", severity="SEV4")
    s.stop()
