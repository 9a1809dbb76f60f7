"""Heartbeats (docs/api.md "Alert ingest", docs/config.md `heartbeats`): fixtures/ingest.yaml declares
{name: nightly, service: batch, interval: 1h, grace: 5m}. Missed deadlines are seen by the engine on
the dev clock (POST /api/v1/debug/clock returns after the engine has processed what is due)."""
from test_ingest_support import alerts, checkin, incidents, ing, key_of, kinds  # noqa: F401
from tocsin_harness import secs


def hb_alerts(s):
    return [a for a in alerts(s) if a["source_kind"] == "heartbeat"]


def hb_status(s, name="nightly"):
    st, j = s.api("GET", "/api/v1/heartbeats")
    assert st == 200, (st, j)
    return next(h for h in j["heartbeats"] if h["name"] == name)


def test_checkin_answers_last_seen_and_next_due(ing):
    key = key_of(ing, "batch", "heartbeat")
    r = checkin(ing, key)
    assert r.status == 200, r
    j = r.json
    assert j["name"] == "nightly", j
    assert secs(ing.now(), j["last_seen"]) <= 0 and secs(j["last_seen"], ing.now()) < 60, j
    assert secs(j["last_seen"], j["next_due"]) in (3600, 3900), f"next_due is last_seen + interval (+ grace): {j}"
    h = hb_status(ing)
    assert (h["service"], h["interval"], h["grace"], h["status"]) == ("batch", "1h", "5m", "up"), h
    assert h["last_seen"] == j["last_seen"] and h["next_due"] == j["next_due"], (h, j)
    # a body is optional, and an empty object is fine too
    assert checkin(ing, key, body={}).status == 200
    # the check-in survives kill -9
    last = checkin(ing, key).json["last_seen"]
    ing.kill9()
    ing.start()
    assert hb_status(ing)["last_seen"] == last


def test_missed_deadline_raises_one_alert_and_checkin_resolves_it(ing):
    key = key_of(ing, "batch", "heartbeat")
    assert checkin(ing, key).status == 200
    ing.advance("1h4m")
    assert hb_alerts(ing) == [], "not due before interval + grace"
    assert incidents(ing) == []
    ing.advance("2m")
    got = hb_alerts(ing)
    assert len(got) == 1, got
    a = got[0]
    assert a["status"] == "firing" and a["service"] == "batch" and a["incident_id"], a
    assert a["severity"] == "critical", "heartbeat severity defaults to critical"
    assert "nightly" in a["summary"], a
    inc = ing.get(a["incident_id"])
    assert inc["service"] == "batch" and inc["status"] == "triggered", inc
    assert hb_status(ing)["status"] == "down"
    # no check-in for hours: still the one alert of that missed deadline
    ing.advance("2h")
    ing.advance("3h")
    got = hb_alerts(ing)
    assert len(got) == 1 and got[0]["id"] == a["id"] and got[0]["status"] == "firing", got
    assert kinds(ing, a["incident_id"]).count("alert.triggered") == 1
    assert len(incidents(ing)) == 1
    # the next check-in resolves it, and the incident with it
    r = checkin(ing, key)
    assert r.status == 200, r
    [a2] = hb_alerts(ing)
    assert a2["status"] == "resolved" and a2["resolved_at"], a2
    assert ing.get(a["incident_id"])["status"] == "resolved"
    assert hb_status(ing)["status"] == "up"
    # the next missed deadline is a new alert
    ing.advance("1h6m")
    got = hb_alerts(ing)
    assert len(got) == 2 and sorted(x["status"] for x in got) == ["firing", "resolved"], got


def test_never_checked_in_fires_after_interval_plus_grace_from_start(ing):
    h = hb_status(ing)
    assert h["status"] in ("pending", "up"), h
    ing.advance("1h4m")
    assert hb_alerts(ing) == []
    ing.advance("2m")
    got = hb_alerts(ing)
    assert len(got) == 1 and got[0]["status"] == "firing" and got[0]["incident_id"], got


def test_checkin_refusals(ing):
    key = key_of(ing, "batch", "heartbeat")
    other = key_of(ing, "api", "heartbeat")
    seen = hb_status(ing)["last_seen"]
    r = checkin(ing, key, name="no-such-job")
    assert r.status == 404, r
    r = checkin(ing, other)
    assert r.status == 403, f"a heartbeat key of another service: {r}"
    gen = key_of(ing, "batch", "generic")
    assert checkin(ing, gen).status == 403
    assert hb_status(ing)["last_seen"] == seen, "a refused check-in was recorded"
    # the refused check-ins did not count: the deadline still fires from server start
    ing.advance("1h6m")
    assert len(hb_alerts(ing)) == 1
