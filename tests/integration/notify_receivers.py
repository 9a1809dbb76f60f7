"""Real components for the notification tests (tests/integration/test_notify*.py).

- Receiver: a local HTTP server on a free loopback port, on its own thread. It records every
  request (method, path, headers, body) and answers what the test told it (a status, headers, a
  body; or a list of answers used in turn). Stands in for Slack, a generic webhook endpoint and an
  SMS gateway. `down()` closes the listening socket (connection refused); `up()` listens again on
  the same port.
- SmtpSink: Debian's python3-aiosmtpd (aiosmtpd.controller.Controller) on a free loopback port; each
  message received is parsed (email.message_from_bytes) and kept, and also written to a directory.
- verify_standard_webhook(): checks a Standard Webhooks signature the way a receiver would, with
  hmac/hashlib only (independent of tocsin's C code).
- notify_config(): fixtures/test.yaml's policy table plus users with contact methods and a
  `notify:` section pointing at the receivers.

Everything listens on 127.0.0.1 only; every server is stopped by the fixture that made it.
"""
import base64
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import re
import socket
import threading
import time
import urllib.parse

from tocsin_harness import free_port

WEBHOOK_SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
INBOUND_SECRET = "sms-inbound-secret-0123456789"
ACK_RE = re.compile(r"(https?://[^\s\"<>]+/ack/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+))")


class Request:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.at = time.monotonic()

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def form(self):
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8"),
                                                          keep_blank_values=True).items()}

    def __repr__(self):
        return f"<{self.method} {self.path} {self.body[:200]!r}>"


class Receiver:
    """A threaded HTTP server that records requests and answers as told."""

    def __init__(self, name="receiver"):
        self.name = name
        self.port = free_port()
        self.requests = []
        self.lock = threading.Condition()
        self.answers = []          # used in turn, then `default`
        self.default = (200, {}, b"ok")
        self.server = None
        self.thread = None
        self.up()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/{self.name}"

    def _handler(self):
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with recv.lock:
                    recv.requests.append(Request("POST", self.path, dict(self.headers), body))
                    ans = recv.answers.pop(0) if recv.answers else recv.default
                    recv.lock.notify_all()
                status, headers, payload = ans
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

        return Handler

    def up(self):
        assert self.server is None
        for _ in range(50):
            try:
                self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"cannot listen on 127.0.0.1:{self.port} again")
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def down(self):
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        self.server = None

    def answer(self, status=200, headers=None, body=b"ok", times=None):
        """Answer `status` from now on, or the next `times` requests only."""
        with self.lock:
            a = (status, headers or {}, body if isinstance(body, bytes) else body.encode())
            if times is None:
                self.answers = []
                self.default = a
            else:
                self.answers.extend([a] * times)

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait_for(self, n, timeout=20):
        """Waits (bounded) until at least n requests arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.name}: {len(self.requests)} requests, wanted {n}: {self.requests}")
                self.lock.wait(left)
            return list(self.requests)

    def close(self):
        self.down()


def verify_standard_webhook(secret, headers, body, now=None, tolerance=None):
    """Verifies a Standard Webhooks request; returns the msg id. Raises AssertionError."""
    h = {k.lower(): v for k, v in headers.items()}
    msg_id, ts, sigs = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    assert msg_id and ts and sigs, f"missing Standard Webhooks headers: {headers}"
    assert ts.isdigit(), ts
    if tolerance is not None:
        assert abs(int(ts) - (now or time.time())) <= tolerance, (ts, now)
    key = base64.b64decode(secret[len("whsec_"):])
    signed = msg_id.encode() + b"." + ts.encode() + b"." + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    got = [s.split(",", 1)[1] for s in sigs.split(" ") if s.startswith("v1,")]
    assert any(hmac.compare_digest(want, g) for g in got), f"bad signature {sigs!r}, want v1,{want}"
    return msg_id


class SmtpSink:
    """aiosmtpd on a free loopback port; keeps every message received."""

    def __init__(self, directory, credentials=None):
        """credentials: (user, password) to require SMTP AUTH (over plain text: loopback only)."""
        from aiosmtpd.controller import Controller  # Debian: python3-aiosmtpd
        from aiosmtpd.smtp import AuthResult

        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.messages = []      # (envelope from, [rcpt], email.message.EmailMessage)
        self.cond = threading.Condition()
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                raw = envelope.original_content or envelope.content
                with sink.cond:
                    n = len(sink.messages) + 1
                    with open(os.path.join(sink.dir, f"{n:04d}.eml"), "wb") as f:
                        f.write(raw)
                    msg = email.message_from_bytes(raw, policy=email.policy.default)
                    sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
                    sink.cond.notify_all()
                return "250 Message accepted for delivery"

        self.logins = []

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode(), auth_data.password.decode()) == tuple(credentials)
            self.logins.append((mechanism, auth_data.login.decode(), ok))
            return AuthResult(success=ok, handled=False)  # failure: aiosmtpd answers 535

        kw = {}
        if credentials:
            kw = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kw)
        self.controller.start()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"smtp: {len(self.messages)} messages, wanted {n}")
                self.cond.wait(left)
            return list(self.messages)

    def close(self):
        self.controller.stop()


def parts(msg):
    """(text, html) of a multipart/alternative message."""
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return (text.get_content() if text else None, html.get_content() if html else None)


def ack_links(text):
    """[(url, token)] of the ack links in text."""
    return ACK_RE.findall(text or "")


SEVERITIES = """\
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [sms, email, slack], postmortem: {required: true, due: 48h}}
  - {id: SEV2, name: Major, ack_within: 30m, resolve_within: 4h, notify: [sms, email], postmortem: {required: true, due: 5d}}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [email]}
  - {id: SEV4, name: Low, notify: [ticket]}
services:
  - {id: api, name: API Gateway}
"""


def notify_config(users, smtp=None, sms=None, extra="", throttle="1m"):
    """A config: the policy table, `users` (YAML list items, one per string), and a notify section
    with email at the SmtpSink `smtp` and SMS at the Receiver `sms` (either may be None), the
    throttle window, and `extra` lines of the notify section."""
    out = [SEVERITIES, "users:"]
    out += [f"  - {u}" for u in users]
    out.append("notify:")
    if smtp is not None:
        out.append(f"  email: {{url: \"{smtp.url}\", from: pager@tocsin.test}}")
    if sms is not None:
        out.append(f"  sms: {{url: \"{sms.url}\", from: \"+15550000\", username: AC123, "
                   f"password: tok, inbound_secret: {INBOUND_SECRET}}}")
    out.append(f"  throttle: {throttle}")
    out.append(extra.rstrip() if extra else "")
    return "\n".join(out) + "\n"
