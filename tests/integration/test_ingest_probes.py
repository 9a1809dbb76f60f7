"""Health probes (docs/config.md `services[].probe`, docs/api.md "Alert ingest" > Probes) against a
local HTTP server run by the test on 127.0.0.1. Probe rounds are driven by the dev clock: the
clock POST returns after the engine's round (30 s at a time = one probe each)."""
import http.server
import threading
import time

import pytest

from test_ingest_support import alerts, incidents, ingest_config
from tocsin_harness import secs


class Target:
    """A tiny HTTP server whose answer per path the test flips."""

    def __init__(self):
        self.state = {}
        self.hits = {}
        self.lock = threading.Lock()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                with target.lock:
                    st = dict(target.state.get(self.path, {"status": 404, "body": "no such path"}))
                    target.hits[self.path] = target.hits.get(self.path, 0) + 1
                if st.get("delay"):
                    time.sleep(st["delay"])  # a slow peer, not a wait for a deadline
                body = st["body"].encode()
                self.send_response(st["status"])
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def set(self, path, status=200, body="OK", delay=0):
        with self.lock:
            self.state[path] = {"status": status, "body": body, "delay": delay}

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def target():
    t = Target()
    yield t
    t.close()


def probe_of(s, service):
    st, j = s.api("GET", f"/api/v1/services/{service}/probe")
    assert st == 200, (st, j)
    return j


def probe_alerts(s, service):
    return [a for a in alerts(s, service=service) if a["source_kind"] == "probe"]


def site_server(make_server, target):
    target.set("/health", 200, "OK")
    svc = (f'  - {{id: site, name: Site, probe: {{url: "{target.url("/health")}", every: 30s, timeout: 2s, '
           f'fail_after: 2, recover_after: 1}}}}\n')
    s = make_server(dev_clock=True, config_text=ingest_config(services_extra=svc))
    s.advance("0")  # the engine has run its first round
    return s


def test_probe_fails_then_recovers(make_server, target):
    s = site_server(make_server, target)
    p = probe_of(s, "site")
    assert p["service"] == "site" and p["url"] == target.url("/health"), p
    assert p["last"]["ok"] is True and p["last"]["status"] == 200, p
    lat = p["last"]["latency_ms"]
    assert isinstance(lat, (int, float)) and not isinstance(lat, bool) and 0 <= lat < 30000, p
    assert target.hits.get("/health", 0) >= 1, "the probe reached the target"
    assert probe_alerts(s, "site") == []

    target.set("/health", 500, "boom")
    s.advance("30s")
    p = probe_of(s, "site")
    assert p["last"]["ok"] is False and p["last"]["status"] == 500, p
    assert "500" in (p["last"].get("error") or ""), p
    assert probe_alerts(s, "site") == [], "fail_after 2: one failure raises nothing"
    assert incidents(s, service="site") == []

    s.advance("30s")
    got = probe_alerts(s, "site")
    assert len(got) == 1, got
    a = got[0]
    assert a["status"] == "firing" and a["incident_id"] and a["service"] == "site", a
    inc = s.get(a["incident_id"])
    assert inc["service"] == "site" and inc["status"] == "triggered", inc
    assert [i["id"] for i in incidents(s, service="site")] == [inc["id"]]

    s.advance("30s")  # still failing: still the one alert, no second incident
    got = probe_alerts(s, "site")
    assert len(got) == 1 and got[0]["status"] == "firing", got
    assert len(incidents(s, service="site")) == 1

    target.set("/health", 200, "OK")
    s.advance("30s")
    [a] = probe_alerts(s, "site")
    assert a["status"] == "resolved" and a["resolved_at"], "recover_after 1: one success resolves"
    inc = s.get(a["incident_id"])
    assert inc["status"] == "resolved", inc
    entries = s.timeline(inc["id"])
    assert [e["actor"] for e in entries if e["kind"] == "incident.resolved"] == ["system"]
    p = probe_of(s, "site")
    assert p["last"]["ok"] is True and p["last"]["status"] == 200
    assert 0 <= secs(p["last"]["at"], s.now()) < 5, (p["last"], s.now())
    # rounds: ok, fail, fail, fail, ok
    up = p["uptime"]
    assert set(up) == {"1h", "24h", "7d"}, up
    assert up["1h"] == pytest.approx(40.0), up
    assert up["24h"] == pytest.approx(40.0) and up["7d"] == pytest.approx(40.0), up
    # and it fails again later: a new alert, a new incident
    target.set("/health", 503, "again")
    s.advance("30s")
    s.advance("30s")
    got = probe_alerts(s, "site")
    assert sorted(x["status"] for x in got) == ["firing", "resolved"], got
    assert len(incidents(s, service="site")) == 2


