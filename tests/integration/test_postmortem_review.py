"""The post-mortem's review meeting (issue 17): PUT /api/v1/postmortems/{id}/review schedules it;
each attendee gets an iCalendar invite (libical, METHOD:REQUEST) by email through the outbox;
moving the meeting sends a new invite with the next SEQUENCE and the same UID, and an attendee
dropped by the move gets a METHOD:CANCEL for that UID; DELETE .../review cancels the meeting for
everyone; the invite is also at .../review.ics; bad input is a 4xx naming the field and writes
nothing. The mail goes to a real SMTP sink (aiosmtpd)."""
from datetime import datetime, timedelta, timezone

import pytest

from notify_receivers import SmtpSink, notify_config, parts

USERS = ["{id: alice, name: Alice, email: alice@example.com}",
         "{id: bob, name: Bob, email: bob@example.com}",
         "{id: carol, name: Carol, phone: \"+15550103\"}"]


@pytest.fixture
def env(make_server, tmp_path):
    smtp = SmtpSink(tmp_path / "mail")
    srv = make_server(dev_clock=True, config_text=notify_config(USERS, smtp=smtp))
    inc = srv.create("Checkout | 502s", "SEV2", service="api")
    srv.move(inc["id"], "resolved", message="rolled back")
    st, pm = srv.api("POST", f"/api/v1/incidents/{inc['id']}/postmortem", {"owner": "alice"})
    assert st == 201, pm
    yield srv, smtp, inc["id"], pm["id"]
    smtp.close()


def invites(smtp, n):
    return [m for m in smtp.wait_for(n) if m[2]["Subject"] and "post-mortem review" in m[2]["Subject"]]


def calendar(msg):
    for p in msg.walk():
        if p.get_content_type() == "text/calendar":
            return unfold(p.get_content())
    return None


def calendar_method(msg):
    """The method parameter of the text/calendar part's Content-Type (RFC 6047 2.4)."""
    for p in msg.walk():
        if p.get_content_type() == "text/calendar":
            return p.get_param("method")
    return None


def unfold(ics):
    """RFC 5545 3.1: long lines are folded (CRLF + space)."""
    return ics.replace("\r\n ", "").replace("\n ", "")


def test_schedule_sends_invites_and_moving_bumps_sequence(env):
    srv, smtp, iid, pmid = env
    st, j = srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
                    {"at": "2099-01-05T15:00:00Z", "duration": "45m",
                     "attendees": ["alice", "bob"]})
    assert st == 200, j
    assert j["review"] == {"at": "2099-01-05T15:00:00Z", "minutes": 45,
                           "attendees": ["alice", "bob"], "sequence": 1}
    got = invites(smtp, 2)
    assert sorted(r[1][0] for r in got) == ["alice@example.com", "bob@example.com"]
    msg = got[0][2]
    assert msg["Subject"].startswith("Invitation: post-mortem review of " + iid)
    ics = calendar(msg)
    assert ics, "a text/calendar part"
    assert "METHOD:REQUEST" in ics and f"UID:review-{pmid}@tocsin" in ics
    assert "DTSTART:20990105T150000Z" in ics and "DTEND:20990105T154500Z" in ics
    assert "SEQUENCE:1" in ics and "mailto:alice@example.com" in ics
    assert "mailto:bob@example.com" in ics and "ORGANIZER:mailto:pager@tocsin.test" in ics
    text, _ = parts(msg)
    assert "2099-01-05T15:00:00Z" in text
    tl = [e for e in srv.timeline(iid) if e["kind"] == "postmortem.review_scheduled"]
    assert len(tl) == 1 and tl[0]["data"]["attendees"] == ["alice", "bob"]
    assert srv.api("GET", f"/api/v1/postmortems/{pmid}")[1]["review"]["minutes"] == 45

    st, j = srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
                    {"at": "2099-01-06T09:00:00Z", "attendees": ["bob"]})
    assert st == 200 and j["review"]["sequence"] == 2 and j["review"]["minutes"] == 60
    srv.advance("2m")  # past the notify throttle window of bob's first mail
    got = invites(smtp, 3)
    moved = [m for m in got if m[2]["Subject"].startswith("Moved")]
    assert len(moved) == 1 and moved[0][1] == ["bob@example.com"]
    ics = calendar(moved[0][2])
    assert "SEQUENCE:2" in ics and f"UID:review-{pmid}@tocsin" in ics

    r = srv.request("GET", f"/api/v1/postmortems/{pmid}/review.ics")
    assert r.status == 200 and r.headers.get("Content-Type", "").startswith("text/calendar")
    ics = unfold(r.body.decode())
    assert "DTSTART:20990106T090000Z" in ics and "SEQUENCE:2" in ics


