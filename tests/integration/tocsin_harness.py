"""Harness for the black-box integration tests: runs the real `tocsin` binary on loopback.

Everything here is stdlib. The binary comes from $TOCSIN_BIN (else build/asan/tocsin, else
build/tocsin). Each server gets a free port, its own temp data dir and a private copy of
fixtures/test.yaml (so a test may rewrite and reload it). After every server process ends its
stderr is searched for AddressSanitizer / LeakSanitizer / UBSan reports; one fails the test.

Every HTTP answer passes through `Server.request`, which fails the test on any 5xx (bad input must
never get a 500) and checks that every error body has the documented shape
{"error":{"code","message"}} with the code string that belongs to the status (docs/api.md).

Every process a test starts as a server (tocsin here; Prometheus and Alertmanager in tests/peers)
goes through `Managed`: it runs in its own session and process group, and the kernel sends it
SIGKILL when the process that started it dies (PR_SET_PDEATHSIG), so a `kill -9` of pytest leaves
nothing running. `Managed.stop()` stops it by PID (SIGTERM, bounded wait) and then SIGKILLs
whatever is left in its process group. Start servers from the test's own (main) thread: Linux
ties the parent-death signal to the thread that forked.
"""
import atexit
import ctypes
import ctypes.util
import datetime
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_CONFIG = os.path.join(HERE, "fixtures", "test.yaml")
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

# The fixture's policy table, in seconds (None: the clock is not set for that severity).
POLICY = {
    "SEV1": {"ack": 15 * 60, "resolve": 3600, "update": 30 * 60, "postmortem": True},
    "SEV2": {"ack": 30 * 60, "resolve": 4 * 3600, "update": 3600, "postmortem": True},
    "SEV3": {"ack": 3600, "resolve": 86400, "update": None, "postmortem": False},
    "SEV4": {"ack": None, "resolve": None, "update": None, "postmortem": False},
}
OPEN_STATES = ["triggered", "acknowledged", "investigating", "identified", "monitoring"]
ALL_STATES = OPEN_STATES + ["resolved", "closed"]
ROLES = ["commander", "tech_lead", "comms_lead", "scribe"]
USERS = ["alice", "bob", "carol"]

SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}
SAN_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "bad_request", 409: "conflict", 413: "too_large", 422: "unprocessable",
    429: "rate_limited", 503: "unavailable",
}

# The instant tests that depend on the UTC day pin the dev clock to (Server.pin_clock): mid-day,
# so a run of any sane length stays on one day, and far from the wall clock in either direction.
PINNED_AT = "2099-06-15T12:00:00Z"
PINNED_DAY = PINNED_AT[:10]

ID_RE = re.compile(r"^INC-(\d{4}-\d{2}-\d{2})-(\d{3,})$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")

READY_TRIES = 600          # x 0.05 s: bounded readiness polling (ASan start-up is slow)
PROC_TIMEOUT = 60          # seconds for a CLI run or a server to stop
HTTP_TIMEOUT = 30


# --- PostgreSQL (TOCSIN_TEST_PG) -------------------------------------------------------------
# With TOCSIN_TEST_PG set to the socket directory of a running test cluster (scripts/pg_cluster.sh;
# `make integration-pg`), every Server gets its own fresh database and a config whose `storage:`
# is {driver: postgres, url: ...}. Tests reach the store through Server.db() (StoreDb: sqlite3 or
# psycopg2), so they run on both; the few that are about SQLite itself (its file locks) are marked
# sqlite_only and skipped there (conftest.py).
PG_DIR = os.environ.get("TOCSIN_TEST_PG") or None
_pg_seq = itertools.count()


def on_pg():
    return PG_DIR is not None


def pg_admin(sql):
    """Runs one statement on the test cluster's maintenance database (psql, as its superuser)."""
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG_DIR, "-U", "postgres",
                        "-d", "postgres", "-c", sql], capture_output=True, text=True,
                       timeout=PROC_TIMEOUT)
    assert r.returncode == 0, f"psql: {sql}: {r.stderr}"


