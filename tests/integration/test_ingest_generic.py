"""POST /api/v1/ingest/generic: {summary, details?, dedup_key?, severity?, action?, labels?, source?}
(docs/api.md "Alert ingest")."""
import pytest

from test_ingest_support import (alerts, generic, generic_ok, incident_alerts, ing,  # noqa: F401
                                 integration, key_of, kinds, snapshot)


def test_trigger_repeat_resolve(ing):
    integ = integration(ing, "api", "generic")
    key = integ["key"]
    body = {"summary": "Backup job failed", "dedup_key": "backup", "source": "cron@host1",
            "labels": {"job": "backup", "env": "prod"}, "details": {"exit": 3}}
    j = generic_ok(ing, key, body)
    assert j["dedup_key"] == "backup" and isinstance(j["alert_id"], int), j
    iid = j["incident_id"]
    assert iid, j
    [a] = alerts(ing)
    assert a["id"] == j["alert_id"] and a["source_kind"] == "generic" and a["integration_id"] == integ["id"]
    assert a["labels"] == {"job": "backup", "env": "prod"} and a["details"] == {"exit": 3}, a
    assert a["source"] == "cron@host1" and a["summary"] == "Backup job failed"
    inc = ing.get(iid)
    assert inc["title"] == "Backup job failed" and inc["service"] == "api" and inc["severity"] == "SEV2"
    j2 = generic_ok(ing, key, dict(body, action="trigger"))
    assert (j2["alert_id"], j2["incident_id"]) == (j["alert_id"], iid), j2
    assert alerts(ing)[0]["repeat_count"] == 2
    j3 = generic_ok(ing, key, {"action": "resolve", "dedup_key": "backup"})
    assert j3["alert_id"] == j["alert_id"], j3
    [a] = alerts(ing)
    assert a["status"] == "resolved" and a["resolved_at"], a
    assert ing.get(iid)["status"] == "resolved"
    assert kinds(ing, iid).count("incident.resolved") == 1


def test_trigger_without_dedup_key_gets_one(ing):
    key = key_of(ing, "api", "generic")
    a = generic_ok(ing, key, {"summary": "one"})
    b = generic_ok(ing, key, {"summary": "two"})
    assert a["dedup_key"] and b["dedup_key"] and a["dedup_key"] != b["dedup_key"], (a, b)
    assert a["alert_id"] != b["alert_id"]
    assert a["incident_id"] == b["incident_id"], "one open alert-incident for api"
    assert len(incident_alerts(ing, a["incident_id"])) == 2


def test_resolve_unknown_key_accepted_and_dropped(ing):
    key = key_of(ing, "api", "generic")
    before = snapshot(ing)
    r = generic(ing, key, {"action": "resolve", "dedup_key": "nothing"})
    assert r.status == 202, r
    assert r.json["incident_id"] is None
    assert snapshot(ing) == before


def test_severity_from_the_services_severity_label(ing):
    """docs/api.md: the raw severity is "the Alertmanager/generic label named by
    alerts.severity_label" (cache: `level`, severity_map {page: SEV1}, fallback SEV4)."""
    key = key_of(ing, "cache", "generic")
    j = generic_ok(ing, key, {"summary": "cache down", "labels": {"level": "page"}})
    assert ing.get(j["incident_id"])["severity"] == "SEV1"


def test_severity_field(ing):
    key = key_of(ing, "db", "generic")
    j = generic_ok(ing, key, {"summary": "db slow", "severity": "warning"})
    assert ing.get(j["incident_id"])["severity"] == "SEV3"
    assert alerts(ing)[0]["severity"] == "warning"


BAD = [
    ("missing summary", {"dedup_key": "x"}, "summary"),
    ("empty summary", {"summary": ""}, "summary"),
    ("summary not a string", {"summary": 3}, "summary"),
    ("resolve without dedup_key", {"action": "resolve"}, "dedup_key"),
    ("bad action", {"summary": "s", "action": "explode"}, "action"),
    ("label value not a string", {"summary": "s", "labels": {"team": "a", "n": 1}}, "labels.n"),
    ("label value null", {"summary": "s", "labels": {"n": None}}, "labels.n"),
    ("labels not an object", {"summary": "s", "labels": ["a"]}, "labels"),
    ("details not an object", {"summary": "s", "details": "text"}, "details"),
    ("unknown field", {"summary": "s", "colour": "red"}, "colour"),
    ("summary over 1024", {"summary": "s" * 1025}, "summary"),
    ("not an object", [1, 2], None),
]


@pytest.mark.parametrize("what,body,field", BAD, ids=[b[0] for b in BAD])
def test_bad_generic_is_400_and_stores_nothing(ing, what, body, field):
    key = key_of(ing, "api", "generic")
    generic_ok(ing, key, {"summary": "before", "dedup_key": "before"})
    before = snapshot(ing)
    r = generic(ing, key, body)
    assert r.status == 400, (what, r)
    if field:
        msg = r.json["error"]["message"]
        assert msg.startswith(field), f"{what}: message should start with {field!r}: {msg!r}"
    assert snapshot(ing) == before


def test_malformed_json_is_400(ing):
    key = key_of(ing, "api", "generic")
    before = snapshot(ing)
    r = generic(ing, key, raw='{"summary": "x"')
    assert r.status == 400, r
    assert snapshot(ing) == before


def test_alert_list_filters_and_order(ing):
    key = key_of(ing, "web", "generic")
    ids = [generic_ok(ing, key, {"summary": f"n{i}", "dedup_key": f"n{i}"})["alert_id"] for i in range(4)]
    generic_ok(ing, key, {"action": "resolve", "dedup_key": "n1"})
    assert [a["id"] for a in alerts(ing)] == sorted(ids, reverse=True), "newest first"
    assert [a["dedup_key"] for a in alerts(ing, status="resolved")] == ["n1"]
    assert {a["dedup_key"] for a in alerts(ing, status="firing")} == {"n0", "n2", "n3"}
    st, j = ing.api("GET", "/api/v1/alerts")
    assert st == 200 and {a["dedup_key"] for a in j["alerts"]} == {"n0", "n2", "n3"}, "default: open"
    assert [a["dedup_key"] for a in alerts(ing, limit=2)] == ["n3", "n2"]
    assert alerts(ing, service="api") == [] and len(alerts(ing, service="web")) == 4
    for q, code in [("status=bogus", 422), ("limit=0", 400), ("limit=1001", 400), ("limit=x", 400),
                    ("service=nope", 422)]:
        st, j = ing.api("GET", f"/api/v1/alerts?{q}")
        assert st == code, (q, st, j)
    st, j = ing.api("GET", "/api/v1/incidents/INC-2000-01-01-001/alerts")
    assert st == 404, (st, j)
    viewer = ing.make_token("viewer")
    assert ing.api("GET", "/api/v1/alerts", token=viewer)[0] == 200
    assert ing.api("GET", "/api/v1/alerts", token=None)[0] == 401


def test_incident_title_is_the_summary_cut_to_200_characters(ing):
    """An incident title is 1..200 characters (docs/api.md); an alert's summary becomes the title,
    so a long summary is cut to 200 characters, not 200 bytes."""
    key = key_of(ing, "api", "generic")
    j = generic_ok(ing, key, {"summary": "é" * 300, "dedup_key": "long"})
    title = ing.get(j["incident_id"])["title"]
    assert title == "é" * 200, f"title has {len(title)} characters"
    assert alerts(ing)[0]["summary"] == "é" * 300
