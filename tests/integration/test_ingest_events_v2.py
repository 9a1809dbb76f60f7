"""POST /v2/enqueue: PagerDuty Events API v2, byte-compatible (docs/api.md "Alert ingest")."""
import json
import re

import pytest

from test_ingest_support import (PD_OK, alerts, am_alert, am_send, check_pd_invalid, generic, incidents,  # noqa: F401
                                 ing, ingest_config, integration, key_of, kinds, snapshot,
                                 v2, v2_event, v2_ok)


def test_trigger_answers_202_exact_body(ing):
    integ = integration(ing, "db", "events_v2")
    ev = v2_event(integ["key"], dedup_key="disk/db-1", summary="Disk 95% on db-1", source="db-1",
                  severity="warning", component="postgres", group="storage", **{"class": "disk"},
                  custom_details={"free": "5%"})
    r = v2(ing, ev)
    assert r.status == 202, r
    assert r.json == {"status": "success", "message": "Event processed", "dedup_key": "disk/db-1"}, r.json
    assert r.headers.get("Content-Type", "").startswith("application/json"), dict(r.headers)
    [a] = alerts(ing)
    assert a["source_kind"] == "events_v2" and a["integration_id"] == integ["id"] and a["service"] == "db", a
    assert (a["dedup_key"], a["summary"], a["source"], a["severity"]) == ("disk/db-1", "Disk 95% on db-1", "db-1", "warning")
    assert a["status"] == "firing" and a["repeat_count"] == 1 and a["incident_id"], a
    inc = ing.get(a["incident_id"])
    assert inc["service"] == "db" and inc["title"] == "Disk 95% on db-1" and inc["status"] == "triggered"
    assert inc["severity"] == "SEV3", "payload.severity through db's severity_map"
    assert "free" in json.dumps(a["details"]), "custom_details kept"


def test_generated_dedup_key(ing):
    key = key_of(ing, "api", "events_v2")
    k1 = v2_ok(ing, v2_event(key, summary="one"))
    k2 = v2_ok(ing, v2_event(key, summary="two"))
    k3 = v2_ok(ing, v2_event(key, dedup_key="", summary="three"))
    for k in (k1, k2, k3):
        assert re.match(r"^[0-9a-f]{32}$", k), f"generated dedup_key is not 32 hex: {k!r}"
    assert len({k1, k2, k3}) == 3
    got = alerts(ing)
    assert sorted(a["dedup_key"] for a in got) == sorted([k1, k2, k3])
    assert len(incidents(ing)) == 1, "api groups every alert into one incident"
    # the generated key works for a later resolve
    v2_ok(ing, {"routing_key": key, "event_action": "resolve", "dedup_key": k1})
    assert {a["dedup_key"]: a["status"] for a in alerts(ing)}[k1] == "resolved"


def test_same_dedup_key_is_one_alert(ing):
    key = key_of(ing, "api", "events_v2")
    for n in range(3):
        assert v2_ok(ing, v2_event(key, dedup_key="same", summary=f"take {n}")) == "same"
    [a] = alerts(ing)
    assert a["repeat_count"] == 3 and a["summary"] == "take 2", a
    assert len(incidents(ing)) == 1
    assert kinds(ing, a["incident_id"]).count("alert.triggered") == 1


def test_acknowledge_then_resolve(ing):
    integ = integration(ing, "api", "events_v2")
    key = integ["key"]
    v2_ok(ing, v2_event(key, dedup_key="k"))
    [a] = alerts(ing)
    iid = a["incident_id"]
    ing.advance("2m")
    assert v2_ok(ing, {"routing_key": key, "event_action": "acknowledge", "dedup_key": "k"}) == "k"
    [a] = alerts(ing)
    assert a["status"] == "acknowledged", a
    inc = ing.get(iid)
    assert inc["status"] == "acknowledged" and inc["acknowledged_at"], inc
    ks = kinds(ing, iid)
    assert "alert.acknowledged" in ks and "incident.acknowledged" in ks, ks
    assert alerts(ing, status="acknowledged")[0]["id"] == a["id"]
    assert alerts(ing, status="open")[0]["id"] == a["id"], "open = firing + acknowledged"
    # acknowledging twice is accepted and changes nothing
    v2_ok(ing, {"routing_key": key, "event_action": "acknowledge", "dedup_key": "k"})
    assert kinds(ing, iid) == ks
    ing.advance("2m")
    v2_ok(ing, {"routing_key": key, "event_action": "resolve", "dedup_key": "k"})
    [a] = alerts(ing)
    assert a["status"] == "resolved" and a["resolved_at"], a
    assert alerts(ing, status="open") == []
    inc = ing.get(iid)
    assert inc["status"] == "resolved", inc
    entries = ing.timeline(iid)
    assert [e["actor"] for e in entries if e["kind"] == "incident.resolved"] == ["system"]
    assert [e["actor"] for e in entries if e["kind"] == "alert.resolved"] == [f"integration:{integ['name']}"]


