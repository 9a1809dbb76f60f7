"""Behind a proxy, and slow bodies (issue 14, docs/security.md "Behind a proxy", "Connections").

server.trusted_proxies: a peer in those blocks is a proxy; the client is the rightmost untrusted
hop of its X-Forwarded-For, and the per-request limits (failed sign-ins per address) and the log
use it. Anyone else's X-Forwarded-For is ignored. A trusted proxy is exempt from
max_connections_per_address (its connections carry many clients); an untrusted address is not.
server.min_body_rate: a body slower than that after body_rate_grace is answered 408 and cut.

Here 127.0.0.2 is the proxy; 127.0.0.3 and 127.0.0.1 are direct clients."""
import http.client
import socket
import time
import urllib.parse

import pytest

from conftest import _teardown_all
from test_connections import closed_by_server, config_with, connect
from tocsin_harness import Server, require_bin

PROXY, DIRECT = "127.0.0.2", "127.0.0.3"
PER_ADDRESS, MIN_RATE, GRACE_S = 4, 1000, 1.0
SERVER = ("server: {listen: \"127.0.0.1:8080\", trusted_proxies: [\"127.0.0.2/32\", \"10.0.0.0/8\"], "
          f"max_connections_per_address: {PER_ADDRESS}, min_body_rate: {MIN_RATE}, "
          "body_rate_grace: 1s, body_timeout: 60s, header_timeout: 10s}")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("proxies"), config_text=config_with(SERVER))
    s.start()
    yield s
    _teardown_all([s])


def signin(server, source, user, xff=None):
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if xff is not None:
        h["X-Forwarded-For"] = xff
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                   source_address=(source, 0))
    body = urllib.parse.urlencode({"user": user, "password": "wrong password"})
    c.request("POST", "/ui/signin", body=body, headers=h)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def exhaust(server, source, xff, prefix):
    """Failed sign-ins under new user names until the address's limit answers 429."""
    for n in range(40):
        status = signin(server, source, f"{prefix}{n}", xff)
        if status == 429:
            return n
        assert status == 401, status
    pytest.fail("the address was never limited")


def test_signin_limit_counts_the_client_behind_a_trusted_proxy_and_ignores_others_headers(srv):
    n = exhaust(srv, PROXY, "198.51.100.9, 203.0.113.5", "a")
    assert 20 <= n < 40, n
    # the same client through the proxy, with a forged hop on the left: still limited
    assert signin(srv, PROXY, "b0", "203.0.113.6, 203.0.113.5") == 429
    # through two trusted proxies (10.x is trusted too): the hop left of them
    assert signin(srv, PROXY, "b1", "203.0.113.5, 10.1.2.3") == 429
    # another client behind the same proxy is not limited by the first one's failures
    assert signin(srv, PROXY, "b2", "203.0.113.6") == 401
    # the proxy's own address is not the one limited
    assert signin(srv, PROXY, "b3") == 401
    # a direct client cannot claim to be someone else: its own address counts, not the header
    assert signin(srv, DIRECT, "b4", "203.0.113.6") == 401
    exhaust(srv, DIRECT, "203.0.113.77", "c")
    assert signin(srv, PROXY, "b5", "203.0.113.77") == 401, "the forged client was not limited"
    log = srv.stderr_text()
    assert 'failed sign-in for "b2" from 203.0.113.6' in log
    assert 'failed sign-in for "b4" from 127.0.0.3' in log


