"""POST /api/v1/ingest/alertmanager: the Alertmanager webhook (payload version 4) becomes alerts and
incidents (docs/api.md "Alert ingest", "How alerts become incidents")."""
import json
import re

import pytest

from test_ingest_support import (am_alert, am_ok, am_payload, am_send, ing, incident_alerts,  # noqa: F401
                                 incidents, integration, kinds, snapshot)
from tocsin_harness import ID_RE


def test_firing_group_opens_one_incident(ing):
    integ = integration(ing, "api", "alertmanager")
    group = [am_alert({"alertname": "HighErrorRate", "instance": f"web-{i}", "severity": "warning"},
                      f"5xx above 5% on web-{i}", fingerprint=f"fp{i:04x}") for i in range(3)]
    j = am_ok(ing, integ["key"], group)
    assert len(j["incidents"]) == 1, j
    iid = j["incidents"][0]
    assert ID_RE.match(iid)
    inc = ing.get(iid)
    assert inc["service"] == "api"
    assert inc["title"] == "5xx above 5% on web-0", "title is the first alert's annotations.summary"
    assert inc["status"] == "triggered"
    assert [i["id"] for i in incidents(ing)] == [iid], "exactly one incident"
    got = sorted(incident_alerts(ing, iid), key=lambda a: a["dedup_key"])
    assert [a["dedup_key"] for a in got] == ["fp0000", "fp0001", "fp0002"], "the fingerprint is the dedup key"
    for i, a in enumerate(got):
        assert a["source_kind"] == "alertmanager" and a["integration_id"] == integ["id"], a
        assert a["status"] == "firing" and a["repeat_count"] == 1 and a["resolved_at"] is None, a
        assert a["incident_id"] == iid and a["silenced_by"] is None and a["service"] == "api", a
        assert a["summary"] == f"5xx above 5% on web-{i}", a
        assert a["labels"] == group[i]["labels"], a
        assert a["severity"] == "warning", a
    entries = ing.timeline(iid)
    triggered = [e for e in entries if e["kind"] == "alert.triggered"]
    assert len(triggered) == 3, [e["kind"] for e in entries]
    actor = f"integration:{integ['name']}"
    assert all(e["actor"] == actor for e in triggered), triggered
    assert entries[0]["kind"] == "incident.declared" and entries[0]["actor"] == actor, entries[0]


def test_repeat_send_counts_and_opens_nothing(ing):
    key = integration(ing, "api", "alertmanager")["key"]
    group = [am_alert({"alertname": "DiskFull", "instance": f"db-{i}"}, "disk full", fingerprint=f"d{i}")
             for i in range(2)]
    first = am_ok(ing, key, group)
    seen1 = {a["dedup_key"]: a for a in incident_alerts(ing, first["incidents"][0])}
    for n in range(2, 5):
        again = am_ok(ing, key, group)
        assert again["incidents"] == first["incidents"], (again, first)
    assert len(incidents(ing)) == 1
    got = {a["dedup_key"]: a for a in incident_alerts(ing, first["incidents"][0])}
    assert set(got) == {"d0", "d1"}
    for k, a in got.items():
        assert a["repeat_count"] == 4, a
        assert a["id"] == seen1[k]["id"] and a["first_seen"] == seen1[k]["first_seen"], a
    ing.advance("5m")
    am_ok(ing, key, group[:1])
    a = next(x for x in incident_alerts(ing, first["incidents"][0]) if x["dedup_key"] == "d0")
    assert a["repeat_count"] == 5 and a["last_seen"] > a["first_seen"], a
    assert kinds(ing, first["incidents"][0]).count("alert.triggered") == 2, "a repeat is not a new trigger"


