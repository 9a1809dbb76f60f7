"""Local fakes of the chat services tocsin talks to (tests/integration/test_chatops*.py), written
from their public API documents, each recording what it received.

- FakeSlack: Slack's Web API subset tocsin calls (POST /api/<method>, form-encoded, bot token as
  "Authorization: Bearer"): auth.test, conversations.create / .invite / .setTopic / .archive /
  .list, chat.postMessage, pins.add, users.lookupByEmail, users.info, with Slack's answer shapes:
  {"ok": true, ...} or {"ok": false, "error": "name_taken" | "invalid_auth" | "channel_not_found"
  | "users_not_found" | "already_in_channel" | "ratelimited"} (ratelimited: HTTP 429 and a
  Retry-After header). A test can make the next calls of a method fail (fail_next), rate limit
  them (ratelimit_next), or hold conversations.create after the channel exists and before the
  answer (hold_create: the process under test can be killed meanwhile).
- FakeTeams: a Teams workflow / incoming webhook: records each JSON body, answers 202.

Everything listens on 127.0.0.1; stop() closes the socket.
"""
import http.server
import itertools
import json
import re
import threading
import time
import urllib.parse

from tocsin_harness import free_port

NAME_RE = re.compile(r"^[a-z0-9_-]{1,80}$")
BOT_ID = "UBOT0001"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Call:
    def __init__(self, method, args, headers):
        self.method = method
        self.args = args
        self.headers = headers
        self.ok = None  # the answer's "ok"
        self.answer = None

    def __repr__(self):
        return f"{self.method} {json.dumps(self.args, sort_keys=True)}"


