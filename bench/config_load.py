#!/usr/bin/env python3
"""Config load time for large configs (issue 14 item 8): writes a config with N severities, N users
and N/10 services that each name a severity's escalation policy, then times `tocsin check-config`.

  python3 bench/config_load.py build/tocsin 40000 300000

Prints one line per size: entries, wall and CPU seconds, peak RSS (CPU and RSS from /usr/bin/time
when present; on a shared machine the CPU time is the figure to compare)."""
import os
import subprocess
import sys
import tempfile
import time


def write_config(path, n):
    with open(path, "w") as f:
        f.write("severities:\n")
        for i in range(n):
            f.write(f"  - id: S{i}\n    name: Severity {i}\n")
        f.write("users:\n")
        for i in range(n):
            f.write(f"  - id: u{i}\n    name: User {i}\n    email: u{i}@example.com\n")
        f.write("escalation_policies:\n  - id: default\n    name: Default\n    steps:\n      - {after: 0m, notify: [\"user:u0\"]}\n")
        f.write("services:\n")
        for i in range(max(1, n // 10)):
            f.write(f"  - id: svc{i}\n    name: Service {i}\n    escalation: default\n")


def main():
    binary = sys.argv[1]
    sizes = [int(a) for a in sys.argv[2:]] or [40000]
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            path = os.path.join(d, f"c{n}.yaml")
            write_config(path, n)
            entries = 2 * n + max(1, n // 10)
            cmd = [binary, "check-config", path]
            if os.path.exists("/usr/bin/time"):
                cmd = ["/usr/bin/time", "-f", "%U %S %M"] + cmd
            t0 = time.monotonic()
            p = subprocess.run(cmd, capture_output=True, text=True)
            secs = time.monotonic() - t0
            tail = p.stderr.strip().splitlines()[-1].split() if cmd[0] == "/usr/bin/time" else []
            cpu = f"{float(tail[0]) + float(tail[1]):.2f}" if len(tail) == 3 else "?"
            rss = tail[2] if len(tail) == 3 else "?"
            ok = "ok" if p.returncode == 0 else f"rc={p.returncode}: {p.stdout[:200]}{p.stderr[:200]}"
            print(f"config load: {entries} entries ({os.path.getsize(path)} bytes) "
                  f"{secs:.2f} s wall, {cpu} s CPU, peak RSS {rss} KiB, {ok}")


if __name__ == "__main__":
    main()
