#!/usr/bin/python3
"""Sends COUNT distinct firing alerts, BATCH per POST, over one keep-alive connection, and fails
(exit 1) on the first answer that is not 2xx. bench/run.sh uses it to load both servers with the
same 100k alerts before reading their RSS.

  preload.py am|webhook URL COUNT BATCH [KEY]

The alerts are the ones bench/alerts.lua sends (same labels and annotations); the `instance`
label is "rss-N", so they are distinct from each other and from the throughput runs.
Stdlib only.
"""
import http.client
import json
import sys
import time
import urllib.parse


def alerts(first, n, fmt, starts_at):
    out = []
    for i in range(first, first + n):
        inst = f"rss-{i}"
        a = {"labels": {"alertname": "BenchAlert", "instance": inst, "job": "bench",
                        "severity": "warning"},
             "annotations": {"summary": f"bench alert {inst}"},
             "startsAt": starts_at, "generatorURL": "http://127.0.0.1/bench"}
        if fmt == "webhook":
            a["status"] = "firing"
            a["endsAt"] = "0001-01-01T00:00:00Z"
            a["fingerprint"] = f"ff{i:014x}"
        out.append(a)
    return out


def body(fmt, batch):
    if fmt == "am":
        return batch
    return {"version": "4", "groupKey": '{}:{alertname="BenchAlert"}', "truncatedAlerts": 0,
            "status": "firing", "receiver": "tocsin", "groupLabels": {"alertname": "BenchAlert"},
            "commonLabels": {"alertname": "BenchAlert", "job": "bench", "severity": "warning"},
            "commonAnnotations": {}, "externalURL": "http://127.0.0.1:9093", "alerts": batch}


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in ("am", "webhook"):
        print(__doc__, file=sys.stderr)
        return 2
    fmt, url, count, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    key = sys.argv[5] if len(sys.argv) > 5 else None
    u = urllib.parse.urlsplit(url)
    path = "/api/v2/alerts" if fmt == "am" else "/api/v1/ingest/alertmanager"
    headers = {"Content-Type": "application/json"}
    if fmt == "webhook":
        headers["Authorization"] = f"Bearer {key}"
    starts_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    sent = 0
    t0 = time.monotonic()
    while sent < count:
        n = min(per, count - sent)
        data = json.dumps(body(fmt, alerts(sent, n, fmt, starts_at))).encode()
        conn.request("POST", path, body=data, headers=headers)
        r = conn.getresponse()
        answer = r.read()
        if not 200 <= r.status < 300:
            print(f"preload: {fmt} POST {path} after {sent} alerts: {r.status} {answer[:300]!r}",
                  file=sys.stderr)
            return 1
        sent += n
    conn.close()
    print(f"preload: {fmt}: {sent} alerts in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
