"""Real peers: Debian's Prometheus evaluates real alert rules against a target the test controls,
Debian's Alertmanager routes the alerts to tocsin twice (a webhook receiver and a PagerDuty
receiver, `continue: true`), and tocsin must open one incident and resolve it by itself.

    target (this process, http.server on 127.0.0.1)
      /metrics           http_errors_ratio 0.0 | 0.5
      /postgres/metrics  pg_up 1 | HTTP 503 (so Prometheus' own `up` drops to 0)
    -> prometheus  (scrape and evaluate every 1s; rules modelled on seed 001: HighErrorRate,
                    DatabaseDown, both severity critical, `for: 0s`)
    -> alertmanager (group_by alertname, group_wait 1s, group_interval 1s)
         -> webhook_configs   url .../api/v1/ingest/alertmanager, bearer = alertmanager key
         -> pagerduty_configs url .../v2/enqueue, routing_key = events_v2 key
    -> tocsin      (service alloy-api, severity_map critical -> P0, group_by [] by default)

Run:  bash tests/peers/setup.sh   (installs prometheus and prometheus-alertmanager if missing)
      make SAN=1 peers                (the ASan binary, passed as TOCSIN_BIN)

Stdlib + pytest only. Processes are started and stopped by the integration harness
(tests/integration/tocsin_harness.py): tocsin is its `Server` (same start, readiness, teardown,
sanitizer check and audit-chain check as the integration suite), Prometheus and Alertmanager are
its `Managed` processes (own session and process group, SIGKILL when pytest dies, stopped by PID
then process group). Every process gets a port found by binding to 127.0.0.1:0 and a temp dir.
The test skips only when Prometheus or Alertmanager is not installed; a missing tocsin binary is a failure (it is what is under test). The waits poll
real external processes (scrape, evaluation, grouping, delivery) with a bound; none waits on a
tocsin deadline.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from tocsin_harness import Managed, Server, free_port, http, require_bin  # noqa: E402

PROMETHEUS = "/usr/bin/prometheus"
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
AMTOOL = "/usr/bin/amtool"

READY_S = 30          # a process must answer its readiness URL within this
WAIT_S = 60           # an end-to-end effect (scrape -> rule -> Alertmanager -> tocsin) within this
POLL_S = 0.5
STOP_S = 15
HTTP_TIMEOUT = 10

SERVICE = "alloy-api"

# Seed 001 (Alloy): P0..P3, and its Prometheus rules. The service maps the rules' `severity`
# label onto the seed's levels, so a critical alert opens a P0.
TOCSIN_CONFIG = """\
severities:
  - {id: P0, name: Critical, description: "Critical system outage affecting all users", ack_within: 15m, update_every: 30m}
  - {id: P1, name: Major, description: "Major feature degradation affecting many users", ack_within: 1h, update_every: 1h}
  - {id: P2, name: Minor, description: "Minor issue affecting subset of users", ack_within: 4h}
  - {id: P3, name: Cosmetic, description: "Cosmetic issue or enhancement request", ack_within: 2d}
services:
  - id: alloy-api
    name: Alloy API
    alerts:
      severity_map: {critical: P0, error: P1, warning: P2, info: P3}
"""

RULES = """\
groups:
  - name: alloy_alerts
    interval: 1s
    rules:
      - alert: HighErrorRate
        expr: http_errors_ratio{job="alloy-api"} > 0.05
        for: 0s
        labels:
          severity: critical
        annotations:
          summary: "High error rate detected"
          description: "Error ratio is {{ $value }} (threshold: 0.05)"
      - alert: DatabaseDown
        expr: up{job="postgres"} == 0
        for: 0s
        labels:
          severity: critical
        annotations:
          summary: "Database is down"
          description: "PostgreSQL database is not responding"
"""

RULE_SUMMARIES = {"HighErrorRate": "High error rate detected", "DatabaseDown": "Database is down"}


def fetch(method, url, body=None, token=None):
    """(status, parsed JSON or raw text), through the harness' HTTP client (no proxy)."""
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = http(method, url, data, headers, timeout=HTTP_TIMEOUT)
    return r.status, (r.json if r.json is not None else r.body.decode("utf-8", "replace"))


