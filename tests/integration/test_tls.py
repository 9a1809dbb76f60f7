"""HTTPS served by tocsin itself (issue 14 "TLS", docs/security.md "TLS"): server.tls.cert_file and
key_file, a certificate made here with the openssl CLI; clients verify the server against it. TLS
1.2 and 1.3 only; HSTS on every answer; the UI's session cookie Secure; a bad pair refuses to
start; SIGHUP loads a new certificate for new connections."""
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.parse
import warnings

import pytest

from tocsin_harness import Server, free_port, require_bin
from conftest import _teardown_all
from test_connections import config_with

PASSWORD = "correct horse battery staple"


def make_cert(d, name, cn="127.0.0.1"):
    cert, key = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", f"/CN={cn}",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class TlsServer(Server):
    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("no openssl CLI to make the test certificate")
    require_bin()
    root = tmp_path_factory.mktemp("tls")
    cert, key = make_cert(str(root), "one")
    live_cert, live_key = str(root / "live.crt"), str(root / "live.key")
    shutil.copyfile(cert, live_cert)
    shutil.copyfile(key, live_key)
    conf = config_with("server: {listen: \"127.0.0.1:8080\", "
                       f"tls: {{cert_file: \"{live_cert}\", key_file: \"{live_key}\"}}}}")
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = cert  # the harness's urllib verifies against it
    s = TlsServer(root / "srv", config_text=conf)
    s.cert, s.live_cert, s.live_key, s.root = cert, live_cert, live_key, str(root)
    try:
        s.start()
        yield s
        _teardown_all([s])
    finally:
        if old is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = old


def client_ctx(cafile, tls_max=None):
    ctx = ssl.create_default_context(cafile=cafile)
    if tls_max is not None:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer old versions
        with warnings.catch_warnings():  # TLS 1.0 and 1.1 are deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = tls_max
    return ctx


def get(port, path, ctx, headers=None, method="GET", body=None):
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r, r.read()
    finally:
        c.close()


def test_https_verified_against_the_test_certificate_with_hsts(tls):
    r, body = get(tls.port, "/healthz", client_ctx(tls.cert))
    assert r.status == 200, body
    assert r.getheader("Strict-Transport-Security") == "max-age=31536000"
    st, j = tls.api("GET", "/api/v1/incidents")  # the harness's own client, verifying too
    assert st == 200, j
    assert "(HTTPS, TLS 1.2+)" in tls.stderr_text()


def test_plain_http_and_an_unknown_certificate_get_nothing(tls):
    s = socket.create_connection(("127.0.0.1", tls.port), timeout=5)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        try:
            while True:
                part = s.recv(4096)
                if not part:
                    break
                data += part
        except ConnectionResetError:
            pass
        assert not data.startswith(b"HTTP/"), data[:200]
    finally:
        s.close()
    with pytest.raises(ssl.SSLCertVerificationError):
        get(tls.port, "/healthz", ssl.create_default_context(cafile=make_cert(tls.root, "other")[0]))


def test_tls_1_1_is_refused_and_1_2_accepted(tls):
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        get(tls.port, "/healthz", client_ctx(tls.cert, ssl.TLSVersion.TLSv1_1))
    r, _ = get(tls.port, "/healthz", client_ctx(tls.cert, ssl.TLSVersion.TLSv1_2))
    assert r.status == 200


