"""Local fakes of the chat services tocsin talks to (tests/integration/test_chatops*.py), written
from their public API documents, each recording what it received.

- FakeSlack: Slack's Web API subset tocsin calls (POST /api/<method>, form-encoded, bot token as
  "Authorization: Bearer"): auth.test, conversations.create / .invite / .setTopic / .archive /
  .list, .history, chat.postMessage, pins.add, users.lookupByEmail, users.info, with Slack's
  answer shapes:
  {"ok": true, ...} or {"ok": false, "error": "name_taken" | "invalid_auth" | "channel_not_found"
  | "users_not_found" | "already_in_channel" | "ratelimited"} (ratelimited: HTTP 429 and a
  Retry-After header). A test can make the next calls of a method fail (fail_next), rate limit
  them (ratelimit_next), or hold conversations.create after the channel exists and before the
  answer (hold_create: the process under test can be killed meanwhile).
- FakeMattermost: the Mattermost REST API v4 subset tocsin calls (bearer token; JSON bodies):
  GET /api/v4/users/me, /users/{id}, /users/email/{email}; POST /api/v4/channels (400
  store.sql_channel.save_channel.exists.app_error when the name is taken in the team);
  GET /api/v4/teams/{team}/channels/name/{name}; POST /api/v4/channels/{id}/members;
  PUT /api/v4/channels/{id}/patch; DELETE /api/v4/channels/{id} (archives); POST /api/v4/posts
  (root_id for a thread, props.attachments with actions); POST /api/v4/posts/{id}/pin; and an
  incoming webhook (POST /hooks/{key}, {"text": ...}, answers "ok"). Errors have Mattermost's
  shape {"id", "message", "status_code"}; 401 without the bot token.
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
        self.messages = {}                 # (channel id, ts) -> message
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
        # Slack fails the whole call when one of the users is a member, unless force=true
        # (then it invites the others and still answers ok=false when none was new)
        members = [u for u in users if u in ch["members"]]
        if members and (a.get("force") != "true" or len(members) == len(users)):
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
        self.messages[(cid, ts)] = {"type": "message", "user": BOT_ID, "text": a.get("text", ""),
                                    "ts": ts}
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

    def user_message(self, cid, user, text):
        """A person types text in channel cid; returns its ts."""
        with self.lock:
            ts = f"{1796630400 + next(self.ts)}.000200"
            self.messages[(cid, ts)] = {"type": "message", "user": user, "text": text, "ts": ts}
            return ts

    def m_conversations_history(self, a):
        cid = self._channel(a.get("channel", ""))
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        latest = a.get("latest", "")
        msgs = sorted((m for (c, ts), m in self.messages.items() if c == cid
                       and (ts < latest or (ts == latest and a.get("inclusive") == "true"))),
                      key=lambda m: m["ts"], reverse=True)
        return {"ok": True, "messages": msgs[:int(a.get("limit") or 100)], "has_more": False}

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


MM_BOT = "mmbot" + "0" * 21  # Mattermost ids: 26 lowercase letters and digits


def _mm_id(prefix, n):
    return prefix + str(n).rjust(26 - len(prefix), "0")


class FakeMattermost:
    """Mattermost's REST API v4 (the part tocsin uses) and one incoming webhook."""

    ROUTES = [
        ("GET", r"/api/v4/users/me", "users_me"),
        ("GET", r"/api/v4/users/email/(?P<email>[^/]+)", "user_by_email"),
        ("GET", r"/api/v4/users/(?P<uid>[a-z0-9]+)", "user"),
        ("POST", r"/api/v4/channels", "create_channel"),
        ("GET", r"/api/v4/teams/(?P<team>[^/]+)/channels/name/(?P<name>[^/]+)", "channel_by_name"),
        ("POST", r"/api/v4/channels/(?P<cid>[a-z0-9]+)/members", "add_member"),
        ("PUT", r"/api/v4/channels/(?P<cid>[a-z0-9]+)/patch", "patch_channel"),
        ("DELETE", r"/api/v4/channels/(?P<cid>[a-z0-9]+)", "delete_channel"),
        ("POST", r"/api/v4/posts", "create_post"),
        ("POST", r"/api/v4/posts/(?P<pid>[a-z0-9]+)/pin", "pin_post"),
        ("POST", r"/hooks/(?P<key>[a-z0-9]+)", "hook"),
    ]

    def __init__(self, token="mm-bot-token", users=None, team="team" + "0" * 22,
                 announce="announce" + "0" * 18):
        self.token = token
        self.team = team
        self.announce = announce
        self.users = dict(users or {})  # email -> user id
        self.lock = threading.Lock()
        self.calls = []
        self.channels = {announce: {"name": "incidents", "team_id": team, "creator_id": "admin",
                                    "header": "", "delete_at": 0, "members": set(), "pins": []}}
        self.posts = {}
        self.ids = itertools.count(1)
        self.fail_next = {}  # route name ("create_post") -> [(status, error id), ...]
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8")
                status, answer = fake.handle(self.command, self.path, body, dict(self.headers))
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(answer, str)
                                 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.port = free_port()
        self.httpd = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def hook_url(self):
        return f"http://127.0.0.1:{self.port}/hooks/incominghook0001"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- what tests read -------------------------------------------------------------------
    def of(self, route, **match):
        with self.lock:
            return [c for c in self.calls if c.method == route
                    and all(c.args.get(k) == v for k, v in match.items())]

    def channel_named(self, name):
        with self.lock:
            return [dict(c, id=i) for i, c in self.channels.items() if c["name"] == name]

    def posts_in(self, cid):
        with self.lock:
            return [p for p in self.posts.values() if p["channel_id"] == cid]

    # --- the API ---------------------------------------------------------------------------
    @staticmethod
    def err(status, eid, message):
        return status, {"id": eid, "message": message, "status_code": status, "request_id": "r1"}

    def handle(self, verb, path, body, headers):
        path = path.split("?", 1)[0]
        for v, pattern, name in self.ROUTES:
            m = re.fullmatch(pattern, path)
            if v == verb and m:
                break
        else:
            return self.err(404, "api.context.404.app_error", f"no route {verb} {path}")
        try:
            args = json.loads(body) if body else {}
        except ValueError:
            return self.err(400, "api.context.invalid_body_param.app_error", "invalid JSON")
        params = {k: urllib.parse.unquote(x) for k, x in m.groupdict().items()}
        call = Call(f"{verb} {pattern}", dict(args, **params) if isinstance(args, dict)
                    else {"_": args}, headers)
        call.path = f"{verb} {path}"  # what was asked, for transcripts
        call.body = args
        with self.lock:
            self.calls.append(call)
            if name != "hook" and headers.get("Authorization") != f"Bearer {self.token}":
                status, answer = self.err(401, "api.context.session_expired.app_error",
                                          "Invalid or expired session, please login again.")
            elif self.fail_next.get(name):
                status, answer = self.err(*self.fail_next[name].pop(0), "failing as asked")
            else:
                status, answer = getattr(self, "r_" + name)(args, **params)
            call.ok = 200 <= status < 300
            call.answer = answer
        return status, answer

    def r_users_me(self, a):
        return 200, {"id": MM_BOT, "username": "tocsin", "is_bot": True}

    def _user(self, uid, email):
        return {"id": uid, "username": email.split("@")[0], "email": email}

    def r_user(self, a, uid):
        for email, u in self.users.items():
            if u == uid:
                return 200, self._user(uid, email)
        return self.err(404, "app.user.missing_account.const", "Unable to find the user.")

    def r_user_by_email(self, a, email):
        uid = self.users.get(email)
        if not uid:
            return self.err(404, "app.user.missing_account.const", "Unable to find the user.")
        return 200, self._user(uid, email)

    def _channel_json(self, cid):
        c = self.channels[cid]
        return {"id": cid, "team_id": c["team_id"], "name": c["name"], "display_name": c["name"],
                "type": "O", "header": c["header"], "creator_id": c["creator_id"],
                "delete_at": c["delete_at"]}

    def r_create_channel(self, a):
        name = a.get("name", "")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name) or a.get("team_id") != self.team:
            return self.err(400, "model.channel.is_valid.name.app_error", "Invalid name")
        if any(c["name"] == name and c["team_id"] == a["team_id"] for c in self.channels.values()):
            return self.err(400, "store.sql_channel.save_channel.exists.app_error",
                            "A channel with that name already exists on the same team.")
        cid = _mm_id("ch", next(self.ids))
        self.channels[cid] = {"name": name, "team_id": a["team_id"], "creator_id": MM_BOT,
                              "header": a.get("header", ""), "delete_at": 0, "members": {MM_BOT},
                              "pins": []}
        return 201, self._channel_json(cid)

    def r_channel_by_name(self, a, team, name):
        for cid, c in self.channels.items():
            if c["team_id"] == team and c["name"] == name and not c["delete_at"]:
                return 200, self._channel_json(cid)
        return self.err(404, "app.channel.get_by_name.missing.app_error", "Channel does not exist.")

    def r_add_member(self, a, cid):
        if cid not in self.channels:
            return self.err(404, "app.channel.get.existing.app_error", "Unable to find the channel.")
        if a.get("user_id") not in self.users.values():
            return self.err(400, "api.context.invalid_body_param.app_error", "Invalid user_id")
        self.channels[cid]["members"].add(a["user_id"])
        return 201, {"channel_id": cid, "user_id": a["user_id"], "roles": "channel_user"}

    def r_patch_channel(self, a, cid):
        if cid not in self.channels:
            return self.err(404, "app.channel.get.existing.app_error", "Unable to find the channel.")
        if "header" in a:
            self.channels[cid]["header"] = a["header"]
        return 200, self._channel_json(cid)

    def r_delete_channel(self, a, cid):
        if cid not in self.channels:
            return self.err(404, "app.channel.get.existing.app_error", "Unable to find the channel.")
        self.channels[cid]["delete_at"] = int(time.time() * 1000)
        return 200, {"status": "OK"}

    def r_create_post(self, a):
        cid = a.get("channel_id", "")
        if cid not in self.channels:
            return self.err(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
        if self.channels[cid]["delete_at"]:
            return self.err(400, "api.post.create_post.can_not_post_to_deleted.error",
                            "Can not post to deleted channel.")
        if a.get("root_id") and a["root_id"] not in self.posts:
            return self.err(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.")
        pid = _mm_id("po", next(self.ids))
        self.posts[pid] = {"id": pid, "channel_id": cid, "message": a.get("message", ""),
                           "root_id": a.get("root_id", ""), "props": a.get("props", {})}
        return 201, dict(self.posts[pid], create_at=int(time.time() * 1000))

    def r_pin_post(self, a, pid):
        if pid not in self.posts:
            return self.err(404, "app.post.get.app_error", "Unable to get the post.")
        self.channels[self.posts[pid]["channel_id"]]["pins"].append(pid)
        return 200, {"status": "OK"}

    def r_hook(self, a, key):
        if not a.get("text"):
            return self.err(400, "web.incoming_webhook.text.app_error", "No text specified")
        pid = _mm_id("po", next(self.ids))
        self.posts[pid] = {"id": pid, "channel_id": self.announce, "message": a["text"],
                           "root_id": "", "props": {}, "via": "hook"}
        return 200, "ok"


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
