"""Hand-offs (issue 16 item 10): the message the incoming on-call gets when a shift starts lists the
open incidents, the incidents resolved within the schedule's `handoff_recent` (marked resolved,
with their post-mortem state), and the `phase: handoff` checklists; bud.yaml's 9.2 hand-off
checklist reaches the incoming on-call. The dev clock is moved to the shift change."""
import datetime
import json
import os

from tocsin_harness import parse_time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 30m, notify: [email], postmortem: {required: true, due: 48h}}
  - {id: SEV2, name: Major, ack_within: 30m, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
  - {id: bob, name: Bob, email: bob@example.com}
schedules:
  - {id: primary, timezone: UTC, handoff_recent: 2d,
     rotation: {every: 1d, handoff: "09:00", users: [alice, bob]}}
  - {id: quiet, timezone: UTC, handoff_recent: 0s,
     rotation: {every: 1d, handoff: "09:00", users: [bob, alice]}}
checklists:
  - {id: handover, title: Hand-off checklist, phase: handoff, items: ["Read the recent incidents"]}
postmortem_templates:
  - {id: major, when: {severity: [SEV1]}, sections: [summary, timeline]}
services:
  - {id: api, name: API}
"""


def handoffs(srv, schedule):
    """[(timeline data, message body)] of the hand-offs of `schedule`, oldest first."""
    con = srv.db()
    try:
        rows = con.execute("SELECT data FROM timeline WHERE kind = 'oncall.handoff' ORDER BY seq").fetchall()
        out = []
        for (data,) in rows:
            d = json.loads(data)
            if d["schedule"] != schedule:
                continue
            key = f"handoff:{schedule}/{d['layer']}/%"
            body = con.execute("SELECT body FROM notifications WHERE kind = 'handoff' AND dkey LIKE ? "
                               "AND user_id = ? ORDER BY id DESC", (key, d["user"])).fetchall()
            out.append((d, [b for (b,) in body]))
        return out
    finally:
        con.close()


def to_next(srv, hour):
    """Moves the dev clock just past the next HH:00 UTC; returns that instant."""
    now = parse_time(srv.now())
    nxt = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if nxt <= now:
        nxt += datetime.timedelta(days=1)
    srv.advance(f"{int((nxt - now).total_seconds()) + 1}s")
    return nxt


def test_handoff_lists_recently_resolved_with_postmortem_state(make_server):
    srv = make_server(dev_clock=True, config_text=CONFIG)
    shift = to_next(srv, 10)  # 10:00, clear of the 09:00 hand-off
    old = srv.create("Old outage", "SEV2", service="api")
    srv.move(old["id"], "resolved")
    srv.advance("50h")  # beyond the 2-day window by the next hand-off
    sev1 = srv.create("Checkout down", "SEV1", service="api")
    srv.move(sev1["id"], "resolved")
    srv.advance("1m")  # resolutions a minute apart: their order is certain
    sev1b = srv.create("Payments down", "SEV1", service="api")
    srv.move(sev1b["id"], "resolved")
    st, pm = srv.api("POST", f"/api/v1/incidents/{sev1b['id']}/postmortem", {})
    assert st == 201, pm
    srv.advance("1m")
    minor = srv.create("Search slow", "SEV2", service="api")
    srv.move(minor["id"], "resolved")
    still = srv.create("Login errors", "SEV2", service="api")
    shift = to_next(srv, 9)
    d, bodies = handoffs(srv, "primary")[-1]
    assert parse_time(d["from"]) == shift
    assert d["open"] == 1 and d["resolved"] == 3, d
    assert bodies, d
    text = bodies[0]
    opened, _, resolved = text.partition("Resolved in the last 2d:")
    assert resolved, text
    assert still["id"] in opened and sev1["id"] not in opened, text
    lines = {ln.split()[1]: ln for ln in resolved.splitlines() if ln.startswith("  - ")}
    assert set(lines) == {sev1["id"], sev1b["id"], minor["id"]}, text  # not the 50 h old one
    assert old["id"] not in text
    assert "resolved" in lines[sev1["id"]] and "no post-mortem yet (required)" in lines[sev1["id"]]
    assert f"post-mortem {pm['id']} draft, due " in lines[sev1b["id"]], text
    assert "no post-mortem required" in lines[minor["id"]]
    # newest resolution first
    order = [ln.split()[1] for ln in resolved.splitlines() if ln.startswith("  - ")]
    assert order == [minor["id"], sev1b["id"], sev1["id"]], order
    assert "Read the recent incidents" in resolved
    # handoff_recent: 0s lists no resolved incident
    dq, bq = handoffs(srv, "quiet")[-1]
    assert dq["resolved"] == 0 and "Resolved in the last" not in bq[0], bq
    st, j = srv.api("GET", "/api/v1/schedules/primary")
    assert st == 200 and j["handoff_recent"] == "2d", j
    st, j = srv.api("GET", "/api/v1/schedules/quiet")
    assert st == 200 and j["handoff_recent"] is None, j


def test_bud_handoff_checklist_reaches_the_incoming_on_call(make_server):
    """bud.yaml: the 9.2 hand-off checklist goes to whoever comes on call on Monday 09:00 UTC
    (with the default one-week window), and is not attached to incidents."""
    with open(os.path.join(ROOT, "examples", "bud.yaml")) as f:
        srv = make_server(dev_clock=True, config_text=f.read())
    srv.pin_clock("2099-06-22T08:00:00Z")  # a Monday
    inc = srv.create("Inference failing", "SEV2", service="budapp")
    srv.move(inc["id"], "resolved")
    srv.advance("61m")
    d, bodies = handoffs(srv, "oncall")[-1]
    assert d["from"] == "2099-06-22T09:00:00Z" and d["resolved"] == 1, d
    assert bodies, d
    assert "9.2 Handoff checklist" in bodies[0] and "New on-call acknowledged" in bodies[0], bodies[0]
    assert "Resolved in the last 7d:" in bodies[0] and inc["id"] in bodies[0], bodies[0]
    st, j = srv.api("GET", f"/api/v1/incidents/{inc['id']}/checklists")
    assert st == 200, j
    assert all(c.get("checklist_id", c.get("id")) != "handoff" for c in j["checklists"]), j
