"""Silences and maintenance windows (docs/api.md "Alert ingest" > Silences): a silenced alert is stored
with silenced_by and opens or joins nothing; time bounds follow the (dev) clock."""
import datetime

import pytest

from test_ingest_support import (alerts, am_alert, am_ok, generic_ok, incidents, ing, key_of,  # noqa: F401
                                 snapshot, v2_event, v2_ok)
from tocsin_harness import parse_time


def silence(s, body, token=None):
    kw = {} if token is None else {"token": token}
    st, j = s.api("POST", "/api/v1/silences", body, **kw)
    assert st == 201, f"silence {body}: {st} {j}"
    assert j["id"].startswith("sil_"), j
    return j


def rfc(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_matching_alert_is_silenced(ing):
    key = key_of(ing, "api", "alertmanager")
    sil = silence(ing, {"service": "api", "matchers": {"alertname": "Noisy", "env": "staging"},
                        "duration": "2h", "reason": "known flapping"})
    assert sil["service"] == "api" and sil["matchers"] == {"alertname": "Noisy", "env": "staging"}
    assert secs_between(sil["starts_at"], sil["ends_at"]) == 7200, sil
    j = am_ok(ing, key, [am_alert({"alertname": "Noisy", "env": "staging", "pod": "p1"}, "noisy", fingerprint="n")])
    assert j["incidents"] == [], j
    [a] = alerts(ing)
    assert a["silenced_by"] == sil["id"] and a["incident_id"] is None and a["status"] == "firing", a
    assert incidents(ing) == [], "a silenced alert opens nothing"
    # a repeat stays silenced
    am_ok(ing, key, [am_alert({"alertname": "Noisy", "env": "staging", "pod": "p1"}, "noisy", fingerprint="n")])
    assert incidents(ing) == []
    # one matcher differs: not silenced
    j = am_ok(ing, key, [am_alert({"alertname": "Noisy", "env": "prod"}, "noisy prod", fingerprint="p")])
    assert len(j["incidents"]) == 1
    a = next(x for x in alerts(ing) if x["dedup_key"] == "p")
    assert a["silenced_by"] is None and a["incident_id"] == j["incidents"][0]
    # the silenced alert did not join the incident that opened later
    assert [x["dedup_key"] for x in ing.api("GET", f"/api/v1/incidents/{j['incidents'][0]}/alerts")[1]["alerts"]] == ["p"]


def secs_between(a, b):
    return (parse_time(b) - parse_time(a)).total_seconds()


def test_silence_is_scoped_to_its_service(ing):
    silence(ing, {"service": "db", "matchers": {"alertname": "Noisy"}, "duration": "1h", "reason": "db only"})
    key = key_of(ing, "api", "alertmanager")
    j = am_ok(ing, key, [am_alert({"alertname": "Noisy"}, "noisy on api")])
    assert len(j["incidents"]) == 1 and alerts(ing)[0]["silenced_by"] is None


def test_matchers_only_silence_applies_to_every_service(ing):
    sil = silence(ing, {"matchers": {"team": "growth"}, "duration": "1h", "reason": "growth offsite"})
    for svc in ("api", "web"):
        key = key_of(ing, svc, "generic")
        j = generic_ok(ing, key, {"summary": f"{svc} thing", "labels": {"team": "growth"}})
        assert j["incident_id"] is None, j
    assert all(a["silenced_by"] == sil["id"] for a in alerts(ing))
    assert incidents(ing) == []


def test_maintenance_window_silences_everything_on_the_service(ing):
    sil = silence(ing, {"service": "api", "duration": "1h", "reason": "planned upgrade"})
    am = key_of(ing, "api", "alertmanager")
    ev = key_of(ing, "api", "events_v2")
    gen = key_of(ing, "api", "generic")
    am_ok(ing, am, [am_alert({"alertname": f"A{i}"}, "a") for i in range(3)])
    v2_ok(ing, v2_event(ev, dedup_key="v"))
    generic_ok(ing, gen, {"summary": "g"})
    got = alerts(ing)
    assert len(got) == 5 and all(a["silenced_by"] == sil["id"] and a["incident_id"] is None for a in got), got
    assert incidents(ing) == []
    # another service is not in the window
    j = generic_ok(ing, key_of(ing, "web", "generic"), {"summary": "web alert"})
    assert j["incident_id"]


def test_future_silence_waits_for_the_clock(ing):
    key = key_of(ing, "api", "generic")
    now = parse_time(ing.now())
    starts = now + datetime.timedelta(hours=1)
    sil = silence(ing, {"service": "api", "starts_at": rfc(starts), "duration": "1h", "reason": "tonight"})
    assert sil["starts_at"] == rfc(starts) and secs_between(sil["starts_at"], sil["ends_at"]) == 3600, sil
    listed = ing.api("GET", "/api/v1/silences")[1]["silences"]
    assert [x["id"] for x in listed] == [sil["id"]], "pending silences are listed"
    j = generic_ok(ing, key, {"summary": "before the window", "dedup_key": "before"})
    assert j["incident_id"], "a pending silence silences nothing"
    generic_ok(ing, key, {"action": "resolve", "dedup_key": "before"})
    assert ing.get(j["incident_id"])["status"] == "resolved"
    ing.advance("61m")
    j = generic_ok(ing, key, {"summary": "in the window", "dedup_key": "during"})
    assert j["incident_id"] is None, j
    during = next(a for a in alerts(ing) if a["dedup_key"] == "during")
    assert during["silenced_by"] == sil["id"]
    ing.advance("1h")
    j = generic_ok(ing, key, {"summary": "after the window", "dedup_key": "after"})
    assert j["incident_id"], "an ended silence silences nothing"
    assert ing.api("GET", "/api/v1/silences")[1]["silences"] == [], "expired ones only with all=true"
    allj = ing.api("GET", "/api/v1/silences?all=true")[1]["silences"]
    assert [x["id"] for x in allj] == [sil["id"]]


def test_ends_at_bounds_the_silence(ing):
    key = key_of(ing, "api", "generic")
    now = parse_time(ing.now())
    sil = silence(ing, {"service": "api", "ends_at": rfc(now + datetime.timedelta(minutes=30)), "reason": "short"})
    assert generic_ok(ing, key, {"summary": "in", "dedup_key": "in"})["incident_id"] is None
    ing.advance("31m")
    assert generic_ok(ing, key, {"summary": "out", "dedup_key": "out"})["incident_id"]
    assert next(a for a in alerts(ing) if a["dedup_key"] == "in")["silenced_by"] == sil["id"]


def test_expire_lets_alerts_through_again(ing):
    key = key_of(ing, "api", "alertmanager")
    sil = silence(ing, {"service": "api", "matchers": {"alertname": "Noisy"}, "duration": "1d", "reason": "r"})
    assert am_ok(ing, key, [am_alert({"alertname": "Noisy", "i": "1"}, "n1")])["incidents"] == []
    st, j = ing.api("DELETE", f"/api/v1/silences/{sil['id']}")
    assert st == 200, (st, j)
    assert ing.api("GET", "/api/v1/silences")[1]["silences"] == []
    j = am_ok(ing, key, [am_alert({"alertname": "Noisy", "i": "2"}, "n2")])
    assert len(j["incidents"]) == 1, "after expiry the alert opens an incident"
    assert len(incidents(ing)) == 1
    st, j = ing.api("DELETE", "/api/v1/silences/sil_0000000000000000")
    assert st == 404, (st, j)


def test_silences_need_a_responder(ing):
    viewer = ing.make_token("viewer")
    responder = ing.make_token("responder")
    body = {"service": "api", "duration": "1h", "reason": "r"}
    st, j = ing.api("POST", "/api/v1/silences", body, token=viewer)
    assert st == 403, (st, j)
    sil = silence(ing, body, token=responder)
    assert ing.api("GET", "/api/v1/silences", token=viewer)[0] == 200
    assert ing.api("DELETE", f"/api/v1/silences/{sil['id']}", token=viewer)[0] == 403
    assert ing.api("DELETE", f"/api/v1/silences/{sil['id']}", token=responder)[0] == 200


BAD = [
    ("no service and no matchers", {"duration": "1h", "reason": "everything"}, 400, "matchers"),
    ("empty matchers, no service", {"matchers": {}, "duration": "1h", "reason": "r"}, 400, "matchers"),
    ("duration and ends_at", {"service": "api", "duration": "1h", "ends_at": "2099-01-01T00:00:00Z", "reason": "r"}, 400, None),
    ("unknown service", {"service": "nope", "duration": "1h", "reason": "r"}, 422, "service"),
    ("bad duration", {"service": "api", "duration": "soon", "reason": "r"}, 400, "duration"),
    ("matcher value not a string", {"matchers": {"a": 1}, "duration": "1h", "reason": "r"}, 400, "matchers.a"),
    ("missing reason", {"service": "api", "duration": "1h"}, 400, "reason"),
    ("ends_at in the past", {"service": "api", "ends_at": "2000-01-01T00:00:00Z", "reason": "r"}, 400, "ends_at"),
    ("bad starts_at", {"service": "api", "starts_at": "tomorrow", "duration": "1h", "reason": "r"}, 400, "starts_at"),
    ("unknown field", {"service": "api", "duration": "1h", "reason": "r", "colour": "red"}, 400, "colour"),
]


@pytest.mark.parametrize("what,body,code,field", BAD, ids=[b[0] for b in BAD])
def test_bad_silences(ing, what, body, code, field):
    before = snapshot(ing)
    st, j = ing.api("POST", "/api/v1/silences", body)
    assert st == code, (what, st, j)
    if field:
        assert j["error"]["message"].startswith(field), (what, j)
    assert ing.api("GET", "/api/v1/silences?all=true")[1]["silences"] == []
    assert snapshot(ing) == before


def test_alert_still_firing_when_the_window_ends_pages(ing):
    """"every alert on it is silenced *while it is active*": an alert that started in a maintenance
    window and is still firing after it (Alertmanager re-sends it) must open an incident then, as
    Alertmanager itself notifies a still-firing alert once its silence is gone. Otherwise an outage
    that began during maintenance never pages anyone."""
    key = key_of(ing, "api", "alertmanager")
    silence(ing, {"service": "api", "duration": "1h", "reason": "upgrade"})
    stuck = am_alert({"alertname": "DBDown"}, "database down", fingerprint="dbdown")
    assert am_ok(ing, key, [stuck])["incidents"] == []
    ing.advance("61m")
    assert ing.api("GET", "/api/v1/silences")[1]["silences"] == []
    j = am_ok(ing, key, [stuck])  # the group's repeat_interval re-send
    assert len(j["incidents"]) == 1, f"still firing after the window, yet no incident: {j}"
    [a] = alerts(ing)
    assert a["incident_id"] == j["incidents"][0]
