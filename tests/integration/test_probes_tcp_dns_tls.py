"""TCP-connect, DNS and TLS-certificate probes beside HTTP (issue 16: the seeds' "certificate
expiry" and "pg_isready" scenarios), run once by `tocsin check` against loopback listeners: a
plain TCP socket, a TLS server whose certificate (made here by openssl, valid 5 days) is
trusted through `ca_file`, and names from /etc/hosts. `cert_expiry_days` is the threshold: 3
days passes, 30 fails naming the days left. Bad targets are refused with the file and line."""
import json
import os
import socket
import ssl
import subprocess
import threading

import pytest

from tocsin_harness import run_bin

BASE = """\
severities:
  - {{id: SEV1, name: Critical}}
users:
  - {{id: alice, email: alice@example.com}}
services:
{services}
"""


def svc(sid, probe):
    return f"  - {{id: {sid}, name: {sid}, probe: {{every: 30s, timeout: 5s, {probe}}}}}"


class Listener:
    """Accepts on 127.0.0.1 in a thread; with ctx, completes a TLS handshake on each connection."""

    def __init__(self, ctx=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.ctx = ctx
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            # one thread per connection: a probe holds its connection until the round ends
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        try:
            if self.ctx:
                conn = self.ctx.wrap_socket(conn, server_side=True)
            conn.settimeout(10)
            conn.recv(1)  # until the client closes
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def listeners(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    key, cert = str(d / "key.pem"), str(d / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "5", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    plain, tls = Listener(), Listener(ctx)
    closed = socket.socket()  # a port with nobody listening: bound, never listened on
    closed.bind(("127.0.0.1", 0))
    yield plain.port, tls.port, closed.getsockname()[1], cert
    plain.close()
    tls.close()
    closed.close()


def check(tmp_path, services):
    path = os.path.join(tmp_path, "probes.yaml")
    with open(path, "w") as f:
        f.write(BASE.format(services="\n".join(services)))
    p = run_bin("check", "--config", path, "--json")
    return p, path


def verdicts(p):
    rows = json.loads(p.stdout)
    return {r["service"]: r for r in rows}


def test_tcp_dns_and_tls_probes(listeners, tmp_path):
    plain, tls, closed, cert = listeners
    p, _ = check(tmp_path, [
        svc("pg", f'url: "tcp://127.0.0.1:{plain}"'),
        svc("pg-down", f'url: "tcp://127.0.0.1:{closed}"'),
        svc("resolves", 'url: "dns://localhost"'),
        svc("unknown-name", 'url: "dns://no-such-host.invalid"'),
        svc("cert-ok", f'url: "tls://127.0.0.1:{tls}", ca_file: "{cert}", cert_expiry_days: 3'),
        svc("cert-soon", f'url: "tls://127.0.0.1:{tls}", ca_file: "{cert}", cert_expiry_days: 30'),
        svc("cert-untrusted", f'url: "tls://127.0.0.1:{tls}"'),
    ])
    assert p.returncode == 1, (p.stdout, p.stderr)
    v = verdicts(p)
    ok = {k for k, r in v.items() if r["ok"]}
    assert ok == {"pg", "resolves", "cert-ok"}, v
    soon = v["cert-soon"]["error"]
    assert "certificate expires in 4 days" in soon or "certificate expires in 5 days" in soon, soon
    assert "30-day threshold" in soon, soon
    assert "does not resolve" in v["unknown-name"]["error"], v["unknown-name"]
    assert v["pg-down"]["error"] and v["cert-untrusted"]["error"], v


BAD = [
    ('url: "tcp://127.0.0.1"', "needs HOST:PORT"),
    ('url: "tls://db:99999"', "needs HOST:PORT"),
    ('url: "dns://example.com:53"', "without a port"),
    ('url: "ftp://example.com/"', "is not an http:// or https:// URL"),
    ('url: "tcp://127.0.0.1:5432", cert_expiry_days: 14', "only a tls:// or https:// probe"),
    ('url: "dns://localhost", expect_body: ok', "only an http(s):// probe has a body"),
]


def test_bad_probe_targets_are_refused_with_file_and_line(tmp_path):
    for probe, want in BAD:
        p, path = check(tmp_path, [svc("x", probe)])
        assert p.returncode == 2 and f"{path}:6:" in p.stderr and want in p.stderr, (probe, p.stderr)