def test_ack_and_resolve_of_unknown_keys_are_dropped(ing):
    key = key_of(ing, "api", "events_v2")
    before = snapshot(ing)
    for action in ("acknowledge", "resolve"):
        r = v2(ing, {"routing_key": key, "event_action": action, "dedup_key": "never-seen"})
        assert r.status == 202, r
        assert r.json == dict(PD_OK, dedup_key="never-seen"), r.json
    assert snapshot(ing) == before, "nothing created"
    # and for a key already resolved
    v2_ok(ing, v2_event(key, dedup_key="r"))
    v2_ok(ing, {"routing_key": key, "event_action": "resolve", "dedup_key": "r"})
    before = snapshot(ing)
    for action in ("acknowledge", "resolve"):
        v2_ok(ing, {"routing_key": key, "event_action": action, "dedup_key": "r"})
    assert snapshot(ing) == before


def test_trigger_after_resolve_is_a_new_alert(ing):
    key = key_of(ing, "api", "events_v2")
    v2_ok(ing, v2_event(key, dedup_key="flap"))
    [first] = alerts(ing)
    v2_ok(ing, {"routing_key": key, "event_action": "resolve", "dedup_key": "flap"})
    v2_ok(ing, v2_event(key, dedup_key="flap"))
    got = alerts(ing)
    assert len(got) == 2, got
    new = next(a for a in got if a["id"] != first["id"])
    assert new["status"] == "firing" and new["repeat_count"] == 1
    assert new["incident_id"] and new["incident_id"] != first["incident_id"]
    assert ing.get(first["incident_id"])["status"] == "resolved"


def test_dedup_keys_belong_to_their_routing_key(ing):
    k1 = key_of(ing, "api", "events_v2", name="one")
    k2 = key_of(ing, "api", "events_v2", name="two")
    v2_ok(ing, v2_event(k1, dedup_key="shared"))
    v2_ok(ing, v2_event(k2, dedup_key="shared"))
    got = alerts(ing)
    assert len(got) == 2 and len({a["integration_id"] for a in got}) == 2, got
    # resolving on one key leaves the other's alert alone
    v2_ok(ing, {"routing_key": k1, "event_action": "resolve", "dedup_key": "shared"})
    status = sorted(a["status"] for a in alerts(ing))
    assert status == ["firing", "resolved"], status
    assert ing.get(got[0]["incident_id"])["status"] == "triggered", "one alert still fires"


def _missing(field):
    ev = v2_event("KEY", dedup_key="x")
    ev["payload"].pop(field)
    return ev


BAD_EVENTS = [
    ("missing summary", _missing("summary"), ["payload.summary"]),
    ("blank summary", v2_event("KEY", summary=""), ["payload.summary"]),
    ("missing source", _missing("source"), ["payload.source"]),
    ("missing severity", _missing("severity"), ["payload.severity"]),
    ("bad severity", v2_event("KEY", severity="high"), ["payload.severity"]),
    ("upper-case severity", v2_event("KEY", severity="CRITICAL"), ["payload.severity"]),
    ("bad event_action", dict(v2_event("KEY"), event_action="fire"), ["event_action"]),
    ("missing event_action", {k: v for k, v in v2_event("KEY").items() if k != "event_action"}, ["event_action"]),
    ("missing payload", {"routing_key": "KEY", "event_action": "trigger"}, ["payload"]),
    ("dedup_key of 256", v2_event("KEY", dedup_key="d" * 256), ["dedup_key"]),
    ("summary of 1025", v2_event("KEY", summary="s" * 1025), ["payload.summary"]),
    ("resolve without dedup_key", {"routing_key": "KEY", "event_action": "resolve"}, ["dedup_key"]),
    ("summary not a string", v2_event("KEY", summary=5), ["payload.summary"]),
    ("unknown field", dict(v2_event("KEY"), colour="red"), ["colour"]),
    ("malformed JSON", '{"routing_key": ', []),
    ("missing routing_key", {k: v for k, v in v2_event("KEY").items() if k != "routing_key"}, ["routing_key"]),
    ("dedup_key a number", dict(v2_event("KEY"), dedup_key=5), ["dedup_key"]),
    ("payload not an object", dict(v2_event("KEY"), payload="text"), ["payload"]),
    ("links not an array", dict(v2_event("KEY"), links={"href": "x"}), ["links"]),
    ("several at once", dict(v2_event("KEY", summary=None, source=None, severity="loud"), dedup_key="d" * 300),
     ["payload.summary", "payload.source", "payload.severity", "dedup_key"]),
]