def test_probe_alert_recovers_after_a_restart(make_server, target):
    """The open probe alert is in the store; after kill -9 and restart one success (recover_after 1)
    must still resolve it (DESIGN: nothing is remembered only in memory)."""
    s = site_server(make_server, target)
    target.set("/health", 500, "boom")
    s.advance("30s")
    s.advance("30s")
    [a] = probe_alerts(s, "site")
    assert a["status"] == "firing"
    target.set("/health", 200, "OK")
    s.kill9()
    s.start()
    # the dev clock starts over at a restart: move past the rounds made before it, so that the
    # newest result is one made now (one round per clock step)
    s.advance("5m")
    p = probe_of(s, "site")
    assert p["last"]["ok"] is True, p
    [a] = probe_alerts(s, "site")
    assert a["status"] == "resolved", f"the probe recovered but its alert still fires after a restart: {a}"
    assert s.get(a["incident_id"])["status"] == "resolved"


def test_expect_body_and_max_latency_verdicts(make_server, target):
    target.set("/body", 200, "status: degraded")
    target.set("/slow", 200, "OK", delay=0.8)
    target.set("/code", 200, "OK")
    svcs = (f'  - {{id: bodycheck, name: Body, probe: {{url: "{target.url("/body")}", every: 30s, timeout: 2s, '
            f'expect_body: "ALL-GOOD", fail_after: 1}}}}\n'
            f'  - {{id: slow, name: Slow, probe: {{url: "{target.url("/slow")}", every: 30s, timeout: 3s, '
            f'max_latency: 300ms, fail_after: 1}}}}\n'
            f'  - {{id: code, name: Code, probe: {{url: "{target.url("/code")}", every: 30s, timeout: 2s, '
            f'expect_status: 204, fail_after: 1}}}}\n')
    s = make_server(dev_clock=True, config_text=ingest_config(services_extra=svcs))
    s.advance("0")
    b = probe_of(s, "bodycheck")["last"]
    assert b["ok"] is False and b["status"] == 200 and "ALL-GOOD" in (b.get("error") or ""), b
    w = probe_of(s, "slow")["last"]
    assert w["ok"] is False and w["status"] == 200 and w["latency_ms"] >= 300, w
    assert "latency" in (w.get("error") or ""), w
    c = probe_of(s, "code")["last"]
    assert c["ok"] is False and c["status"] == 200, c
    for svc in ("bodycheck", "slow", "code"):
        got = probe_alerts(s, svc)
        assert len(got) == 1 and got[0]["status"] == "firing", (svc, got)
    target.set("/body", 200, "status: ALL-GOOD here")
    target.set("/slow", 200, "OK", delay=0)
    target.set("/code", 204, "")
    s.advance("30s")
    for svc in ("bodycheck", "slow", "code"):
        last = probe_of(s, svc)["last"]
        assert last["ok"] is True, (svc, last)
        [a] = probe_alerts(s, svc)
        assert a["status"] == "resolved", (svc, a)


def test_unreachable_target_fails(make_server, target):
    svc = '  - {id: gone, name: Gone, probe: {url: "http://127.0.0.1:9/none", every: 30s, timeout: 1s, fail_after: 1}}\n'
    s = make_server(dev_clock=True, config_text=ingest_config(services_extra=svc))
    s.advance("0")
    last = probe_of(s, "gone")["last"]
    assert last["ok"] is False and last.get("error"), last
    assert len(probe_alerts(s, "gone")) == 1


def test_probe_route_refusals(make_server, target):
    s = site_server(make_server, target)
    st, j = s.api("GET", "/api/v1/services/api/probe")
    assert st == 404, (st, j)
    st, j = s.api("GET", "/api/v1/services/nope/probe")
    assert st == 404, (st, j)
    viewer = s.make_token("viewer")
    assert s.api("GET", "/api/v1/services/site/probe", token=viewer)[0] == 200
    assert s.api("GET", "/api/v1/services/site/probe", token=None)[0] == 401