def pg_create_db():
    name = f"tocsin_it_{os.getpid()}_{next(_pg_seq)}"
    pg_admin(f"CREATE DATABASE {name}")
    return name


def pg_url(name):
    return f"postgresql:///{name}?host={PG_DIR}&user=postgres"


def with_pg_storage(text, url):
    """The config text with its top-level `storage:` section (block or flow style) replaced by
    one for the PostgreSQL database at url."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if re.match(r"^storage\s*:", line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    body = "".join(out)
    if body and not body.endswith("\n"):
        body += "\n"
    return body + f'storage:\n  driver: postgres\n  url: "{url}"\n'


class _Admin:
    def __repr__(self):
        return "<admin token>"


ADMIN = _Admin()  # default for token=: use the server's admin token


def tocsin_bin():
    b = os.environ.get("TOCSIN_BIN")
    if b:
        return os.path.abspath(b)
    for cand in ("build/asan/tocsin", "build/tocsin"):
        p = os.path.join(REPO, cand)
        if os.path.exists(p):
            return p
    return os.path.join(REPO, "build/tocsin")


def require_bin():
    b = tocsin_bin()
    if not os.access(b, os.X_OK):
        pytest.fail(f"tocsin binary not found or not executable: {b} (set TOCSIN_BIN)")
    return b


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TOCSIN_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(SAN_ENV)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if extra:
        env.update(extra)
    return env


def sanitizer_report(text):
    """The sanitizer report found in text, or None."""
    for m in SAN_MARKERS:
        i = text.find(m)
        if i >= 0:
            return text[max(0, i - 200): i + 3000]
    return None


def run_bin(*args, env=None, timeout=PROC_TIMEOUT, input=None):
    """Runs the binary (no server needed); fails the test on a sanitizer report."""
    p = subprocess.run([require_bin(), *map(str, args)], capture_output=True, text=True,
                       env=clean_env(env), timeout=timeout, stdin=subprocess.DEVNULL if input is None else None,
                       input=input)
    rep = sanitizer_report(p.stderr)
    if rep:
        pytest.fail(f"sanitizer report from `tocsin {' '.join(map(str, args))}`:\n{rep}")
    return p


# --- processes that must not outlive the tests ----------------------------------------------------
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_prctl = _libc.prctl
_prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_prctl.restype = ctypes.c_int
_LIVE = {}   # pid -> Managed, every process started and not yet reaped


def _die_with(parent_pid):
    """preexec_fn (runs in the child between fork and exec; start_new_session already made it a
    session and group leader): SIGKILL when the parent dies. If the parent died before prctl took
    effect, the signal will never come, so exit now."""
    def pre():
        if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(126)
        if os.getppid() != parent_pid:
            os._exit(126)
    return pre


def proc_start_time(pid):
    """Field 22 of /proc/PID/stat (start time in clock ticks), or None when PID is gone or a zombie:
    with the PID it names one process, so a recycled PID is not mistaken for it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


class Managed:
    """One child process in its own session/process group that dies with this process."""

    def __init__(self, name, args, stdout, stderr, env=None, cwd=None):
        self.name = name
        self.args = [str(a) for a in args]
        self.p = subprocess.Popen(self.args, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                  env=env, cwd=cwd, start_new_session=True,
                                  preexec_fn=_die_with(os.getpid()))
        self.pid = self.p.pid
        self.pgid = self.pid
        _LIVE[self.pid] = self

    def __repr__(self):
        return f"<{self.name} pid {self.pid}>"

    def poll(self):
        code = self.p.poll()
        if code is not None:
            _LIVE.pop(self.pid, None)
        return code

    @property
    def returncode(self):
        return self.p.returncode

    def alive(self):
        return self.poll() is None

    def signal(self, sig):
        if self.p.returncode is None:
            self.p.send_signal(sig)

    def _exited(self):
        """True once the leader has exited; it is not reaped yet, so its PID still names the group."""
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True

    def _wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.p.returncode is not None or self._exited():
                return True
            time.sleep(0.02)
        return False

    def _reap(self):
        """SIGKILL whatever is left in the group (the leader is a zombie or gone), then reap."""
        if self.p.returncode is None:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        code = self.p.wait()
        _LIVE.pop(self.pid, None)
        return code

    def stop(self, sig=None, timeout=PROC_TIMEOUT):
        """Sends sig (SIGTERM) to the PID, waits (bounded), then SIGKILLs the process group and reaps.
        Returns (exit code, whether it stopped on sig within the timeout)."""
        if self.p.returncode is not None:
            _LIVE.pop(self.pid, None)
            return self.p.returncode, True
        if not self._exited():
            try:
                self.p.send_signal(sig or signal.SIGTERM)
            except ProcessLookupError:
                pass
        in_time = self._wait_exit(timeout)
        return self._reap(), in_time

    def kill(self):
        """SIGKILL the whole process group and reap."""
        if self.p.returncode is None:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        return self._reap()


