"""Backups (issue 14, docs/security.md "Backups"): `tocsin store backup FILE` takes a consistent,
checked copy while the server runs and writes; `tocsin store restore FILE` refuses a running
server's data directory and a damaged file, then replaces the store; the server starts on the
restored file and its audit chain verifies. SQLite only: PostgreSQL's tools are pg_dump and
pg_restore (the verbs say so)."""
import os
import sqlite3
import threading

import pytest

from tocsin_harness import on_pg, run_bin

pytestmark = pytest.mark.skipif(on_pg(), reason="SQLite's file backup; PostgreSQL uses pg_dump")


def store(s, *args):
    return run_bin("store", *args, "--config", s.config_path, "--data", s.data)


def test_backup_under_writes_then_restore_and_start_on_it(make_server, tmp_path):
    s = make_server(dev_clock=True)
    before = [s.create(f"before backup {i}")["id"] for i in range(3)]
    stop, written, errors = threading.Event(), [], []

    def writer():  # a write every moment the backup runs: incidents and notes
        while not stop.is_set():
            try:
                iid = s.create("during backup")["id"]
                s.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": "n"})
                written.append(iid)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return

    t = threading.Thread(target=writer)
    t.start()
    try:
        while len(written) < 3 and not errors:
            threading.Event().wait(0.01)  # until the writer is under way (not a clock wait)
        backup = str(tmp_path / "b1.db")
        p = store(s, "backup", backup)
    finally:
        stop.set()
        t.join()
    assert not errors, errors
    assert p.returncode == 0, p.stderr
    assert "store backup:" in p.stdout and "ok (integrity_check; timeline" in p.stdout, p.stdout
    assert oct(os.stat(backup).st_mode & 0o777) == "0o600"
    # a second backup into the same file is refused
    p2 = store(s, "backup", backup)
    assert p2.returncode == 1 and "exists" in p2.stderr, p2.stderr

    with sqlite3.connect(backup) as db:
        in_backup = {r[0] for r in db.execute("SELECT id FROM incidents")}
    assert set(before) <= in_backup
    after = s.create("after backup")["id"]

    # restore refuses a running server's data directory, and changes nothing
    size = os.path.getsize(s.db_path)
    p = store(s, "restore", backup)
    assert p.returncode == 1 and "stop the server" in p.stderr, p.stderr
    assert os.path.getsize(s.db_path) == size
    assert s.get(after)["id"] == after

    s.stop()
    # a damaged file is refused before anything changes
    bad = str(tmp_path / "bad.db")
    with open(backup, "rb") as f, open(bad, "wb") as g:
        g.write(f.read()[: 4096 * 3])
    p = store(s, "restore", bad)
    assert p.returncode == 1 and "nothing was changed" in p.stderr, p.stderr

    p = store(s, "restore", backup)
    assert p.returncode == 0, p.stderr
    assert os.path.exists(s.db_path + ".before-restore")
    s.start()
    st, j = s.api("POST", "/api/v1/audit/verify")
    assert st == 200 and j["valid"] is True, j
    st, j = s.api("GET", f"/api/v1/incidents/{after}")
    assert st == 404, "the restored store is the backup's: the later incident is not in it"
    for iid in before:
        assert s.get(iid)["id"] == iid
    p = store(s, "check")
    assert p.returncode == 0, p.stderr
