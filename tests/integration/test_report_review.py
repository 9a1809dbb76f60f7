"""The monthly review's detection, noise, cadence and the mail on the 1st (issue 17): MTTD from
the first alert's start (Alertmanager startsAt, Events v2 payload.timestamp), alert noise (alerts
per incident, incidents resolved without an ack, the noisiest sources, flapping alerts),
update-cadence compliance, in JSON, Markdown, CSV and the CLI; the previous month's review mailed
on the 1st to reports.mail_to, once across restarts (a claim in the store). Every figure below is
worked out by hand from the incidents the fixture makes in July 2099 (UTC). One server for the
module, the dev clock moved instead of waiting."""
import re

import pytest

from test_ingest_support import am_alert, am_ok, integration, v2_event, v2_ok
from tocsin_harness import Server, require_bin, run_bin

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, notify: [email]}
  - {id: SEV2, name: Major, ack_within: 30m, resolve_within: 4h, update_every: 30m, notify: [email]}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
  - {id: bob, name: Bob, phone: "+15555550100"}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
services:
  - {id: api, name: API, escalation: default, alerts: {severity: SEV2}}
  - {id: web, name: Web, escalation: default, alerts: {severity: SEV3}}
  - {id: disk, name: Disks, escalation: default, alerts: {severity: SEV3, auto_resolve: false}}
reports:
  timezone: UTC
  mail_to: [alice, bob]
  mail_at: "06:00"
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("report_review"), dev_clock=True, config_text=CONFIG)
    s.start()
    am_api = integration(s, "api", "alertmanager")["key"]
    am_disk = integration(s, "disk", "alertmanager")["key"]
    v2_web = integration(s, "web", "events_v2")["key"]

    # I1 (api, SEV2): two alerts, the first started 09:50, declared 10:00: MTTD 10m.
    s.pin_clock("2099-07-10T10:00:00Z")
    a1 = am_alert({"alertname": "HighLatency", "instance": "a"}, "slow", fingerprint="hl1")
    a2 = am_alert({"alertname": "HighLatency", "instance": "b"}, "slow", fingerprint="hl2")
    a1["startsAt"], a2["startsAt"] = "2099-07-10T09:50:00Z", "2099-07-10T09:55:00.250Z"
    (i1,) = am_ok(s, am_api, [a1, a2])["incidents"]
    # Updates every 30m are due: [10:00,10:30] public at 10:20; [10:30,11:00] none;
    # [11:00,11:30] internal at 11:10; resolved 11:40 (100m: 3 whole intervals): 2 of 3 on time.
    s.advance("5m")
    s.move(i1, "acknowledged")
    s.advance("15m")
    s.move(i1, "investigating", message="Looking at the gateway", public=True)
    s.advance("50m")
    s.move(i1, "identified", message="A bad deploy", public=False)
    s.advance("30m")
    s.move(i1, "resolved")

    # I4 (disk, SEV3, no auto-resolve): DiskPressure fires and resolves three times: flapping.
    s.pin_clock("2099-07-15T06:00:00Z")
    starts = ["2099-07-15T05:58:00Z", "2099-07-15T06:10:00Z", "2099-07-15T06:20:00Z"]
    i4 = None
    for n, st in enumerate(starts):
        fire = am_alert({"alertname": "DiskPressure", "instance": "d1"}, "disk", fingerprint="dp")
        fire["startsAt"] = st
        got = am_ok(s, am_disk, [fire])["incidents"]
        i4 = i4 or got[0]
        assert got == [i4], "each fire joins the open incident"
        s.advance("5m")
        res = am_alert({"alertname": "DiskPressure", "instance": "d1"}, "disk", status="resolved",
                       fingerprint="dp")
        am_ok(s, am_disk, [res])
        s.advance("5m")

    # I2 (web, SEV3) by Events v2: the problem began 11:30, declared 12:00: MTTD 30m; its alert
    # resolves 12:10 and the incident with it, never acknowledged.
    s.pin_clock("2099-07-20T12:00:00Z")
    v2_ok(s, v2_event(v2_web, dedup_key="w1", source="web-7", timestamp="2099-07-20T11:30:00Z"))
    s.advance("10m")
    v2_ok(s, v2_event(v2_web, action="resolve", dedup_key="w1"))

    # I3 (SEV2, by hand, no alert): resolved after 20m: no whole update interval, no MTTD.
    s.pin_clock("2099-07-25T08:00:00Z")
    i3 = s.create("by hand", "SEV2", service="api")["id"]
    s.advance("5m")
    s.move(i3, "acknowledged")
    s.advance("15m")
    s.move(i3, "resolved")
    s.ids = {"i1": i1, "i3": i3, "i4": i4}
    yield s
    s.teardown()


def review(srv, fmt=None):
    q = "?month=2099-07" + (f"&format={fmt}" if fmt else "")
    r = srv.request("GET", "/api/v1/reports/monthly" + q, check=False)
    assert r.status == 200, r
    return r