@atexit.register
def _kill_leftovers():
    for m in list(_LIVE.values()):
        try:
            m.kill()
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            pass


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse_time(s):
    assert isinstance(s, str) and TIME_RE.match(s), f"not an RFC 3339 UTC time: {s!r}"
    base = s[:19]
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    if len(s) > 20:
        dt += datetime.timedelta(seconds=float("0" + s[19:-1]))
    return dt


_DUR_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(s):
    """'1h30m' -> 5400.0 seconds; None stays None."""
    if s is None:
        return None
    assert isinstance(s, str) and s, f"not a duration string: {s!r}"
    if s == "0":
        return 0
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w)", s)
    assert "".join(n + u for n, u in parts) == s, f"not a duration string: {s!r}"
    return sum(int(n) * _DUR_UNITS[u] for n, u in parts)


def secs(a, b):
    """Seconds from time string a to time string b."""
    return (parse_time(b) - parse_time(a)).total_seconds()


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.json = None
        if body:
            try:
                self.json = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.json = None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def check_error_shape(resp, where):
    exp = ERROR_CODES.get(resp.status)
    j = resp.json
    assert isinstance(j, dict) and isinstance(j.get("error"), dict), \
        f"{where}: error {resp.status} without an {{\"error\":{{...}}}} body: {resp.body[:300]!r}"
    err = j["error"]
    assert isinstance(err.get("code"), str) and isinstance(err.get("message"), str), \
        f"{where}: error body lacks code/message strings: {j}"
    assert err["message"].strip(), f"{where}: empty error message"
    if exp:
        assert err["code"] == exp, f"{where}: status {resp.status} with code {err['code']!r}, want {exp!r}"


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, body=None, headers=None, timeout=HTTP_TIMEOUT):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _opener.open(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())