def test_an_x_forwarded_for_too_long_to_join_is_ignored_not_cut(srv):
    """A client behind the proxy sends its own huge X-Forwarded-For ending in a forged hop; the
    proxy appends a second header line with the real client. Joined, the two exceed 16 KiB: the
    list is not cut (which would leave the forged hop rightmost) but ignored, so the proxy's own
    address stands for the client."""
    forged = "198.51.100.1, " * 1169 + "6.6.6.6"  # fits alone; the proxy's line does not
    assert len(forged) <= 16384 < len(forged) + len(",203.0.113.99")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30, source_address=(PROXY, 0))
    body = b"user=xffcut&password=wrong"
    s.sendall(b"POST /ui/signin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\n"
              + f"X-Forwarded-For: {forged}\r\nX-Forwarded-For: 203.0.113.99\r\n".encode()
              + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
    s.close()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    log = srv.stderr_text()
    assert 'failed sign-in for "xffcut" from 127.0.0.2' in log, log[-2000:]
    assert "X-Forwarded-For over 16 KiB" in log


def hold(n, source, port):
    socks = []
    for _ in range(n):
        s = connect(port, source)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Half: ")
        except OSError:
            pass
        socks.append(s)
    return socks


def alive_after(socks, seconds=1.0):
    deadline, alive = time.monotonic() + seconds, socks
    while time.monotonic() < deadline:
        alive = [s for s in alive if not closed_by_server(s)]
        time.sleep(0.1)
    return alive


def test_a_trusted_proxy_is_exempt_from_the_per_address_connection_limit(srv):
    proxied = hold(3 * PER_ADDRESS, PROXY, srv.port)
    direct = hold(3 * PER_ADDRESS, DIRECT, srv.port)
    try:
        assert len(alive_after(proxied)) == 3 * PER_ADDRESS, "the proxy's connections were cut"
        kept = alive_after(direct)
        assert len(kept) == PER_ADDRESS, f"{len(kept)} kept from one direct address"
    finally:
        for s in proxied + direct:
            s.close()
    assert "connections from addresses already holding server.max_connections_per_address" in \
        srv.stderr_text()


SLOW_SOURCE = "127.0.0.5"  # an address no other test holds connections from (per-address cap)


def body_request(port, length):
    s = connect(port, SLOW_SOURCE)
    s.sendall(b"POST /api/v1/incidents HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              + f"Content-Length: {length}\r\n\r\n".encode())
    return s


def drain(sock):
    """What the server sent so far without blocking: bytes, b"" at its end, None if nothing yet."""
    sock.setblocking(False)
    try:
        return sock.recv(65536)
    except BlockingIOError:
        return None
    except OSError:
        return b""
    finally:
        sock.setblocking(True)


def test_a_body_slower_than_min_body_rate_gets_408_after_the_grace(srv):
    """100 bytes every 200 ms (500 bytes/s) against 1,000 bytes/s: cut with 408 once the 1 s
    grace has passed, long before the 60 s body deadline. A body sent at 10x the rate is read."""
    slow = body_request(srv.port, 100000)
    t0, answer = time.monotonic(), b""
    try:
        while time.monotonic() - t0 < 15:
            time.sleep(0.2)
            # read first: the server's 408 may be followed by a reset (it closes with our
            # last bytes unread), after which a send fails but what came before is still here
            part = drain(slow)
            if part is not None:
                answer += part
                if not part or b"\r\n\r\n" in answer:
                    break
            try:
                slow.send(b" " * 100)
            except OSError:
                answer += drain(slow) or b""
                break
        took = time.monotonic() - t0
    finally:
        slow.close()
    # the 408 is written before the close, but the close meets our unread bytes and resets the
    # connection, and a reset can discard the answer before we read it: when one came, it is 408;
    # either way the cut is in the log, and came long before the 60 s body deadline
    if answer:
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"server.min_body_rate" in answer
    assert GRACE_S - 0.1 <= took < 12, took
    # 10,000 bytes/s: read to the end and handled (401 without a token: it reached the router)
    body = b'{"title": "' + b"x" * 9000 + b'"}'
    fast = body_request(srv.port, len(body))
    try:
        for i in range(0, len(body), 2000):
            fast.sendall(body[i:i + 2000])
            time.sleep(0.2)
        fast.settimeout(10)
        data = fast.recv(4096)
    finally:
        fast.close()
    assert data.startswith(b"HTTP/1.1 401"), data[:200]
    assert "bodies slower than server.min_body_rate" in srv.stderr_text()  # the slow one was cut
