"""The clock's moves of a maintenance window are announced (issue 11; docs/internals/status_page.md
"Scheduled maintenance: the clock's moves"): when a scheduled window starts or ends by the clock
alone, its email subscribers get one mail, its webhook subscribers a component_update, the window a
public update and the timeline maintenance.started / maintenance.completed (actor "scheduler");
once, across passes and restarts; a window a person already moved is not announced again; a
window whose whole span passed unseen gets its completion only. One dev-clock server, one SMTP
sink and one webhook receiver for the module; the dev clock moves, nothing sleeps."""
import urllib.parse
from datetime import timedelta

import pytest

from conftest import _teardown_all
from notify_receivers import Receiver, SmtpSink
from test_subscribers import FORM, config, links, mails_to
from tocsin_harness import Server, http, parse_time, require_bin

DB, API = "db@example.com", "api@example.com"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    d = tmp_path_factory.mktemp("mclock")
    smtp, hook = SmtpSink(d / "mail"), Receiver("hook")
    s = Server(d / "srv", dev_clock=True, config_text=config(smtp) + "status_page: {webhook_allow_private: true}\n")
    try:
        s.start()
        s.pin_clock()
        yield s, smtp, hook
    finally:
        _teardown_all([s])
        smtp.close()
        hook.close()


def at(s, minutes):
    return (parse_time(s.now()) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def confirmed_email(s, smtp, address, component):
    body = urllib.parse.urlencode([("email", address), ("component", component)])
    r = http("POST", f"{s.url}/status/subscribe", body.encode(), FORM)
    assert r.status == 200, r.body[:300]
    [mail] = mails_to(smtp, address, 1)
    r = http("POST", s.url + links(mail)["confirm"][2], b"", FORM)
    assert r.status == 200 and b"Subscribed" in r.body


def window(s, name, component, start, end):
    st, m = s.api("POST", "/api/v1/maintenances", {
        "name": name, "components": [component], "scheduled_for": at(s, start),
        "scheduled_until": at(s, end)})
    assert st == 201, m
    return m["id"]


def rows(s):
    """(subject, address) of every subscriber outbox row, oldest first."""
    with s.db() as d:
        return d.execute("SELECT subject, address FROM notifications WHERE user_id LIKE "
                         "'subscriber:%' ORDER BY id").fetchall()


def events(s):
    """(kind, actor, window id) of the maintenance clock's timeline entries."""
    import json
    with s.db() as d:
        got = d.execute("SELECT kind, actor, data FROM timeline WHERE kind IN "
                        "('maintenance.started', 'maintenance.completed') ORDER BY seq").fetchall()
    return [(k, a, json.loads(x)["id"]) for k, a, x in got]


def updates(s, mid):
    st, m = s.api("GET", f"/api/v1/maintenances/{mid}")
    assert st == 200, m
    return [(u["status"], u["body"]) for u in m["updates"]]


def test_clock_starts_and_ends_are_announced_once(env):
    s, smtp, hook = env
    confirmed_email(s, smtp, DB, "Database")
    confirmed_email(s, smtp, API, "API")
    st, sub = s.api("POST", "/api/v1/subscribers",
                    {"kind": "webhook", "endpoint": hook.url, "components": ["Database", "API"]})
    assert st == 201, sub

    mid = window(s, "DB upgrade", "Database", 60, 180)
    early = window(s, "Gateway swap", "API", 60, 120)  # a person starts it before its time
    st, j = s.api("PATCH", f"/api/v1/maintenances/{early}",
                  {"status": "in_progress", "message": "Started early."})
    assert st == 200 and j["status"] == "in_progress", j
    mails_to(smtp, DB, 2)  # confirmation, "scheduled"
    mails_to(smtp, API, 3)  # confirmation, "scheduled", "in_progress" (the person's)
    # the person's start: its component_update too (api/maintenances.c)
    [req] = hook.wait_for(1)
    cu = req.json()["component_update"]
    assert (cu["old_status"], cu["new_status"]) == ("operational", "under_maintenance"), cu
    base = len(rows(s))
    assert events(s) == []

    # the clock starts DB upgrade: one mail to its component's subscriber, one webhook
    s.advance("61m")
    new = rows(s)[base:]
    assert sorted(subj for subj, _ in new) == [
        "[Service status] Maintenance in_progress: DB upgrade",
        "component_update Database: under_maintenance"], new
    assert events(s) == [("maintenance.started", "scheduler", mid)]
    assert updates(s, mid)[-1] == ("in_progress", "The maintenance is in progress.")
    assert updates(s, early)[-1] == ("in_progress", "Started early.")  # not announced again
    mail = mails_to(smtp, DB, 3)[2]
    assert mail["Subject"] == "[Service status] Maintenance in_progress: DB upgrade"
    req = hook.wait_for(2)[1]
    cu = req.json()
    assert cu["component_update"]["old_status"] == "operational", cu
    assert cu["component_update"]["new_status"] == "under_maintenance", cu
    assert cu["component"]["name"] == "Database"

    # again, and after a restart: nothing more
    s.advance("1m")
    assert len(rows(s)) == base + 2 and len(events(s)) == 1
    s.restart()
    s.advance("0s")
    assert len(rows(s)) == base + 2 and len(events(s)) == 1
    assert [u[0] for u in updates(s, mid)] == ["scheduled", "in_progress"]

    # the clock ends both (the early one at 120 min, DB upgrade at 180 min)
    s.advance("60m")
    assert events(s)[1:] == [("maintenance.completed", "scheduler", early)]
    s.advance("60m")
    assert events(s)[2:] == [("maintenance.completed", "scheduler", mid)]
    new = rows(s)[base + 2:]
    assert sorted(subj for subj, _ in new) == [
        "[Service status] Maintenance completed: DB upgrade",
        "[Service status] Maintenance completed: Gateway swap",
        "component_update API: operational",
        "component_update Database: operational"], new
    assert updates(s, mid)[-1] == ("completed", "The maintenance has been completed.")
    assert "completed: Gateway swap" in mails_to(smtp, API, 4)[3]["Subject"]
    assert "completed: DB upgrade" in mails_to(smtp, DB, 4)[3]["Subject"]
    back = [r.json() for r in hook.wait_for(4)[2:]]
    assert sorted((b["component"]["name"], b["component_update"]["old_status"],
                   b["component_update"]["new_status"]) for b in back) == [
        ("API", "under_maintenance", "operational"),
        ("Database", "under_maintenance", "operational")], back
    s.advance("1m")
    assert len(rows(s)) == base + 6 and len(events(s)) == 3 and hook.count() == 4


def test_window_passed_unseen_gets_its_completion_only(env):
    s, smtp, hook = env
    mid = window(s, "Quick fix", "Database", 10, 20)
    n, hooks = len(rows(s)), hook.count()
    s.advance("30m", down=True)  # the first pass to see it finds it over
    assert [e for e in events(s) if e[2] == mid] == [("maintenance.completed", "scheduler", mid)]
    assert [u[0] for u in updates(s, mid)] == ["scheduled", "completed"]
    assert [subj for subj, _ in rows(s)[n:]] == [
        "[Service status] Maintenance completed: Quick fix"]  # no component moved: no webhook
    s.advance("0s")
    assert hook.count() == hooks
    # a completion found more than a day late is recorded, not sent
    old = window(s, "Old fix", "Database", 10, 20)
    n = len(rows(s))
    s.advance("25h", down=True)
    assert [e for e in events(s) if e[2] == old] == [("maintenance.completed", "scheduler", old)]
    assert [u[0] for u in updates(s, old)] == ["scheduled", "completed"]
    assert rows(s)[n:] == []
    with s.db() as d:
        [(data,)] = d.execute("SELECT data FROM timeline WHERE kind = 'maintenance.completed' "
                              "ORDER BY seq DESC LIMIT 1").fetchall()
    assert '"told":false' in data.replace(" ", ""), data
