#!/usr/bin/python3
"""What one durable write costs on this disk: the floor under tocsin's durable ingest.

  bench/fsync_cost.py [DIR] [N]     (DIR default $TMPDIR or /tmp, N default 2000)

Measures, in a temporary file under DIR (the bench's data dirs live in $TMPDIR or /tmp):
  1. 4 KiB pwrite at the end of a growing file + fdatasync (a WAL that is still growing);
  2. 4 KiB pwrite over an already written block + fdatasync (a WAL being reused after a
     checkpoint: no size change, so no metadata to flush);
  3. the same with fsync;
  4. 9 WAL-like frames (24-byte header + 4 KiB page each, 18 pwrites) + fdatasync, in a growing
     file and over already written blocks (what one single-alert commit of tocsin writes);
  5. a SQLite commit of one small row, WAL, synchronous=FULL (what tocsin's commit has to pay
     at least: WAL frame writes + one fdatasync), one connection, commits back to back.
For each: the median and the 99th percentile in microseconds, and the commits per second one
thread gets doing nothing else. Stdlib only; no network.
"""
import os
import sqlite3
import statistics
import sys
import tempfile
import time


def timed(fn, n):
    out = []
    for i in range(n):
        t0 = time.perf_counter_ns()
        fn(i)
        out.append((time.perf_counter_ns() - t0) / 1000.0)
    out.sort()
    return out


MEANS = {}  # short name -> mean microseconds, for the FSYNCRESULT line bench/run.sh reads


def report(name, us, short):
    med = statistics.median(us)
    p99 = us[int(len(us) * 0.99) - 1]
    mean = statistics.fmean(us)
    MEANS[short] = mean
    print(f"| {name} | {len(us)} | {med:.0f} | {p99:.0f} | {mean:.0f} | {1e6 / mean:.0f} |")


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TMPDIR", "/tmp")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    block = b"x" * 4096
    with tempfile.TemporaryDirectory(dir=d, prefix="fsync-cost.") as tmp:
        path = os.path.join(tmp, "f")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            print("| write | n | median us | p99 us | mean us | per second, one thread |")
            print("|---|---:|---:|---:|---:|---:|")
            report("4 KiB append + fdatasync (file grows)",
                   timed(lambda i: (os.pwrite(fd, block, i * 4096), os.fdatasync(fd)), n), "append4k")
            report("4 KiB overwrite + fdatasync (same size)",
                   timed(lambda i: (os.pwrite(fd, block, (i % 64) * 4096), os.fdatasync(fd)), n), "overwrite4k")
            report("4 KiB overwrite + fsync (same size)",
                   timed(lambda i: (os.pwrite(fd, block, (i % 64) * 4096), os.fsync(fd)), n), "overwrite4k_fsync")
            # what one SQLite WAL commit of 9 pages looks like: 9 frames, each a 24-byte header
            # and a 4 KiB page (two pwrites), then one fdatasync
            hdr, frame = b"h" * 24, 4096 + 24

            def wal_commit(base):
                def run(i):
                    off = base(i)
                    for k in range(9):
                        os.pwrite(fd, hdr, off + k * frame)
                        os.pwrite(fd, block, off + k * frame + 24)
                    os.fdatasync(fd)
                return run

            os.ftruncate(fd, 0)
            os.fdatasync(fd)
            report("9-frame WAL commit, file grows",
                   timed(wal_commit(lambda i: i * 9 * frame), n), "wal9_grow")
            report("9-frame WAL commit, over written blocks",
                   timed(wal_commit(lambda i: (i % 64) * 9 * frame), n), "wal9")
        finally:
            os.close(fd)
        db = sqlite3.connect(os.path.join(tmp, "t.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")

        def commit(i):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t(v) VALUES (?)", (f"row {i}",))
            db.execute("COMMIT")

        report("SQLite WAL commit of one row, synchronous=FULL", timed(commit, n), "sqlite1")
        db.close()
    print(f"\n(dir {d}; SQLite {sqlite3.sqlite_version})")
    print("FSYNCRESULT " + " ".join(f"{k}_mean_us={v:.1f}" for k, v in MEANS.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
