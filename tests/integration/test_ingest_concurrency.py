"""Concurrent ingest: racing senders never make two open alerts of one dedup key, nor two open
incidents of one group."""
from tocsin_harness import run_threads
from test_ingest_support import alerts, am_alert, am_send, incident_alerts, incidents, ing, key_of, v2, v2_event  # noqa: F401


def test_same_dedup_key_from_many_threads_is_one_alert(ing):
    key = key_of(ing, "api", "events_v2")

    def send(i):
        return [v2(ing, v2_event(key, dedup_key="race", summary=f"t{i} n{n}")).status for n in range(5)]

    codes = [c for lst in run_threads(8, send) for c in lst]
    assert codes == [202] * 40, codes
    [a] = alerts(ing)
    assert a["repeat_count"] == 40, a
    assert len(incidents(ing)) == 1


def test_many_keys_racing_on_one_service_open_one_incident(ing):
    keys = [key_of(ing, "api", "alertmanager", name=f"am-{i}") for i in range(6)]

    def send(i):
        out = []
        for n in range(5):
            r = am_send(ing, keys[i], [am_alert({"alertname": "Race", "sender": str(i), "n": str(n)}, "race")])
            assert r.status == 200, r
            out.extend(r.json["incidents"])
        return out

    seen = {iid for lst in run_threads(6, send) for iid in lst}
    assert len(seen) == 1, f"racing alerts opened {len(seen)} incidents"
    [inc] = incidents(ing)
    assert len(incident_alerts(ing, inc["id"])) == 30
    assert ing.verify()["valid"] is True


def test_resolves_racing_triggers_leave_a_consistent_incident(ing):
    """Half the threads resolve their alert while the other half trigger new ones: the incident
    is resolved if and only if none of its alerts is open."""
    key = key_of(ing, "api", "events_v2")
    for i in range(8):
        assert v2(ing, v2_event(key, dedup_key=f"a{i}")).status == 202

    def act(i):
        if i % 2:
            return v2(ing, {"routing_key": key, "event_action": "resolve", "dedup_key": f"a{i}"}).status
        return v2(ing, v2_event(key, dedup_key=f"b{i}")).status

    assert run_threads(8, act) == [202] * 8
    for inc in incidents(ing):
        open_ = [a for a in incident_alerts(ing, inc["id"]) if a["status"] != "resolved"]
        if inc["status"] == "resolved":
            assert not open_, (inc["id"], open_)
        else:
            assert open_, f"{inc['id']} open with every alert resolved"
    assert len([i for i in incidents(ing) if i["status"] != "resolved"]) == 1
