"""Bounded shutdown under load (issue 14 item 2, docs/security.md "Shutdown"): 16 keep-alive
clients post alerts without pause; SIGTERM. The server must exit within 5 s (the default
server.shutdown_grace), answer every request it read (202 where the alert committed, 503 with
Retry-After where it did not), and after a restart every alert answered 202 is in the store.

Before the fix, SIGTERM after a 16-connection load took 33 s ("9 requests still waiting for the
store at shutdown") and requests whose alerts committed were never answered."""
import http.client
import json
import signal
import threading
import time

from tocsin_harness import Server
from conftest import _teardown_all
from test_ingest_support import alerts, integration

def test_sigterm_under_ingest_load_exits_within_5_s_and_answers_and_keeps_every_request(tmp_path):
    """16 keep-alive clients post alerts without pause; SIGTERM once 300 were answered. The
    server exits within 5 s (default shutdown_grace); every answer is 202 or 503 with Retry-After
    (a request not yet handled); after a restart every alert answered 202 is in the store and
    none answered 503 is."""
    srv = Server(tmp_path / "shut")
    srv.start()
    try:
        key = integration(srv, "api", "generic")["key"]
        lock = threading.Lock()
        accepted, refused, statuses, errors = [], [], {}, []
        stop_at = [None]

        def client(n):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
            for i in range(60):
                dk = f"load-{n}-{i}"
                body = json.dumps({"summary": dk, "dedup_key": dk}).encode()
                try:
                    c.request("POST", "/api/v1/ingest/generic", body,
                              {"Authorization": f"Bearer {key}",
                               "Content-Type": "application/json"})
                    r = c.getresponse()
                    r.read()
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        errors.append((stop_at[0] is not None, f"{dk}: {e!r}"))
                    return
                with lock:
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                    if r.status == 202:
                        accepted.append(dk)
                    elif r.status == 503:
                        refused.append(dk)
                        if not r.getheader("Retry-After"):
                            errors.append((True, f"{dk}: 503 without Retry-After"))
                if r.status != 202 or r.getheader("Connection", "").lower() == "close":
                    return

        threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        while True:
            with lock:
                if len(accepted) >= 300 or not any(t.is_alive() for t in threads):
                    break
            time.sleep(0.01)
        t0 = time.monotonic()
        stop_at[0] = t0
        srv.signal(signal.SIGTERM)
        proc = srv.proc
        while proc.poll() is None and time.monotonic() - t0 < 15:
            time.sleep(0.02)
        took = time.monotonic() - t0
        for t in threads:
            t.join(30)
        assert proc.poll() is not None, "server still running 15 s after SIGTERM"
        assert took < 5.0, f"SIGTERM under load took {took:.2f} s"
        assert proc.poll() == 0, f"exit {proc.poll()}: {srv.stderr_text()[-2000:]}"
        assert set(statuses) <= {202, 503}, statuses
        assert not errors, errors
        srv.proc = None
        srv.exit_codes.append(0)
        srv.check_sanitizers()
        srv.start()
        stored = {a["dedup_key"] for a in alerts(srv, limit=1000)}
        missing = [k for k in accepted if k not in stored]
        assert not missing, f"{len(missing)} alerts answered 202 are not stored: {missing[:5]}"
        assert len(accepted) >= 300
        kept = [k for k in refused if k in stored]
        assert not kept, f"{len(kept)} alerts answered 503 were stored: {kept[:5]}"
    finally:
        _teardown_all([srv])
