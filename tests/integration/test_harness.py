"""The harness itself: a server a test starts cannot outlive the test process.

An inner pytest (a file written here) starts a tocsin through the harness and a second process
through the same `Managed` class the peers use, writes their PIDs and then blocks. This test
`kill -9`s that pytest and polls /proc (bounded) until both are gone. Without the parent-death
signal both would be left running, reparented to init, and the poll would fail.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from tocsin_harness import HERE, clean_env, proc_start_time, require_bin

INNER = textwrap.dedent('''
    import json, os, sys, threading
    sys.path.insert(0, {here!r})
    from tocsin_harness import Managed, Server

    def test_start_and_block(tmp_path):
        srv = Server(tmp_path / "srv").start()
        other = Managed("sleeper", [sys.executable, "-c", "import time; time.sleep(3600)"],
                        stdout=None, stderr=None)
        with open({out!r} + ".tmp", "w") as f:
            json.dump({{"tocsin": srv.pid, "other": other.pid, "pytest": os.getpid()}}, f)
        os.rename({out!r} + ".tmp", {out!r})
        threading.Event().wait(600)   # killed long before this
''')

START_S = 120     # the inner pytest must have its server up within this (ASan start-up is slow)
GONE_S = 3       # after the kill, the kernel's SIGKILL must have ended them within this


def poll(fn, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    return fn()


def test_kill9_of_pytest_leaves_no_server_running(tmp_path):
    require_bin()
    out = str(tmp_path / "pids.json")
    inner = tmp_path / "inner" / "test_inner.py"
    inner.parent.mkdir()
    inner.write_text(INNER.format(here=HERE, out=out))
    env = clean_env({"TOCSIN_BIN": os.environ.get("TOCSIN_BIN", "")} if os.environ.get("TOCSIN_BIN") else None)
    log = open(tmp_path / "inner.log", "wb")
    runner = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "--rootdir", str(inner.parent), str(inner)],
                              cwd=str(inner.parent), stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, env=env)
    started = {}
    try:
        pids = poll(lambda: os.path.exists(out) or runner.poll() is not None, START_S) and \
            os.path.exists(out) and json.load(open(out))
        assert pids, f"the inner pytest did not start its servers (exit {runner.poll()}):\n" \
                     f"{(tmp_path / 'inner.log').read_text()[-4000:]}"
        assert pids["pytest"] == runner.pid
        for name in ("tocsin", "other"):
            pid = pids[name]
            started[name] = (pid, proc_start_time(pid))
            assert started[name][1] is not None, f"{name} (pid {pid}) is not running"
            assert os.getpgid(pid) == pid and os.getsid(pid) == pid, \
                f"{name} (pid {pid}) is not in its own session and process group"
        with open(f"/proc/{pids['tocsin']}/cmdline", "rb") as f:
            assert f.read().split(b"\0")[0] == os.fsencode(require_bin()), "that pid is not our tocsin"

        os.kill(runner.pid, signal.SIGKILL)
        runner.wait(timeout=30)

        def all_gone():
            return all(proc_start_time(pid) != t for pid, t in started.values())
        assert poll(all_gone, GONE_S), \
            f"still running {GONE_S}s after kill -9 of the pytest that started them: " \
            f"{[n for n, (pid, t) in started.items() if proc_start_time(pid) == t]}"
    finally:
        # Never leak from here either: whatever is still the same process gets SIGKILL.
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for pid, t in started.values():
            if t is not None and proc_start_time(pid) == t:
                os.kill(pid, signal.SIGKILL)
        log.close()
