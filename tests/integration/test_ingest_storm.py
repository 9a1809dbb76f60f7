"""An alert storm: 10,000 distinct alerts on one service without group_by become one incident, not
10,000 pages (docs/api.md "How alerts become incidents")."""
from test_ingest_support import am_alert, am_ok, incident_alerts, incidents, ing, key_of  # noqa: F401

TOTAL, BATCH = 10_000, 500


def test_storm_of_10000_alerts_is_one_incident(ing):
    key = key_of(ing, "api", "alertmanager")
    seen_incidents = set()
    for b in range(TOTAL // BATCH):
        batch = [am_alert({"alertname": "NodeDown", "instance": f"node-{b * BATCH + i:05d}", "rack": f"r{i % 7}"},
                          "node down") for i in range(BATCH)]
        j = am_ok(ing, key, batch)
        seen_incidents.update(j["incidents"])
    assert len(seen_incidents) == 1, f"a storm opened {len(seen_incidents)} incidents"
    [iid] = seen_incidents
    assert [i["id"] for i in incidents(ing)] == [iid], "exactly one incident"
    got = incident_alerts(ing, iid)
    assert len(got) == TOTAL, f"{len(got)} alerts attached, want {TOTAL}"
    assert len({a["dedup_key"] for a in got}) == TOTAL
    assert {a["labels"]["instance"] for a in got} == {f"node-{n:05d}" for n in range(TOTAL)}
    assert all(a["status"] == "firing" and a["incident_id"] == iid for a in got)
    st, j = ing.api("GET", "/api/v1/alerts?status=open&service=api&limit=1000")
    assert st == 200 and len(j["alerts"]) == 1000, "the list route caps at its limit"
    ks = [e["kind"] for e in ing.timeline(iid)]
    assert ks.count("alert.triggered") == TOTAL and ks.count("incident.declared") == 1
    # the storm ends a minute later (the clock moves, so the key's rate-limit bucket refills: 20,000
    # events within seconds would rightly be 429'd by the default limit of 60,000/min, burst 10,000):
    # every alert resolves, the incident resolves once, after the last one
    ing.advance("1m")
    for b in range(TOTAL // BATCH):
        batch = [am_alert({"alertname": "NodeDown", "instance": f"node-{b * BATCH + i:05d}", "rack": f"r{i % 7}"},
                          status="resolved") for i in range(BATCH)]
        am_ok(ing, key, batch)
        want = "resolved" if b == TOTAL // BATCH - 1 else "triggered"
        assert ing.get(iid)["status"] == want, f"after resolving {(b + 1) * BATCH} alerts"
    ks = [e["kind"] for e in ing.timeline(iid)]
    assert ks.count("alert.resolved") == TOTAL and ks.count("incident.resolved") == 1
    assert ks[-1] == "incident.resolved"
    assert ing.verify()["valid"] is True
