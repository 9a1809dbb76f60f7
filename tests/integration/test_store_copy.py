"""`tocsin store copy --from FILE --to URL`: a single-node install moved from SQLite to PostgreSQL
(docs/internals/store_copy.md).

A SQLite server (driver sqlite even in the PostgreSQL run) is filled through the API on the dev
clock: incidents with notes, role changes and state changes, alerts through integrations, a
silence, an override, tokens, a manual page and escalation steps fired by moving the clock (so
notification rows and delivery attempts exist). It is stopped (SIGTERM, by PID), copied into a
fresh database of the test cluster, and a server is started on PostgreSQL with the same config and
data dir: everything the API shows is the same, the audit chain verifies, a new incident gets the
next id of the day (counters copied) and a new alert a fresh id (sequences reset past the copied
ones). Then the refusals: a target that is not empty (nothing written), a bad URL, a database that
does not exist, a missing file, a file a running server holds, a source newer or older than the
binary, and a row that breaks a foreign key (the table and key named, nothing written).

Runs only with TOCSIN_TEST_PG (make integration-pg): it needs the test cluster.
"""
import json
import re

import pytest

from notify_receivers import WEBHOOK_SECRET, Receiver
from test_ingest_support import generic_ok, integration
from tocsin_harness import (PINNED_DAY, StoreDb, on_pg, parse_time, pg_admin, pg_create_db,
                            pg_url, run_bin)

pytestmark = pytest.mark.skipif(not on_pg(), reason="needs the PostgreSQL test cluster "
                                "(TOCSIN_TEST_PG, make integration-pg)")

SEVERITIES = """\
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [webhook]}
  - {id: SEV2, name: Major, ack_within: 30m, resolve_within: 4h, notify: [webhook]}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [webhook]}
"""


def config(hook_url):
    return SEVERITIES + f"""\
users:
  - {{id: alice, name: Alice, webhook: "{hook_url}", webhook_secret: {WEBHOOK_SECRET}}}
  - {{id: bob, name: Bob, webhook: "{hook_url}", webhook_secret: {WEBHOOK_SECRET}}}
  - {{id: carol, name: Carol, webhook: "{hook_url}", webhook_secret: {WEBHOOK_SECRET}}}
schedules:
  - {{id: primary, timezone: UTC, rotation: {{every: 1w, handoff: "mon 09:00", users: [alice]}}}}
  - {{id: secondary, timezone: UTC, rotation: {{every: 1w, handoff: "mon 09:00", users: [bob]}}}}
escalation_policies:
  - id: default
    steps:
      - {{after: 0m, notify: [schedule:primary]}}
      - {{after: 15m, notify: [schedule:secondary]}}
services:
  - {{id: api, name: API, escalation: default}}
  - {{id: db, name: Database, escalation: default}}
notify:
  throttle: 1m
"""


@pytest.fixture
def hook():
    r = Receiver("hook")
    yield r
    r.close()


def sqlite_server(make_server, text, start=True):
    """A server on SQLite although the run is on PostgreSQL: its own database is dropped and its
    config names the sqlite driver."""
    s = make_server(dev_clock=True, config_text=text, start=False)
    if s.pg_db is not None:
        pg_admin(f"DROP DATABASE IF EXISTS {s.pg_db} WITH (FORCE)")
        s.pg_db = None
    s.write_config(text + "storage: {driver: sqlite}\n")
    if start:
        s.start()
    return s


def copy_to(src_path, url):
    return run_bin("store", "copy", "--from", src_path, "--to", url)


def pg_db(name):
    return StoreDb.postgres(name)


def pg_tables(name):
    with pg_db(name) as con:
        return [r[0] for r in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]


def pg_counts(name):
    with pg_db(name) as con:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in pg_tables(name) if t != "schema_migrations"}


def sqlite_counts(path):
    with StoreDb.sqlite(path, readonly=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'schema_migrations'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names}


