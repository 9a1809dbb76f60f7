"""Out of file descriptors (issue 14 item 2, docs/security.md "Open files"). Once the server runs,
its open-files limit is lowered (prlimit) to a few descriptors above what it holds, and the test
opens more connections than that: accept() fails with EMFILE. libmicrohttpd retries accept at
once on a thread without connections, so it fails in a loop (the issue: 1.9 GB of log a minute);
the log must carry about one line a second per message, with the count of the ones dropped, and
the server must answer again once the connections are closed, and stop within 5 s on SIGTERM
while out of descriptors. The loop is paced (http/conn_guard.c): the server's CPU time while out
of descriptors stays well under the time held.

The rate limit is on the monotonic clock (the dev clock does not move it): the exhaustion is held
for a little over two real seconds."""
import os
import re
import resource
import signal
import socket
import time

from tocsin_harness import Server, http, require_bin
from conftest import _teardown_all
from test_connections import config_with

HOLD_S = 2.5
MHD_LINE = re.compile(r"http: libmicrohttpd: (.*?)(?: \(and (\d+) more like it in the last "
                      r"second\))?$")


def mhd_lines(text):
    return [m for m in (MHD_LINE.search(ln) for ln in text.splitlines()) if m]


def cpu_seconds(pid):
    """User + system CPU time of the process so far (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_accept_failures_are_logged_once_a_second_with_a_count_and_the_server_recovers(tmp_path):
    require_bin()
    srv = Server(tmp_path / "fds", config_text=config_with(
        "server: {listen: \"127.0.0.1:8080\", max_connections_per_address: 1000}"))
    srv.start()
    socks = []
    try:
        assert http("GET", srv.url + "/healthz").status == 200  # threads and store all opened
        held = len(os.listdir(f"/proc/{srv.pid}/fd"))
        hard = resource.prlimit(srv.pid, resource.RLIMIT_NOFILE)[1]
        limit = held + 6  # the soft limit only: lowering the hard one may not be undone
        resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (limit, hard))
        before = len(mhd_lines(srv.stderr_text()))
        cpu0 = cpu_seconds(srv.pid)
        t0 = time.monotonic()
        for _ in range(60):  # the kernel completes them; the server can take only a few
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # half a header: kept open
            socks.append(s)
        while time.monotonic() - t0 < HOLD_S:
            time.sleep(0.1)
        held_for = time.monotonic() - t0
        cpu = cpu_seconds(srv.pid) - cpu0
        print(f"server CPU while out of descriptors: {cpu:.2f} s in {held_for:.2f} s")
        # libmicrohttpd's accept loop on its idle pool threads is paced (50 ms a turn): without
        # that they spin (measured on the loaded 2-core machine: 0.66-0.71 s of CPU in 2.6 s;
        # with it 0.02 s)
        assert cpu < 0.15 * held_for, f"{cpu:.2f} s of CPU in {held_for:.2f} s out of descriptors"
        lines = mhd_lines(srv.stderr_text())[before:]
        assert lines, "no accept failure logged: " + srv.stderr_text()[-2000:]
        kinds = {re.sub(r"\d+", "N", m.group(1)) for m in lines}
        dropped = sum(int(m.group(2) or 0) for m in lines)
        # one line a second per kind of message (plus the first one of each)
        assert len(lines) <= len(kinds) * (int(held_for) + 2), [m.group(0) for m in lines]
        assert dropped >= 10, ("the accept loop should have been counted, not logged: "
                               + "\n".join(m.group(0) for m in lines))
        for s in socks:
            s.close()
        socks = []
        deadline, st = time.monotonic() + 10, None
        while time.monotonic() < deadline:
            try:
                st = http("GET", srv.url + "/healthz", timeout=2).status
                if st == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        assert st == 200, "the server did not answer again once the connections closed"
        # out of descriptors again, and SIGTERM then (it took 30-36 s in the report)
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
            socks.append(s)
        n = len(mhd_lines(srv.stderr_text()))
        deadline = time.monotonic() + 10
        while len(mhd_lines(srv.stderr_text())) == n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(mhd_lines(srv.stderr_text())) > n, "descriptors did not run out again"
        t1 = time.monotonic()
        srv.signal(signal.SIGTERM)
        while srv.proc.poll() is None and time.monotonic() - t1 < 10:
            time.sleep(0.02)
        code = srv.proc.poll()
        # 0, or 1 when libmicrohttpd 0.9.75's quiesce raced a pool thread that had taken the
        # listening socket out of its epoll set (http/server.c on_mhd_panic): said, never an abort
        assert code == 0 or (code == 1 and "libmicrohttpd failed at" in srv.stderr_text()
                             and "exiting now" in srv.stderr_text()), (code, srv.stderr_text()[-2000:])
        assert time.monotonic() - t1 < 5.0
        srv.proc = None
        srv.exit_codes.append(code)
        srv.check_sanitizers()
    finally:
        for s in socks:
            s.close()
        _teardown_all([srv])