def test_summary_fallbacks_and_label_hash_dedup(ing):
    key = integration(ing, "web", "alertmanager")["key"]
    a1 = am_alert({"alertname": "A1", "zone": "z1"}, annotations={"description": "from description"})
    a2 = am_alert({"alertname": "A2", "zone": "z1"})
    a3 = am_alert({"alertname": "A3"}, annotations={"summary": "from summary", "description": "not this"})
    am_ok(ing, key, [a1, a2, a3])
    by_name = {a["labels"]["alertname"]: a for a in ing.api("GET", "/api/v1/alerts?status=all")[1]["alerts"]}
    assert by_name["A1"]["summary"] == "from description"
    assert by_name["A2"]["summary"] == "A2", "falls back to labels.alertname"
    assert by_name["A3"]["summary"] == "from summary"
    for a in by_name.values():
        assert re.match(r"^[0-9a-f]{16,}$", a["dedup_key"]), f"no fingerprint: a hash of the labels: {a}"
    assert len({a["dedup_key"] for a in by_name.values()}) == 3
    # the same labels in another order: the same alert
    reordered = am_alert({"zone": "z1", "alertname": "A1"}, annotations={"description": "again"})
    payload = json.dumps(am_payload([reordered]))
    assert payload.index('"zone"') < payload.index('"alertname"')
    r = am_send(ing, key, raw=payload)
    assert r.status == 200, r
    all_ = ing.api("GET", "/api/v1/alerts?status=all")[1]["alerts"]
    assert len(all_) == 3, "same labels, same dedup key"
    a = next(x for x in all_ if x["labels"]["alertname"] == "A1")
    assert a["repeat_count"] == 2 and a["dedup_key"] == by_name["A1"]["dedup_key"]
    # one more label: another alert
    am_ok(ing, key, [am_alert({"alertname": "A1", "zone": "z1", "pod": "p"}, "more labels")])
    assert len(ing.api("GET", "/api/v1/alerts?status=all")[1]["alerts"]) == 4


def test_group_by_alertname_opens_one_incident_per_group(ing):
    key = integration(ing, "db", "alertmanager")["key"]
    batch = [am_alert({"alertname": name, "instance": f"db-{i}"}, f"{name} on db-{i}", fingerprint=f"{name}-{i}")
             for name in ("ReplicationLag", "SlowQueries") for i in range(2)]
    j = am_ok(ing, key, batch)
    assert len(j["incidents"]) == 2, j
    incs = incidents(ing)
    assert len(incs) == 2 and {i["service"] for i in incs} == {"db"}
    titles = {i["id"]: i["title"] for i in incs}
    for iid in j["incidents"]:
        got = incident_alerts(ing, iid)
        names = {a["labels"]["alertname"] for a in got}
        assert len(got) == 2 and len(names) == 1, got
        assert titles[iid].startswith(names.pop())
    # a new instance of an existing group joins it; a new alertname opens a third
    j2 = am_ok(ing, key, [am_alert({"alertname": "SlowQueries", "instance": "db-9"}, "late", fingerprint="late")])
    assert len(j2["incidents"]) == 1 and j2["incidents"][0] in j["incidents"]
    j3 = am_ok(ing, key, [am_alert({"alertname": "ConnExhausted"}, "conns", fingerprint="c")])
    assert j3["incidents"][0] not in j["incidents"]
    assert len(incidents(ing)) == 3


def test_resolved_alerts_resolve_the_incident(ing):
    integ = integration(ing, "api", "alertmanager")
    key = integ["key"]
    firing = [am_alert({"alertname": "Down", "instance": f"i{i}"}, "service down", fingerprint=f"f{i}") for i in range(2)]
    iid = am_ok(ing, key, firing)["incidents"][0]
    ing.advance("3m")
    am_ok(ing, key, [am_alert(firing[0]["labels"], "service down", status="resolved", fingerprint="f0")])
    inc = ing.get(iid)
    assert inc["status"] == "triggered", "one alert still fires"
    got = {a["dedup_key"]: a for a in incident_alerts(ing, iid)}
    assert got["f0"]["status"] == "resolved" and got["f0"]["resolved_at"], got["f0"]
    assert got["f1"]["status"] == "firing" and got["f1"]["resolved_at"] is None
    ing.advance("2m")
    j = am_ok(ing, key, [am_alert(firing[1]["labels"], "service down", status="resolved", fingerprint="f1")])
    assert j["status"] == "ok"
    inc = ing.get(iid)
    assert inc["status"] == "resolved" and inc["resolved_at"], inc
    assert all(a["status"] == "resolved" for a in incident_alerts(ing, iid))
    entries = ing.timeline(iid)
    ks = [e["kind"] for e in entries]
    assert ks.count("alert.triggered") == 2 and ks.count("alert.resolved") == 2, ks
    assert ks.count("incident.resolved") == 1, ks
    res = next(e for e in entries if e["kind"] == "incident.resolved")
    assert res["actor"] == "system", res
    assert ks.index("incident.resolved") > max(i for i, k in enumerate(ks) if k == "alert.resolved")
    assert all(e["actor"] == f"integration:{integ['name']}" for e in entries if e["kind"] == "alert.resolved")
    # resolving again: accepted, nothing moves
    am_ok(ing, key, [am_alert(firing[1]["labels"], status="resolved", fingerprint="f1")])
    assert kinds(ing, iid) == ks
    # the same alert firing again is a new alert and a new incident
    j = am_ok(ing, key, firing[:1])
    assert j["incidents"] and j["incidents"][0] != iid, j
    new = incident_alerts(ing, j["incidents"][0])
    assert len(new) == 1 and new[0]["dedup_key"] == "f0" and new[0]["id"] != got["f0"]["id"]
    assert ing.get(iid)["status"] == "resolved"