# --- the scrape target ------------------------------------------------------------------------------
class Target:
    """A tiny exporter whose health the test flips: healthy or failing."""

    def __init__(self):
        self.failing = False
        self.scrapes = {"/metrics": 0, "/postgres/metrics": 0}
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?")[0]
                if path not in target.scrapes:
                    self.send_error(404)
                    return
                target.scrapes[path] += 1
                if path == "/postgres/metrics":
                    if target.failing:
                        self._send(503, "pg: connection refused\n")
                    else:
                        self._send(200, "# TYPE pg_up gauge\npg_up 1\n")
                    return
                ratio = "0.5" if target.failing else "0.0"
                self._send(200, "# HELP http_errors_ratio Share of requests answered 5xx.\n"
                                "# TYPE http_errors_ratio gauge\n"
                                f"http_errors_ratio {ratio}\n"
                                "# TYPE app_up gauge\napp_up 1\n")

            def _send(self, code, text):
                body = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="target", daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=STOP_S)


# --- processes --------------------------------------------------------------------------------------
class Proc:
    """A peer (Prometheus, Alertmanager): a harness `Managed` process logging to root/NAME.log."""

    def __init__(self, name, args, root, env=None):
        self.name = name
        self.log_path = os.path.join(root, f"{name}.log")
        with open(self.log_path, "wb") as log:
            self.m = Managed(name, args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        self.pid = self.m.pid

    def log(self, tail=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-tail:]
        except OSError:
            return ""

    def exited(self):
        return self.m.poll()

    def wait_ready(self, url, ok=lambda status: status == 200):
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.m.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.m.returncode} before it was ready:\n{self.log()}")
            try:
                status, _ = fetch("GET", url)
                if ok(status):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.name} not ready within {READY_S}s ({url}):\n{self.log()}")

    def stop(self):
        """SIGTERM to the PID, bounded wait, SIGKILL to the process group. Returns the exit code."""
        code, _ = self.m.stop(signal.SIGTERM, STOP_S)
        return code


# --- who listens where -----------------------------------------------------------------------------
def _socket_inodes(pid):
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]$", link)
        if m:
            inodes.add(m.group(1))
    return inodes


def _loopback(hex_addr):
    if len(hex_addr) == 8:                       # IPv4, little-endian words: 0100007F = 127.0.0.1
        return hex_addr.endswith("7F")
    return hex_addr == "00000000000000000000000001000000"   # ::1


def non_loopback_sockets(pid):
    """Listening TCP sockets and unconnected UDP sockets of pid bound to a non-loopback address."""
    inodes = _socket_inodes(pid)
    bad = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            local, remote, state, inode = cols[1], cols[2], cols[3], cols[9]
            if inode not in inodes:
                continue
            listening = state == "0A" if table.startswith("tcp") else set(remote.split(":")[0]) == {"0"}
            if listening and not _loopback(local.split(":")[0]):
                bad.append(f"{table} {local} (state {state})")
    return bad


