"""Store integrity (issue 14 item 9, docs/security.md "Integrity"): `PRAGMA quick_check` at every
start (a damaged file refuses to start, with the message, exit non-zero), `tocsin store check` for
the full check, and `audit verify` over a damaged file answering valid: false with the first seq
it could not read instead of a 503. The damage is done to the test's own copy of the database:
one b-tree page of the timeline table overwritten with garbage."""
import shutil
import sqlite3

import pytest

from tocsin_harness import run_bin


def store_check(s):
    return run_bin("store", "check", "--config", s.config_path, "--data", s.data)


def fill(s, n=40):
    for i in range(n):
        inc = s.create(f"integrity {i}")
        st, j = s.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": f"note {i} " + "x" * 400})
        assert st == 201, (st, j)


def varint(b, i):
    """SQLite's big-endian varint at b[i]: (value, next index)."""
    v = 0
    for k in range(9):
        c = b[i + k]
        if k == 8:
            return (v << 8) | c, i + 9
        v = (v << 7) | (c & 0x7F)
        if c < 0x80:
            return v, i + k + 1
    raise AssertionError("unreachable")


def timeline_leaf(db_path):
    """A leaf page of the timeline table from the middle of its b-tree, and the first seq on it:
    (page number, page size, first seq)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'timeline'").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    with open(db_path, "rb") as f:
        f.seek((root - 1) * size)
        page = f.read(size)
    assert page[0] == 0x05, f"the timeline's root is not an interior page ({page[0]:#x}): add entries"
    ncells = int.from_bytes(page[3:5], "big")
    assert ncells >= 3, ncells
    cells = []
    for k in range(ncells):
        off = int.from_bytes(page[12 + 2 * k: 14 + 2 * k], "big")
        child = int.from_bytes(page[off: off + 4], "big")
        key, _ = varint(page, off + 4)  # the largest seq in that child
        cells.append((child, key))
    k = ncells // 2
    return cells[k][0], size, cells[k - 1][1] + 1


def damage(db_path, pgno, size):
    with open(db_path, "r+b") as f:
        f.seek((pgno - 1) * size)
        f.write(bytes([0xA5]) * size)


def test_store_check_passes_on_a_sound_store_beside_a_running_server(make_server):
    s = make_server(dev_clock=True)
    fill(s, 5)
    p = store_check(s)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "store check: timeline: ok" in p.stdout, p.stdout
    assert s.api("GET", "/healthz", token=None)[0] == 200
    s.create("after the check")  # the check wrote nothing and locked nothing
    assert store_check(s).returncode == 0


def test_store_check_of_a_stopped_server_writes_nothing(make_server):
    from test_datadir import snapshot
    s = make_server(dev_clock=True)
    fill(s, 3)
    s.kill9()  # a WAL left behind, as after a crash: closing the check must not checkpoint it
    # tocsin.db-shm, SQLite's shared-memory WAL index (no data of its own), is rebuilt by the
    # first connection after a crash: every other file is unchanged
    def files():
        return {k: v for k, v in snapshot(s.data).items() if not k.endswith("-shm")}
    before = files()
    p = store_check(s)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert files() == before
    s.start()
    assert s.verify()["valid"] is True


def test_store_check_reports_a_broken_chain(make_server):
    s = make_server(dev_clock=True)
    fill(s, 3)
    s.drop_timeline_triggers()
    con = s.db()
    try:
        con.execute("UPDATE timeline SET actor = 'token:mallory' WHERE seq = ?", (2,))
    finally:
        con.close()
    s.expect_chain_valid = False
    p = store_check(s)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "broken at seq 2" in p.stderr, p.stderr


@pytest.mark.sqlite_only
def test_damaged_file_refuses_to_start_and_verify_says_where(make_server):
    s = make_server(dev_clock=True)
    fill(s)
    s.stop()
    pristine = s.db_path + ".pristine"
    shutil.copyfile(s.db_path, pristine)
    pgno, size, first = timeline_leaf(s.db_path)
    assert first > 1

    # damaged while stopped: the full check says what, and the server refuses to start
    damage(s.db_path, pgno, size)
    p = store_check(s)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "integrity_check" in p.stderr, p.stderr
    p = run_bin("serve", "--config", s.config_path, "--data", s.data, "--listen", "127.0.0.1:1",
                "--dev-clock")
    assert p.returncode != 0, p.stdout
    assert "quick_check" in p.stderr and "serving on" not in p.stdout, p.stderr[-2000:]

    # damaged while it runs: verify answers valid false and the first seq it could not read
    shutil.copyfile(pristine, s.db_path)
    s.start()
    damage(s.db_path, pgno, size)
    s.expect_chain_valid = False
    st, j = s.api("POST", "/api/v1/audit/verify")
    assert st == 200, (st, j)
    assert j["valid"] is False and j["first_break_at"] == first, (j, first)
    assert str(first) in j["error"], j
    assert s.api("GET", "/healthz", token=None)[0] == 200
