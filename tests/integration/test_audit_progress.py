"""Audit verification off the request threads, with progress (issue 14 item 4, docs/security.md
"Audit verification"): while POST /api/v1/audit/verify recomputes a long chain on the auditor
thread, GET /api/v1/audit/verify says how far it is (checked of total) and /healthz keeps
answering at once. The chain is built fast: rows computed here (sha256(prev_hash + canonical
JSON), domain/timeline_chain.c) and written straight into the stopped server's store."""
import hashlib
import json
import statistics
import threading
import time

import pytest

from tocsin_harness import Server, http, on_pg, require_bin

ENTRIES = 40000 if on_pg() else 100000


def canonical(seq, at, actor, kind, incident, data):
    return json.dumps([seq, at, actor, kind, incident, data], separators=(",", ":"),
                      ensure_ascii=True)


def build_chain(s, n):
    """Starts s, makes one incident, stops it, appends n entries straight into its store and
    starts it again. Returns the last seq."""
    s.start()
    s.create("before the bulk entries")
    s.stop()
    con = s.db()
    try:
        seq, at, prev = next(iter(con.execute(
            "SELECT seq, at, hash FROM timeline ORDER BY seq DESC LIMIT 1")))
        rows = []
        for i in range(n):
            seq += 1
            data = json.dumps({"i": i}, separators=(",", ":"))
            h = hashlib.sha256((prev + canonical(seq, at, "system", "bulk.test", None, data))
                               .encode()).hexdigest()
            rows.append((seq, at, "system", "bulk.test", None, data, prev, h))
            prev = h
        if con.kind == "sqlite":
            con.execute("BEGIN")
        for k in range(0, len(rows), 500):  # one statement per 500 rows: fast on PostgreSQL too
            chunk = rows[k:k + 500]
            con.execute("INSERT INTO timeline(seq, at, actor, kind, incident_id, data, prev_hash, "
                        "hash) VALUES " + ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk)),
                        [v for row in chunk for v in row])
        if con.kind == "sqlite":
            con.execute("COMMIT")
    finally:
        con.close()
    s.start()
    return seq


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("auditprog"), dev_clock=True)
    last = build_chain(s, ENTRIES)
    yield s, last
    s.teardown()


def test_progress_and_healthz_while_a_long_chain_is_verified(big):
    s, last = big
    st, p = s.api("GET", "/api/v1/audit/verify")
    assert st == 200 and p["running"] is False and p["passes"] == 0 and p["last"] is None, p
    result = {}

    def verify():
        result["v"] = s.verify()

    t = threading.Thread(target=verify)
    t.start()
    seen_running, health_ms = [], []
    try:
        while t.is_alive():
            st, p = s.api("GET", "/api/v1/audit/verify")
            assert st == 200, p
            if p["running"]:
                seen_running.append(p)
            t0 = time.monotonic()
            r = http("GET", s.url + "/healthz")
            health_ms.append((time.monotonic() - t0) * 1000)
            assert r.status == 200, r
    finally:
        t.join()
    v = result["v"]
    assert v["valid"] is True and v["entries"] == last, v
    # progress: what a running pass showed is within its total, and the total is the chain's
    for p in seen_running:
        assert 0 <= p["checked"] <= p["total"] and p["total"] >= last, p
    st, p = s.api("GET", "/api/v1/audit/verify")
    assert p["running"] is False and p["passes"] >= 1, p
    assert p["checked"] == p["total"] == last, p
    assert p["last"]["valid"] is True and p["last"]["entries"] == last, p
    # /healthz is not held behind the pass: under 100 ms typically (the machine may be loaded:
    # the median, and never the seconds it took when verify ran on the request thread)
    assert health_ms, "the verify ended before /healthz was asked once"
    assert statistics.median(health_ms) < 100, health_ms
    assert max(health_ms) < 1000, health_ms
    print(f"audit verify of {last} entries: {len(seen_running)} progress reads while running, "
          f"{len(health_ms)} /healthz, median {statistics.median(health_ms):.1f} ms, "
          f"max {max(health_ms):.1f} ms")
