"""On call: schedules, who is on call, overrides, the iCalendar feed, the oncall/override verbs.

Expectations are computed here from the rotation rules (docs/config.md, schedules): hand-off k of
a rotation is start's first hand-off + k shifts, shift k goes to users[k mod n]. The times used
are either fixed (`at=...` in 2024) or read from the server's clock.
"""
import datetime
import json
import os
import re

import pytest

from tocsin_harness import FIXTURE_CONFIG, parse_time, run_bin

UTC = datetime.timezone.utc
SCHEDULES = """schedules:
  - id: primary
    timezone: UTC
    rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob]}
  - id: berlin
    timezone: Europe/Berlin
    rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob, carol]}
  - id: sun
    name: Follow the sun
    timezone: America/New_York
    layers:
      - name: business
        rotation: {every: 1d, handoff: "09:00", users: [carol, bob]}
        restrictions: ["mon-fri 09:00-17:00"]
      - name: nights
        rotation: {every: 1w, handoff: "fri 18:00", users: [alice]}
        restrictions: ["mon-fri 17:00-09:00", "sat,sun 00:00-24:00", "mon 00:00-09:00"]
  - id: hourly
    timezone: UTC
    rotation: {every: 1h, handoff: "00:00", users: [alice, bob, carol], start: "2025-01-01"}
"""
PRIMARY_H0 = datetime.datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
HOURLY_H0 = datetime.datetime(2025, 1, 1, 0, 0, tzinfo=UTC)


def fixture_text():
    with open(FIXTURE_CONFIG) as f:
        return f.read()


def config_text():
    return fixture_text() + SCHEDULES


