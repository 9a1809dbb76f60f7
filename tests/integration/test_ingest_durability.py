"""Durability of alert ingest: "it never loses an alert it acknowledged" (DESIGN §1). 50,000 distinct
alerts go in through the Alertmanager webhook in batches of 100 from 4 client threads while the
server is killed with SIGKILL at random moments (and restarted on the same data dir). Afterwards,
read straight from the SQLite file: every batch answered 2xx is there whole, a batch in flight at a
kill is there whole or not at all, no (scope, dedup_key) is open twice, and the audit chain verifies.
"""
import os
import random
import threading
import time
import urllib.error
import http.client
import json

import pytest

from test_ingest_support import am_alert, am_payload, incident_alerts, ingest_config, integration
from tocsin_harness import HTTP_TIMEOUT
from tocsin_harness import http as http_request

TOTAL_BATCHES, PER_BATCH, THREADS, KILLS = 500, 100, 4, 12


def fingerprint(batch, i):
    return f"dur-{batch:04d}-{i:03d}"


def payload_bytes(batch):
    alerts = [am_alert({"alertname": "Durable", "batch": str(batch), "i": str(i)}, f"batch {batch} alert {i}",
                       fingerprint=fingerprint(batch, i)) for i in range(PER_BATCH)]
    return json.dumps(am_payload(alerts)).encode()


