"""Bad input: every error has {"error":{"code","message"}}, the right status and code string, a
message that starts with the field, and never a 500 (the harness checks shape and no-5xx on every
answer)."""
import socket

import pytest

from tocsin_harness import parse_time

INC = "/api/v1/incidents"


def count_incidents(srv):
    st, j = srv.api("GET", INC + "?status=all&limit=1000")
    assert st == 200
    return len(j["incidents"])


@pytest.mark.parametrize("raw", [
    b'{"title": ',
    b'{"title": "x", "severity": "SEV1",}',
    b"{'title': 'x'}",
    b"not json at all",
    b'{"title": "x"} trailing',
    b'{"title": "\xff\xfe", "severity": "SEV1"}',
    b"",
])
def test_malformed_json_is_400(shared_server, raw):
    n = count_incidents(shared_server)
    r = shared_server.request("POST", INC, raw=raw)
    assert r.status == 400, r
    assert r.json["error"]["code"] == "bad_request"
    assert count_incidents(shared_server) == n


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"title"', b"42", b"null", b"true", b'[{"title":"x","severity":"SEV1"}]'])
def test_body_not_object_is_400(shared_server, raw):
    r = shared_server.request("POST", INC, raw=raw)
    assert r.status == 400, r


@pytest.mark.parametrize("body,field", [
    ({"title": 5, "severity": "SEV1"}, "title"),
    ({"title": None, "severity": "SEV1"}, "title"),
    ({"title": ["x"], "severity": "SEV1"}, "title"),
    ({"title": "x", "severity": 1}, "severity"),
    ({"title": "x", "severity": {"id": "SEV1"}}, "severity"),
    ({"title": "x", "severity": "SEV1", "service": 3}, "service"),
    ({"title": "x", "severity": "SEV1", "type": True}, "type"),
    ({"title": "x", "severity": "SEV1", "summary": []}, "summary"),
    ({"title": "x", "severity": "SEV1", "drill": "yes"}, "drill"),
    ({"title": "x", "severity": "SEV1", "drill": 1}, "drill"),
])
def test_wrong_type_is_400_naming_field(shared_server, body, field):
    st, j = shared_server.api("POST", INC, body)
    assert st == 400, (st, j)
    assert j["error"]["message"].startswith(field), j


def test_missing_title_is_400(shared_server):
    st, j = shared_server.api("POST", INC, {"severity": "SEV1"})
    assert st == 400 and j["error"]["message"].startswith("title"), j


def test_missing_severity_is_400(shared_server):
    st, j = shared_server.api("POST", INC, {"title": "no severity"})
    assert st == 400 and j["error"]["message"].startswith("severity"), j


def test_missing_severity_type_without_default_is_400(shared_server):
    st, j = shared_server.api("POST", INC, {"title": "no severity", "type": "security"})
    assert st == 400 and j["error"]["message"].startswith("severity"), j


@pytest.mark.parametrize("title", ["", ])
def test_empty_title_is_400(shared_server, title):
    st, j = shared_server.api("POST", INC, {"title": title, "severity": "SEV1"})
    assert st == 400 and j["error"]["message"].startswith("title"), j
    assert "empty" in j["error"]["message"]


def test_unknown_field_is_400(shared_server):
    st, j = shared_server.api("POST", INC, {"title": "x", "severity": "SEV1", "sevrity": "SEV2"})
    assert st == 400
    assert "sevrity" in j["error"]["message"], j


@pytest.mark.parametrize("body,field", [
    ({"title": "x", "severity": "SEV9"}, "severity"),
    ({"title": "x", "severity": "sev1"}, "severity"),
    ({"title": "x", "severity": "SEV1", "service": "nope"}, "service"),
    ({"title": "x", "severity": "SEV1", "type": "nope"}, "type"),
])
def test_unknown_reference_is_422(shared_server, body, field):
    n = count_incidents(shared_server)
    st, j = shared_server.api("POST", INC, body)
    assert st == 422, (st, j)
    assert j["error"]["message"].startswith(field), j
    assert count_incidents(shared_server) == n


def test_unknown_severity_message_lists_known(shared_server):
    st, j = shared_server.api("POST", INC, {"title": "x", "severity": "SEV9"})
    msg = j["error"]["message"]
    assert "SEV9" in msg and "SEV1" in msg and "SEV4" in msg, msg


