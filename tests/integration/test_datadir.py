"""The data directory (issue 14 items 7 and 11, docs/security.md): one server per directory (a
second one exits non-zero naming the first's pid and changes no file), owner-only modes (umask
077), a warning for files others can read, admin.token written whole."""
import os
import signal
import stat
import subprocess

import pytest

from tocsin_harness import REPO, free_port, on_pg, run_bin


def snapshot(d):
    """Every file under d: its size, mtime (ns) and mode."""
    out = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            out[os.path.relpath(p, d)] = (st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return out


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def second_server(s):
    return run_bin("serve", "--config", s.config_path, "--data", s.data,
                   "--listen", f"127.0.0.1:{free_port()}", "--dev-clock")


def test_second_server_on_the_same_data_dir_exits_and_touches_nothing(make_server):
    s = make_server(dev_clock=True)
    first = s.create("before the second server")
    # the first server is frozen meanwhile (its engine and notifier may still write after the
    # create): every change seen is the second server's. SIGSTOP keeps its lock.
    s.signal(signal.SIGSTOP)
    try:
        before = snapshot(s.data)
        if not on_pg():
            assert "tocsin.db-wal" in before, sorted(before)  # the WAL a second one zero-filled
        p = second_server(s)
        after = snapshot(s.data)
    finally:
        s.signal(signal.SIGCONT)
    assert p.returncode != 0, (p.returncode, p.stderr[-2000:])
    assert f"pid {s.pid}" in p.stderr and "in use" in p.stderr, p.stderr[-2000:]
    assert "serving on" not in p.stdout, p.stdout
    assert after == before, "the refused server changed the data dir"
    # the first server keeps working, and its data is intact
    assert s.get(first["id"])["title"] == "before the second server"
    second = s.create("after the second server")
    assert s.get(second["id"])["status"] == "triggered"
    assert s.verify()["valid"] is True


def test_lock_is_released_when_the_server_stops_even_by_kill9(make_server):
    s = make_server(dev_clock=True)
    inc = s.create("survives restarts")
    s.kill9()  # the kernel drops a flock with its process: no stale lock
    s.start()
    assert s.get(inc["id"])["title"] == "survives restarts"
    s.restart()
    assert s.get(inc["id"])["title"] == "survives restarts"


def test_fresh_data_dir_and_files_are_owner_only(make_server):
    s = make_server(dev_clock=True, start=False)
    s.data = os.path.join(s.root, "fresh", "data")  # tocsin creates it (its parent exists)
    os.makedirs(os.path.dirname(s.data))
    s.start()
    s.create("one write, so the WAL exists")
    assert mode(s.data) == 0o700, oct(mode(s.data))
    names = ["admin.token", "tocsin.lock"]
    if not on_pg():
        names += ["tocsin.db", "tocsin.db-wal", "tocsin.db-shm"]
    for n in names:
        p = os.path.join(s.data, n)
        assert os.path.exists(p), n
        assert mode(p) == 0o600, (n, oct(mode(p)))
    for n in os.listdir(s.data):  # everything else tocsin wrote there too (notify.key...)
        assert mode(os.path.join(s.data, n)) & 0o077 == 0, (n, oct(mode(os.path.join(s.data, n))))
    assert "security:" not in s.stderr_text(), s.stderr_text()[-2000:]
    assert not [n for n in os.listdir(s.data) if n.endswith(".tmp")], os.listdir(s.data)


def test_readable_files_of_an_existing_install_are_warned_about(make_server):
    s = make_server(dev_clock=True, start=False)
    os.chmod(s.data, 0o755)  # as an older tocsin, or `make run`, left it
    s.start()
    err = s.stderr_text()
    assert f"security: {s.data} is mode 0755" in err, err[-2000:]
    s.stop()
    os.chmod(s.data, 0o700)
    tok = os.path.join(s.data, "admin.token")
    os.chmod(tok, 0o644)
    if not on_pg():
        os.chmod(s.db_path, 0o640)
    s.start()
    err = s.stderr_text()
    assert f"security: {tok} is mode 0644" in err, err[-2000:]
    assert f"security: {s.data} is mode" not in err, err[-2000:]
    if not on_pg():
        assert f"security: {s.db_path} is mode 0640" in err, err[-2000:]
    assert s.api("GET", "/healthz", token=None)[0] == 200, "a warning, not a refusal"


def test_make_run_creates_its_data_dir_owner_only(tmp_path):
    """scripts/run.sh (`make run`): its data dir is 0700 whatever the umask. The server it starts
    is given a missing config, so it exits at once; the directory was made before."""
    if not os.access(os.path.join(REPO, "build", "tocsin"), os.X_OK):
        pytest.skip("build/tocsin (which scripts/run.sh runs) is not built")
    data = tmp_path / "rundata"
    env = dict(os.environ, TOCSIN_DATA=str(data), TOCSIN_CONFIG=str(tmp_path / "missing.yaml"),
               TOCSIN_LISTEN=f"127.0.0.1:{free_port()}")
    p = subprocess.run(["bash", "-c", "umask 022; exec bash scripts/run.sh"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0, p.stdout
    assert mode(data) == 0o700, oct(mode(data))