def test_kill9_storm_loses_no_acknowledged_alert(make_server):
    # rate limits off for this test: it is about durability, not the budget
    s = make_server(config_text=ingest_config(extra="ingest: {rate_limit: 1000000000, burst: 1000000000}"))
    integ = integration(s, "api", "alertmanager")
    key = integ["key"]
    seed = int(os.environ.get("INGEST_KILL_SEED") or int.from_bytes(os.urandom(4), "big"))
    rng = random.Random(seed)
    seed_note = f"(kill points from seed {seed}; INGEST_KILL_SEED={seed} replays them)"

    lock = threading.Lock()
    todo = list(range(TOTAL_BATCHES))
    acked, uncertain, problems = set(), set(), []
    up = threading.Event()
    up.set()
    done = threading.Event()
    url = [s.url]

    def next_batch():
        with lock:
            return todo.pop(0) if todo else None

    def worker():
        try:
            work()
        except Exception as e:  # noqa: BLE001 - reported by the test
            with lock:
                problems.append(f"client thread died: {e!r}")

    def work():
        while not done.is_set():
            b = next_batch()
            if b is None:
                return
            body = payload_bytes(b)
            while True:
                up.wait(timeout=120)
                with lock:
                    target = url[0]
                try:
                    r = http_request("POST", target + "/api/v1/ingest/alertmanager", body,
                                     {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                                     timeout=HTTP_TIMEOUT)
                except urllib.error.URLError as e:
                    reason = getattr(e, "reason", None)
                    if isinstance(reason, ConnectionRefusedError):
                        continue  # never reached a server: send it again once it is back
                    with lock:
                        uncertain.add(b)  # in flight at a kill: may or may not have landed
                    break
                except (ConnectionError, http.client.HTTPException, OSError):
                    with lock:
                        uncertain.add(b)
                    break
                if 200 <= r.status < 300:
                    with lock:
                        acked.add(b)
                    break
                if r.status >= 500 and r.status != 503:
                    with lock:
                        problems.append(f"batch {b}: {r.status} {r.body[:200]!r}")
                    break
                if r.status in (503, 429):
                    continue
                with lock:
                    problems.append(f"batch {b}: unexpected {r.status} {r.body[:200]!r}")
                break

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    # kill points: after this many batches have been taken off the queue
    points = sorted(rng.sample(range(15, TOTAL_BATCHES - 15), KILLS))
    kills = 0
    for p in points:
        while True:
            with lock:
                taken = TOTAL_BATCHES - len(todo)
            if taken >= p or all(not t.is_alive() for t in threads):
                break
            time.sleep(0.005)  # bounded poll of the client's own progress, not a deadline wait
        if all(not t.is_alive() for t in threads):
            break
        up.clear()
        s.kill9()
        kills += 1
        s.start()
        with lock:
            url[0] = s.url
        up.set()
    for t in threads:
        t.join(timeout=600)
    done.set()
    elapsed = time.monotonic() - t0
    assert not any(t.is_alive() for t in threads), "client threads hung"
    assert not problems, problems[:5]
    assert kills >= 10, f"only {kills} kills happened {seed_note}"
    assert len(acked) + len(uncertain) == TOTAL_BATCHES, (len(acked), len(uncertain))
    assert len(acked) >= TOTAL_BATCHES - KILLS * THREADS, f"too few batches got through: {len(acked)}"

    # the audit chain is whole
    v = s.verify()
    assert v["valid"] is True, v

    # read the store itself, read-only
    con = s.db(readonly=True)
    try:
        dup = con.execute(
            "SELECT scope, dedup_key, count(*) FROM alerts WHERE status != 'resolved' "
            "GROUP BY scope, dedup_key HAVING count(*) > 1").fetchall()
        rows = con.execute(
            "SELECT scope, dedup_key, count(*) FROM alerts GROUP BY scope, dedup_key").fetchall()
    finally:
        con.close()
    assert not dup, f"open alerts stored twice: {dup[:5]} {seed_note}"
    have = {}
    for scope, dk, n in rows:
        assert scope == integ["id"], (scope, dk)
        assert n == 1, f"{dk} stored {n} times"
        have[dk] = n
    missing = [fingerprint(b, i) for b in sorted(acked) for i in range(PER_BATCH) if fingerprint(b, i) not in have]
    assert not missing, f"{len(missing)} alerts answered 2xx but lost after kill -9: {missing[:5]} {seed_note}"
    for b in sorted(uncertain):
        n = sum(1 for i in range(PER_BATCH) if fingerprint(b, i) in have)
        assert n in (0, PER_BATCH), f"batch {b} in flight at a kill landed partly: {n} of {PER_BATCH} {seed_note}"
    expected = {fingerprint(b, i) for b in range(TOTAL_BATCHES) for i in range(PER_BATCH)}
    assert set(have) <= expected, "alerts nobody sent"
    # and the API agrees: one incident holds every stored alert
    st, j = s.api("GET", "/api/v1/incidents?status=all")
    assert st == 200 and len(j["incidents"]) == 1, j
    got = incident_alerts(s, j["incidents"][0]["id"])
    assert len(got) == len(have), (len(got), len(have))
    print(f"durability {seed_note}: {kills} kills, {len(acked)} batches acked, {len(uncertain)} in flight, "
          f"{len(have)} alerts stored, {elapsed:.1f}s")


def test_sigterm_under_load_answers_every_alert_it_stored(make_server):
    """A graceful stop while single-alert POSTs are in flight. Ingest waits for its commit with the
    connection suspended (docs/internals/ingest.md, "Waiting without a thread"), and libmicrohttpd
    must not be stopped with a connection suspended: the server has to let those finish first.
    Checks: the server exits 0 without a sanitizer report (harness), every alert answered 2xx is
    in the store after a restart, and nothing is stored twice."""
    s = make_server(config_text=ingest_config(extra="ingest: {rate_limit: 1000000000, burst: 1000000000}"))
    key = integration(s, "api", "alertmanager")["key"]
    lock = threading.Lock()
    acked, problems = [], []
    stop = threading.Event()
    counter = [0]

    def work():
        while not stop.is_set():
            with lock:
                counter[0] += 1
                n = counter[0]
            fp = f"term-{n:06d}"
            body = json.dumps(am_payload([am_alert({"alertname": "Term", "n": str(n)}, f"alert {n}",
                                                   fingerprint=fp)])).encode()
            try:
                r = http_request("POST", s.url + "/api/v1/ingest/alertmanager", body,
                                 {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                                 timeout=HTTP_TIMEOUT)
            except (urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError):
                return  # the server went away: this one may or may not have landed
            if r.status == 200:
                with lock:
                    acked.append(fp)
            elif r.status != 503:
                with lock:
                    problems.append(f"{fp}: {r.status} {r.body[:200]!r}")
                return

    threads = [threading.Thread(target=work, daemon=True) for _ in range(16)]
    for t in threads:
        t.start()
    while True:  # bounded poll of the clients' own progress: stop once some hundreds landed
        with lock:
            if len(acked) >= 300 or problems:
                break
        if all(not t.is_alive() for t in threads):
            break
        time.sleep(0.005)
    s.stop()  # SIGTERM mid-load; asserts exit and no sanitizer report
    stop.set()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "client threads hung"
    assert not problems, problems[:5]
    assert s.exit_codes[-1] == 0, s.exit_codes
    assert len(acked) >= 300, len(acked)

    s.start()
    con = s.db(readonly=True)
    try:
        stored = {row[0]: row[1] for row in con.execute(
            "SELECT dedup_key, count(*) FROM alerts WHERE dedup_key LIKE 'term-%' GROUP BY dedup_key")}
    finally:
        con.close()
    missing = [fp for fp in acked if fp not in stored]
    assert not missing, f"{len(missing)} alerts answered 200 are not stored: {missing[:5]}"
    assert all(n == 1 for n in stored.values()), "an alert was stored twice"
    v = s.verify()
    assert v["valid"] is True, v