def test_session_cookie_is_secure_under_tls(tls):
    st, j = tls.api("PUT", "/api/v1/users/alice/password", {"password": PASSWORD, "role": "responder"})
    assert st == 200, j
    body = urllib.parse.urlencode({"user": "alice", "password": PASSWORD}).encode()
    r, text = get(tls.port, "/ui/signin", client_ctx(tls.cert), method="POST", body=body,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303, text[:300]
    cookie = r.getheader("Set-Cookie")
    assert "; Secure" in cookie and "HttpOnly" in cookie, cookie


def wait_for_log(srv, text, before):
    deadline = time.monotonic() + 10
    while srv.stderr_text().count(text) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    return srv.stderr_text().count(text)


def test_sighup_loads_a_new_certificate_for_new_connections(tls):
    """The files in server.tls are read again on SIGHUP: after the swap, a client that trusts only
    the new certificate connects, one that trusts only the old one is refused. A bad pair is
    refused and the served certificate kept."""
    new_cert, new_key = make_cert(tls.root, "two")
    both = os.path.join(tls.root, "both.crt")  # the harness trusts either from now on
    with open(both, "w") as out, open(tls.cert) as a, open(new_cert) as b:
        out.write(a.read() + b.read())
    os.environ["SSL_CERT_FILE"] = both
    shutil.copyfile(new_cert, tls.live_cert)
    shutil.copyfile(new_key, tls.live_key)
    loaded = "http: TLS certificate loaded"
    before = tls.stderr_text().count(loaded)
    tls.signal(signal.SIGHUP)
    assert wait_for_log(tls, loaded, before) == before + 1, tls.stderr_text()[-2000:]
    r, _ = get(tls.port, "/healthz", client_ctx(new_cert))
    assert r.status == 200
    with pytest.raises(ssl.SSLCertVerificationError):
        get(tls.port, "/healthz", client_ctx(tls.cert))
    # a key that does not match: refused, the served one kept
    shutil.copyfile(tls.cert, tls.live_cert)
    refused = "http: TLS: cannot load the new certificate"
    tls.signal(signal.SIGHUP)
    assert wait_for_log(tls, refused, 0) == 1, tls.stderr_text()[-2000:]
    assert "do not match" in tls.stderr_text()
    r, _ = get(tls.port, "/healthz", client_ctx(new_cert))
    assert r.status == 200
    # a certificate file that is not one (a truncated copy): refused loudly, the served one kept
    with open(new_cert) as f:
        pem = f.read()
    with open(tls.live_cert, "w") as f:
        f.write(pem[: len(pem) // 2])
    shutil.copyfile(new_key, tls.live_key)
    tls.signal(signal.SIGHUP)
    assert wait_for_log(tls, refused, 1) == 2, tls.stderr_text()[-2000:]
    lines = [ln for ln in tls.stderr_text().splitlines() if refused in ln]
    assert all(" ERROR " in ln for ln in lines), lines
    r, body = get(tls.port, "/healthz", client_ctx(new_cert))
    assert r.status == 200, body
    assert r.getheader("Strict-Transport-Security") == "max-age=31536000"


def test_a_key_that_does_not_match_the_certificate_refuses_to_start(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("no openssl CLI")
    c1, _ = make_cert(str(tmp_path), "a")
    _, k2 = make_cert(str(tmp_path), "b")
    conf = config_with("server: {listen: \"127.0.0.1:8080\", "
                       f"tls: {{cert_file: \"{c1}\", key_file: \"{k2}\"}}}}")
    srv = Server(tmp_path / "bad", config_text=conf)
    try:
        p = subprocess.run([require_bin(), "serve", "--config", srv.config_path, "--data",
                            srv.data, "--listen", f"127.0.0.1:{free_port()}"],
                           capture_output=True, text=True, timeout=60)
    finally:
        _teardown_all([srv])
    assert p.returncode != 0
    assert "server.tls: " in p.stderr and "not a usable pair" in p.stderr, p.stderr[-2000:]
    assert "serving on" not in p.stdout


def test_tls_added_by_reload_keeps_the_served_scheme_in_links_until_a_restart(tmp_path):
    """server.tls takes a restart; a reload that adds it must not make the links and the UI
    cookie say https while plain HTTP is still served (the default public_url is kept)."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl CLI")
    require_bin()
    cert, key = make_cert(str(tmp_path), "later")
    s = Server(tmp_path / "srv", config_text=config_with('server: {listen: "127.0.0.1:8080"}'))
    s.start()
    try:
        s.write_config(config_with('server: {listen: "127.0.0.1:8080", '
                                   f'tls: {{cert_file: "{cert}", key_file: "{key}"}}}}'))
        st, j = s.api("POST", "/api/v1/config/reload")
        assert st == 200, j
        err = s.stderr_text()
        assert "server.tls added; restart to apply" in err, err[-2000:]
        assert "server.public_url stays http://127.0.0.1:8080" in err, err[-2000:]
        st, j = s.api("PUT", "/api/v1/users/alice/password",
                      {"password": PASSWORD, "role": "responder"})
        assert st == 200, j
        con = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        con.request("POST", "/ui/signin",
                    urllib.parse.urlencode({"user": "alice", "password": PASSWORD}),
                    {"Content-Type": "application/x-www-form-urlencoded"})
        r = con.getresponse()
        r.read()
        con.close()
        assert r.status == 303
        assert "; Secure" not in r.getheader("Set-Cookie"), "plain HTTP is still what is served"
    finally:
        _teardown_all([s])
