"""Fire drills' injected alerts (issue 17): a scenario's `alerts:` go through the ingest path as
drill alerts when the drill starts (or `after` it, injected by the engine once due on the dev
clock, once across a restart, not at all once the drill is resolved): attached to the drill
incident, `drill: true`, [DRILL] on /ui/alerts, never opening a real incident nor joining a real
alert with the same labels, left out of the monthly review's alert noise. The drill report says
whether the responders set `expect_severity` and lists the injected alerts. check-config refuses
bad labels and an `after` beyond 24h. One server for the module, the dev clock moved."""
import pytest

from test_ingest_support import am_alert, am_ok, integration
from test_ui import Browser, set_password
from tocsin_harness import Server, require_bin, run_bin

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, notify: [email]}
  - {id: SEV2, name: Major, ack_within: 30m, resolve_within: 4h, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
services:
  - {id: db, name: Database, escalation: default, alerts: {severity: SEV2}}
drills:
  - id: db-failover
    title: "Game day: replication lag"
    severity: SEV2
    expect_severity: SEV1
    service: db
    alerts:
      - labels: {alertname: PostgresReplicationLag, service: db, severity: critical}
        annotations: {summary: Replica 40s behind the primary}
      - labels: {alertname: PostgresPrimaryDown, service: db, severity: critical}
        annotations: {summary: The primary stopped answering}
        after: 5m
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("drill_alerts"), dev_clock=True, config_text=CONFIG)
    s.start()
    s.pin_clock("2099-03-10T10:00:00Z")
    yield s
    s.teardown()


def alerts_of(srv, iid):
    st, j = srv.api("GET", f"/api/v1/incidents/{iid}/alerts")
    assert st == 200, j
    return j["alerts"]


def incidents(srv):
    st, j = srv.api("GET", "/api/v1/incidents?limit=100")
    assert st == 200, j
    return j["incidents"]


def test_drill_alerts_inject_mark_once_and_report(srv):
    key = integration(srv, "db", "alertmanager")["key"]
    # A real alert with the same labels as the drill's first one: it opens a real incident.
    real = am_alert({"alertname": "PostgresReplicationLag", "service": "db",
                     "severity": "critical"}, "real lag", fingerprint="lag")
    (real_iid,) = am_ok(srv, key, [real])["incidents"]

    st, d = srv.api("POST", "/api/v1/drills", {"scenario": "db-failover"})
    assert st == 201, d
    iid = d["id"]
    got = alerts_of(srv, iid)
    assert len(got) == 1, got
    a = got[0]
    assert a["drill"] is True and a["incident_id"] == iid and a["source_kind"] == "drill"
    assert a["labels"]["alertname"] == "PostgresReplicationLag"
    assert a["summary"] == "Replica 40s behind the primary"
    assert a["dedup_key"].startswith(f"drill:{iid}:")
    # no real incident opened, the real alert untouched (no dedup across the namespaces)
    assert sorted(i["id"] for i in incidents(srv)) == sorted([real_iid, iid])
    (ra,) = alerts_of(srv, real_iid)
    assert ra["drill"] is False and ra["repeat_count"] == 1
    set_password(srv, "alice")
    b = Browser(srv)
    assert b.signin("alice")[0].status == 303
    r, text = b.send("GET", "/ui/alerts")
    assert r.status == 200 and text.count("[DRILL]") == 1, text
    assert "real lag" in text

    srv.advance("4m")
    assert len(alerts_of(srv, iid)) == 1, "the delayed alert is not due yet"
    srv.advance("61s")
    got = alerts_of(srv, iid)
    assert sorted(x["labels"]["alertname"] for x in got) == [
        "PostgresPrimaryDown", "PostgresReplicationLag"]
    assert all(x["drill"] for x in got)
    srv.restart()
    srv.advance("10m")
    assert len(alerts_of(srv, iid)) == 2, "a restart does not inject it again"
    kinds = [e["kind"] for e in srv.timeline(iid)]
    assert kinds.count("alert.triggered") == 2, kinds
    assert len(incidents(srv)) == 2

    # The responders acknowledge at SEV2, then raise it to the expected SEV1 and resolve.
    srv.move(iid, "acknowledged")
    srv.advance("1m")
    st, j = srv.api("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV1"})
    assert st == 200, j
    st, rep = srv.api("GET", f"/api/v1/drills/{iid}/report")
    assert st == 200, rep
    sev = rep["expected_severity"]
    assert sev["expected"] == "SEV1" and sev["at_ack"] == "SEV2" and sev["set_at_ack"] is False
    assert sev["result"] == "pass" and sev["at_resolve"] is None
    srv.move(iid, "resolved")
    st, rep = srv.api("GET", f"/api/v1/drills/{iid}/report")
    sev = rep["expected_severity"]
    assert sev["at_resolve"] == "SEV1" and sev["set_at_resolve"] is True, sev
    assert [x["alertname"] for x in rep["alerts"]] == ["PostgresReplicationLag",
                                                      "PostgresPrimaryDown"]
    p = srv.cli("drill", "report", iid)
    assert p.returncode == 0, p.stderr
    assert "expected severity: SEV1 (at ack SEV2, at resolve SEV1): pass" in p.stdout, p.stdout
    assert "injected alert: PostgresPrimaryDown The primary stopped answering" in p.stdout

    # The monthly review counts the real alert only.
    r = srv.request("GET", "/api/v1/reports/monthly?month=2099-03", check=False)
    assert r.status == 200, r
    n = r.json["alert_noise"]
    assert n["alerts"] == 1, n
    assert [(x["source"], x["alerts"]) for x in n["noisiest"]] == [
        ("db/PostgresReplicationLag", 1)]


def test_drill_resolved_before_the_delayed_alert_skips_it(srv):
    st, d = srv.api("POST", "/api/v1/drills", {"scenario": "db-failover"})
    assert st == 201, d
    iid = d["id"]
    srv.move(iid, "resolved")
    srv.advance("6m")
    assert len(alerts_of(srv, iid)) == 1
    kinds = [e["kind"] for e in srv.timeline(iid)]
    assert kinds.count("alert.triggered") == 1, kinds


@pytest.mark.parametrize("alerts,msg", [
    ("      - labels: [alertname]", "labels"),
    ("      - {labels: {service: db}}", "alertname"),
    ('      - {labels: {alertname: ""}}', "alertname"),
    ("      - {labels: {alertname: X}, after: 25h}", "after"),
])
def test_config_errors(tmp_path, alerts, msg):
    text = CONFIG.split("    alerts:\n")[0] + "    alerts:\n" + alerts + "\n"
    path = tmp_path / "tocsin.yaml"
    path.write_text(text)
    p = run_bin("check-config", str(path))
    out = p.stdout + p.stderr
    assert p.returncode != 0 and msg in out and "tocsin.yaml:" in out, out
