"""Hostile and odd input at the HTTP layer: the server answers 4xx (never 5xx, never a crash) and
changes nothing; it keeps serving afterwards. Also character-vs-byte limits and escaping."""
import http.client
import json
import socket

import pytest

INC = "/api/v1/incidents"


def alive_and_valid(srv):
    assert srv.alive(), "server died"
    st, j = srv.api("GET", "/healthz", token=None)
    assert st == 200
    assert srv.verify()["valid"] is True


def send_raw(port, data, read=True, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return b""
        out = b""
        try:
            while True:
                part = s.recv(65536)
                if not part:
                    break
                out += part
                if b"\r\n\r\n" in out and len(out) > 12:
                    hdr, _, rest = out.partition(b"\r\n\r\n")
                    low = hdr.lower()
                    if b"content-length:" in low:
                        n = int(low.split(b"content-length:")[1].split(b"\r\n")[0].strip())
                        if len(rest) >= n:
                            break
        except (ConnectionResetError, socket.timeout):
            pass
        return out
    finally:
        s.close()


def status_of(raw):
    assert raw.startswith(b"HTTP/1."), raw[:200]
    return int(raw.split(b" ")[1])


def test_deeply_nested_json(shared_server):
    body = b"[" * 200000 + b"]" * 200000
    r = shared_server.request("POST", INC, raw=body)
    assert r.status == 400, r
    body = b'{"title":' + b'{"a":' * 100000 + b"1" + b"}" * 100000 + b',"severity":"SEV1"}'
    r = shared_server.request("POST", INC, raw=body)
    assert r.status == 400, r
    alive_and_valid(shared_server)


def count_incidents(srv):
    st, j = srv.api("GET", INC + "?status=all&limit=1000")
    assert st == 200, (st, j)
    return len(j["incidents"])


@pytest.mark.parametrize("raw,where", [
    ('{"title": "\\ud800", "severity": "SEV3"}', "invalid Unicode"),
    ('{"title": "x", "severity": "SEV3", "drill": 1e999}', "overflow"),
])
def test_odd_json_is_400(shared_server, raw, where):
    n = count_incidents(shared_server)
    r = shared_server.request("POST", INC, raw=raw.encode())
    assert r.status == 400, r
    msg = r.json["error"]["message"]
    assert msg.startswith("body: invalid JSON") and where in msg, msg
    assert count_incidents(shared_server) == n
    alive_and_valid(shared_server)


@pytest.mark.parametrize("raw", [
    b'{"title": "a\\u0000b", "severity": "SEV3"}',          # escaped NUL in a string
    b'{"title": "x", "severity": "SEV3\\u0000"}',           # ... where it would cut to a valid value
    b'{"title": "a\x00b", "severity": "SEV3"}',              # a raw NUL byte in a string
    b'{"title": "ab", "severity": "SEV3"}\x00',              # after the document
    b'\x00',                                                 # the whole body
], ids=["escaped-in-title", "escaped-in-severity", "raw-in-title", "raw-trailing", "raw-only"])
def test_nul_bytes_in_the_body_are_400(shared_server, raw):
    """A NUL never reaches a C string: the server answers 400 with the error shape (checked by
    the harness: code bad_request), stores nothing, and keeps serving."""
    n = count_incidents(shared_server)
    r = shared_server.request("POST", INC, raw=raw)
    assert r.status == 400, r
    assert r.json["error"]["code"] == "bad_request", r
    assert r.json["error"]["message"].startswith("body: invalid JSON"), r
    assert count_incidents(shared_server) == n, "a body with a NUL created an incident"
    alive_and_valid(shared_server)


def test_title_limit_counts_characters_not_bytes(shared_server):
    inc = shared_server.create("é" * 200)
    assert inc["title"] == "é" * 200
    inc = shared_server.create("🔥" * 200)
    assert inc["title"] == "🔥" * 200
    st, j = shared_server.api("POST", INC, {"title": "é" * 201, "severity": "SEV3"})
    assert st == 400 and j["error"]["message"].startswith("title")


def test_note_limit_counts_characters(shared_server):
    inc = shared_server.create("notes")
    st, e = shared_server.api("POST", f"{INC}/{inc['id']}/notes", {"text": "ü" * 10000})
    assert st == 201, e
    st, e = shared_server.api("POST", f"{INC}/{inc['id']}/notes", {"text": "ü" * 10001})
    assert st == 400


def test_strings_with_quotes_and_control_chars_round_trip(shared_server):
    title = 'He said "no" \\ then\ttab\nnewline \x01 </script>'
    inc = shared_server.create(title, summary='{"json": "inside"}')
    assert inc["title"] == title
    got = shared_server.get(inc["id"])
    assert got["title"] == title and got["summary"] == '{"json": "inside"}'
    st, e = shared_server.api("POST", f"{INC}/{inc['id']}/notes", {"text": title})
    assert st == 201 and shared_server.timeline(inc["id"])[-1]["data"]["text"] == title
    assert shared_server.verify()["valid"] is True


def test_duplicate_keys_do_not_smuggle(shared_server):
    n = count_incidents(shared_server)
    raw = b'{"title": "first", "severity": "SEV9", "severity": "SEV3"}'
    r = shared_server.request("POST", INC, raw=raw)
    assert r.status == 400, r
    msg = r.json["error"]["message"]
    assert "duplicate object key" in msg and '"severity"' in msg, f"the message names the key: {msg}"
    assert count_incidents(shared_server) == n


def test_truncated_body_then_close(shared_server):
    srv = shared_server
    st, j = srv.api("GET", INC + "?status=all&limit=1000")
    n = len(j["incidents"])
    head = (f"POST {INC} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {srv.admin_token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n").encode()
    send_raw(srv.port, head + b'{"title":"half","severity":"SEV3"', read=False)
    alive_and_valid(srv)
    st, j = srv.api("GET", INC + "?status=all&limit=1000")
    assert len(j["incidents"]) == n


@pytest.mark.parametrize("data,want", [
    (b"GET /healthz HTTP/9.9\r\n\r\n", 505),
    (b"\x00GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET " + b"/a" * 50000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 200000 + b"\r\n\r\n", 431),
    (b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
    (b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 413),
    (b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
], ids=["http-9.9", "nul-before-method", "long-uri", "big-header",
        "negative-length", "huge-length", "bad-chunk"])
def test_garbage_http(shared_server, data, want):
    """Each gets a real answer with its exact status (no answer at all is a failure), and the
    server keeps serving. (These answers come from libmicrohttpd before routing, with its HTML
    body, so the JSON error shape is not asked of them.)"""
    raw = send_raw(shared_server.port, data)
    assert raw, "the server closed the connection without answering"
    assert status_of(raw) == want, raw[:300]
    alive_and_valid(shared_server)


@pytest.mark.parametrize("data", [b"GARBAGE\r\n\r\n", b"\x00\x01\x02\x03\r\n\r\n"],
                         ids=["garbage", "nul-request-line"])
def test_unparseable_request_line_is_dropped(shared_server, data):
    """A request line that is not HTTP at all: libmicrohttpd 0.9.75 closes the connection without
    an answer (it has no hook to answer one; docs/internals/architecture.md). Pinned as such, with
    the server still serving afterwards."""
    assert send_raw(shared_server.port, data) == b""
    alive_and_valid(shared_server)


def test_percent_00_is_kept_literal(shared_server):
    """%00 is not decoded into a NUL (which would silently cut the value): the value keeps the
    three characters and its check names it."""
    r = shared_server.request("GET", INC + "?status=open%00")
    assert r.status == 422, r
    assert 'unknown status "open%00"' in r.json["error"]["message"], r.json
    r = shared_server.request("GET", INC + "/INC-2026-01-01-001%00")
    assert r.status == 404, r
    assert "INC-2026-01-01-001%00" in r.json["error"]["message"], r.json
    st, j = shared_server.api("GET", INC + "?status=%6Fpen")  # other escapes still decode
    assert st == 200, (st, j)


def test_long_query_and_odd_paths(shared_server):
    for path in [INC + "?status=" + "a" * 5000, INC + "?limit=" + "9" * 400,
                 INC + "/" + "I" * 5000, INC + "/INC-2026-01-01-001%00", INC + "/%ff%fe",
                 INC + "/..%2f..%2fetc%2fpasswd", "/api/v1/incidents/INC-2000-01-01-001/roles/" + "r" * 3000]:
        r = shared_server.request("GET", path)
        assert 400 <= r.status < 500, (path[:80], r)
    alive_and_valid(shared_server)


def test_query_percent_decoding(shared_server):
    shared_server.create("pct")
    st, j = shared_server.api("GET", INC + "?status=%6Fpen")
    assert st == 200
    st2, j2 = shared_server.api("GET", INC + "?status=open")
    assert [i["id"] for i in j["incidents"]] == [i["id"] for i in j2["incidents"]]


def test_keep_alive_many_requests(shared_server):
    c = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=30)
    h = {"Authorization": f"Bearer {shared_server.admin_token}", "Content-Type": "application/json"}
    try:
        for i in range(50):
            if i % 5 == 0:
                c.request("POST", INC, json.dumps({"title": f"ka {i}", "severity": "SEV4"}), h)
                r = c.getresponse()
                assert r.status == 201
            elif i % 5 == 1:
                c.request("POST", INC, b'{"bad json', h)
                r = c.getresponse()
                assert r.status == 400
            else:
                c.request("GET", INC, headers=h)
                r = c.getresponse()
                assert r.status == 200
            r.read()
    finally:
        c.close()


def test_json_content_type(shared_server):
    r = shared_server.request("GET", INC)
    assert r.headers.get("Content-Type", "").startswith("application/json")
    r = shared_server.request("GET", INC + "/INC-2000-01-01-001")
    assert r.headers.get("Content-Type", "").startswith("application/json")


def test_bearer_scheme_case_insensitive(shared_server):
    """RFC 7235: the auth scheme is case-insensitive."""
    st, j = shared_server.api("GET", INC, token=None,
                              headers={"Authorization": f"bearer {shared_server.admin_token}"})
    assert st == 200, (st, j)


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/incidents/%ff%fe", None),
    ("GET", "/api/v1/incidents/%ff%fe/timeline", None),
    ("POST", "/api/v1/incidents/%ff/notes", {"text": "x"}),
    ("PATCH", "/api/v1/incidents/%c3%28", {"title": "x"}),
    ("PUT", "/api/v1/incidents/%ff/roles/commander", {"user": "alice"}),
    ("DELETE", "/api/v1/tokens/%ff%fe", None),
    ("GET", "/api/v1/incidents?status=%ff", None),
    ("GET", "/api/v1/incidents?limit=%ff", None),
    ("GET", "/api/v1/%ff", None),
])
def test_invalid_utf8_in_url_is_4xx(shared_server, method, path, body):
    r = shared_server.request(method, path, body=body)
    assert 400 <= r.status < 500, r


def test_invalid_utf8_role_name(shared_server):
    inc = shared_server.create("utf8 role")
    r = shared_server.request("PUT", f"/api/v1/incidents/{inc['id']}/roles/%ff%fe", body={"user": "alice"})
    assert r.status == 422, r
