#!/usr/bin/python3
"""Escalation lateness with many open incidents, on one node or several (part of bench/pg.sh).

The servers are started by the caller with --dev-clock and bench/pg.sh's escalation config (one
policy, steps after 0m and after STEP2; no SLA timers). This script:
  1. declares N incidents (POST /api/v1/incidents), round-robin over the given nodes, from
     THREADS threads at once (one keep-alive connection per thread and node);
  2. catches every node up ({"advance": "0s"}), so the 0m steps are all fired;
  3. jumps the shared dev clock to 1 s before the first STEP2 deadline, then walks it in WALK
     steps (POST /api/v1/debug/clock {"advance": WALK} on one node, the next node each time,
     then {"advance": "0s"} on the others so every node has caught up and finished its passes)
     until 2 s past the last deadline;
  4. reads every `escalation.step` timeline entry from the database and reports, per step, how
     late it fired in app time: at - (incident.created_at + after), p50/p99/max, and how many
     steps are missing, doubled or early.
A step fired in the first pass at or after its deadline is at most WALK (plus the real time that
pass took) late; more means a pass skipped it.

Usage: lateness.py --urls URL[,URL...] --token ADMIN --db sqlite:PATH|postgresql://...
                   [--incidents 10000] [--threads 8] [--walk 500ms] [--step2-min 10]
Prints one markdown table row per step, and a JSON line "LATENESS {...}" for the caller.
"""
import argparse
import http.client
import json
import subprocess
import sqlite3
import sys
import threading
import time
import urllib.parse


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else None


class Node:
    def __init__(self, url, token):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.token = u.hostname, u.port, token
        self.local = threading.local()

    def call(self, method, path, body=None, timeout=600):
        con = getattr(self.local, "con", None)
        if con is None:
            con = self.local.con = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Authorization": f"Bearer {self.token}"}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        try:
            con.request(method, path, data, hdrs)
            r = con.getresponse()
            out = r.read()
        except (OSError, http.client.HTTPException):
            con.close()
            self.local.con = None
            raise
        return r.status, (json.loads(out) if out else None)

    def advance(self, dur):
        st, j = self.call("POST", "/api/v1/debug/clock", {"advance": dur})
        if st != 200:
            sys.exit(f"lateness: advance {dur} on :{self.port}: {st} {j}")
        return j["now"]


def rows(db, sql_sqlite, sql_pg):
    if db.startswith("sqlite:"):
        con = sqlite3.connect(f"file:{db[7:]}?mode=ro", uri=True, timeout=60)
        try:
            return con.execute(sql_sqlite).fetchall()
        finally:
            con.close()
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", ",", "-v", "ON_ERROR_STOP=1", db,
                        "-c", sql_pg], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"lateness: psql: {r.stderr}")
    return [tuple(int(x) if x.lstrip("-").isdigit() else x for x in line.split(","))
            for line in r.stdout.splitlines() if line]


def ms_of(rfc3339):
    from datetime import datetime
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


def parse_ms(d):
    units = {"ms": 1, "s": 1000, "m": 60000}
    for u in ("ms", "s", "m"):
        if d.endswith(u) and d[:-len(u)].isdigit():
            return int(d[:-len(u)]) * units[u]
    raise ValueError(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--urls", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--incidents", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--walk", default="500ms")
    ap.add_argument("--step2-min", type=int, default=10)
    a = ap.parse_args()
    nodes = [Node(u, a.token) for u in a.urls.split(",")]
    walk_ms = parse_ms(a.walk)
    after = {1: 0, 2: a.step2_min * 60000}

    # 1. declare
    t0 = time.monotonic()
    nxt = [0]
    lock = threading.Lock()
    failures = []

    def worker():
        while True:
            with lock:
                i = nxt[0]
                if i >= a.incidents:
                    return
                nxt[0] += 1
            n = nodes[i % len(nodes)]
            for attempt in range(3):
                try:
                    st, j = n.call("POST", "/api/v1/incidents",
                                   {"title": f"lateness {i}", "severity": "SEV1", "service": "bench"})
                    break
                except (OSError, http.client.HTTPException) as e:
                    st, j = None, str(e)
            if st != 201:
                with lock:
                    failures.append((i, st, j))

    ts = [threading.Thread(target=worker) for _ in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    declare_s = time.monotonic() - t0
    if failures:
        print(f"lateness: {len(failures)} declarations not answered 201, e.g. {failures[:3]}",
              file=sys.stderr)
    for n in nodes:
        n.advance("0s")
    first, last, count = rows(a.db, "SELECT min(created_at), max(created_at), count(*) FROM incidents",
                              "SELECT min(created_at), max(created_at), count(*) FROM incidents")[0]

    # 3. walk across the STEP2 deadlines
    t1 = time.monotonic()
    now = ms_of(nodes[0].advance("0s"))
    jump = first + after[2] - 1000 - now
    if jump > 0:
        nodes[0].advance(f"{jump}ms")
        for n in nodes[1:]:
            n.advance("0s")
    k = 0
    while True:
        now = ms_of(nodes[k % len(nodes)].advance(a.walk))
        for j in range(1, len(nodes)):
            nodes[(k + j) % len(nodes)].advance("0s")
        k += 1
        if now > last + after[2] + 2000:
            break
    walk_s = time.monotonic() - t1

    # 4. read the timeline
    q = ("SELECT i.id, i.created_at, t.at, {step} FROM timeline t JOIN incidents i ON "
         "i.id = t.incident_id WHERE t.kind = 'escalation.step'")
    got = rows(a.db, q.format(step="json_extract(t.data, '$.step')"),
               q.format(step="(t.data::jsonb ->> 'step')::bigint"))
    seen = {}
    late = {1: [], 2: []}
    doubled = early = 0
    for iid, created, at, step in got:
        if step not in after:
            continue
        if (iid, step) in seen:
            doubled += 1
            continue
        seen[(iid, step)] = True
        d = at - created - after[step]
        if d < 0:
            early += 1
        late[step].append(d)
    result = {"label": a.label, "nodes": len(nodes), "incidents": count, "declare_failures": len(failures),
              "declare_s": round(declare_s, 1), "declare_per_s": round(count / declare_s, 1),
              "created_span_ms": last - first, "walk": a.walk, "walk_passes": k,
              "walk_s": round(walk_s, 1), "doubled": doubled, "early": early, "steps": {}}
    for s in (1, 2):
        xs = late[s]
        result["steps"][s] = {"after_min": after[s] // 60000, "fired": len(xs),
                              "missing": count - len(xs),
                              "p50_ms": pct(xs, 50), "p99_ms": pct(xs, 99),
                              "max_ms": max(xs) if xs else None}
    print("LATENESS " + json.dumps(result))


if __name__ == "__main__":
    main()
