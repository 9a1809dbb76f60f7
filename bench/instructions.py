#!/usr/bin/python3
"""CPU instructions per ingested alert, counted by valgrind's callgrind (repeatable whatever else
the shared machine is doing, unlike a wall-clock rate). For each binary given: a server on
bench/tocsin-bench.yaml under callgrind takes 0, then N single-alert Alertmanager webhook POSTs
(every alert distinct, one keep-alive connection, each answer must be 200), is stopped with
SIGTERM, and the difference of the two totals divided by N is printed.

    /usr/bin/python3 bench/instructions.py [-n 1000] BINARY [BINARY...]

Compare a "before" binary (built from an older commit in a git worktree) with build/tocsin in one
call. Listens on 127.0.0.1 only; every server it starts is stopped by PID.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "tocsin-bench.yaml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alert_body(i):
    return {"version": "4", "status": "firing", "receiver": "bench", "groupLabels": {},
            "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am.local",
            "groupKey": "g", "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": {"alertname": "BenchAlert", "instance": f"i{i}"},
                        "annotations": {"summary": "bench"}, "startsAt": "2026-01-01T00:00:00Z",
                        "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{i:016x}"}]}


def run(binary, n, tmp):
    """Total instructions of a server that took n alerts."""
    port = free_port()
    data = os.path.join(tmp, f"data-{port}")
    os.makedirs(data)
    out = os.path.join(tmp, f"callgrind-{port}.out")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
                             "serve", "--config", CONFIG, "--data", data, "--listen",
                             f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{binary}: not ready under valgrind")
        with open(os.path.join(data, "admin.token")) as f:
            token = f.read().strip()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.request("POST", "/api/v1/integrations", json.dumps({"service": "bench", "type": "alertmanager"}),
                  {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = c.getresponse()
        key = json.loads(r.read())["key"]
        for i in range(n):
            c.request("POST", "/api/v1/ingest/alertmanager", json.dumps(alert_body(i)),
                      {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"{binary}: alert {i} answered {r.status}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=300)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"{binary}: no totals in {out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--keep", help="keep the callgrind output files in this directory "
                    "(callgrind_annotate them for a profile)")
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    tmp = a.keep or tempfile.mkdtemp(prefix="tocsin-instr.")
    os.makedirs(tmp, exist_ok=True)
    try:
        print("| binary | instructions per alert (callgrind) |\n|---|---:|")
        for b in a.binaries:
            base, loaded = run(b, 0, tmp), run(b, a.n, tmp)
            print(f"| {b} | {(loaded - base) / a.n:,.0f} |")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