@pytest.mark.parametrize("what,event,fields", BAD_EVENTS, ids=[b[0] for b in BAD_EVENTS])
def test_invalid_events_are_400_invalid_event(ing, what, event, fields):
    key = key_of(ing, "api", "events_v2")
    v2_ok(ing, v2_event(key, dedup_key="before"))
    before = snapshot(ing)
    if isinstance(event, str):
        r = v2(ing, raw=event)
    else:
        event = json.loads(json.dumps(event).replace('"KEY"', json.dumps(key)))
        r = v2(ing, event)
    errors = check_pd_invalid(r)
    for f in fields:
        assert any(f in e for e in errors), f"{what}: no error names {f!r}: {errors}"
    if len(fields) > 1:
        assert len(errors) >= len(fields), f"{what}: every problem listed together: {errors}"
    assert snapshot(ing) == before, f"{what}: an invalid event changed the store"


def test_the_event_alertmanager_pagerduty_configs_sends(ing):
    """The full shape Alertmanager's pagerduty_configs (Events v2) posts, accepted as is."""
    key = key_of(ing, "api", "events_v2")
    ev = {
        "routing_key": key, "dedup_key": "a1b2c3d4e5", "event_action": "trigger",
        "payload": {"summary": "[FIRING:1] HighLatency api", "source": "http://alertmanager:9093",
                    "severity": "error", "timestamp": "2026-11-23T09:25:32.000Z", "class": "latency",
                    "component": "api", "group": "prod",
                    "custom_details": {"firing": "Labels:\n - alertname = HighLatency", "num_firing": "1",
                                       "num_resolved": "0", "resolved": ""}},
        "images": [{"src": "https://example.com/graph.png", "href": "https://example.com", "alt": "graph"}],
        "links": [{"href": "http://alertmanager:9093/#/alerts", "text": "Alertmanager"}],
        "client": "Alertmanager", "client_url": "http://alertmanager:9093/#/alerts?receiver=pd",
    }
    assert v2_ok(ing, ev) == "a1b2c3d4e5"
    [a] = alerts(ing)
    assert a["summary"] == "[FIRING:1] HighLatency api" and a["severity"] == "error"
    ev2 = {"routing_key": key, "dedup_key": "a1b2c3d4e5", "event_action": "resolve",
           "payload": ev["payload"], "client": "Alertmanager", "client_url": ev["client_url"]}
    assert v2_ok(ing, ev2) == "a1b2c3d4e5"
    assert alerts(ing)[0]["status"] == "resolved"


def test_limits_are_inclusive(ing):
    key = key_of(ing, "web", "events_v2")
    dk = "d" * 255
    summary = "s" * 1024
    assert v2_ok(ing, v2_event(key, dedup_key=dk, summary=summary)) == dk
    [a] = alerts(ing)
    assert a["dedup_key"] == dk and a["summary"] == summary
    title = ing.get(a["incident_id"])["title"]
    assert 1 <= len(title) <= 200 and summary.startswith(title), "the title is the summary, cut to 200"


def test_summary_limit_counts_characters(ing):
    """1024 characters is the limit (docs/api.md), not 1024 bytes: 1024 'é' (2048 bytes) pass."""
    key = key_of(ing, "web", "events_v2")
    summary = "é" * 1024
    r = v2(ing, v2_event(key, dedup_key="utf8", summary=summary))
    assert r.status == 202, f"1024 two-byte characters refused: {r}"
    [a] = alerts(ing)
    assert a["summary"] == summary
    title = ing.get(a["incident_id"])["title"]
    assert title == "é" * 200, f"title: the summary cut to 200 characters, got {len(title)}"
    r = v2(ing, v2_event(key, dedup_key="utf8b", summary="é" * 1025))
    check_pd_invalid(r)