def test_resolved_and_firing_in_one_payload(ing):
    key = integration(ing, "api", "alertmanager")["key"]
    assert len(am_ok(ing, key, [am_alert({"alertname": "X"}, "x", fingerprint="x")])["incidents"]) == 1
    am_ok(ing, key, [am_alert({"alertname": "X"}, status="resolved", fingerprint="x"),
                     am_alert({"alertname": "Y"}, "y", fingerprint="y")])
    open_ = ing.api("GET", "/api/v1/alerts")[1]["alerts"]
    assert [a["dedup_key"] for a in open_] == ["y"]
    assert open_[0]["incident_id"], open_[0]
    assert ing.get(open_[0]["incident_id"])["status"] == "triggered", "the firing alert's incident is open"


def test_auto_resolve_false_keeps_the_incident_open(ing):
    key = integration(ing, "web", "alertmanager")["key"]
    iid = am_ok(ing, key, [am_alert({"alertname": "Slow"}, "slow pages", fingerprint="s")])["incidents"][0]
    am_ok(ing, key, [am_alert({"alertname": "Slow"}, status="resolved", fingerprint="s")])
    assert [a["status"] for a in incident_alerts(ing, iid)] == ["resolved"]
    inc = ing.get(iid)
    assert inc["status"] == "triggered" and inc["resolved_at"] is None, inc
    assert "incident.resolved" not in kinds(ing, iid)
    # a person still can
    assert ing.api("POST", f"/api/v1/incidents/{iid}/resolve")[0] == 200


@pytest.mark.parametrize("service,labels,want", [
    ("db", {"alertname": "A", "severity": "critical"}, "SEV1"),
    ("db", {"alertname": "A", "severity": "warning"}, "SEV3"),
    ("db", {"alertname": "A", "severity": "Info"}, "SEV4"),       # map keys ignore case
    ("db", {"alertname": "A", "severity": "weird"}, "SEV2"),      # not mapped, no alerts.severity
    ("db", {"alertname": "A"}, "SEV2"),
    ("api", {"alertname": "A", "severity": "critical"}, "SEV2"),  # no map: rank 2
    ("cache", {"alertname": "A", "level": "page"}, "SEV1"),       # severity_label: level
    ("cache", {"alertname": "A", "level": "PAGE"}, "SEV1"),
    ("cache", {"alertname": "A", "severity": "page"}, "SEV4"),    # not the label: alerts.severity
    ("cache", {"alertname": "A", "level": "minor"}, "SEV4"),
])
def test_severity_mapping(ing, service, labels, want):
    key = integration(ing, service, "alertmanager")["key"]
    iid = am_ok(ing, key, [am_alert(labels, "sev test")])["incidents"][0]
    assert ing.get(iid)["severity"] == want


def test_more_severe_alert_raises_the_incident(ing):
    key = integration(ing, "db", "alertmanager")["key"]
    iid = am_ok(ing, key, [am_alert({"alertname": "Lag", "severity": "warning", "i": "1"}, "lag")])["incidents"][0]
    assert ing.get(iid)["severity"] == "SEV3"
    j = am_ok(ing, key, [am_alert({"alertname": "Lag", "severity": "critical", "i": "2"}, "lag worse")])
    assert j["incidents"] == [iid], "joins the open incident of its group"
    inc = ing.get(iid)
    assert inc["severity"] == "SEV1", inc
    assert inc["sla"]["ack_due"] is not None
    entries = ing.timeline(iid)
    changed = [e for e in entries if e["kind"] == "incident.severity_changed"]
    assert len(changed) == 1, [e["kind"] for e in entries]
    assert "SEV3" in json.dumps(changed[0]["data"]) and "SEV1" in json.dumps(changed[0]["data"]), changed[0]
    # a less severe one joins without lowering it
    am_ok(ing, key, [am_alert({"alertname": "Lag", "severity": "info", "i": "3"}, "lag info")])
    assert ing.get(iid)["severity"] == "SEV1"
    assert kinds(ing, iid).count("incident.severity_changed") == 1
    assert len(incident_alerts(ing, iid)) == 3


GOOD = am_alert({"alertname": "Fine"}, "fine", fingerprint="good")


def _with(**top):
    p = am_payload([dict(GOOD)])
    for k, v in top.items():
        if v is KeyError:
            p.pop(k)
        else:
            p[k] = v
    return p


