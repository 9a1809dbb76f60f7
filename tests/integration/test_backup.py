"""Backups (issue 14, docs/security.md "Backups"): `tocsin store backup FILE` takes a consistent,
checked copy while the server runs and writes; `tocsin store restore FILE` refuses a running
server's data directory and a damaged file, then replaces the store; the server starts on the
restored file and its audit chain verifies. SQLite only: PostgreSQL's tools are pg_dump and
pg_restore (the verbs say so)."""
import os
import shutil
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
    # the kept copy is the whole old database, the incident made after the backup included
    con = sqlite3.connect(f"file:{s.db_path}.before-restore?mode=ro", uri=True)
    try:
        assert con.execute("SELECT count(*) FROM incidents WHERE id = ?", (after,)).fetchone() == (1,)
    finally:
        con.close()
    s.start()
    st, j = s.api("POST", "/api/v1/audit/verify")
    assert st == 200 and j["valid"] is True, j
    st, j = s.api("GET", f"/api/v1/incidents/{after}")
    assert st == 404, "the restored store is the backup's: the later incident is not in it"
    for iid in before:
        assert s.get(iid)["id"] == iid
    p = store(s, "check")
    assert p.returncode == 0, p.stderr


def test_backup_under_alert_ingest_restores_into_a_fresh_data_dir(make_server, tmp_path):
    """The issue's test: a backup taken while alerts are being ingested, restored into a fresh
    data directory, a server started on it: the chain verifies and every alert whose ingest was
    acknowledged (2xx) before the backup started is in it."""
    from test_ingest_support import generic, ingest_config, key_of

    s = make_server(dev_clock=True, config_text=ingest_config())
    key = key_of(s, "api", "generic")
    stop, acked, errors = threading.Event(), [], []
    lock = threading.Lock()

    def ingester(n):
        i = 0
        while not stop.is_set():
            d = f"load-{n}-{i}"
            i += 1
            try:
                r = generic(s, key, {"summary": d, "dedup_key": d}, check=False)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return
            if r.status // 100 == 2:
                with lock:
                    acked.append(d)
            elif r.status != 429:
                errors.append(r)
                return

    threads = [threading.Thread(target=ingester, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    try:
        while len(acked) < 30 and not errors:
            threading.Event().wait(0.01)  # until the load is under way (not a clock wait)
        with lock:
            before = list(acked)
        backup = str(tmp_path / "load.db")
        p = store(s, "backup", backup)
        with lock:
            during = len(acked) - len(before)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert p.returncode == 0, p.stderr
    assert during > 0 or len(acked) > len(before), "alerts were ingested while the backup ran"

    fresh = make_server(dev_clock=True, config_text=ingest_config(), start=False)
    assert not os.path.exists(fresh.db_path)
    p = store(fresh, "restore", backup)
    assert p.returncode == 0, p.stderr
    # the ack-link key and the admin token are not in the database (secrets of the data
    # directory; the store keeps the token's hash): a restore on a new directory takes them along
    # (docs/security.md "Backups"), or the server refuses to start (another key) and no
    # admin.token is written (the store already has one)
    for name in ("notify.key", "admin.token"):
        shutil.copyfile(os.path.join(s.data, name), os.path.join(fresh.data, name))
        os.chmod(os.path.join(fresh.data, name), 0o600)
    fresh.start()
    v = fresh.verify()
    assert v["valid"] is True, v
    with sqlite3.connect(fresh.db_path) as db:
        restored = {r[0] for r in db.execute("SELECT dedup_key FROM alerts")}
    missing = [d for d in before if d not in restored]
    assert not missing, f"{len(missing)} acknowledged alerts missing from the backup: {missing[:5]}"
