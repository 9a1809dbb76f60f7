"""Several tocsin nodes on one PostgreSQL database (issue 13; docs/internals/multinode.md).

Three servers share one database (each its own data dir, port and `--node` name; the first one's
notify.key copied to the others, as docs/ha.md tells an operator to do). The receivers are local
HTTP servers that record every delivery with its webhook-id / Idempotency-Key. The dev clock is
shared through the store: POST /api/v1/debug/clock on one node moves every node (each catches up
within CLUSTER_WATCH_MS; {"advance": "0s"} on a node makes it catch up and finish its passes).

Run only by `make integration-pg` (pg_only): on SQLite a database has one node.
"""
import collections
import os
import random
import shutil
import subprocess
import time

import pytest

from notify_receivers import WEBHOOK_SECRET, Receiver, verify_standard_webhook
from test_ingest_support import integration, v2, v2_event
from tocsin_harness import PG_DIR, Server, http, parse_time, pg_admin, pg_create_db

pytestmark = pytest.mark.pg_only

STEPS_MIN = [0, 10, 20]          # the policy's steps, minutes after the incident opened
STEP_USERS = ["alice", "bob", "carol"]


def config(hook):
    users = "\n".join(
        f'  - {{id: {u}, name: {u.title()}, webhook: "{hook.url}/{u}", '
        f"webhook_secret: {WEBHOOK_SECRET}}}" for u in STEP_USERS)
    steps = "\n".join(f"      - {{after: {m}m, notify: [user:{u}]}}"
                      for m, u in zip(STEPS_MIN, STEP_USERS))
    return f"""
server: {{listen: "127.0.0.1:8080"}}
severities:
  - {{id: SEV1, name: Critical, notify: [webhook]}}
  - {{id: SEV3, name: Minor, notify: [webhook]}}
users:
{users}
escalation_policies:
  - id: default
    steps:
{steps}
fallback: "user:carol"
notify:
  throttle: 0s
services:
  - id: api
    name: API Gateway
    escalation: default
    alerts: {{group_by: [source], severity: SEV3}}
"""


