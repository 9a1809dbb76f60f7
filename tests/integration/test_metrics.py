"""GET /metrics (Prometheus text format) and GET /healthz."""
import re

LINE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$')


def scrape(srv):
    r = srv.request("GET", "/metrics", token=None)
    assert r.status == 200
    ctype = r.headers.get("Content-Type", "")
    assert ctype.startswith("text/plain"), ctype
    samples = []
    for line in r.body.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE_RE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return r.body.decode(), samples


def value(samples, name, **labels):
    vals = [v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items())]
    return sum(vals) if vals else None


def test_metrics_names(server):
    server.create("m", "SEV1")
    text, samples = scrape(server)
    names = {n for n, _, _ in samples}
    for want in ("tocsin_http_requests_total", "tocsin_incidents_open"):
        assert want in names, f"{want} missing from /metrics"
    assert "# TYPE tocsin_http_requests_total counter" in text
    for n, l, v in samples:
        if n == "tocsin_http_requests_total":
            assert "route" in l and "code" in l, l


def test_metrics_incidents_open_tracks_state(server):
    _, s0 = scrape(server)
    assert (value(s0, "tocsin_incidents_open", severity="SEV1") or 0) == 0
    a = server.create("a", "SEV1")
    server.create("b", "SEV1")
    server.create("c", "SEV3")
    _, s1 = scrape(server)
    assert value(s1, "tocsin_incidents_open", severity="SEV1") == 2
    assert value(s1, "tocsin_incidents_open", severity="SEV3") == 1
    server.move(a["id"], "resolved")
    _, s2 = scrape(server)
    assert value(s2, "tocsin_incidents_open", severity="SEV1") == 1


def test_metrics_request_counter_grows(server):
    _, s0 = scrape(server)
    before = value(s0, "tocsin_http_requests_total") or 0
    for _ in range(5):
        server.api("GET", "/api/v1/incidents")
    server.api("GET", "/api/v1/incidents/INC-2000-01-01-001")
    _, s1 = scrape(server)
    assert value(s1, "tocsin_http_requests_total") >= before + 6
    assert value(s1, "tocsin_http_requests_total", code="404") >= 1


def test_metrics_timeline_and_build_info(server):
    server.create("t")
    text, samples = scrape(server)
    assert value(samples, "tocsin_timeline_entries") == server.verify()["entries"]
    assert any(n == "tocsin_build_info" and "version" in l for n, l, _ in samples)


def test_incidents_open_after_restart_and_severity_change(server):
    a = server.create("a", "SEV1")
    server.create("b", "SEV2")
    server.restart()
    _, s = scrape(server)
    assert value(s, "tocsin_incidents_open", severity="SEV1") == 1, "gauge comes from the store, not memory"
    assert value(s, "tocsin_incidents_open", severity="SEV2") == 1
    server.api("PATCH", f"/api/v1/incidents/{a['id']}", {"severity": "SEV2"})
    _, s = scrape(server)
    assert (value(s, "tocsin_incidents_open", severity="SEV1") or 0) == 0
    assert value(s, "tocsin_incidents_open", severity="SEV2") == 2
    server.move(a["id"], "resolved")
    server.move(a["id"], "acknowledged")  # reopen counts as open again
    _, s = scrape(server)
    assert value(s, "tocsin_incidents_open", severity="SEV2") == 2


def test_metrics_histograms_present(server):
    server.create("h")
    text, samples = scrape(server)
    names = {n for n, _, _ in samples}
    for base in ("tocsin_http_request_duration_seconds", "tocsin_store_commit_duration_seconds",
                 "tocsin_store_commit_batch_size"):
        assert base + "_bucket" in names and base + "_count" in names and base + "_sum" in names, base
        assert f"# TYPE {base} histogram" in text
