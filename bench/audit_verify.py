#!/usr/bin/env python3
"""Audit verification of a long chain (issue 14 item 4): builds a SQLite store with N timeline
entries (a server made the first ones; the rest are computed here, sha256(prev_hash + canonical
JSON) as domain/timeline_chain.c does, and written while it is stopped), starts the server, then
POSTs /api/v1/audit/verify while asking GET /api/v1/audit/verify and /healthz in a loop.

  python3 bench/audit_verify.py build/tocsin 1000000

Prints the verify's wall time, how many progress reads saw it running, and /healthz's median,
p99 and max latency meanwhile."""
import os
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))


def main():
    binary, n = os.path.abspath(sys.argv[1]), int(sys.argv[2])
    os.environ["TOCSIN_BIN"] = binary
    import test_audit_progress as tap  # the test's chain builder
    from tocsin_harness import Server, http

    with tempfile.TemporaryDirectory() as root:
        s = Server(root, dev_clock=True)
        t0 = time.monotonic()
        tap.build_chain(s, n)
        print(f"built {n} entries in {time.monotonic() - t0:.1f} s")
        try:
            measure(s, http)
        finally:
            s.teardown()


def measure(s, http):
    result = {}
    t0 = time.monotonic()
    t = threading.Thread(target=lambda: result.setdefault("v", s.verify()))
    t.start()
    running, health = 0, []
    while t.is_alive():
        st, p = s.api("GET", "/api/v1/audit/verify")
        running += bool(p.get("running"))
        h0 = time.monotonic()
        http("GET", s.url + "/healthz")
        health.append((time.monotonic() - h0) * 1000)
    t.join()
    wall = time.monotonic() - t0
    v = result["v"]
    health.sort()
    print(f"entries {v['entries']} valid {v['valid']}: verify {wall:.2f} s; "
          f"{running} progress reads while running; /healthz x{len(health)} median "
          f"{statistics.median(health):.1f} ms p99 {health[int(len(health) * 0.99)]:.1f} ms "
          f"max {health[-1]:.1f} ms")


if __name__ == "__main__":
    main()