@pytest.mark.parametrize("body,code,word", [
    ({"attendees": ["alice"]}, 400, "at"),
    ({"at": "tomorrow", "attendees": ["alice"]}, 400, "at"),
    ({"at": "2001-01-01T00:00:00Z", "attendees": ["alice"]}, 422, "at"),
    ({"at": "2099-01-05T15:00:00Z", "duration": "5m", "attendees": ["alice"]}, 422, "duration"),
    ({"at": "2099-01-05T15:00:00Z", "duration": "x", "attendees": ["alice"]}, 400, "duration"),
    ({"at": "2099-01-05T15:00:00Z", "attendees": []}, 400, "attendees"),
    ({"at": "2099-01-05T15:00:00Z", "attendees": ["zed"]}, 422, "attendees[0]"),
    ({"at": "2099-01-05T15:00:00Z", "attendees": ["alice", "carol"]}, 422, "attendees[1]"),
    ({"at": "2099-01-05T15:00:00Z", "attendees": ["bob", "bob"]}, 422, "attendees[1]"),
    ({"at": "2099-01-05T15:00:00Z", "attendees": ["bob"], "room": "x"}, 400, "room"),
])
def test_bad_input_names_the_field_and_writes_nothing(env, body, code, word):
    srv, smtp, iid, pmid = env
    st, j = srv.api("PUT", f"/api/v1/postmortems/{pmid}/review", body)
    assert st == code and word in j["error"]["message"], j
    assert srv.api("GET", f"/api/v1/postmortems/{pmid}")[1]["review"] is None
    assert not [e for e in srv.timeline(iid) if e["kind"] == "postmortem.review_scheduled"]
    assert srv.request("GET", f"/api/v1/postmortems/{pmid}/review.ics").status == 404


def test_unknown_and_published(env):
    srv, smtp, iid, pmid = env
    st, j = srv.api("PUT", "/api/v1/postmortems/PM-nope/review",
                    {"at": "2099-01-05T15:00:00Z", "attendees": ["bob"]})
    assert st == 404 and "id" in j["error"]["message"]
    srv.api("PATCH", f"/api/v1/postmortems/{pmid}", {"state": "in_review"})
    srv.api("PATCH", f"/api/v1/postmortems/{pmid}", {"state": "published"})
    st, j = srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
                    {"at": "2099-01-05T15:00:00Z", "attendees": ["bob"]})
    assert st == 409 and "state" in j["error"]["message"]
    viewer = srv.make_token("viewer")
    assert srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
                   {"at": "2099-01-05T15:00:00Z", "attendees": ["bob"]}, token=viewer)[0] == 403


def test_cli_meeting(env):
    srv, smtp, iid, pmid = env
    p = srv.cli("postmortem", "meeting", iid, "2099-02-01T10:00:00Z", "alice,bob",
                "--duration", "30m")
    assert p.returncode == 0, p.stderr
    assert "30 min" in p.stdout and "invite #1" in p.stdout
    rv = srv.api("GET", f"/api/v1/postmortems/{pmid}")[1]["review"]
    assert rv["attendees"] == ["alice", "bob"] and rv["minutes"] == 30
    p = srv.cli("postmortem", "meeting", iid, "2099-02-01T10:00:00Z", "zed")
    assert p.returncode == 1 and "attendees[0]" in p.stderr
    p = srv.cli("postmortem", "meeting", iid, "2099-02-01T10:00:00Z")
    assert p.returncode == 2