def _alert_with(**fields):
    a = am_alert({"alertname": "Bad"}, "bad", fingerprint="bad")
    for k, v in fields.items():
        if v is KeyError:
            a.pop(k)
        else:
            a[k] = v
    return a


BAD_PAYLOADS = [
    ("malformed JSON", '{"version": "4", "alerts": [', None),
    ("not an object", "[]", None),
    ("empty body", "", None),
    ("version 3", _with(version="3"), "version"),
    ("version number", _with(version=4), "version"),
    ("no version", _with(version=KeyError), "version"),
    ("alerts object", _with(alerts={}), "alerts"),
    ("alerts missing", _with(alerts=KeyError), "alerts"),
    ("alerts null", _with(alerts=None), "alerts"),
    ("unknown top-level key", _with(bogus=1), "bogus"),
    ("alert not an object", _with(alerts=["x"]), "alerts[0]"),
    ("alert without labels", _with(alerts=[_alert_with(labels=KeyError)]), "alerts[0].labels"),
    ("labels not an object", _with(alerts=[_alert_with(labels=["a"])]), "alerts[0].labels"),
    ("label value not a string", _with(alerts=[_alert_with(labels={"alertname": "B", "x": 1})]), "alerts[0].labels.x"),
    ("label value null", _with(alerts=[_alert_with(labels={"alertname": "B", "x": None})]), "alerts[0].labels.x"),
    ("annotation not a string", _with(alerts=[_alert_with(annotations={"summary": 5})]), "alerts[0].annotations.summary"),
    ("bad alert status", _with(alerts=[_alert_with(status="pending")]), "alerts[0].status"),
    ("alert without status", _with(alerts=[_alert_with(status=KeyError)]), "alerts[0].status"),
    ("unknown alert key", _with(alerts=[_alert_with(colour="red")]), "alerts[0]"),
    ("fingerprint not a string", _with(alerts=[_alert_with(fingerprint=7)]), "alerts[0].fingerprint"),
    ("second alert bad", _with(alerts=[dict(GOOD), _alert_with(labels={"x": 2})]), "alerts[1].labels.x"),
]


@pytest.mark.parametrize("what,payload,field", BAD_PAYLOADS, ids=[b[0] for b in BAD_PAYLOADS])
def test_bad_payloads_are_400_and_store_nothing(ing, what, payload, field):
    key = integration(ing, "api", "alertmanager")["key"]
    am_ok(ing, key, [am_alert({"alertname": "Before"}, "before", fingerprint="before")])
    before = snapshot(ing)
    if isinstance(payload, str):
        r = am_send(ing, key, raw=payload)
    else:
        r = am_send(ing, key, payload=payload)
    assert r.status == 400, (what, r)
    msg = r.json["error"]["message"]
    if field:
        assert msg.startswith(field), f"{what}: the message should start with {field!r}: {msg!r}"
    assert snapshot(ing) == before, f"{what}: a refused payload changed the store"


def test_bad_top_level_status_is_400(ing):
    """The group's own status is firing|resolved like each alert's; anything else is bad input."""
    key = integration(ing, "api", "alertmanager")["key"]
    before = snapshot(ing)
    r = am_send(ing, key, payload=_with(status="exploding"))
    assert r.status == 400, r
    assert r.json["error"]["message"].startswith("status"), r.json
    assert snapshot(ing) == before


def test_empty_alert_list_is_accepted_and_stores_nothing(ing):
    key = integration(ing, "api", "alertmanager")["key"]
    before = snapshot(ing)
    r = am_send(ing, key, payload=_with(alerts=[]))
    assert r.status == 200 and r.json == {"status": "ok", "alerts": 0, "incidents": []}, r
    assert snapshot(ing) == before


def test_payload_survives_kill9(ing):
    key = integration(ing, "db", "alertmanager")["key"]
    batch = [am_alert({"alertname": f"N{i}"}, f"n{i}", fingerprint=f"k{i}") for i in range(20)]
    j = am_ok(ing, key, batch)
    ing.kill9()
    ing.start()
    got = ing.api("GET", "/api/v1/alerts?status=all")[1]["alerts"]
    assert sorted(a["dedup_key"] for a in got) == sorted(f"k{i}" for i in range(20))
    assert sorted(i["id"] for i in incidents(ing)) == sorted(j["incidents"])
    # and the dedup still holds after the restart
    am_ok(ing, key, batch)
    assert len(ing.api("GET", "/api/v1/alerts?status=all")[1]["alerts"]) == 20
    assert len(incidents(ing)) == 20
