"""Request framing (issue 14 item 6, docs/security.md "Framing"): a request whose length two headers
could tell two ways is refused with 400 before any handler runs; `Expect: 100-continue` with a
Content-Length over the body limit is answered 413 at once, without `100 Continue`. Raw sockets:
urllib would not send these."""
import json
import socket

INC = "/api/v1/incidents"
BODY = b'{"title":"smuggled","severity":"SEV3"}'


def recv_answer(s):
    """One HTTP answer: its head and body (by Content-Length), else what came before the close."""
    out = b""
    while True:
        try:
            part = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not part:
            break
        out += part
        if b"\r\n\r\n" in out:
            head, _, rest = out.partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.1 100"):
                return head, rest
            low = head.lower()
            if b"content-length:" in low:
                n = int(low.split(b"content-length:")[1].split(b"\r\n")[0].strip())
                if len(rest) >= n:
                    return head, rest[:n]
    head, _, rest = out.partition(b"\r\n\r\n")
    return head, rest


def exchange(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return recv_answer(s)
    finally:
        s.close()


def status_of(head):
    assert head.startswith(b"HTTP/1."), head[:200]
    return int(head.split(b" ")[1])


def titles(srv):
    st, j = srv.api("GET", INC + "?status=all&limit=1000")
    assert st == 200, (st, j)
    return [i["title"] for i in j["incidents"]]


def post_head(srv, extra, token=None):
    token = srv.admin_token if token is None else token
    return (f"POST {INC} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\n{extra}\r\n").encode()


def chunked(body):
    return f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


def check_refused(srv, data, words):
    head, body = exchange(srv.port, data)
    assert status_of(head) == 400, head
    err = json.loads(body)["error"]
    assert err["code"] == "bad_request" and words in err["message"], err
    assert "smuggled" not in titles(srv), "the handler ran"
    assert srv.api("GET", "/healthz", token=None)[0] == 200


def test_content_length_with_transfer_encoding_is_400(shared_server):
    srv = shared_server
    data = post_head(srv, f"Content-Length: {len(chunked(BODY))}\r\nTransfer-Encoding: chunked\r\n")
    check_refused(srv, data + chunked(BODY), "Content-Length and Transfer-Encoding")
    # the other order of the headers, and a body that each reading would cut differently
    data = post_head(srv, "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n")
    check_refused(srv, data + chunked(BODY), "Content-Length and Transfer-Encoding")


def test_two_content_lengths_are_400_even_when_equal(shared_server):
    srv = shared_server
    n = len(BODY)
    check_refused(srv, post_head(srv, f"Content-Length: {n}\r\nContent-Length: {n}\r\n") + BODY,
                  "more than one Content-Length")
    check_refused(srv, post_head(srv, f"Content-Length: 5\r\ncontent-length: {n}\r\n") + BODY,
                  "more than one Content-Length")


def test_two_transfer_encodings_are_400(shared_server):
    srv = shared_server
    data = post_head(srv, "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")
    check_refused(srv, data + chunked(BODY), "more than one Transfer-Encoding")


def test_refused_before_the_handler_and_its_auth(shared_server):
    """A bad token would be 401 from the handler's door: the framing answer comes first."""
    srv = shared_server
    n = len(BODY)
    data = post_head(srv, f"Content-Length: {n}\r\nContent-Length: {n}\r\n", token="nope") + BODY
    head, _ = exchange(srv.port, data)
    assert status_of(head) == 400, head


def test_single_framing_headers_still_work(shared_server):
    """The control: one Content-Length, or chunked alone, creates the incident."""
    srv = shared_server
    one = BODY.replace(b"smuggled", b"framed-cl")
    head, _ = exchange(srv.port, post_head(srv, f"Content-Length: {len(one)}\r\n") + one)
    assert status_of(head) == 201, head
    two = BODY.replace(b"smuggled", b"framed-te")
    head, _ = exchange(srv.port, post_head(srv, "Transfer-Encoding: chunked\r\n") + chunked(two))
    assert status_of(head) == 201, head
    assert {"framed-cl", "framed-te"} <= set(titles(srv))


def test_expect_continue_over_the_limit_is_413_without_100(shared_server):
    srv = shared_server
    data = post_head(srv, "Content-Length: 10737418240\r\nExpect: 100-continue\r\n")
    head, body = exchange(srv.port, data)  # the headers only: the body is never sent
    assert not head.startswith(b"HTTP/1.1 100"), "100 Continue for a body that will be refused"
    assert status_of(head) == 413, head
    err = json.loads(body)["error"]
    assert err["code"] == "too_large" and "server.max_body" in err["message"], err
    assert srv.api("GET", "/healthz", token=None)[0] == 200


def test_expect_continue_within_the_limit_gets_100_then_the_answer(shared_server):
    srv = shared_server
    one = BODY.replace(b"smuggled", b"continued")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        s.sendall(post_head(srv, f"Content-Length: {len(one)}\r\nExpect: 100-continue\r\n"))
        head, rest = recv_answer(s)
        assert head.startswith(b"HTTP/1.1 100"), head
        s.sendall(one)
        if rest.startswith(b"HTTP/"):
            head, _, _ = rest.partition(b"\r\n\r\n")
        else:
            head, _ = recv_answer(s)
        assert status_of(head) == 201, head
    finally:
        s.close()
    assert "continued" in titles(srv)