def iso(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rotation(h0, every, users, t):
    """(user, from, until) of a rotation with hand-offs every `every` from h0, at t."""
    k = (t - h0) // every
    return users[k % len(users)], h0 + k * every, h0 + (k + 1) * every


@pytest.fixture
def osrv(make_server):
    return make_server(config_text=config_text())


@pytest.fixture
def oclock(make_server):
    return make_server(dev_clock=True, config_text=config_text())


def oncall(srv, **q):
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    st, j = srv.api("GET", "/api/v1/oncall" + (f"?{qs}" if qs else ""))
    assert st == 200, (st, j)
    return j


def entry(j, schedule, layer):
    found = [e for e in j["oncall"] if e["schedule"] == schedule and e["layer"] == layer]
    assert len(found) == 1, (schedule, layer, j)
    return found[0]


def make_override(srv, schedule="primary", token=None, **body):
    kw = {} if token is None else {"token": token}
    st, j = srv.api("POST", f"/api/v1/schedules/{schedule}/overrides", body, **kw)
    return st, j


def timeline_kinds(srv, prefix):
    con = srv.db()
    try:
        return [(k, json.loads(d), i) for k, d, i in con.execute(
            "SELECT kind, data, incident_id FROM timeline WHERE kind LIKE ? ORDER BY seq",
            (prefix + "%",))]
    finally:
        con.close()


# --- schedules ----------------------------------------------------------------------------------

def test_schedules_list_and_get(osrv):
    viewer = osrv.make_token("viewer")
    st, j = osrv.api("GET", "/api/v1/schedules", token=viewer)
    assert st == 200, j
    ids = [s["id"] for s in j["schedules"]]
    assert ids == ["primary", "berlin", "sun", "hourly"]
    sun = j["schedules"][2]
    assert sun["name"] == "Follow the sun" and sun["timezone"] == "America/New_York"
    assert [l["name"] for l in sun["layers"]] == ["business", "nights"]
    biz = sun["layers"][0]
    assert biz["rotation"] == {"every": "1d", "handoff": "09:00", "users": ["carol", "bob"],
                               "start": "2024-01-01"}
    assert biz["restrictions"] == ["mon-fri 09:00-17:00"]
    assert set(biz["oncall"]) == {"user", "from", "until", "override"}
    hourly = j["schedules"][3]["layers"][0]
    assert hourly["name"] == "primary"  # the shorthand's one layer
    assert hourly["rotation"]["start"] == "2025-01-01"
    user, frm, until = rotation(HOURLY_H0, datetime.timedelta(hours=1), ["alice", "bob", "carol"],
                                parse_time(hourly["oncall"]["from"]))
    assert hourly["oncall"]["user"] == user
    assert hourly["oncall"]["until"] == iso(until)

    st, one = osrv.api("GET", "/api/v1/schedules/sun", token=viewer)
    assert st == 200 and one["id"] == "sun" and len(one["layers"]) == 2
    st, e = osrv.api("GET", "/api/v1/schedules/nope")
    assert st == 404 and "nope" in e["error"]["message"]
    assert osrv.request("GET", "/api/v1/schedules", token=None).status == 401
    assert osrv.request("GET", "/api/v1/schedules/sun", token=None).status == 401
    assert osrv.request("GET", "/api/v1/schedules/sun", token="tcn_wrong").status == 401


def test_oncall_at_fixed_times(osrv):
    j = oncall(osrv, at="2024-01-03T12:00:00Z")
    assert j["at"] == "2024-01-03T12:00:00Z"
    # one entry for the schedule as a whole, then one per layer, in file order
    assert [(e["schedule"], e["layer"]) for e in j["oncall"]] == [
        ("primary", None), ("primary", "primary"), ("berlin", None), ("berlin", "primary"),
        ("sun", None), ("sun", "business"), ("sun", "nights"), ("hourly", None),
        ("hourly", "primary")]
    p = entry(j, "primary", None)
    assert (p["user"], p["from"], p["until"], p["override"]) == (
        "alice", "2024-01-01T09:00:00Z", "2024-01-08T09:00:00Z", None)
    # 07:00 in New York: still the night layer
    assert entry(j, "sun", None)["user"] == "alice"
    assert entry(j, "sun", "nights")["until"] == "2024-01-03T14:00:00Z"
    # follow the sun, Wednesday 12:00 in New York: business hours
    j = oncall(osrv, at="2024-01-03T17:00:00Z")
    assert entry(j, "sun", None)["user"] == "carol"
    assert entry(j, "sun", "business")["until"] == "2024-01-03T22:00:00Z"
    nights = entry(j, "sun", "nights")
    assert nights["user"] is None and nights["until"] == "2024-01-03T22:00:00Z"
    # Saturday: nights cover Friday 17:00 to Monday 09:00 New York time
    j = oncall(osrv, at="2024-01-06T17:00:00Z", schedule="sun")
    assert [e["layer"] for e in j["oncall"]] == [None, "business", "nights"]
    whole = entry(j, "sun", None)
    assert (whole["user"], whole["from"], whole["until"]) == (
        "alice", "2024-01-05T22:00:00Z", "2024-01-08T14:00:00Z")
    # Berlin's hand-off stays at 09:00 local across DST: the shift of 2024-03-25 lasts 167 h
    b = entry(oncall(osrv, at="2024-03-28T00:00:00Z", schedule="berlin"), "berlin", "primary")
    assert (b["from"], b["until"]) == ("2024-03-25T08:00:00Z", "2024-04-01T07:00:00Z")
    assert b["user"] == "alice"  # week 12 of alice, bob, carol
    # an offset time is accepted and answered in UTC
    j = oncall(osrv, at="2024-01-03T13:00:00%2B01:00", schedule="primary")
    assert j["at"] == "2024-01-03T12:00:00Z"


def test_oncall_now_and_relative(osrv):
    j = oncall(osrv)
    at = parse_time(j["at"])
    p = entry(j, "primary", "primary")
    user, frm, until = rotation(PRIMARY_H0, datetime.timedelta(weeks=1), ["alice", "bob"], at)
    assert (p["user"], p["from"], p["until"]) == (user, iso(frm), iso(until))
    j2 = oncall(osrv, at="%2B7d", schedule="primary")  # +7d
    assert parse_time(j2["at"]) - at >= datetime.timedelta(days=7)
    assert entry(j2, "primary", "primary")["user"] != user
    j3 = oncall(osrv, at="-1h", schedule="hourly")
    # one hour before the second request's now; `at` is written in whole seconds, so the first
    # request's now (cut to its second) may be up to 1 s less than an hour after it
    assert at - parse_time(j3["at"]) >= datetime.timedelta(hours=1) - datetime.timedelta(seconds=1)


@pytest.mark.parametrize("q", ["at=yesterday", "at=2024-13-01T00:00:00Z", "at=%2B5x", "at="])
def test_oncall_bad_at(osrv, q):
    st, e = osrv.api("GET", f"/api/v1/oncall?{q}")
    assert st == 400 and e["error"]["message"].startswith("at:"), e


def test_oncall_unknown_schedule_and_auth(osrv):
    st, e = osrv.api("GET", "/api/v1/oncall?schedule=ghost")
    assert st == 404 and "ghost" in e["error"]["message"]
    assert osrv.request("GET", "/api/v1/oncall", token=None).status == 401
    viewer = osrv.make_token("viewer")
    assert osrv.request("GET", "/api/v1/oncall", token=viewer).status == 200


def test_dev_clock_moves_across_handoff(oclock):
    j = oncall(oclock, schedule="hourly")
    before = entry(j, "hourly", None)
    now = parse_time(oclock.now())
    user, frm, until = rotation(HOURLY_H0, datetime.timedelta(hours=1), ["alice", "bob", "carol"],
                                now)
    assert (before["user"], before["until"]) == (user, iso(until))
    step = int((until - now).total_seconds()) + 1
    oclock.advance(f"{step}s")
    after = entry(oncall(oclock, schedule="hourly"), "hourly", None)
    nxt = ["alice", "bob", "carol"][(["alice", "bob", "carol"].index(user) + 1) % 3]
    assert after["user"] == nxt
    assert after["from"] == before["until"]
    assert parse_time(after["until"]) - parse_time(after["from"]) == datetime.timedelta(hours=1)
    # an override starting "now" follows the dev clock, not the wall clock
    st, o = make_override(oclock, schedule="hourly", user=user, **{"from": "now", "to": "+30m"})
    assert st == 201, o
    assert parse_time(o["from"]) >= parse_time(after["from"])
    assert entry(oncall(oclock, schedule="hourly"), "hourly", None)["user"] == user
    oclock.advance("31m")
    assert entry(oncall(oclock, schedule="hourly"), "hourly", None)["user"] == nxt


# --- overrides ----------------------------------------------------------------------------------

def test_override_lifecycle(osrv):
    st, o = make_override(osrv, user="carol", reason="swap with alice",
                          **{"from": "-1h", "to": "+2h"})
    assert st == 201, o
    assert re.match(r"^ovr_[0-9a-f]{16}$", o["id"])
    assert (o["schedule"], o["layer"], o["user"], o["reason"]) == ("primary", None, "carol",
                                                                    "swap with alice")
    assert parse_time(o["to"]) - parse_time(o["from"]) == datetime.timedelta(hours=3)
    assert o["created_by"].startswith("token:")
    j = oncall(osrv, schedule="primary")
    whole = entry(j, "primary", None)
    assert (whole["user"], whole["override"]) == ("carol", o["id"])
    assert (whole["from"], whole["until"]) == (o["from"], o["to"])
    assert entry(j, "primary", "primary")["override"] is None  # a schedule-wide override
    st, lst = osrv.api("GET", "/api/v1/schedules/primary/overrides")
    assert st == 200 and [x["id"] for x in lst["overrides"]] == [o["id"]]
    st, alll = osrv.api("GET", "/api/v1/overrides")
    assert st == 200 and [x["id"] for x in alll["overrides"]] == [o["id"]]
    st, none = osrv.api("GET", "/api/v1/schedules/berlin/overrides")
    assert st == 200 and none["overrides"] == []
    # windows: ?from/?to select overlapping ones
    st, later = osrv.api("GET", "/api/v1/schedules/primary/overrides?from=%2B3h&to=%2B4h")
    assert st == 200 and later["overrides"] == []
    st, e = osrv.api("GET", "/api/v1/schedules/primary/overrides?from=%2B3h&to=%2B1h")
    assert st == 400 and e["error"]["message"].startswith("to:")
    st, e = osrv.api("GET", "/api/v1/schedules/primary/overrides?from=soon")
    assert st == 400 and e["error"]["message"].startswith("from:")

    st, gone = osrv.api("DELETE", f"/api/v1/overrides/{o['id']}")
    assert st == 200 and gone["id"] == o["id"] and gone["removed_at"]
    st, e = osrv.api("DELETE", f"/api/v1/overrides/{o['id']}")
    assert st == 404 and o["id"] in e["error"]["message"]
    st, e = osrv.api("DELETE", "/api/v1/overrides/ovr_nope")
    assert st == 404
    assert entry(oncall(osrv, schedule="primary"), "primary", None)["override"] is None
    st, lst = osrv.api("GET", "/api/v1/schedules/primary/overrides")
    assert lst["overrides"] == []
    kinds = timeline_kinds(osrv, "override.")
    assert [k for k, _, _ in kinds] == ["override.created", "override.removed"]
    assert kinds[0][1]["id"] == o["id"] and kinds[0][1]["user"] == "carol"
    assert kinds[0][2] is None  # not about an incident
    assert osrv.verify()["valid"] is True


def test_override_on_a_layer(osrv):
    at = "2024-01-03T17:00:00Z"  # Wednesday 12:00 in New York
    st, o = make_override(osrv, schedule="sun", layer="business", user="alice",
                          **{"from": "now", "to": "+1h"})
    assert st == 201 and o["layer"] == "business", o
    # in the past the override does not matter
    assert entry(oncall(osrv, at=at, schedule="sun"), "sun", None)["user"] == "carol"
    j = oncall(osrv, schedule="sun")
    biz, whole = entry(j, "sun", "business"), entry(j, "sun", None)
    assert (biz["user"], biz["override"]) == ("alice", o["id"])
    # business is the first layer: while it has someone, it answers for the schedule
    assert (whole["user"], whole["override"]) == ("alice", o["id"])
    assert entry(j, "sun", "nights")["override"] is None


def test_override_overlap_refused(osrv):
    st, a = make_override(osrv, user="bob", **{"from": "+1h", "to": "+3h"})
    assert st == 201, a
    st, e = make_override(osrv, user="carol", **{"from": "+2h", "to": "+4h"})
    assert st == 409, e
    msg = e["error"]["message"]
    assert a["id"] in msg and a["from"] in msg and a["to"] in msg
    st, e = make_override(osrv, user="carol", **{"from": "now", "to": "+5h"})
    assert st == 409 and a["id"] in e["error"]["message"]
    # touching windows do not overlap; another layer is another layer
    st, b = make_override(osrv, user="carol", **{"from": a["to"], "to": "+5h"})
    assert st == 201, b
    st, c = make_override(osrv, user="carol", layer="primary", **{"from": "+1h", "to": "+3h"})
    assert st == 201, c
    st, e = make_override(osrv, user="alice", layer="primary", **{"from": "+2h", "to": "+6h"})
    assert st == 409 and c["id"] in e["error"]["message"]
    # other schedules are separate
    st, d = make_override(osrv, schedule="berlin", user="carol", **{"from": "+1h", "to": "+3h"})
    assert st == 201, d
    # once removed, the window is free again
    assert osrv.api("DELETE", f"/api/v1/overrides/{a['id']}")[0] == 200
    st, f = make_override(osrv, user="carol", **{"from": "+2h", "to": a["to"]})
    assert st == 201, f
    assert [k for k, _, _ in timeline_kinds(osrv, "override.")].count("override.created") == 5


@pytest.mark.parametrize("body,status,field", [
    ({"user": "ghost", "from": "now", "to": "+1h"}, 422, "user"),
    ({"user": "bob", "from": "now", "to": "+1h", "layer": "weekend"}, 422, "layer"),
    ({"user": "bob", "from": "+2h", "to": "+1h"}, 400, "to"),
    ({"user": "bob", "from": "+1h", "to": "+1h"}, 400, "to"),
    ({"user": "bob", "from": "-3h", "to": "-1h"}, 400, "to"),
    ({"user": "bob", "from": "tomorrow", "to": "+1h"}, 400, "from"),
    ({"user": "bob", "from": "now", "to": "2024-02-30T00:00:00Z"}, 400, "to"),
    ({"user": "bob", "to": "+1h"}, 400, "from"),
    ({"from": "now", "to": "+1h"}, 400, "user"),
    ({"user": 7, "from": "now", "to": "+1h"}, 400, "user"),
    ({"user": "bob", "from": "now", "to": "+1h", "colour": "red"}, 400, "colour"),
    ({"user": "bob", "from": "now", "to": "+1h", "reason": "x" * 1001}, 400, "reason"),
])
def test_override_validation(osrv, body, status, field):
    st, e = make_override(osrv, **body)
    assert st == status, (body, e)
    assert e["error"]["message"].startswith(field), e
    assert timeline_kinds(osrv, "override.") == []


def test_override_bad_requests(osrv):
    st, e = make_override(osrv, schedule="nope", user="bob", **{"from": "now", "to": "+1h"})
    assert st == 404 and "nope" in e["error"]["message"]
    r = osrv.request("POST", "/api/v1/schedules/primary/overrides", raw="{not json")
    assert r.status == 400
    r = osrv.request("POST", "/api/v1/schedules/primary/overrides", raw="[1]")
    assert r.status == 400
    viewer, responder = osrv.make_token("viewer"), osrv.make_token("responder")
    body = {"user": "bob", "from": "now", "to": "+1h"}
    assert make_override(osrv, token=viewer, **body)[0] == 403
    r = osrv.request("POST", "/api/v1/schedules/primary/overrides", body, token=None)
    assert r.status == 401
    st, o = make_override(osrv, token=responder, **body)
    assert st == 201 and o["created_by"].startswith("token:responder")
    assert osrv.request("DELETE", f"/api/v1/overrides/{o['id']}", token=viewer).status == 403
    assert osrv.request("DELETE", f"/api/v1/overrides/{o['id']}", token=None).status == 401
    assert osrv.request("GET", "/api/v1/overrides", token=viewer).status == 200
    assert osrv.request("DELETE", f"/api/v1/overrides/{o['id']}", token=responder).status == 200


def test_override_survives_kill9(osrv):
    st, o = make_override(osrv, user="carol", **{"from": "now", "to": "+6h"})
    assert st == 201, o
    osrv.kill9()
    osrv.start()
    st, lst = osrv.api("GET", "/api/v1/schedules/primary/overrides")
    assert st == 200 and [x["id"] for x in lst["overrides"]] == [o["id"]]
    assert entry(oncall(osrv, schedule="primary"), "primary", None)["user"] == "carol"
    assert osrv.verify()["valid"] is True


# --- iCalendar ---------------------------------------------------------------------------------

def parse_ics(raw):
    """Checks the framing (CRLF, lines <= 75 octets, BEGIN/END pairing); returns the events as
    lists of (name, value) after unfolding."""
    assert raw.endswith(b"\r\n"), raw[-20:]
    lines = raw[:-2].split(b"\r\n")
    for ln in lines:
        assert len(ln) <= 75, f"line longer than 75 octets: {ln!r}"
        assert b"\n" not in ln and b"\r" not in ln
    unfolded = []
    for ln in lines:
        if ln[:1] in (b" ", b"\t"):
            assert unfolded, "continuation line first"
            unfolded[-1] += ln[1:]
        else:
            unfolded.append(ln)
    text = [ln.decode("utf-8") for ln in unfolded]
    stack, events, cur = [], [], None
    for ln in text:
        name, _, value = ln.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                cur = []
        elif name == "END":
            assert stack and stack[-1] == value, (stack, ln)
            stack.pop()
            if value == "VEVENT":
                events.append(cur)
                cur = None
        elif cur is not None:
            cur.append((name, value))
    assert stack == [] and text[0] == "BEGIN:VCALENDAR" and text[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in text and any(t.startswith("PRODID:") for t in text)
    return [dict(e) for e in events]


def ics_time(v):
    return datetime.datetime.strptime(v, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def test_ics_feed(osrv):
    long_reason = "covering for the conference; " * 12
    st, o = make_override(osrv, schedule="sun", layer="business", user="bob", reason=long_reason,
                          **{"from": "+1d", "to": "+1d2h"})
    assert st == 201, o
    r = osrv.request("GET", "/api/v1/schedules/sun.ics")
    assert r.status == 200, r
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse_ics(r.body)
    now = parse_time(oncall(osrv)["at"])
    assert len(events) > 30
    for ev in events:
        for key in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert key in ev, ev
        assert ev["SUMMARY"].startswith("On call: ")
        start, end = ics_time(ev["DTSTART"]), ics_time(ev["DTEND"])
        assert start < end
        assert end > now - datetime.timedelta(days=7, minutes=1)
        assert start < now + datetime.timedelta(days=60, minutes=1)
    uids = [ev["UID"] for ev in events]
    assert len(set(uids)) == len(uids)
    assert {ev["SUMMARY"].split("(")[1] for ev in events} == {"sun/business)", "sun/nights)"}
    # the long reason is folded on the wire and whole after unfolding
    desc = [ev for ev in events if "DESCRIPTION" in ev]
    assert len(desc) == 1 and long_reason.strip() in desc[0]["DESCRIPTION"].replace("\\;", ";")
    assert desc[0]["SUMMARY"] == "On call: bob (sun/business)"
    # the current shift of each layer matches /api/v1/oncall
    j = oncall(osrv, schedule="sun")
    for layer in ("business", "nights"):
        e = entry(j, "sun", layer)
        if e["user"] is None:
            continue
        cur = [ev for ev in events if ev["SUMMARY"] == f"On call: {e['user']} (sun/{layer})"
               and ics_time(ev["DTSTART"]) <= now < ics_time(ev["DTEND"])]
        assert len(cur) == 1, (layer, e)
        assert iso(ics_time(cur[0]["DTSTART"])) == e["from"]
        assert iso(ics_time(cur[0]["DTEND"])) == e["until"]
    # stable UIDs: the same feed again names the same events
    again = parse_ics(osrv.request("GET", "/api/v1/schedules/sun.ics").body)
    assert [ev["UID"] for ev in again] == uids


def test_ics_primary_matches_oncall_and_wide_override(osrv):
    st, o = make_override(osrv, user="carol", **{"from": "+2h", "to": "+5h"})
    assert st == 201
    events = parse_ics(osrv.request("GET", "/api/v1/schedules/primary.ics").body)
    e = entry(oncall(osrv, schedule="primary"), "primary", "primary")
    cur = [ev for ev in events if ev["DTSTART"] == parse_time(e["from"]).strftime("%Y%m%dT%H%M%SZ")
           and ev["SUMMARY"] == f"On call: {e['user']} (primary/primary)"]
    assert len(cur) == 1 and iso(ics_time(cur[0]["DTEND"])) == e["until"]
    wide = [ev for ev in events if ev["SUMMARY"] == "On call: carol (primary)"]
    assert len(wide) == 1
    assert iso(ics_time(wide[0]["DTSTART"])) == o["from"]
    assert iso(ics_time(wide[0]["DTEND"])) == o["to"]
    assert o["id"] in wide[0]["DESCRIPTION"]
    weekly = [ev for ev in events if ev["SUMMARY"].endswith("(primary/primary)")]
    assert 9 <= len(weekly) <= 11  # 7 days back to 60 days ahead, weekly


def test_ics_query_token(osrv):
    viewer = osrv.make_token("viewer")
    r = osrv.request("GET", f"/api/v1/schedules/primary.ics?token={viewer}", token=None)
    assert r.status == 200 and r.body.startswith(b"BEGIN:VCALENDAR")
    r = osrv.request("GET", "/api/v1/schedules/primary.ics", token=viewer)
    assert r.status == 200
    assert osrv.request("GET", "/api/v1/schedules/primary.ics", token=None).status == 401
    r = osrv.request("GET", "/api/v1/schedules/primary.ics?token=tcn_nope", token=None)
    assert r.status == 401
    assert osrv.request("GET", "/api/v1/schedules/nope.ics", token=viewer).status == 404
    # the query token works for the feed only
    for path in ("/api/v1/schedules/primary", "/api/v1/schedules", "/api/v1/oncall",
                 "/api/v1/schedules/primary/overrides", "/api/v1/incidents"):
        r = osrv.request("GET", f"{path}?token={viewer}", token=None)
        assert r.status == 401, (path, r)
    # a revoked token no longer opens the feed
    st, toks = osrv.api("GET", "/api/v1/tokens")
    tid = [t["id"] for t in toks["tokens"] if t["role"] == "viewer"][0]
    assert osrv.api("DELETE", f"/api/v1/tokens/{tid}")[0] == 200
    r = osrv.request("GET", f"/api/v1/schedules/primary.ics?token={viewer}", token=None)
    assert r.status == 401
    # integration keys are not user tokens
    st, integ = osrv.api("POST", "/api/v1/integrations", {"service": "api", "type": "generic"})
    assert st == 201, integ
    r = osrv.request("GET", f"/api/v1/schedules/primary.ics?token={integ['key']}", token=None)
    assert r.status == 403


# --- check-config --------------------------------------------------------------------------------

def check_config(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    p = run_bin("check-config", str(path))
    return p, str(path)


def line_of(text, needle):
    return text.splitlines().index(needle) + 1


def test_check_config_schedules_valid(tmp_path):
    p, _ = check_config(tmp_path, config_text())
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("bad,needle,msg", [
    ("    timezone: Mars/Olympus_Mons", "    timezone: Mars/Olympus_Mons",
     'schedules[0].timezone: "Mars/Olympus_Mons" is not a known time zone'),
    ('    rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob], start: "2024-02-30"}',
     None, 'schedules[0].rotation.start: "2024-02-30" is not a date in the calendar'),
    ('    rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob], start: "soon"}',
     None, 'schedules[0].rotation.start: "soon" is not a date (YYYY-MM-DD'),
])
def test_check_config_schedule_errors(tmp_path, bad, needle, msg):
    text = config_text()
    if needle:
        text = text.replace("    timezone: UTC\n", bad + "\n", 1)
    else:
        text = text.replace('    rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob]}',
                            bad, 1)
    p, path = check_config(tmp_path, text)
    assert p.returncode == 1, p.stderr
    line = line_of(text, bad)
    assert f"{path}:{line}: {msg}" in p.stderr, p.stderr


@pytest.mark.parametrize("target,msg", [
    ("schedule:ghost", 'unknown schedule "ghost"'),
    ("schedule:sun/weekend", 'schedule "sun" has no layer "weekend"'),
])
def test_check_config_escalation_unknown_schedule(tmp_path, target, msg):
    text = config_text() + ("escalation_policies:\n  - id: p\n    steps:\n"
                            "      - {after: 0m, notify: [schedule:sun/business]}\n"
                            f"      - {{after: 5m, notify: [{target}]}}\n")
    p, path = check_config(tmp_path, text)
    assert p.returncode == 1, p.stderr
    line = line_of(text, f"      - {{after: 5m, notify: [{target}]}}")
    assert re.search(rf"{re.escape(path)}:{line}: escalation_policies\[0\]\.steps\[1\]\.notify"
                     rf"\[0\]: {re.escape(msg)}", p.stderr), p.stderr


# --- CLI ---------------------------------------------------------------------------------------

def test_cli_oncall(osrv):
    p = osrv.cli("oncall")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["SCHEDULE", "LAYER", "USER"]
    assert any(ln.split()[:2] == ["sun", "business"] for ln in lines)
    assert lines[-1].startswith("at ")
    p = osrv.cli("oncall", "--at", "2024-01-03T12:00:00Z", "--schedule", "primary")
    assert p.returncode == 0, p.stderr
    rows = [ln.split() for ln in p.stdout.splitlines()[1:-1]]
    assert [r[:3] for r in rows] == [["primary", "(all)", "alice"], ["primary", "primary", "alice"]]
    p = osrv.cli("oncall", "--json", "--at", "+1d", "-s", "hourly")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert [e["layer"] for e in j["oncall"]] == [None, "primary"]
    p = osrv.cli("oncall", "--at", "whenever")
    assert p.returncode == 2 and "--at" in p.stderr
    p = osrv.cli("oncall", "--schedule", "ghost")
    assert p.returncode == 1 and "ghost" in p.stderr
    p = osrv.cli("oncall", "--help")
    assert p.returncode == 0 and "usage: tocsin oncall" in p.stdout


def test_cli_override(osrv):
    p = osrv.cli("override", "sun", "bob", "--from", "now", "--to", "+2h", "--layer", "nights",
                 "-m", "swap")
    assert p.returncode == 0, p.stderr
    oid = p.stdout.splitlines()[0]
    assert re.match(r"^ovr_[0-9a-f]{16}$", oid)
    assert "nights" in p.stdout and "swap" in p.stdout
    p = osrv.cli("override", "primary", "carol", "--from", "+1h", "--to", "+3h", "--json")
    assert p.returncode == 0, p.stderr
    other = json.loads(p.stdout)["id"]
    p = osrv.cli("override", "list")
    assert p.returncode == 0, p.stderr
    assert oid in p.stdout and other in p.stdout and "2 overrides" in p.stdout
    p = osrv.cli("override", "list", "sun", "--json")
    assert p.returncode == 0 and [o["id"] for o in json.loads(p.stdout)["overrides"]] == [oid]
    # overlap: the server refuses (exit 1, its message on stderr)
    p = osrv.cli("override", "primary", "bob", "--from", "+2h", "--to", "+4h")
    assert p.returncode == 1 and other in p.stderr
    p = osrv.cli("override", "primary", "ghost", "--from", "now", "--to", "+1h")
    assert p.returncode == 1 and "user" in p.stderr
    p = osrv.cli("override", "remove", oid)
    assert p.returncode == 0 and p.stdout.strip() == f"{oid} removed"
    p = osrv.cli("override", "remove", oid)
    assert p.returncode == 1
    p = osrv.cli("override", "list", "sun")
    assert p.returncode == 0 and "no current or future overrides" in p.stdout


@pytest.mark.parametrize("args", [
    ("override",),
    ("override", "primary"),
    ("override", "primary", "bob"),
    ("override", "primary", "bob", "--from", "now"),
    ("override", "primary", "bob", "--from", "later", "--to", "+1h"),
    ("override", "primary", "bob", "extra", "--from", "now", "--to", "+1h"),
    ("override", "remove"),
    ("override", "list", "--from", "now"),
    ("override", "primary", "bob", "--from", "now", "--to", "+1h", "--colour", "red"),
])
def test_cli_override_usage(osrv, args):
    p = osrv.cli(*args)
    assert p.returncode == 2, (args, p.stdout, p.stderr)
    assert "usage: tocsin override" in p.stderr


def test_cli_unreachable():
    p = run_bin("oncall", env={"TOCSIN_URL": "http://127.0.0.1:9", "TOCSIN_TOKEN": "x"})
    assert p.returncode == 3


# --- pagination (issue 14: every list pages, docs/api.md "Lists") ------------------------------

def walk(srv, path, key, limit):
    """Every page of a list at `limit` items a page: the ids in order and the number of pages."""
    ids, cursor, pages = [], None, 0
    sep = "&" if "?" in path else "?"
    while True:
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        st, j = srv.api("GET", url)
        assert st == 200, (st, j)
        assert len(j[key]) <= limit
        ids += [x["id"] for x in j[key]]
        pages += 1
        cursor = j["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 100


def test_overrides_and_catalog_lists_page_with_next_cursor_and_the_cli_follows(osrv):
    made = []
    for h in range(1, 6):  # two at the same start on different schedules, the rest apart
        for schedule in (["primary", "berlin"] if h == 2 else ["primary"]):
            st, o = make_override(osrv, schedule=schedule, user="carol",
                                  **{"from": f"+{2 * h}h", "to": f"+{2 * h + 1}h"})
            assert st == 201, o
            made.append(o["id"])
    st, full = osrv.api("GET", "/api/v1/overrides?to=%2B30d")
    assert st == 200 and full["next_cursor"] is None and len(full["overrides"]) == 6
    every = [x["id"] for x in full["overrides"]]
    assert sorted(every) == sorted(made)
    for limit in (1, 2, 4):
        ids, pages = walk(osrv, "/api/v1/overrides?to=%2B30d", "overrides", limit)
        assert ids == every and pages == -(-6 // limit), (limit, ids, pages)
    r = osrv.request("GET", "/api/v1/overrides?limit=2")
    assert "rel=\"next\"" in (r.headers.get("Link") or ""), r.headers
    ids, _ = walk(osrv, "/api/v1/schedules/primary/overrides", "overrides", 2)
    assert len(ids) == 5 and len(set(ids)) == 5
    r = osrv.request("GET", "/api/v1/overrides?limit=0", check=False)
    assert r.status == 400 and r.json["error"]["message"].startswith("limit:"), r
    st, sch = osrv.api("GET", "/api/v1/schedules?limit=1")
    r = osrv.request("GET", f"/api/v1/overrides?cursor={sch['next_cursor']}", check=False)
    assert r.status == 400 and r.json["error"]["message"].startswith("cursor:"), r
    # the catalog lists: in config order, every item once, at any page size
    for path, key in (("/api/v1/schedules", "schedules"), ("/api/v1/users", "users"),
                      ("/api/v1/severities", "severities"), ("/api/v1/services", "services"),
                      ("/api/v1/incident_types", "incident_types")):
        st, j = osrv.api("GET", path)
        assert st == 200 and j["next_cursor"] is None, (path, j)
        whole = [x["id"] for x in j[key]]
        ids, pages = walk(osrv, path, key, 1)
        assert ids == whole and pages >= len(whole), (path, ids, whole)
    assert walk(osrv, "/api/v1/schedules", "schedules", 3)[0] == ["primary", "berlin", "sun",
                                                                  "hourly"]
    # the CLI reads every page (TOCSIN_CLI_PAGE=2: pages of two)
    p = osrv.cli("override", "list", "--json", env={"TOCSIN_CLI_PAGE": "2"})
    assert p.returncode == 0, p.stderr
    got = [x["id"] for x in json.loads(p.stdout)["overrides"]]
    assert sorted(got) == sorted(made) and len(got) == 6
