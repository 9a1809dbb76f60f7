#!/usr/bin/python3
"""Alert in -> first notification out, tocsin side by side with Alertmanager (part of `make bench`).

Both servers get the same stream of alerts, one at a time, each a new group (so each must notify at
once), and both notify the same local webhook receiver on loopback:
  - tocsin: POST /api/v1/ingest/generic (durable: the 2xx comes after the commit) -> incident ->
    escalation step 0 (schedule) -> outbox row -> notifier -> signed webhook to the receiver;
  - Alertmanager: POST /api/v2/alerts -> new aggregation group (group_wait: 0s) -> webhook_config.
Latency = the receiver's arrival time - the time just before the alert was sent (time.monotonic,
same process). Prints p50/p90/p99/max for each and the ratios; DESIGN budget: tocsin p99 <= 50 ms.

Usage: bench/paging.py [--alerts N] [--tocsin build/tocsin]. Everything listens on 127.0.0.1; every
process started is stopped by its PID at the end.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AM = "/usr/bin/prometheus-alertmanager"
SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """Records the arrival time of each webhook; calls on_body(path, body, t) to match it."""

    def __init__(self):
        self.cond = threading.Condition()
        self.arrivals = {}  # key -> monotonic time of the first arrival
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                t = time.monotonic()
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                for key in outer.keys(self.path, body):
                    with outer.cond:
                        outer.arrivals.setdefault(key, t)
                        outer.cond.notify_all()

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), H)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def keys(path, body):
        try:
            j = json.loads(body)
        except ValueError:
            return []
        if path.startswith("/am"):
            return ["am:" + a["labels"].get("bench_key", "") for a in j.get("alerts", [])]
        text = json.dumps(j)
        i = text.find("bench-")
        return ["tocsin:" + text[i:i + 14]] if i >= 0 else []

    def wait(self, key, timeout=10):
        deadline = time.monotonic() + timeout
        with self.cond:
            while key not in self.arrivals:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.arrivals[key]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def http(method, url, body=None, headers=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def wait_ready(url, proc, name):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"paging bench: {name} exited early ({proc.returncode})")
        try:
            http("GET", url, timeout=1)
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.05)
    sys.exit(f"paging bench: {name} did not become ready at {url}")


def stop(proc):
    if proc and proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


TOCSIN_CONFIG = """
server: {{listen: "127.0.0.1:{port}", public_url: "http://127.0.0.1:{port}"}}
severities:
  - {{id: SEV1, name: Critical, ack_within: 15m, notify: [webhook]}}
users:
  - {{id: oncall, name: On Call, webhook: "http://127.0.0.1:{rport}/tocsin", webhook_secret: "{secret}"}}
schedules:
  - {{id: primary, timezone: UTC, rotation: {{every: 1w, handoff: "mon 09:00", users: [oncall]}}}}
escalation_policies:
  - {{id: default, steps: [{{after: 0m, notify: [schedule:primary]}}]}}
services:
  - id: bench
    name: Bench
    escalation: default
    alerts: {{group_by: [bench_key], severity: SEV1}}
notify:
  throttle: 0s
"""

AM_CONFIG = """
route:
  receiver: hook
  group_by: [bench_key]
  group_wait: 0s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs:
      - url: "http://127.0.0.1:{rport}/am"
        send_resolved: false
"""


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run_tocsin(binary, tmp, rec, n, warmup):
    port = free_port()
    cfg = os.path.join(tmp, "tocsin.yaml")
    with open(cfg, "w") as f:
        f.write(TOCSIN_CONFIG.format(port=port, rport=rec.port, secret=SECRET))
    data = os.path.join(tmp, "tdata")
    os.makedirs(data)
    log = open(os.path.join(tmp, "tocsin.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--config", cfg, "--data", data], stdout=log,
                            stderr=log, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url + "/healthz", proc, "tocsin")
        admin = open(os.path.join(data, "admin.token")).read().strip()
        st, body = http("POST", url + "/api/v1/integrations", {"service": "bench", "type": "generic"},
                        {"Authorization": f"Bearer {admin}"})
        key = json.loads(body)["key"]
        lat = []
        for i in range(warmup + n):
            k = f"bench-{i:08d}"
            t0 = time.monotonic()
            http("POST", url + "/api/v1/ingest/generic",
                 {"summary": f"alert {k}", "dedup_key": k, "labels": {"bench_key": k}},
                 {"Authorization": f"Bearer {key}"})
            t1 = rec.wait("tocsin:" + k)
            if t1 is None:
                sys.exit(f"paging bench: tocsin sent no notification for {k} within 10 s "
                         f"(see {tmp}/tocsin.log)")
            if i >= warmup:
                lat.append((t1 - t0) * 1000)
        return lat
    finally:
        stop(proc)


def run_am(tmp, rec, n, warmup):
    port = free_port()
    cfg = os.path.join(tmp, "am.yml")
    with open(cfg, "w") as f:
        f.write(AM_CONFIG.format(rport=rec.port))
    log = open(os.path.join(tmp, "am.log"), "w")
    proc = subprocess.Popen([AM, f"--config.file={cfg}", f"--storage.path={tmp}/am",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url + "/-/ready", proc, "alertmanager")
        lat = []
        for i in range(warmup + n):
            k = f"am-{i:08d}"
            t0 = time.monotonic()
            http("POST", url + "/api/v2/alerts",
                 [{"labels": {"alertname": "Bench", "bench_key": k},
                   "annotations": {"summary": f"alert {k}"}}])
            t1 = rec.wait("am:" + k)
            if t1 is None:
                sys.exit(f"paging bench: Alertmanager sent no webhook for {k} within 10 s")
            if i >= warmup:
                lat.append((t1 - t0) * 1000)
        return lat
    finally:
        stop(proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=int(os.environ.get("BENCH_PAGING_ALERTS", 500)))
    ap.add_argument("--tocsin", default="build/tocsin")
    a = ap.parse_args()
    if not os.path.exists(AM):
        sys.exit("paging bench: prometheus-alertmanager is not installed (bench/run.sh installs it)")
    tmp = tempfile.mkdtemp(prefix="tocsin-paging-")
    rec = Receiver()
    try:
        warm = 20
        t = run_tocsin(os.path.abspath(a.tocsin), tmp, rec, a.alerts, warm)
        m = run_am(tmp, rec, a.alerts, warm)
    finally:
        rec.close()
    print(f"### Alert in -> first notification out ({a.alerts} alerts, one at a time, each a new "
          f"incident/group; local webhook receiver)\n")
    print("| | p50 | p90 | p99 | max | mean |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, xs in (("Alertmanager (in memory, group_wait 0s)", m),
                     ("tocsin (durable, escalation step 0, signed webhook)", t)):
        print(f"| {name} | {pct(xs, 50):.1f} ms | {pct(xs, 90):.1f} ms | {pct(xs, 99):.1f} ms | "
              f"{max(xs):.1f} ms | {statistics.mean(xs):.1f} ms |")
    r50, r99 = pct(t, 50) / pct(m, 50), pct(t, 99) / pct(m, 99)
    print(f"\ntocsin/Alertmanager latency: p50 {r50:.2f}x, p99 {r99:.2f}x (lower is better)")
    verdict = "met" if pct(t, 99) <= 50 else "NOT met"
    print(f"Budget (DESIGN.md section 6): alert in -> first notification out p99 <= 50 ms: "
          f"{pct(t, 99):.1f} ms ({verdict})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