class Server:
    """One tocsin server process (and its data dir, which outlives restarts)."""

    def __init__(self, root, dev_clock=False, config_text=None, pg_db=None, node=None):
        """pg_db: share that PostgreSQL database (several nodes, test_multinode.py) instead of
        creating one; node: `serve --node`."""
        self.root = str(root)
        os.makedirs(self.root, exist_ok=True)
        self.data = os.path.join(self.root, "data")
        os.makedirs(self.data, exist_ok=True)
        self.config_path = os.path.join(self.root, "config.yaml")
        self.pg_db = pg_db if pg_db is not None else (pg_create_db() if on_pg() else None)
        self.owns_db = pg_db is None  # a node sharing another's database leaves it to the owner
        # A stable node name across restarts (a restart here gets a new port, and the default name
        # is HOSTNAME:PORT): a restarted server takes back the notification claims it held, as a
        # production node with its fixed port does.
        self.node = node or "srv-" + os.path.basename(self.root)
        if config_text is None and not on_pg():
            shutil.copyfile(FIXTURE_CONFIG, self.config_path)
        else:
            self.write_config(self.fixture_text() if config_text is None else config_text)
        self.dev_clock = dev_clock
        self.proc = None
        self.port = None
        self.starts = 0
        self.stderr_paths = []
        self.first_stdout = None
        self.admin_token = None
        self.expect_chain_valid = True
        self.exit_codes = []
        self.env = {}  # more environment variables for the server (chat secrets: test_chatops.py)

    # --- process control -------------------------------------------------------------------
    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self):
        return os.path.join(self.data, "tocsin.db")

    def write_config(self, text):
        if self.pg_db is not None:
            text = with_pg_storage(text, pg_url(self.pg_db))
        with open(self.config_path, "w") as f:
            f.write(text)

    def fixture_text(self):
        with open(FIXTURE_CONFIG) as f:
            return f.read()

    def start(self, _tries=3):
        """Starts the server on a free port. free_port() cannot reserve the port, so another
        process may take it first: a start that fails to listen is retried on a new port."""
        assert self.proc is None, "server already running"
        self.port = free_port()
        self.starts += 1
        out_path = os.path.join(self.root, f"serve{self.starts}.stdout")
        err_path = os.path.join(self.root, f"serve{self.starts}.stderr")
        self.stderr_paths.append(err_path)
        args = [require_bin(), "serve", "--config", self.config_path, "--data", self.data,
                "--listen", f"127.0.0.1:{self.port}"]
        if self.dev_clock:
            args.append("--dev-clock")
        if self.node:
            args += ["--node", self.node]
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self.proc = Managed("tocsin", args, stdout=out, stderr=err, env=clean_env(self.env))
        self._out_path = out_path
        for _ in range(READY_TRIES):
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc.kill()   # the group, should the leader have left anything behind
                self.proc = None
                failed = self._read(err_path)  # the port taken (HTTP or HTTPS) is retried
                if _tries > 1 and ("cannot listen" in failed or "cannot serve HTTPS" in failed):
                    return self.start(_tries - 1)
                pytest.fail(f"server exited with {code} before it was ready:\n"
                            f"stdout: {self._read(out_path)[-2000:]}\nstderr: {self._read(err_path)[-4000:]}")
            # A 200 alone could come from another test's server that took the port this one
            # failed to bind (parallel workers): ready means our own process said it listens.
            if f"http: listening on 127.0.0.1:{self.port} " not in self._read(err_path):
                time.sleep(0.05)
                continue
            try:
                r = http("GET", self.url + "/healthz", timeout=2)
                if r.status == 200:
                    break
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        else:
            self.kill9()
            pytest.fail(f"server not ready after {READY_TRIES} polls of /healthz:\n{self._read(err_path)[-4000:]}")
        if self.first_stdout is None:
            self.first_stdout = out_path
        tok_path = os.path.join(self.data, "admin.token")
        if self.admin_token is None:
            assert os.path.exists(tok_path), "first start did not write DATA/admin.token"
            with open(tok_path) as f:
                self.admin_token = f.read().strip()
            assert self.admin_token, "DATA/admin.token is empty"
        return self

    @staticmethod
    def _read(path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stdout_text(self, n=None):
        return self._read(os.path.join(self.root, f"serve{n or self.starts}.stdout"))

    def stderr_text(self, n=None):
        return self._read(os.path.join(self.root, f"serve{n or self.starts}.stderr"))

    def check_sanitizers(self):
        for p in self.stderr_paths:
            rep = sanitizer_report(self._read(p))
            if rep:
                raise AssertionError(f"sanitizer report in {p}:\n{rep}")

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def stop(self):
        """SIGTERM to the PID, wait (bounded), SIGKILL to the process group (whatever is left, or
        all of it after the timeout); then check the stderr for sanitizer reports."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        code, in_time = proc.stop(signal.SIGTERM, PROC_TIMEOUT)
        if not in_time:
            raise AssertionError(f"server (pid {proc.pid}) did not stop within {PROC_TIMEOUT}s of SIGTERM")
        self.exit_codes.append(code)
        self.check_sanitizers()

    def kill9(self):
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.kill()
        self.check_sanitizers()

    def restart(self):
        self.stop()
        return self.start()

    def signal(self, sig):
        """Sends sig to the server's PID; after SIGSTOP, returns once every thread is stopped (a
        write already in its system call finishes first)."""
        assert self.proc is not None
        self.proc.signal(sig)
        if sig != signal.SIGSTOP:
            return
        for _ in range(READY_TRIES):
            states = []
            for tid in os.listdir(f"/proc/{self.pid}/task"):
                try:
                    with open(f"/proc/{self.pid}/task/{tid}/stat") as f:
                        states.append(f.read().rsplit(")", 1)[1].split()[0])
                except OSError:
                    pass  # a thread that ended meanwhile
            if states and all(st in ("T", "t") for st in states):
                return
            time.sleep(0.01)
        raise AssertionError(f"server {self.pid} not stopped after SIGSTOP")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def teardown(self):
        """Checks the audit chain, stops the server (whatever the check found) and checks its
        stderr; every problem is collected and raised together once the process is gone."""
        problems = []
        try:
            if self.alive() and self.expect_chain_valid:
                st, body = self.api("POST", "/api/v1/audit/verify")
                assert st == 200 and body.get("valid") is True, \
                    f"teardown: audit chain not valid after the test: {st} {body}"
        except BaseException as e:  # noqa: BLE001 - pytest.fail raises a BaseException too
            problems.append(f"{type(e).__name__}: {e}")
        try:
            if self.proc is not None and self.proc.poll() is not None:
                # died during the test
                code = self.proc.returncode
                self.proc.kill()
                self.proc = None
                problems.append(f"server died during the test (exit {code}):\n{self.stderr_text()[-4000:]}")
                self.check_sanitizers()
            else:
                self.stop()
        except BaseException as e:  # noqa: BLE001
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            if self.proc is not None:   # stop() raised before it let go of the process
                self.proc.kill()
                self.proc = None
            if self.pg_db is not None and self.owns_db:
                try:
                    pg_admin(f"DROP DATABASE IF EXISTS {self.pg_db} WITH (FORCE)")
                except BaseException as e:  # noqa: BLE001
                    problems.append(f"{type(e).__name__}: {e}")
        if problems:
            raise AssertionError("\n\n".join(problems))

    # --- HTTP --------------------------------------------------------------------------------
    def request(self, method, path, body=None, token=ADMIN, raw=None, headers=None, check=True,
                timeout=HTTP_TIMEOUT, allow_503=False):
        h = {}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            h["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            h["Content-Type"] = "application/json"
        if token is ADMIN:
            token = self.admin_token
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if headers:
            h.update(headers)
        r = http(method, self.url + path, data, h, timeout=timeout)
        where = f"{method} {path}"
        assert not (500 <= r.status < 600) or (allow_503 and r.status == 503), f"{where} answered {r.status} (never 5xx on a healthy server): {r.body[:500]!r}"
        if check and r.status >= 400:
            check_error_shape(r, where)
        return r

    def api(self, method, path, body=None, token=ADMIN, raw=None, headers=None, check=True):
        r = self.request(method, path, body, token=token, raw=raw, headers=headers, check=check)
        return r.status, r.json

    # --- domain helpers ----------------------------------------------------------------------
    def create(self, title="Checkout API 502s", severity="SEV3", token=ADMIN, **kw):
        body = {"title": title, "severity": severity}
        body.update(kw)
        st, j = self.api("POST", "/api/v1/incidents", body, token=token)
        assert st == 201, f"create {body}: {st} {j}"
        assert ID_RE.match(j["id"]), j
        return j

    def get(self, iid, token=ADMIN):
        st, j = self.api("GET", f"/api/v1/incidents/{iid}", token=token)
        assert st == 200, f"get {iid}: {st} {j}"
        return j

    def status(self, iid, status, token=ADMIN, **kw):
        body = {"status": status}
        body.update(kw)
        return self.api("POST", f"/api/v1/incidents/{iid}/status", body, token=token)

    def move(self, iid, status, **kw):
        st, j = self.status(iid, status, **kw)
        assert st == 200, f"move {iid} to {status}: {st} {j}"
        assert j["status"] == status, j
        return j

    def timeline(self, iid):
        """Every entry, following next_cursor (a page holds at most 1,000)."""
        entries, cursor = [], None
        while True:
            q = f"?cursor={cursor}" if cursor else ""
            st, j = self.api("GET", f"/api/v1/incidents/{iid}/timeline{q}")
            assert st == 200, f"timeline {iid}: {st} {j}"
            assert isinstance(j.get("entries"), list), j
            entries += j["entries"]
            cursor = j.get("next_cursor")
            if not cursor:
                return entries

    def make_token(self, role, name=None):
        name = name or f"{role}-{os.urandom(3).hex()}"
        st, j = self.api("POST", "/api/v1/tokens", {"name": name, "role": role})
        assert st == 201, f"token create: {st} {j}"
        return j["token"]

    def advance(self, dur, down=False):
        """Moves the dev clock forward by `dur`; down=True: as though tocsin was not running over
        that time (a new run begins: the status page's uptime bars show "no data" for it)."""
        st, j = self.api("POST", "/api/v1/debug/clock", {"advance": dur, **({"down": True} if down else {})})
        assert st == 200, f"advance {dur}: {st} {j}"
        parse_time(j["now"])
        return j["now"]

    def now(self):
        st, j = self.api("GET", "/api/v1/debug/clock")
        assert st == 200, (st, j)
        return j["now"]

    def pin_clock(self, at=PINNED_AT, down=False):
        """Moves the dev clock forward to the instant `at` (RFC 3339 UTC), so what depends on the
        UTC day (incident ids, channel names, the per-day counter) does not depend on the wall
        clock. The dev clock only moves forward, and it is kept in the store: a restarted server
        starts where it was (docs/internals/multinode.md); pin again only to a later instant. Returns the server's now (at, plus the few ms since)."""
        assert self.dev_clock, "pin_clock needs a server started with dev_clock=True"
        target = parse_time(at)
        ms = int((target - parse_time(self.now())).total_seconds() * 1000)
        assert ms > 0, f"the dev clock is already past {at}; it only moves forward"
        now = self.advance(f"{ms}ms", down=down)
        lag = (parse_time(now) - target).total_seconds()
        assert 0 <= lag < 60, f"pinned to {at}, the server says {now}"
        return now

    def verify(self, token=ADMIN):
        st, j = self.api("POST", "/api/v1/audit/verify", token=token)
        assert st == 200, f"audit verify: {st} {j}"
        return j

    # --- store access ------------------------------------------------------------------------
    def db(self, readonly=False):
        """A connection to this server's store, SQLite or PostgreSQL (StoreDb): the tests' SQL is
        written with ? placeholders and runs on both."""
        if self.pg_db is not None:
            return StoreDb.postgres(self.pg_db)
        assert os.path.exists(self.db_path), f"no database at {self.db_path}"
        return StoreDb.sqlite(self.db_path, readonly=readonly)

    def drop_timeline_triggers(self):
        con = self.db()
        try:
            names = con.triggers("timeline")
            for n in names:
                con.execute(con.drop_trigger_sql(n, "timeline"))
            return names
        finally:
            con.close()

    def store_bytes(self):
        """Everything the store holds, as bytes, for "no secret stored in clear" checks: the SQLite
        files (main, WAL, journal) or a pg_dump of the server's PostgreSQL database."""
        if self.pg_db is not None:
            r = subprocess.run(["pg_dump", "-h", PG_DIR, "-U", "postgres", "-d", self.pg_db],
                               capture_output=True, timeout=PROC_TIMEOUT)
            assert r.returncode == 0, f"pg_dump: {r.stderr.decode(errors='replace')}"
            return r.stdout
        blobs = b""
        for name in sorted(os.listdir(self.data)):
            if name.startswith("tocsin.db"):
                with open(os.path.join(self.data, name), "rb") as f:
                    blobs += f.read()
        return blobs

    # --- CLI -----------------------------------------------------------------------------------
    def cli(self, *args, token=ADMIN, url=None, env=None, timeout=PROC_TIMEOUT):
        extra = {"TOCSIN_URL": url or self.url}
        if token is ADMIN:
            token = self.admin_token
        if token is not None:
            extra["TOCSIN_TOKEN"] = token
        if env:
            extra.update(env)
        return run_bin(*args, env=extra, timeout=timeout)


class StoreDb:
    """A small store-neutral connection for the tests: execute(sql, params) -> cursor (iterable,
    fetchone, fetchall, rowcount), executemany, close, a context manager. SQL uses ? placeholders
    (translated to %s on PostgreSQL); rows are tuples (bytea as bytes, integers as ints). Statements
    are autocommitted unless the test sends BEGIN/COMMIT/ROLLBACK itself. `Error` is the backend's
    DatabaseError class; triggers(), columns(), drop_trigger_sql() and json_int() cover what the
    tests need from sqlite_master, PRAGMA table_info, DROP TRIGGER and json_extract."""

    def __init__(self, kind, con, error):
        self.kind = kind
        self._con = con
        self.Error = error

    @classmethod
    def sqlite(cls, path, readonly=False):
        if readonly:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, isolation_level=None)
        else:
            con = sqlite3.connect(path, timeout=30, isolation_level=None)
        con.execute("PRAGMA busy_timeout=30000")
        return cls("sqlite", con, sqlite3.DatabaseError)

    @classmethod
    def postgres(cls, dbname):
        import psycopg2  # python3-psycopg2 (scripts/deps.sh test)
        con = psycopg2.connect(host=PG_DIR, user="postgres", dbname=dbname)
        con.autocommit = True
        return cls("postgres", con, psycopg2.DatabaseError)

    @staticmethod
    def _pg_sql(sql):
        """? outside quoted literals becomes %s; every % is doubled (psycopg2 formats the whole text)."""
        out, quote = [], None
        for ch in sql:
            if quote:
                if ch == quote:
                    quote = None
            elif ch in ("'", '"'):
                quote = ch
            elif ch == "?":
                out.append("%s")
                continue
            out.append("%%" if ch == "%" else ch)
        return "".join(out)

    def execute(self, sql, params=()):
        if self.kind == "sqlite":
            return self._con.execute(sql, tuple(params))
        cur = self._con.cursor()
        cur.execute(self._pg_sql(sql), tuple(params))
        return _PgCursor(cur)

    def executemany(self, sql, seq):
        if self.kind == "sqlite":
            return self._con.executemany(sql, seq)
        cur = self._con.cursor()
        cur.executemany(self._pg_sql(sql), [tuple(p) for p in seq])
        return _PgCursor(cur)

    def triggers(self, table):
        if self.kind == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name=? ORDER BY name"
        else:
            sql = ("SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal "
                   "ORDER BY tgname")
        return [r[0] for r in self.execute(sql, (table,))]

    def drop_trigger_sql(self, name, table):
        return f'DROP TRIGGER "{name}"' + (f' ON "{table}"' if self.kind == "postgres" else "")

    def columns(self, table):
        if self.kind == "sqlite":
            return [c[1] for c in self.execute(f'PRAGMA table_info("{table}")')]
        return [r[0] for r in self.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,))]

    def json_int(self, expr, key):
        """SQL for the integer member key of the JSON text in expr."""
        if self.kind == "sqlite":
            return f"json_extract({expr}, '$.{key}')"
        return f"(({expr})::jsonb ->> '{key}')::bigint"

    def close(self):
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _PgCursor:
    """A psycopg2 cursor whose rows are tuples with bytea as bytes (sqlite3 gives bytes for BLOBs)."""

    def __init__(self, cur):
        self._cur = cur

    @property
    def rowcount(self):
        return self._cur.rowcount

    @staticmethod
    def _row(r):
        return None if r is None else tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)

    def fetchone(self):
        return self._row(self._cur.fetchone() if self._cur.description else None)

    def fetchall(self):
        return [self._row(r) for r in self._cur.fetchall()] if self._cur.description else []

    def __iter__(self):
        return iter(self.fetchall())


def hexify(v):
    return v.hex() if isinstance(v, (bytes, bytearray)) else v


def run_threads(n, fn):
    """Runs fn(i) for i < n on n threads released together by a barrier; returns the results
    (in completion order) and fails the test with the first errors if any thread raised."""
    results, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def body(i):
        try:
            barrier.wait(timeout=30)
            out = fn(i)
            with lock:
                results.append(out)
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(e))

    ts = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not errors, errors[:3]
    return results