# --- the chain ----------------------------------------------------------------------------------------
class Peers:
    def __init__(self, root):
        self.root = str(root)
        self.procs = []
        self.target = None
        self.tocsin = None

    def start_tocsin(self):
        require_bin()
        self.tocsin = Server(os.path.join(self.root, "tocsin"), config_text=TOCSIN_CONFIG).start()
        self.tocsin_url = self.tocsin.url
        self.admin = self.tocsin.admin_token
        self.am_key = self.integration("alertmanager")
        self.ev2_key = self.integration("events_v2")

    def integration(self, kind):
        st, j = self.api("POST", "/api/v1/integrations", {"service": SERVICE, "type": kind})
        assert st == 201, f"POST /api/v1/integrations type={kind}: {st} {j}"
        assert re.fullmatch(r"[0-9a-f]{32}", j.get("key") or ""), f"integration key is not 32 hex: {j}"
        assert j["service"] == SERVICE and j["type"] == kind, j
        return j["key"]

    def api(self, method, path, body=None):
        return self.tocsin.api(method, path, body)

    def start_alertmanager(self):
        self.am_port = free_port()
        self.am_url = f"http://127.0.0.1:{self.am_port}"
        cfg = os.path.join(self.root, "alertmanager.yml")
        with open(cfg, "w") as f:
            f.write(f"""\
global:
  resolve_timeout: 10s
route:
  receiver: tocsin-webhook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
  routes:
    - receiver: tocsin-webhook
      continue: true
    - receiver: tocsin-pagerduty
      continue: true
receivers:
  - name: tocsin-webhook
    webhook_configs:
      - url: "{self.tocsin_url}/api/v1/ingest/alertmanager"
        send_resolved: true
        http_config:
          authorization:
            credentials: "{self.am_key}"
  - name: tocsin-pagerduty
    pagerduty_configs:
      - url: "{self.tocsin_url}/v2/enqueue"
        routing_key: "{self.ev2_key}"
        send_resolved: true
        severity: '{{{{ .CommonLabels.severity }}}}'
""")
        if os.access(AMTOOL, os.X_OK):
            p = subprocess.run([AMTOOL, "check-config", cfg], capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, f"amtool check-config refused the config:\n{p.stdout}\n{p.stderr}"
        os.makedirs(os.path.join(self.root, "am-data"))
        self.am = self._start("alertmanager", [
            ALERTMANAGER, f"--config.file={cfg}", f"--storage.path={os.path.join(self.root, 'am-data')}",
            f"--web.listen-address=127.0.0.1:{self.am_port}", "--cluster.listen-address="])
        self.am.wait_ready(self.am_url + "/-/ready")

    def start_prometheus(self):
        self.target = Target()
        self.prom_port = free_port()
        self.prom_url = f"http://127.0.0.1:{self.prom_port}"
        rules = os.path.join(self.root, "rules.yml")
        with open(rules, "w") as f:
            f.write(RULES)
        cfg = os.path.join(self.root, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(f"""\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ["{rules}"]
alerting:
  alertmanagers:
    - api_version: v2
      static_configs:
        - targets: ["127.0.0.1:{self.am_port}"]
scrape_configs:
  - job_name: alloy-api
    static_configs:
      - targets: ["127.0.0.1:{self.target.port}"]
  - job_name: postgres
    metrics_path: /postgres/metrics
    static_configs:
      - targets: ["127.0.0.1:{self.target.port}"]
""")
        tsdb = os.path.join(self.root, "prom-data")
        os.makedirs(tsdb)
        self.prom = self._start("prometheus", [
            PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={tsdb}",
            f"--web.listen-address=127.0.0.1:{self.prom_port}"])
        self.prom.wait_ready(self.prom_url + "/-/ready")

    def _start(self, name, args, env=None):
        p = Proc(name, args, self.root, env=env)
        self.procs.append(p)
        return p

    def diagnostics(self):
        out = []
        for name, url, token in (
                ("prometheus alerts", getattr(self, "prom_url", "") + "/api/v1/alerts", None),
                ("prometheus targets", getattr(self, "prom_url", "") + "/api/v1/targets?state=active", None),
                ("alertmanager alerts", getattr(self, "am_url", "") + "/api/v2/alerts", None),
                ("tocsin incidents", getattr(self, "tocsin_url", "") + "/api/v1/incidents?status=all",
                 getattr(self, "admin", None)),
                ("tocsin alerts", getattr(self, "tocsin_url", "") + "/api/v1/alerts?status=all",
                 getattr(self, "admin", None))):
            try:
                st, j = fetch("GET", url, token=token)
                out.append(f"--- {name}: {st} {json.dumps(j)[:3000] if not isinstance(j, str) else j[:3000]}")
            except (OSError, ValueError) as e:
                out.append(f"--- {name}: {e}")
        if self.target:
            out.append(f"--- target scrapes: {self.target.scrapes}")
        for p in self.procs:
            out.append(f"--- {p.name} log (pid {p.pid}):\n{p.log(3000)}")
        if self.tocsin:
            out.append(f"--- tocsin stderr (pid {self.tocsin.pid}):\n{self.tocsin.stderr_text()[-3000:]}")
        return "\n".join(out)

    def wait_for(self, what, fn):
        """Polls fn() until it returns something truthy (returned), failing with diagnostics."""
        deadline = time.monotonic() + WAIT_S
        last = None
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.exited() is not None:
                    pytest.fail(f"{p.name} exited with {p.m.returncode} while waiting for {what}\n"
                                f"{self.diagnostics()}")
            if self.tocsin and not self.tocsin.alive():
                pytest.fail(f"tocsin exited while waiting for {what}\n{self.diagnostics()}")
            result = fn()
            if result:
                return result
            last = result
            time.sleep(POLL_S)
        pytest.fail(f"not within {WAIT_S}s: {what} (last: {last!r})\n{self.diagnostics()}")

    def teardown(self):
        """Stops Prometheus, Alertmanager, tocsin (in that order) and the target; one failing stop
        or check does not skip the others. Returns the problems found."""
        problems = []
        for p in reversed(self.procs):
            try:
                p.stop()
            except BaseException as e:  # noqa: BLE001 - collected; every process must be stopped
                problems.append(f"stopping {p.name} (pid {p.pid}): {type(e).__name__}: {e}")
        if self.tocsin:
            try:
                self.tocsin.teardown()   # audit chain, SIGTERM, sanitizer report, died-early
                code = self.tocsin.exit_codes[-1] if self.tocsin.exit_codes else None
                if code is not None and code != 0:
                    problems.append(f"tocsin exited with {code} on SIGTERM:\n{self.tocsin.stderr_text()[-4000:]}")
            except BaseException as e:  # noqa: BLE001
                problems.append(f"tocsin: {type(e).__name__}: {e}")
        if self.target:
            try:
                self.target.close()
            except BaseException as e:  # noqa: BLE001
                problems.append(f"target: {type(e).__name__}: {e}")
        return problems


@pytest.fixture
def peers(tmp_path):
    missing = [b for b in (PROMETHEUS, ALERTMANAGER) if not os.access(b, os.X_OK)]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (run: bash tests/peers/setup.sh)")
    p = Peers(tmp_path)
    try:
        yield p
    finally:
        problems = p.teardown()
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


# --- helpers over tocsin's API ---------------------------------------------------------------------
def service_incidents(peers):
    st, j = peers.api("GET", "/api/v1/incidents?status=all&limit=1000")
    assert st == 200, f"GET /api/v1/incidents: {st} {j}"
    return [i for i in j["incidents"] if i.get("service") == SERVICE]


def incident_alerts(peers, iid):
    st, j = peers.api("GET", f"/api/v1/incidents/{iid}/alerts")
    assert st == 200, f"GET /api/v1/incidents/{iid}/alerts: {st} {j}"
    return j["alerts"]


def am_metric(peers, name, integration):
    """Sum of an Alertmanager counter for one integration (webhook, pagerduty)."""
    st, text = fetch("GET", peers.am_url + "/metrics")
    assert st == 200, st
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and f'integration="{integration}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_prometheus_alerts_through_alertmanager_open_and_resolve_one_incident(peers):
    peers.start_tocsin()
    peers.start_alertmanager()
    peers.start_prometheus()

    for name, pid in [("tocsin", peers.tocsin.pid)] + [(p.name, p.pid) for p in peers.procs]:
        bad = non_loopback_sockets(pid)
        assert not bad, f"{name} (pid {pid}) listens beyond loopback: {bad}"

    # Healthy first: Prometheus scrapes both jobs, nothing fires, tocsin has nothing.
    def both_targets_up():
        st, j = fetch("GET", peers.prom_url + "/api/v1/query?query=up")
        ups = {r["metric"]["job"]: r["value"][1] for r in j["data"]["result"]} if st == 200 else {}
        return ups if ups == {"alloy-api": "1", "postgres": "1"} else None
    peers.wait_for("Prometheus scraping both jobs with up == 1", both_targets_up)
    assert service_incidents(peers) == [], "an incident exists before anything failed"

    # --- the target fails: both rules fire, both receivers deliver, one incident opens ---------
    peers.target.failing = True

    def one_incident_with_both_sources():
        incs = service_incidents(peers)
        if not incs:
            return None
        alerts = incident_alerts(peers, incs[0]["id"])
        kinds = {a["source_kind"] for a in alerts}
        am_names = {a["labels"].get("alertname") for a in alerts if a["source_kind"] == "alertmanager"}
        ev2 = [a for a in alerts if a["source_kind"] == "events_v2"]
        if kinds >= {"alertmanager", "events_v2"} and am_names >= set(RULE_SUMMARIES) and len(ev2) >= 2:
            return incs, alerts
        return None
    incs, alerts = peers.wait_for(
        "one incident on alloy-api holding both rules' alerts from the webhook and from events v2",
        one_incident_with_both_sources)

    assert len(incs) == 1, f"every alert of the service must join one open incident, got {incs}"
    inc = incs[0]
    assert inc["status"] == "triggered", inc
    assert inc["severity"] == "P0", f"critical alerts map to P0 (severity_map), got {inc['severity']}"
    assert inc["resolved_at"] is None, inc

    by_kind = {}
    for a in alerts:
        by_kind.setdefault(a["source_kind"], []).append(a)
    assert set(by_kind) == {"alertmanager", "events_v2"}, f"unexpected source kinds: {alerts}"
    for a in alerts:
        assert a["service"] == SERVICE and a["incident_id"] == inc["id"], a
        assert a["status"] == "firing", a
        assert a["silenced_by"] is None, a
    # Webhook: one alert per Prometheus alert, labels kept, summary = annotations.summary.
    am_alerts = by_kind["alertmanager"]
    assert sorted(a["labels"]["alertname"] for a in am_alerts) == sorted(RULE_SUMMARIES), \
        f"want exactly one webhook alert per rule: {am_alerts}"
    for a in am_alerts:
        assert a["summary"] == RULE_SUMMARIES[a["labels"]["alertname"]], a
        assert a["labels"].get("severity") == "critical", a
        assert a["severity"] == "critical", a
    # Events v2: Alertmanager sends one event per group (group_by alertname), dedup key = group hash.
    ev2 = by_kind["events_v2"]
    assert len(ev2) == 2 and len({a["dedup_key"] for a in ev2}) == 2, \
        f"want one events-v2 alert per Alertmanager group: {ev2}"
    for a in ev2:
        assert a["severity"] == "critical", f"pagerduty_configs sent severity critical: {a}"
        assert any(n in a["summary"] for n in RULE_SUMMARIES), f"summary names the alert: {a}"

    # --- the target recovers: every alert resolves, and so does the incident by itself ---------
    peers.target.failing = False

    def resolved():
        st, j = peers.api("GET", f"/api/v1/incidents/{inc['id']}")
        assert st == 200, (st, j)
        return j if j["status"] == "resolved" else None
    done = peers.wait_for(f"{inc['id']} resolving itself once every alert resolved", resolved)
    assert done["resolved_at"] is not None, done

    alerts = incident_alerts(peers, inc["id"])
    assert len(alerts) == 4, f"the incident should still hold its 4 alerts: {alerts}"
    for a in alerts:
        assert a["status"] == "resolved" and a["resolved_at"] is not None, f"alert not resolved: {a}"
    assert [i["id"] for i in service_incidents(peers)] == [inc["id"]], \
        "the recovery must not open another incident"

    st, j = peers.api("GET", f"/api/v1/incidents/{inc['id']}/timeline")
    assert st == 200, (st, j)
    kinds = [e["kind"] for e in j["entries"]]
    for k in ("alert.triggered", "alert.resolved", "incident.resolved"):
        assert k in kinds, f"timeline lacks {k}: {kinds}"
    st, j = peers.api("POST", "/api/v1/audit/verify")
    assert st == 200 and j["valid"] is True, (st, j)

    # Alertmanager delivered everything (2 groups firing, then resolved, to each receiver) and
    # tocsin refused nothing.
    for integ in ("webhook", "pagerduty"):
        sent = am_metric(peers, "alertmanager_notifications_total", integ)
        failed = am_metric(peers, "alertmanager_notifications_failed_total", integ)
        assert sent >= 4 and failed == 0, \
            f"alertmanager {integ}: {sent} notifications, {failed} failed:\n{peers.am.log()}"
