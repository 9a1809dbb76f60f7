#!/usr/bin/python3
"""What the engine's time-based passes over open incidents cost (docs/internals/engine.md, 6):
the same server and the same open incidents, once with a config that asks for none of them, once
with `roles[].backup_after` (role_backup_pass reads each unacknowledged incident's timeline) and a
rule with `when.open_for` (incident_rules_clock_pass reads each open incident), side by side.

Each run starts `tocsin serve --dev-clock` (the binary in $TOCSIN_BIN, else build/tocsin) on a
fresh SQLite store, declares N incidents (each gets a commander from the roles entry in the second
config), then times ADVANCES dev clock advances of 1 s: each answers after a full engine pass that
started after the move, so its time is one pass plus the request. Reports the median and p90 per
advance for each config and their ratio (with / without). Nothing comes due during the walk (the
backup delay and open_for are hours away), so the passes only look.

  TOCSIN_BIN=build/tocsin python3 bench/engine_passes.py [N=300] [ADVANCES=60]
"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from tocsin_harness import FIXTURE_CONFIG, Server  # noqa: E402

PASSES = """
schedules:
  - id: oncall
    name: On call
    timezone: UTC
    layers:
      - {name: primary, rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob]}}
      - {name: secondary, rotation: {every: 1w, handoff: "mon 09:00", users: [bob, carol]}}
roles:
  - {role: commander, primary: "schedule:oncall/primary", backup: "schedule:oncall/secondary",
     backup_after: 10h}
rules:
  - id: open-a-day
    when: {severity: [SEV2, SEV3], open_for: 1d}
    set_fields: {long_running: "yes"}
"""


def run(config_text, n, advances):
    with tempfile.TemporaryDirectory() as d:
        s = Server(__import__("pathlib").Path(d), dev_clock=True, config_text=config_text)
        s.start()
        try:
            s.pin_clock()
            for i in range(n):
                s.create(f"incident {i}", "SEV2" if i % 2 else "SEV3")
            s.advance("1s")
            times = []
            for _ in range(advances):
                t0 = time.perf_counter()
                s.advance("1s")
                times.append(time.perf_counter() - t0)
        finally:
            s.stop()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    advances = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    base = open(FIXTURE_CONFIG).read()
    without = run(base, n, advances)
    with_passes = run(base + PASSES, n, advances)
    print(f"| open incidents | advances | without: median, p90 (ms) | with roles backup_after + "
          f"open_for: median, p90 (ms) | ratio of medians |")
    print("|---|---|---|---|---|")
    print(f"| {n} | {advances} | {without[0] * 1000:.1f}, {without[1] * 1000:.1f} | "
          f"{with_passes[0] * 1000:.1f}, {with_passes[1] * 1000:.1f} | "
          f"{with_passes[0] / without[0]:.2f} |")


if __name__ == "__main__":
    main()