def raw_http(port, head, body=b"", chunks=None, timeout=30):
    """Sends one request on a raw socket; returns (status, headers_text, body bytes). Tolerates
    the server closing early after it answered (it may refuse an oversize body before reading it)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(head)
            if chunks is not None:
                for c in chunks:
                    s.sendall(c)
            elif body:
                s.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while True:
                part = s.recv(65536)
                if not part:
                    break
                data += part
                if b"\r\n\r\n" in data:
                    hdr, _, rest = data.partition(b"\r\n\r\n")
                    low = hdr.lower()
                    if b"content-length:" in low:
                        n = int(low.split(b"content-length:")[1].split(b"\r\n")[0].strip())
                        if len(rest) >= n:
                            break
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    assert data.startswith(b"HTTP/1."), f"no HTTP answer (got {data[:200]!r})"
    hdr, _, rest = data.partition(b"\r\n\r\n")
    status = int(hdr.split(b" ")[1])
    return status, hdr.decode("latin-1"), rest


def test_oversize_body_is_413(shared_server):
    srv = shared_server
    n = count_incidents(srv)
    body = b'{"title":"big","severity":"SEV3","summary":"' + b"a" * (1024 * 1024 + 10) + b'"}'
    head = (f"POST {INC} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {srv.admin_token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    status, hdrs, rest = raw_http(srv.port, head, body)
    assert status == 413, (status, rest[:300])
    assert b'"too_large"' in rest
    assert count_incidents(srv) == n
    assert srv.api("GET", "/healthz")[0] == 200


def test_oversize_chunked_body_is_413(shared_server):
    srv = shared_server
    head = (f"POST {INC} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {srv.admin_token}\r\n"
            f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    piece = b"a" * 65536
    chunks = [b'2c\r\n{"title":"big","severity":"SEV3","summary":"\r\n']
    chunks += [b"10000\r\n" + piece + b"\r\n"] * 17   # 17 x 64 KiB > 1 MiB
    chunks += [b'2\r\n"}\r\n', b"0\r\n\r\n"]
    assert len(b'{"title":"big","severity":"SEV3","summary":"') == 0x2c
    status, hdrs, rest = raw_http(srv.port, head, chunks=chunks)
    assert status == 413, (status, rest[:300])


def test_body_just_under_cap_is_not_413(shared_server):
    """A body below 1 MiB is read and judged on its content (here: summary too long -> 400)."""
    body = {"title": "x", "severity": "SEV3", "summary": "a" * (1024 * 1024 - 200)}
    st, j = shared_server.api("POST", INC, body)
    assert st == 400 and j["error"]["message"].startswith("summary"), (st, j)


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/incidents/INC-2000-01-01-001", None),
    ("PATCH", "/api/v1/incidents/INC-2000-01-01-001", {"title": "x"}),
    ("POST", "/api/v1/incidents/INC-2000-01-01-001/ack", None),
    ("POST", "/api/v1/incidents/INC-2000-01-01-001/status", {"status": "resolved"}),
    ("POST", "/api/v1/incidents/INC-2000-01-01-001/resolve", None),
    ("PUT", "/api/v1/incidents/INC-2000-01-01-001/roles/commander", {"user": "alice"}),
    ("POST", "/api/v1/incidents/INC-2000-01-01-001/notes", {"text": "x"}),
    ("GET", "/api/v1/incidents/INC-2000-01-01-001/timeline", None),
    ("GET", "/api/v1/incidents/%2e%2e%2fetc", None),
    ("DELETE", "/api/v1/tokens/tok_doesnotexist", None),
])
def test_unknown_ids_are_404(shared_server, method, path, body):
    st, j = shared_server.api(method, path, body)
    assert st == 404, (st, j)


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/incidents", "/api/v1/incidents/INC-2000-01-01-001/bogus",
                                  "/nothing-here", "/api/v1/"])
def test_unknown_route_is_404(shared_server, path):
    st, j = shared_server.api("GET", path)
    assert st == 404, (st, j)


@pytest.mark.parametrize("method,path,allow", [
    ("DELETE", "/api/v1/incidents", {"GET", "POST"}),
    ("PUT", "/api/v1/incidents", {"GET", "POST"}),
    ("POST", "/api/v1/incidents/INC-2000-01-01-001", {"GET", "PATCH"}),
    ("GET", "/api/v1/incidents/INC-2000-01-01-001/ack", {"POST"}),
    ("DELETE", "/api/v1/audit/verify", {"GET", "POST"}),
    ("POST", "/api/v1/severities", {"GET"}),
    ("POST", "/healthz", {"GET"}),
])
def test_wrong_method_is_405(shared_server, method, path, allow):
    r = shared_server.request(method, path, body={} if method in ("POST", "PUT", "PATCH") else None)
    assert r.status == 405, r
    assert r.json["error"]["code"] == "bad_request"
    got = {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",") if m.strip()}
    assert allow <= got, f"Allow header {r.headers.get('Allow')!r} should list {allow}"


def test_store_unchanged_by_rejected_requests(shared_server):
    """A request that fails changes nothing: the chain still verifies and no entry was added."""
    before = shared_server.verify()["entries"]
    for body in ({"title": "", "severity": "SEV1"}, {"title": "x", "severity": "SEV9"}, {"title": "x"}):
        shared_server.api("POST", INC, body)
    after = shared_server.verify()
    assert after["valid"] is True and after["entries"] == before


def test_healthz_body(shared_server):
    st, j = shared_server.api("GET", "/healthz", token=None)
    assert st == 200
    assert j["status"] == "ok" and j["store"] == "ok" and isinstance(j["version"], str)


def test_times_are_rfc3339_utc(shared_server):
    inc = shared_server.create("times")
    for k in ("created_at", "updated_at"):
        parse_time(inc[k])
    for k in ("ack_due", "resolve_due"):
        parse_time(inc["sla"][k])