class Cluster:
    """n servers on one database; node i is servers[i], named node-i."""

    def __init__(self, root, text, n=3):
        self.db = pg_create_db()
        self.servers = [Server(root / f"node{i}", dev_clock=True, config_text=text, pg_db=self.db,
                               node=f"node-{i}") for i in range(n)]
        for s in self.servers:  # the harness writes `storage:` last: a killed node's claims end
            with open(s.config_path, "a") as f:  # after 2 s of wall clock, not 60
                f.write("  claim_lease: 2s\n")

    def start(self):
        first = self.servers[0].start()
        for s in self.servers[1:]:
            shutil.copyfile(os.path.join(first.data, "notify.key"), os.path.join(s.data, "notify.key"))
            s.admin_token = first.admin_token  # tokens live in the shared database
            s.start()
        return self

    def sync(self):
        """Every node caught up with the shared clock and done with what fell due."""
        for s in self.servers:
            if s.alive():
                s.advance("0s")

    def teardown(self):
        problems = []
        for s in self.servers:
            try:
                s.teardown()
            except BaseException as e:  # noqa: BLE001 - every node must be stopped
                problems.append(f"{s.root}: {e}")
        try:
            pg_admin(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        except BaseException as e:  # noqa: BLE001
            problems.append(f"drop {self.db}: {e}")
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def hook():
    r = Receiver("webhooks")
    yield r
    r.close()


@pytest.fixture
def cluster(tmp_path, hook):
    c = Cluster(tmp_path, config(hook))
    try:
        yield c.start()
    finally:
        c.teardown()


def deliveries(hook):
    """(user, incident) -> webhook-ids received (one entry per delivery)."""
    out = collections.defaultdict(list)
    for req in hook.requests:
        user = req.path.rsplit("/", 1)[-1]
        msg_id = verify_standard_webhook(WEBHOOK_SECRET, req.headers, req.body)
        assert req.headers.get("Idempotency-Key") == "tocsin-notification-" + msg_id[4:], req.headers
        inc = (req.json()["data"].get("incident") or {}).get("id")
        out[(user, inc)].append(msg_id)
    return out


def page_rows(s):
    """Every page row of the outbox: (incident, user) -> ids."""
    con = s.db()
    try:
        rows = con.execute("SELECT id, incident_id, user_id, status FROM notifications "
                           "WHERE kind = 'page'").fetchall()
    finally:
        con.close()
    out = collections.defaultdict(list)
    for rid, inc, user, status in rows:
        out[(inc, user)].append((rid, status))
    return out


def step_entries(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/timeline")
    assert st == 200, (st, j)
    return [e for e in j["entries"] if e["kind"] == "escalation.step"]


def test_nodes_list_and_cli(cluster):
    a, b, c = cluster.servers
    st, j = b.api("GET", "/api/v1/nodes")
    assert st == 200 and j["store"] == "postgres", j
    assert [n["id"] for n in j["nodes"]] == ["node-0", "node-1", "node-2"], j
    assert all(n["alive"] for n in j["nodes"]), j
    assert [n["self"] for n in j["nodes"]] == [False, True, False], j
    assert {n["pid"] for n in j["nodes"]} == {a.pid, b.pid, c.pid}, j
    r = c.cli("nodes")
    assert r.returncode == 0, r.stderr
    assert "node-2 (this one)" in r.stdout and "3 nodes, 3 alive (store postgres)" in r.stdout, r.stdout
    viewer = a.make_token("viewer")
    assert a.api("GET", "/api/v1/nodes", token=viewer)[0] == 200
    assert a.request("GET", "/api/v1/nodes", token=None, check=False).status == 401


def test_escalation_pages_each_user_once_across_three_nodes(cluster, hook):
    nodes = cluster.servers
    ids = []
    for i in range(12):  # declared round-robin: each node arms its own share
        s = nodes[i % 3]
        ids.append(s.create(title=f"incident {i}", severity="SEV3", service="api")["id"])
    for minute in range(0, 25, 5):  # the clock moved on whichever node, the others follow
        nodes[(minute // 5) % 3].advance("5m")
    cluster.sync()
    hook.wait_for(len(ids) * 3)
    got = deliveries(hook)
    rows = page_rows(nodes[0])
    for iid in ids:
        for user in STEP_USERS:
            assert len(rows[(iid, user)]) == 1, (iid, user, rows[(iid, user)])
            assert rows[(iid, user)][0][1] == "sent", rows[(iid, user)]
            assert len(got[(user, iid)]) == 1, (iid, user, got[(user, iid)])
        steps = step_entries(nodes[1], iid)
        assert len(steps) == 3, steps
    assert len(hook.requests) == len(ids) * 3
    for s in nodes:  # one chain, whichever node appended
        j = s.verify()
        assert j["valid"] is True, j


def test_revocation_and_silence_reach_every_node(cluster):
    a, b, c = cluster.servers
    key = integration(a, "api", "events_v2")["key"]
    ev = v2_event(key, dedup_key="disk-1")
    assert v2(b, ev).status == 202  # b now holds the key in its cache
    st, j = a.api("GET", "/api/v1/integrations")
    integ = [i for i in j["integrations"] if i["service"] == "api"][0]
    st, _ = a.api("DELETE", f"/api/v1/integrations/{integ['id']}")
    assert st in (200, 204), st
    b.advance("0s")  # b has run a watch pass since the revocation committed
    assert v2(b, v2_event(key, dedup_key="disk-2")).status in (400, 401, 403)
    # A silence added on one node silences on the others.
    key2 = integration(a, "api", "events_v2", name="second")["key"]
    assert v2(c, v2_event(key2, dedup_key="warm-up")).status == 202
    st, sil = a.api("POST", "/api/v1/silences",
                    {"service": "api", "duration": "1h", "reason": "maintenance"})
    assert st == 201, (st, sil)
    # no barrier: c's ingest reads the shared counter under the write lock, so the silence
    # committed on a holds for c's very next alert
    r = v2(c, v2_event(key2, dedup_key="silenced-1", source="db-9"))
    assert r.status == 202, r
    con = c.db()
    try:
        row = con.execute("SELECT silenced_by FROM alerts WHERE dedup_key = ?",
                          ("silenced-1",)).fetchone()
    finally:
        con.close()
    assert row is not None and row[0], row


def test_config_reload_on_one_node_reaches_the_others(cluster, hook):
    a, b, c = cluster.servers
    new = config(hook) + "  - id: web\n    name: Web\n"
    for s in cluster.servers:  # each node reads its own copy of the (shared) config file
        s.write_config(new)
    st, j = a.api("POST", "/api/v1/config/reload")
    assert st == 200, (st, j)
    for s in (b, c):
        s.advance("0s")
        st, j = s.api("GET", "/api/v1/services")
        assert st == 200 and "web" in [x["id"] for x in j["services"]], j


def test_second_node_with_another_ack_key_refuses_to_start(tmp_path, hook):
    c = Cluster(tmp_path, config(hook), n=2)
    first = c.servers[0].start()
    other = c.servers[1]
    other.admin_token = first.admin_token
    try:
        with open(os.path.join(other.data, "notify.key"), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        with pytest.raises(BaseException) as e:  # pytest.fail: exited before it was ready
            other.start()
        assert "notify.key differs" in str(e.value), e.value
    finally:
        c.teardown()


def test_chaos_kill9_one_node_at_a_time(cluster, hook):
    """Alerts round-robin to three nodes while escalations fire under the shared clock; a node is
    killed with kill -9 at a random moment and restarted, twelve times. Afterwards: every alert
    answered 2xx is stored once per dedup key, every step that fell due paged each of its users
    exactly once (one outbox row, every delivery of it under one webhook-id), no step fired later
    than the clock's step after its deadline, and the chain verifies on every node."""
    rng = random.Random(13)
    nodes = cluster.servers
    key = integration(nodes[0], "api", "events_v2")["key"]
    acked = []       # dedup keys answered 2xx
    kills = 0
    for rnd in range(24):
        for i in range(6):
            s = nodes[(rnd * 6 + i) % 3]
            if not s.alive():
                continue
            dk = f"chaos-{rnd}-{i}"
            try:
                r = s.request("POST", "/v2/enqueue",
                              v2_event(key, dedup_key=dk, summary=f"chaos {rnd} {i}",
                                       source=f"r{rnd}"), token=None, check=False, allow_503=True)
            except OSError:
                continue  # the node died under us: not acknowledged, not counted
            if r.status == 202:
                acked.append(dk)
        live = [s for s in nodes if s.alive()]
        live[rng.randrange(len(live))].advance("20s")
        if rnd % 2 == 1:
            victim = nodes[rng.randrange(3)]
            victim.kill9()
            kills += 1
            victim.start()
    assert kills >= 10
    for k in range(66):  # 22 more minutes, 20 s at a time: past every step of every incident
        nodes[k % 3].advance("20s")
    cluster.sync()
    con = nodes[0].db()
    try:
        keys = collections.Counter(r[0] for r in con.execute(
            "SELECT dedup_key FROM alerts WHERE dedup_key LIKE 'chaos-%'").fetchall())
        incs = [r[0] for r in con.execute("SELECT id FROM incidents").fetchall()]
    finally:
        con.close()
    assert set(acked) <= set(keys), sorted(set(acked) - set(keys))[:5]
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1][:5]
    rows = page_rows(nodes[0])
    expected = {(iid, u) for iid in incs for u in STEP_USERS}
    assert set(rows) == expected, (len(rows), len(expected))
    for _ in range(600):  # deliveries of rows a killed node held come after its lease (2 s)
        got = deliveries(hook)
        if all(got[(u, iid)] for (iid, u) in expected):
            break
        time.sleep(0.05)
    cluster.sync()
    rows = page_rows(nodes[0])
    assert all(len(v) == 1 and v[0][1] == "sent" for v in rows.values()), \
        [k for k, v in rows.items() if len(v) != 1 or v[0][1] != "sent"][:5]
    got = deliveries(hook)
    for (iid, user) in expected:
        ids = set(got[(user, iid)])
        assert len(ids) == 1, (iid, user, got[(user, iid)])
    late, max_lag = [], 0.0
    for iid in incs:
        inc = nodes[1].get(iid)
        opened = parse_time(inc["created_at"])
        for e, minute in zip(step_entries(nodes[2], iid), STEPS_MIN):
            lag = (parse_time(e["at"]) - opened).total_seconds() - minute * 60
            max_lag = max(max_lag, lag)
            if lag > 21:  # the clock moves 20 s at a time; +1 s
                late.append((iid, minute, lag))
    assert not late, late[:5]
    for s in nodes:
        assert s.verify()["valid"] is True
    resent = sum(len(v) - 1 for v in got.values())
    print(f"\nchaos: {kills} kill -9, {len(acked)} alerts answered 202 and stored once, "
          f"{len(incs)} incidents, {len(expected)} pages each in one outbox row, "
          f"{len(hook.requests)} deliveries ({resent} resent under the same webhook-id after a "
          f"kill), max step lateness {max_lag:.0f} s")


def _pg_ctl(cluster_dir, *args):
    cmd = ["/usr/lib/postgresql/15/bin/pg_ctl", "-D", os.path.join(cluster_dir, "data"), "-w",
           "-l", os.path.join(cluster_dir, "restart.log"), *args]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_database_loss_is_unhealthy_and_refuses_alerts_then_recovers(tmp_path, hook):
    """Its own throwaway cluster (scripts/pg_cluster.sh), stopped under a running node."""
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    cdir = f"/tmp/tocsin-pgloss.{os.getpid()}"
    script = os.path.join(repo, "scripts", "pg_cluster.sh")
    subprocess.run(["bash", script, "start", cdir], check=True, capture_output=True, timeout=180)
    s = None
    try:
        subprocess.run(["psql", "-X", "-q", "-h", cdir, "-U", "postgres", "-d", "postgres", "-c",
                        "CREATE DATABASE loss"], check=True, capture_output=True, timeout=60)
        text = config(hook) + f'storage:\n  driver: postgres\n  url: "postgresql:///loss?host={cdir}&user=postgres"\n'
        s = Server(tmp_path / "loss", dev_clock=True, config_text="")
        s.pg_db = None
        with open(s.config_path, "w") as f:
            f.write(text)
        s.start()
        key = integration(s, "api", "events_v2")["key"]
        assert v2(s, v2_event(key, dedup_key="before")).status == 202
        _pg_ctl(cdir, "stop", "-m", "fast")
        r = http("GET", s.url + "/healthz")
        assert r.status == 503, r
        r = s.request("POST", "/v2/enqueue", v2_event(key, dedup_key="during"), token=None,
                      check=False, allow_503=True)
        assert r.status == 503, r  # never a 2xx without a commit
        _pg_ctl(cdir, "start")
        for _ in range(400):  # the node resets each lost connection at its next use (<= 0.5 s)
            if http("GET", s.url + "/healthz").status == 200:
                break
            time.sleep(0.05)
        else:
            pytest.fail("still unhealthy 20 s after the database came back")
        assert v2(s, v2_event(key, dedup_key="after")).status == 202
        con_rows = subprocess.run(
            ["psql", "-X", "-A", "-t", "-h", cdir, "-U", "postgres", "-d", "loss", "-c",
             "SELECT dedup_key FROM alerts ORDER BY dedup_key"],
            check=True, capture_output=True, text=True, timeout=60).stdout.split()
        assert con_rows == ["after", "before"], con_rows
    finally:
        try:
            if s is not None:
                s.teardown()
        finally:  # the cluster is stopped even when the server's teardown found a problem
            subprocess.run(["bash", script, "stop", cdir], capture_output=True, timeout=120)


def test_table_locked_by_another_session_is_503_and_changes_nothing(make_server):
    """PostgreSQL's counterpart of the SQLite write-lock test: a session elsewhere holds an
    exclusive lock on incidents; the server's write waits at most lock_timeout (5 s) and answers
    503, nothing of it stored; once the lock is gone the same request succeeds."""
    s = make_server()
    before = len(s.api("GET", "/api/v1/incidents?status=all")[1]["incidents"])
    import psycopg2  # the harness's StoreDb uses it on PostgreSQL too
    con = psycopg2.connect(host=PG_DIR, user="postgres", dbname=s.pg_db)
    try:
        cur = con.cursor()
        cur.execute("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE")
        r = s.request("POST", "/api/v1/incidents", {"title": "blocked", "severity": "SEV3"},
                      allow_503=True)
        assert r.status == 503, r
        assert r.json["error"]["code"] == "unavailable", r.json
    finally:
        con.rollback()
        con.close()
    assert len(s.api("GET", "/api/v1/incidents?status=all")[1]["incidents"]) == before
    assert s.create(title="after the lock", severity="SEV3")["title"] == "after the lock"


def test_each_probe_round_runs_on_one_node_and_streaks_span_nodes(tmp_path, hook):
    """A service probe on three nodes: one request per round (not three), and the failure streak
    counts the results of whichever node ran each round: fail_after 3 raises one alert."""
    target = Receiver("target")
    text = config(hook) + (f'  - {{id: site, name: Site, probe: {{url: "{target.url}/health", '
                           f'every: 30s, timeout: 2s, fail_after: 3}}}}\n')
    c = Cluster(tmp_path, text)
    try:
        nodes = c.start().servers
        c.sync()
        first = target.count()
        assert first >= 1  # the round at start
        for k in range(6):  # six rounds, the clock moved on a different node each time
            nodes[k % 3].advance("30s")
            c.sync()
        assert target.count() - first == 6, [r.path for r in target.requests]
        target.answer(503)
        for k in range(4):
            nodes[(k + 1) % 3].advance("30s")
            c.sync()
        st, j = nodes[0].api("GET", "/api/v1/alerts?status=all")
        assert st == 200, j
        probe_alerts = [a for a in j["alerts"] if a["dedup_key"] == "probe:site"]
        assert len(probe_alerts) == 1, probe_alerts
        assert target.count() - first == 10
    finally:
        c.teardown()
        target.close()


class HoldFirst:
    """A webhook receiver whose first request is held (no answer) until release(); every later
    request is answered 200 at once. Records (webhook-id, Idempotency-Key) of each request."""

    def __init__(self):
        import http.server
        import threading
        self.seen, self.lock = [], threading.Lock()
        self.first_in, self.release_ev = threading.Event(), threading.Event()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                with outer.lock:
                    outer.seen.append((self.headers.get("webhook-id"),
                                       self.headers.get("Idempotency-Key")))
                    first = len(outer.seen) == 1
                if first:
                    outer.first_in.set()
                    outer.release_ev.wait(60)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release_ev.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_dead_senders_claim_is_taken_over_after_its_lease(tmp_path):
    """Node A claims a page and is killed (kill -9) while its request is in flight: the row stays
    pending under A's claim; once the lease (2 s) has passed node B sends it again, with the same
    webhook-id and Idempotency-Key, and records it sent once."""
    hold = HoldFirst()

    class Hook:
        url = hold.url.rsplit("/", 1)[0]

    c = Cluster(tmp_path, config(Hook), n=2)
    try:
        nodes = c.start().servers
        iid = nodes[0].create(title="held", severity="SEV3", service="api")["id"]
        assert hold.first_in.wait(30), "no node sent the first page"
        con = nodes[0].db()
        try:
            holder = con.execute("SELECT claimed_by FROM notifications WHERE incident_id = ?",
                                 (iid,)).fetchone()[0]
        finally:
            con.close()
        a = nodes[0] if holder == "node-0" else nodes[1]  # the sender (usually the declaring node)
        b = nodes[1] if a is nodes[0] else nodes[0]
        a.kill9()  # A dies with the row claimed and its request unanswered
        hold.release_ev.set()
        for _ in range(600):  # B takes the row over once A's lease (2 s, wall clock) has passed
            rows = page_rows(b)[(iid, "alice")]
            if rows and rows[0][1] == "sent":
                break
            b.advance("0s")
            time.sleep(0.05)
        else:
            pytest.fail(f"the page was never sent after node A died: {page_rows(b)}")
        assert len(rows) == 1, rows
        with hold.lock:
            seen = list(hold.seen)
        alice = [s for s in seen if s[0] == f"msg_{rows[0][0]}"]
        assert len(alice) == 2, seen  # A's unanswered try and B's
        assert alice[0] == alice[1] and alice[0][1] == f"tocsin-notification-{rows[0][0]}", alice
        con = b.db()
        try:
            attempts = con.execute("SELECT count(*) FROM notification_attempts "
                                   "WHERE notification_id = ?", (rows[0][0],)).fetchone()[0]
        finally:
            con.close()
        assert attempts == 1, attempts  # A's attempt was never recorded: only B's
        st, j = b.api("GET", "/api/v1/nodes")
        ids = {n["id"]: n for n in j["nodes"]}
        assert ids[holder]["claims"] == 0, j  # the lease is over: A holds nothing
    finally:
        c.teardown()
        hold.close()



def test_a_public_update_on_one_node_is_on_every_nodes_status_page(cluster):
    a, b, c = cluster.servers
    for s in (b, c):  # each renders and caches its page first
        assert http("GET", s.url + "/status").status == 200
    iid = a.create(title="Checkout is slow", severity="SEV3", service="api")["id"]
    st, j = a.api("POST", f"/api/v1/incidents/{iid}/status",
                  {"status": "investigating", "message": "We are looking into slow checkouts",
                   "public": True})
    assert st == 200, (st, j)
    for s in (b, c):
        s.advance("0s")  # a watch pass since the update committed on a
        page = http("GET", s.url + "/status").body.decode()
        assert "We are looking into slow checkouts" in page, page[:2000]