def test_move_sends_a_cancellation_to_the_dropped_attendee(env):
    srv, smtp, iid, pmid = env
    srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
            {"at": "2099-01-05T15:00:00Z", "attendees": ["alice", "bob"]})
    assert len(invites(smtp, 2)) == 2
    srv.advance("2m")
    st, j = srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
                    {"at": "2099-01-06T09:00:00Z", "attendees": ["bob"]})
    assert st == 200 and j["review"]["sequence"] == 2
    srv.advance("2m")  # past the notify throttle window of each one's first mail
    got = invites(smtp, 4)
    cancels = [m for m in got if m[2]["Subject"].startswith("Cancelled")]
    assert len(cancels) == 1 and cancels[0][1] == ["alice@example.com"], [m[2]["Subject"] for m in got]
    assert cancels[0][2]["Subject"] == f"Cancelled: post-mortem review of {iid}"
    assert calendar_method(cancels[0][2]) == "CANCEL"
    ics = calendar(cancels[0][2])
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "METHOD:REQUEST" not in ics
    assert f"UID:review-{pmid}@tocsin" in ics and "SEQUENCE:2" in ics
    assert "mailto:alice@example.com" in ics and "mailto:bob@example.com" not in ics
    moved = [m for m in got if m[2]["Subject"].startswith("Moved")]
    assert len(moved) == 1 and moved[0][1] == ["bob@example.com"]
    assert calendar_method(moved[0][2]) == "REQUEST"
    tl = [e for e in srv.timeline(iid) if e["kind"] == "postmortem.review_scheduled"]
    assert tl[0]["data"]["dropped"] == [] and tl[1]["data"]["dropped"] == ["alice"]
    assert tl[1]["data"]["cancel_not_sent"] == []


def test_cancel_meeting_cancels_for_everyone(env):
    srv, smtp, iid, pmid = env
    srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
            {"at": "2099-01-05T15:00:00Z", "attendees": ["alice", "bob"]})
    assert len(invites(smtp, 2)) == 2
    srv.advance("2m")
    assert srv.api("DELETE", f"/api/v1/postmortems/{pmid}/review", token=srv.make_token("viewer"))[0] == 403
    st, j = srv.api("DELETE", f"/api/v1/postmortems/{pmid}/review")
    assert st == 200 and j["review"] is None, j
    srv.advance("2m")
    got = [m for m in invites(smtp, 4) if m[2]["Subject"].startswith("Cancelled")]
    assert sorted(m[1][0] for m in got) == ["alice@example.com", "bob@example.com"]
    for m in got:
        ics = calendar(m[2])
        assert "METHOD:CANCEL" in ics and "SEQUENCE:2" in ics and f"UID:review-{pmid}@tocsin" in ics
        assert "DTSTART:20990105T150000Z" in ics
    tl = [e for e in srv.timeline(iid) if e["kind"] == "postmortem.review_cancelled"]
    assert len(tl) == 1 and tl[0]["data"]["attendees"] == ["alice", "bob"]
    assert tl[0]["data"]["sequence"] == 2 and tl[0]["data"]["at"] == "2099-01-05T15:00:00Z"
    assert srv.api("GET", f"/api/v1/postmortems/{pmid}")[1]["review"] is None
    assert srv.request("GET", f"/api/v1/postmortems/{pmid}/review.ics").status == 404
    st, j = srv.api("DELETE", f"/api/v1/postmortems/{pmid}/review")
    assert st == 409 and j["error"]["message"].startswith("review:"), j
    assert srv.api("DELETE", "/api/v1/postmortems/PM-nope/review")[0] == 404
    # a new meeting after a cancellation carries on the SEQUENCE (calendars keep the UID)
    st, j = srv.api("PUT", f"/api/v1/postmortems/{pmid}/review",
                    {"at": "2099-01-07T15:00:00Z", "attendees": ["bob"]})
    assert st == 200 and j["review"]["sequence"] == 3


def test_cancel_a_meeting_that_is_over_is_409_and_cli(env):
    srv, smtp, iid, pmid = env
    now = datetime.fromisoformat(srv.now().replace("Z", "+00:00"))
    soon = (now + timedelta(hours=1)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    p = srv.cli("postmortem", "meeting", iid, soon, "alice")
    assert p.returncode == 0, p.stderr
    srv.advance("2h")
    p = srv.cli("postmortem", "cancel-meeting", iid)
    assert p.returncode == 1 and "over" in p.stderr, p.stderr
    assert srv.api("GET", f"/api/v1/postmortems/{pmid}")[1]["review"]["at"] is not None
    p = srv.cli("postmortem", "meeting", iid, "2099-03-01T10:00:00Z", "alice,bob")
    assert p.returncode == 0, p.stderr
    p = srv.cli("postmortem", "cancel-meeting", pmid)
    assert p.returncode == 0 and "cancelled" in p.stdout, p.stderr
    assert srv.api("GET", f"/api/v1/postmortems/{pmid}")[1]["review"] is None