def test_body_over_512kb_is_413(ing):
    key = key_of(ing, "api", "events_v2")
    before = snapshot(ing)
    big = v2_event(key, dedup_key="big", custom_details={"blob": "x" * (600 * 1024)})
    r = v2(ing, big)
    assert r.status == 413, r
    assert snapshot(ing) == before
    # under the cap (and under server.max_body) is fine
    ok = v2_event(key, dedup_key="fits", custom_details={"blob": "x" * (480 * 1024)})
    assert len(json.dumps(ok)) < 500 * 1024
    assert v2_ok(ing, ok) == "fits"


def test_severity_maps_through_the_service_policy(ing):
    key = key_of(ing, "db", "events_v2")
    got = {}
    for sev in ("critical", "error", "warning", "info"):
        dk = f"sev-{sev}"
        v2_ok(ing, v2_event(key, dedup_key=dk, severity=sev))
        inc = next(a for a in alerts(ing) if a["dedup_key"] == dk)["incident_id"]
        got[sev] = ing.get(inc)["severity"]
        v2_ok(ing, {"routing_key": key, "event_action": "resolve", "dedup_key": dk})
    # db groups by alertname, which v2 events do not have: one group, so resolve between
    assert got == {"critical": "SEV1", "error": "SEV2", "warning": "SEV3", "info": "SEV4"}, got


@pytest.fixture
def limited(make_server):
    return make_server(dev_clock=True, config_text=ingest_config(extra="ingest: {rate_limit: 60, burst: 5}"))


def test_rate_limit_429_with_retry_after(limited):
    s = limited
    key = key_of(s, "api", "events_v2", name="noisy")
    other = key_of(s, "api", "events_v2", name="quiet")
    for i in range(5):
        assert v2_ok(s, v2_event(key, dedup_key=f"burst-{i}")) == f"burst-{i}"
    r = v2(s, v2_event(key, dedup_key="burst-5"))
    assert r.status == 429, f"the 6th event of a burst of 5: {r}"
    ra = r.headers.get("Retry-After")
    assert ra is not None and re.match(r"^\d+$", ra) and int(ra) >= 1, f"Retry-After: {ra!r}"
    assert int(ra) <= 60
    assert isinstance(r.json, dict) and r.json.get("status"), r
    stored = {a["dedup_key"] for a in alerts(s)}
    assert "burst-5" not in stored, "a 429'd event was stored"
    assert len(stored) == 5
    # the budget is per key
    assert v2_ok(s, v2_event(other, dedup_key="other-0")) == "other-0"
    # a minute refills the bucket
    s.advance("1m")
    for i in range(5):
        assert v2_ok(s, v2_event(key, dedup_key=f"later-{i}")) == f"later-{i}"
    assert v2(s, v2_event(key, dedup_key="later-5")).status == 429
    assert {a["dedup_key"] for a in alerts(s)} >= {f"later-{i}" for i in range(5)}


def test_rate_limit_applies_to_alertmanager_and_generic(limited):
    s = limited
    am = key_of(s, "api", "alertmanager")
    r = am_send(s, am, [am_alert({"alertname": f"A{i}"}, "a") for i in range(5)])
    assert r.status == 200, r
    r = am_send(s, am, [am_alert({"alertname": "A6"}, "a")])
    assert r.status == 429, r
    assert r.json["error"]["code"] == "rate_limited"
    ra = r.headers.get("Retry-After")
    assert ra and ra.isdigit() and int(ra) >= 1, ra
    gen = key_of(s, "api", "generic")
    for i in range(5):
        assert generic(s, gen, {"summary": f"g{i}", "dedup_key": f"g{i}"}).status == 202
    r = generic(s, gen, {"summary": "g5", "dedup_key": "g5"})
    assert r.status == 429, r
    assert r.headers.get("Retry-After", "").isdigit()
    keys = {a["dedup_key"] for a in alerts(s)}
    assert "g5" not in keys and len(keys) == 10