def diff(a, b, path=""):
    """The paths where a and b differ (for the failure message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in diff(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def populate(s, hook):
    """Fills the store through the API; returns what the checks need."""
    s.pin_clock()
    a = s.create("Checkout down", "SEV1", service="api")
    b = s.create("Slow search", "SEV2", service="db", summary="p99 at 3s")
    c = s.create("Typo on status page", "SEV3")
    for iid, text in ((a["id"], "looking at the LB"), (b["id"], "tab\tnew\nline \\ back")):
        st, j = s.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": text})
        assert st in (200, 201), (st, j)
    st, j = s.api("PUT", f"/api/v1/incidents/{a['id']}/roles/commander", {"user": "carol"})
    assert st == 200, (st, j)
    s.move(b["id"], "investigating")
    s.move(c["id"], "resolved", message="fixed")
    gen = integration(s, "api", "generic")
    alerts = [generic_ok(s, gen["key"], {"summary": f"disk {i} full", "dedup_key": f"disk{i}",
                                         "labels": {"host": f"h{i}"}}) for i in range(3)]
    generic_ok(s, gen["key"], {"action": "resolve", "dedup_key": "disk0"})
    st, sil = s.api("POST", "/api/v1/silences", {"service": "db", "matchers": {"env": "staging"},
                                                 "duration": "2h", "reason": "migration"})
    assert st == 201, (st, sil)
    st, ov = s.api("POST", "/api/v1/schedules/primary/overrides",
                   {"user": "carol", "from": "now", "to": "+2h", "reason": "swap"})
    assert st == 201, (st, ov)
    s.make_token("viewer", "dashboard")
    st, j = s.api("POST", f"/api/v1/incidents/{b['id']}/page", {"user": "alice"})
    assert st == 201, (st, j)
    s.advance("16m")   # the second escalation step of the open incidents
    s.advance("0s")    # deliveries due now attempted and recorded
    return {"incidents": [a["id"], b["id"], c["id"]], "integration": gen,
            "alert_ids": [x["alert_id"] for x in alerts]}


def snapshot(s, ids):
    """What the API shows of the store."""
    out = {}
    for path in ("/api/v1/incidents?status=all", "/api/v1/alerts", "/api/v1/silences",
                 "/api/v1/overrides", "/api/v1/tokens", "/api/v1/integrations"):
        st, j = s.api("GET", path)
        assert st == 200, (path, st, j)
        out[path] = j
    for iid in ids:
        out[iid] = s.get(iid)
        out[iid + "/timeline"] = s.timeline(iid)
        st, j = s.api("GET", f"/api/v1/incidents/{iid}/notifications")
        assert st == 200, (st, j)
        out[iid + "/notifications"] = j
        st, j = s.api("GET", f"/api/v1/incidents/{iid}/alerts")
        assert st == 200, (st, j)
        out[iid + "/alerts"] = j
    return out


COUNT_LINE = re.compile(r"^copied (\d+) rows in (\d+) tables; chain head seq (\d+) hash ([0-9a-f]{64}) matches$")


def test_copy_sqlite_to_postgres_and_serve_from_it(make_server, hook):
    s = sqlite_server(make_server, config(hook.url))
    made = populate(s, hook)
    ids = made["incidents"]
    now = s.now()
    before = snapshot(s, ids)
    verify = s.verify()
    assert verify["valid"] is True
    notes = [n for iid in ids for n in before[iid + "/notifications"]["notifications"]]
    assert any(n["kind"] == "page" for n in notes) and len(notes) >= 4, notes
    steps = [e for e in before[ids[0] + "/timeline"] if e["kind"] == "escalation.step"]
    assert len(steps) == 2, steps
    s.stop()
    src_counts = sqlite_counts(s.db_path)
    assert src_counts["notification_attempts"] > 0 and src_counts["overrides"] == 1, src_counts

    db = pg_create_db()
    s.pg_db = db   # dropped at teardown
    r = copy_to(s.db_path, pg_url(db))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    m = COUNT_LINE.match(lines[-1])
    assert m, r.stdout
    assert int(m.group(1)) == sum(src_counts.values()) and int(m.group(2)) == len(src_counts)
    assert int(m.group(3)) == verify["entries"] and m.group(4) == verify["head"], (m.groups(), verify)
    table = {ln.split()[0]: ln.split()[1:] for ln in lines[1:-1]}
    assert table == {t: [str(n), str(n)] for t, n in src_counts.items()}, r.stdout
    assert pg_counts(db) == {**{t: 0 for t in pg_counts(db)}, **src_counts}

    s.write_config(config(hook.url))   # the same config, on PostgreSQL (the harness's storage)
    s.start()
    # the chain as copied is the start of the chain now: the server resumes the dev clock kept in
    # the store (docs/internals/multinode.md), so what fell due in the seconds since the source
    # stopped may already be appended after it
    v = s.verify()
    assert v["valid"] is True and v["entries"] >= verify["entries"], (v, verify)
    con = s.db()
    try:
        row = con.execute("SELECT hash FROM timeline WHERE seq = ?", (verify["entries"],)).fetchone()
    finally:
        con.close()
    assert row is not None and row[0] == verify["head"], (row, verify)
    if parse_time(s.now()) < parse_time(now):  # resumed from the store: usually already there
        s.pin_clock(now)   # the instant of the first snapshot: everything due then has fired
    else:
        s.advance("0s")    # its passes done
    after = snapshot(s, ids)
    for key in before:
        assert after[key] == before[key], (key, diff(after[key], before[key])[:10])
    cli = s.cli("audit", "verify")
    assert cli.returncode == 0 and "valid" in cli.stdout, cli.stdout + cli.stderr
    # counters copied: the day's next id; sequences reset: a new alert row gets a fresh id
    s.pin_clock("2099-06-15T13:00:00Z")
    n = s.create("After the move", "SEV3")
    last = max(int(i["id"].rsplit("-", 1)[1])
               for i in before["/api/v1/incidents?status=all"]["incidents"])
    assert n["id"] == f"INC-{PINNED_DAY}-{last + 1:03d}", (n["id"], ids)
    j = generic_ok(s, made["integration"]["key"], {"summary": "new on pg", "dedup_key": "pg1"})
    assert j["alert_id"] == max(made["alert_ids"]) + 1, (j, made["alert_ids"])
    st, j = s.api("POST", f"/api/v1/incidents/{ids[1]}/page", {"user": "bob"})
    assert st == 201, (st, j)   # a notification row with a fresh id
    assert s.verify()["valid"] is True


@pytest.fixture
def stopped(make_server, hook):
    """A small SQLite store, its server stopped."""
    s = sqlite_server(make_server, config(hook.url))
    s.pin_clock()
    s.create("One", "SEV2", service="api")
    s.make_token("viewer", "v")
    s.stop()
    return s


def test_refuses_a_target_that_is_not_empty(stopped):
    db = pg_create_db()
    try:
        r = run_bin("store", "copy", "--json", "--from", stopped.db_path, "--to", pg_url(db))
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        before = pg_counts(db)
        assert {t["table"]: (t["source"], t["target"]) for t in out["tables"]} == \
            {t: (n, n) for t, n in before.items()}, out
        assert out["rows"] == sum(before.values()) and out["table_count"] == len(before)
        assert out["chain_head"]["seq"] == before["timeline"], out
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1, r.stdout
        first = sorted(t for t, n in before.items() if n)[0]
        assert (f"the target database is not empty: table {first} has {before[first]} rows"
                in r.stderr), r.stderr
        assert pg_counts(db) == before
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_refuses_a_foreign_database_without_touching_it(stopped):
    db = pg_create_db()
    try:
        with pg_db(db) as con:
            con.execute("CREATE TABLE payroll (id BIGINT)")
            con.execute("INSERT INTO payroll VALUES (1), (2)")
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1 and "table payroll has 2 rows" in r.stderr, r.stderr
        assert pg_tables(db) == ["payroll"]   # no migration applied, nothing written
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_bad_url_missing_database_missing_file(stopped, tmp_path):
    db = pg_create_db()
    try:
        r = copy_to(stopped.db_path, "postgres://%zz")
        assert r.returncode == 1 and "not a PostgreSQL connection URL" in r.stderr, r.stderr
        r = copy_to(stopped.db_path, pg_url("no_such_db_here"))
        assert r.returncode == 1 and "cannot connect to PostgreSQL" in r.stderr, r.stderr
        assert "no_such_db_here" in r.stderr
        missing = tmp_path / "nothing.db"
        r = copy_to(missing, pg_url(db))
        assert r.returncode == 1 and str(missing) in r.stderr, r.stderr
        assert "No such file or directory" in r.stderr
        assert not missing.exists()
        assert pg_tables(db) == []
        r = run_bin("store", "copy", "--from", stopped.db_path)
        assert r.returncode == 2 and "--to" in r.stderr, r.stderr
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_refuses_a_file_a_server_holds(make_server, hook):
    s = sqlite_server(make_server, config(hook.url))
    db = pg_create_db()
    try:
        r = copy_to(s.db_path, pg_url(db))
        assert r.returncode == 1, r.stdout
        assert f"is in use by process {s.pid}" in r.stderr and "stop the server" in r.stderr
        assert pg_tables(db) == []
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_refuses_a_source_newer_or_older_than_the_binary(stopped):
    db = pg_create_db()
    try:
        with StoreDb.sqlite(stopped.db_path) as con:
            con.execute("INSERT INTO schema_migrations(name, applied_at) VALUES ('sqlite/999_future.sql', 0)")
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1 and "newer than this tocsin" in r.stderr, r.stderr
        assert "sqlite/999_future.sql" in r.stderr
        with StoreDb.sqlite(stopped.db_path) as con:
            con.execute("DELETE FROM schema_migrations WHERE name = 'sqlite/999_future.sql'")
            last = con.execute("SELECT max(name) FROM schema_migrations").fetchone()[0]
            con.execute("DELETE FROM schema_migrations WHERE name = ?", (last,))
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1 and "older than this tocsin" in r.stderr, r.stderr
        assert last in r.stderr and "tocsin serve" in r.stderr
        assert pg_tables(db) == []
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_a_broken_reference_rolls_everything_back(stopped):
    """A delivery attempt of a notification that does not exist (written behind SQLite's back):
    the copy names the table and the key, and the target keeps no row."""
    with StoreDb.sqlite(stopped.db_path) as con:
        con.execute("INSERT INTO notification_attempts(notification_id, at, ok) VALUES (4242, 1, 1)")
    db = pg_create_db()
    try:
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1, r.stdout
        assert "table notification_attempts" in r.stderr and "4242" in r.stderr, r.stderr
        assert "nothing was written" in r.stderr
        assert set(pg_counts(db).values()) == {0}
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_text_postgres_cannot_store_is_named(stopped):
    """SQLite keeps whatever bytes it is given as TEXT; PostgreSQL takes only UTF-8: the copy
    names the table, row and column and writes nothing."""
    with StoreDb.sqlite(stopped.db_path) as con:
        con.execute("INSERT INTO meta(key, value) VALUES ('bad', CAST(X'ff61' AS TEXT))")
    db = pg_create_db()
    try:
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1, r.stdout
        assert "table meta, row" in r.stderr and "column value" in r.stderr, r.stderr
        assert "not valid UTF-8" in r.stderr
        assert set(pg_counts(db).values()) == {0}
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


WIDGETS_SQLITE = "CREATE TABLE widgets (id INTEGER PRIMARY KEY, blob BLOB, r REAL, t TEXT, n INTEGER)"
WIDGETS_PG = ("CREATE TABLE widgets (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
              "blob BYTEA, r DOUBLE PRECISION, t TEXT, n BIGINT)")
WIDGETS = [
    (1, b"\x00\x01\xff\\\t\n", 1.5, "tab\there, back\\slash, new\nline, cr\r", None),
    (3, b"", 1e300, "", -1),
    (7, None, -0.1, None, 9007199254740993),
]


def test_a_table_added_later_is_copied_with_its_types(stopped):
    """The copy reads the tables from the source's schema: a table another migration adds (here
    one made by hand in both) is copied too, BLOB to BYTEA, REAL to DOUBLE PRECISION exactly,
    NULLs kept, text with COPY's special characters intact, and its identity sequence moved past
    the copied ids."""
    with StoreDb.sqlite(stopped.db_path) as con:
        con.execute(WIDGETS_SQLITE)
        con.executemany("INSERT INTO widgets VALUES (?, ?, ?, ?, ?)", WIDGETS)
    db = pg_create_db()
    try:
        with pg_db(db) as con:
            con.execute(WIDGETS_PG)
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 0, r.stderr
        assert re.search(r"^widgets\s+3\s+3$", r.stdout, re.M), r.stdout
        with pg_db(db) as con:
            got = con.execute("SELECT id, blob, r, t, n FROM widgets ORDER BY id").fetchall()
            assert got == WIDGETS
            new = con.execute("INSERT INTO widgets(t) VALUES ('new') RETURNING id").fetchone()[0]
            assert new == 8
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_a_value_the_target_column_cannot_take_names_the_row(stopped):
    """SQLite keeps 'many' in an INTEGER column; PostgreSQL's BIGINT does not: the table and the
    row are named, nothing is written. A source table the target lacks is refused by name."""
    with StoreDb.sqlite(stopped.db_path) as con:
        con.execute(WIDGETS_SQLITE)
        con.executemany("INSERT INTO widgets VALUES (?, ?, ?, ?, ?)",
                        [WIDGETS[0], (2, None, 0.0, "x", "many")])
    db = pg_create_db()
    try:
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1 and "the target has no table widgets" in r.stderr, r.stderr
        with pg_db(db) as con:
            con.execute(WIDGETS_PG)
        r = copy_to(stopped.db_path, pg_url(db))
        assert r.returncode == 1, r.stdout
        assert "table widgets, row 2, column n:" in r.stderr and "many" in r.stderr, r.stderr
        assert set(pg_counts(db).values()) == {0}
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