class FakeSlack:
    def __init__(self, token="xoxb-test-token", users=None):
        self.token = token
        self.users = dict(users or {})     # email -> Slack user id
        self.lock = threading.Lock()
        self.calls = []
        self.channels = {}                 # id -> {name, creator, topic, archived, members, pins}
        self.ids = itertools.count(1)
        self.ts = itertools.count(1)
        self.fail_next = {}                # method -> [error, ...]
        self.ratelimit_next = {}           # method -> [retry_after_seconds, ...]
        self.hold_create = None            # a threading.Event: create waits on it after creating
        self.create_seen = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8")
                method = self.path.rsplit("/", 1)[-1]
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    args = json.loads(body or "{}")
                else:
                    args = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                status, headers, answer = fake.handle(method, args, dict(self.headers))
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the caller died meanwhile (the kill -9 test)

        self.port = free_port()
        self.httpd = _Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/api"

    def stop(self):
        if self.hold_create is not None:
            self.hold_create.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- what tests read -------------------------------------------------------------------
    def of(self, method, **match):
        with self.lock:
            return [c for c in self.calls if c.method == method
                    and all(c.args.get(k) == v for k, v in match.items())]

    def channel_named(self, name):
        with self.lock:
            return [dict(c, id=i) for i, c in self.channels.items() if c["name"] == name]

    def posts_in(self, channel):
        """The messages posted (accepted) in channel."""
        return [c.args for c in self.of("chat.postMessage")
                if c.args.get("channel") == channel and c.ok]

    def add_channel(self, name, creator="UOTHER"):
        with self.lock:
            cid = f"C{next(self.ids):06d}"
            self.channels[cid] = {"name": name, "creator": creator, "topic": "", "archived": False,
                                  "members": set(), "pins": []}
            return cid

    # --- the API ---------------------------------------------------------------------------
    def _channel(self, ref):
        if ref in self.channels:
            return ref
        for cid, c in self.channels.items():
            if c["name"] == ref.lstrip("#") and not c["archived"]:
                return cid
        return None

    def handle(self, method, args, headers):
        call = Call(method, args, headers)
        with self.lock:
            self.calls.append(call)
            status, hdrs, answer = self._answer(method, args, headers)
            call.ok = answer.get("ok")
            call.answer = answer
        if method == "conversations.create" and answer.get("ok"):
            self.create_seen.set()
            if self.hold_create is not None:
                self.hold_create.wait(30)
        return status, hdrs, answer

    def _answer(self, method, args, headers):
        if True:
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            limits = self.ratelimit_next.get(method)
            if limits:
                return 429, {"Retry-After": str(limits.pop(0))}, {"ok": False, "error": "ratelimited"}
            fails = self.fail_next.get(method)
            if fails:
                return 200, {}, {"ok": False, "error": fails.pop(0)}
            answer = getattr(self, "m_" + method.replace(".", "_"), None)
            if answer is None:
                return 200, {}, {"ok": False, "error": "unknown_method"}
            return 200, {}, answer(args)

    def m_auth_test(self, a):
        return {"ok": True, "user_id": BOT_ID, "team": "T1", "bot_id": "B1"}

    def m_conversations_create(self, a):
        name = a.get("name", "")
        if not NAME_RE.match(name):
            return {"ok": False, "error": "invalid_name_specials"}
        if any(c["name"] == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        cid = f"C{next(self.ids):06d}"
        self.channels[cid] = {"name": name, "creator": BOT_ID, "topic": "", "archived": False,
                              "members": {BOT_ID}, "pins": []}
        return {"ok": True, "channel": {"id": cid, "name": name, "is_channel": True,
                                        "creator": BOT_ID, "is_archived": False}}

    def m_conversations_list(self, a):
        chans = [{"id": i, "name": c["name"], "creator": c["creator"], "is_archived": c["archived"]}
                 for i, c in self.channels.items()
                 if not (a.get("exclude_archived") == "true" and c["archived"])]
        return {"ok": True, "channels": chans, "response_metadata": {"next_cursor": ""}}

    def m_conversations_invite(self, a):
        cid = self._channel(a.get("channel", ""))
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        users = [u for u in a.get("users", "").split(",") if u]
        ch = self.channels[cid]
        if users and all(u in ch["members"] for u in users):
            return {"ok": False, "error": "already_in_channel"}
        ch["members"].update(users)
        return {"ok": True, "channel": {"id": cid}}

    def m_conversations_setTopic(self, a):
        cid = self._channel(a.get("channel", ""))
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        self.channels[cid]["topic"] = a.get("topic", "")
        return {"ok": True, "channel": {"id": cid, "topic": {"value": a.get("topic", "")}}}

    def m_conversations_archive(self, a):
        cid = self._channel(a.get("channel", ""))
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        if self.channels[cid]["archived"]:
            return {"ok": False, "error": "already_archived"}
        self.channels[cid]["archived"] = True
        return {"ok": True}

    def m_chat_postMessage(self, a):
        ref = a.get("channel", "")
        cid = self._channel(ref)
        if not cid:
            if ref.lstrip("#") == "incidents":  # the announce channel exists from the start
                cid = self.add_channel_locked("incidents")
            else:
                return {"ok": False, "error": "channel_not_found"}
        if self.channels[cid]["archived"]:
            return {"ok": False, "error": "is_archived"}
        ts = f"{1796630400 + next(self.ts)}.000100"
        return {"ok": True, "channel": cid, "ts": ts,
                "message": {"text": a.get("text", ""), "ts": ts}}

    def add_channel_locked(self, name):
        cid = f"C{next(self.ids):06d}"
        self.channels[cid] = {"name": name, "creator": "UADMIN", "topic": "", "archived": False,
                              "members": {BOT_ID}, "pins": []}
        return cid

    def m_pins_add(self, a):
        cid = self._channel(a.get("channel", ""))
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        if not a.get("timestamp"):
            return {"ok": False, "error": "no_item_specified"}
        self.channels[cid]["pins"].append(a["timestamp"])
        return {"ok": True}

    def m_users_lookupByEmail(self, a):
        uid = self.users.get(a.get("email", ""))
        if not uid:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": {"id": uid, "profile": {"email": a["email"]}}}

    def m_users_info(self, a):
        for email, uid in self.users.items():
            if uid == a.get("user"):
                return {"ok": True, "user": {"id": uid, "profile": {"email": email}}}
        return {"ok": False, "error": "user_not_found"}


class FakeTeams:
    """A Teams workflow / incoming webhook: records each JSON body."""

    def __init__(self):
        self.bodies = []
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with fake.lock:
                    fake.bodies.append(json.loads(body.decode("utf-8")))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.port = free_port()
        self.httpd = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/workflows/tocsin"

    def cards(self):
        with self.lock:
            return list(self.bodies)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_for(what, timeout=15.0, step=0.05):
    """Polls what() until it returns something truthy (and returns it); fails after timeout."""
    end = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {getattr(what, '__name__', what)}")
        time.sleep(step)