def mailed(srv):
    con = srv.db(readonly=True)
    try:
        rows = [tuple(r) for r in con.execute(
            "SELECT user_id, method, subject, body FROM notifications WHERE dkey LIKE 'report:%'")]
        entries = [r[0] for r in con.execute(
            "SELECT data FROM timeline WHERE kind = 'report.mailed'")]
        return rows, entries
    finally:
        con.close()


def test_detection_noise_and_cadence(srv):
    j = review(srv).json
    assert j["incidents"] == 4 and j["still_open"] == 1
    # MTTD over I4 2m, I1 10m, I2 30m: nearest rank, median the 2nd, p90 the 3rd.
    # (pin_clock lands a few ms after the instant asked: up to its 60 s tolerance under load)
    m = j["mttd"]
    assert m["count"] == 3 and 0 <= m["median_ms"] - 600000 < 60000, m
    assert 0 <= m["p90_ms"] - 1800000 < 60000, m
    n = j["alert_noise"]
    assert n["alerts"] == 6 and n["alerts_on_incidents"] == 6 and n["incidents_with_alerts"] == 3
    assert n["alerts_per_incident"] == 1.5  # 6 alerts over 4 incidents
    assert n["incidents_resolved_without_action"] == 1  # I2: resolved straight from triggered
    assert [(x["source"], x["alerts"], x["incidents"]) for x in n["noisiest"]] == [
        ("disk/DiskPressure", 3, 1), ("api/HighLatency", 2, 1), ("web/web-7", 1, 1)]
    assert [(x["source"], x["fires"], x["resolved"]) for x in n["flapping"]] == [
        ("disk/DiskPressure", 3, 3)]
    assert j["update_cadence"] == {"incidents": 1, "intervals": 3, "on_time": 2,
                                   "share_percent": 66}
    assert j["previous_month"]["mttd_median_ms"] is None and j["previous_month"]["alerts"] == 0
    assert j["month_over_month"]["alerts"] == 6 and j["month_over_month"]["mttd_median_ms"] is None


def test_markdown_csv_and_cli(srv):
    md = review(srv, "markdown").body.decode()
    assert re.search(r"\| Time to detect \| 10m(\d+s)? \| 30m(\d+s)? \| 3 \|", md), md
    assert "66% of update intervals had an update on time (2 of 3, over 1 incident)." in md
    assert "6 alerts this month; 1.50 per incident; 1 incident opened by alerts resolved without action." in md
    assert "| disk | DiskPressure | 3 | 1 |" in md and "| disk | DiskPressure | 3 | 3 |" in md
    assert "| Alerts | 6 | 0 | +6 |" in md
    rows = set(review(srv, "csv").body.decode().split("\r\n"))
    assert {"2099-07,mttd.count,3",
            "2099-07,alert_noise.alerts_per_incident,1.5",
            "2099-07,alert_noise.flapping.disk/DiskPressure.fires,3",
            "2099-07,alert_noise.noisiest.api/HighLatency.alerts,2",
            "2099-07,update_cadence.share_percent,66",
            "2099-07,update_cadence.intervals,3"} <= rows, sorted(rows)
    p = srv.cli("report", "monthly", "--month", "2099-07")
    assert p.returncode == 0 and p.stdout == md, p.stderr


def test_mail_on_the_first_once(srv):
    srv.pin_clock("2099-08-01T05:59:00Z")
    assert mailed(srv) == ([], [])
    srv.advance("2m")
    rows, entries = mailed(srv)
    assert len(rows) == 1 and len(entries) == 1, (rows, entries)
    user, method, subject, body = rows[0]
    assert (user, method, subject) == ("alice", "email", "Monthly incident review: 2099-07")
    assert body.startswith("# Monthly incident review: 2099-07") and "| Time to detect | 10m" in body
    assert '"not_reached":["bob"]' in entries[0] and '"to":["alice"]' in entries[0]
    srv.advance("1h")
    assert len(mailed(srv)[0]) == 1
    srv.restart()
    srv.advance("1m")
    rows, entries = mailed(srv)
    assert len(rows) == 1 and len(entries) == 1, "a restart on the 1st does not mail it again"


@pytest.mark.parametrize("line,msg", [
    ('  mail_at: "25:00"', "mail_at"),
    ("  mail_to: [nobody]", "nobody"),
])
def test_config_errors(tmp_path, line, msg):
    text = CONFIG.replace('  mail_at: "06:00"', line) if "mail_at" in line else \
        CONFIG.replace("  mail_to: [alice, bob]", line)
    path = tmp_path / "tocsin.yaml"
    path.write_text(text)
    p = run_bin("check-config", str(path))
    assert p.returncode != 0 and msg in p.stdout + p.stderr, (p.stdout, p.stderr)
