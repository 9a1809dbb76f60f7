#!/usr/bin/env bash
# Where tocsin's time goes under one single-alert load (issue 15, budget 4), not part of make bench:
#
#   bash bench/profile.sh webhook|ev2 CONNS [OUTDIR]      (TOCSIN_BIN default build/tocsin)
#
# Starts a fresh tocsin on bench/tocsin-bench.yaml (127.0.0.1, a free port, a temp data dir),
# creates the integration, then runs `perf record -F 999 -g -p PID` for 10 s while
# `wrk -t2 -cCONNS -d10s -s bench/alerts.lua` sends one distinct alert per POST (the same load as
# make bench). Prints the load average before and after, alerts/s, tocsin's CPU time per alert
# (utime+stime of all threads from /proc/PID/stat, kernel work included), wrk's own CPU per
# request (getrusage of the child), and the samples bucketed by bench/perf_buckets.py. Every
# process it starts is stopped by PID, also on error.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
route=${1:?usage: profile.sh webhook|ev2 CONNS [OUTDIR]} conns=${2:?CONNS}
out=${3:-$(mktemp -d /tmp/tocsin-profile.XXXXXX)}
TOCSIN=${TOCSIN_BIN:-$REPO/build/tocsin}
PY=/usr/bin/python3
command -v perf >/dev/null || { echo "profile.sh: perf not installed (linux-perf)" >&2; exit 1; }
mkdir -p "$out/data"
TP=
cleanup() { [ -n "$TP" ] && kill -TERM "$TP" 2>/dev/null && wait "$TP" 2>/dev/null; true; }
trap cleanup EXIT
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TOCSIN" serve --config "$REPO/bench/tocsin-bench.yaml" --data "$out/data" \
  --listen "127.0.0.1:$port" >"$out/tocsin.log" 2>&1 </dev/null &
TP=$!
for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
type=alertmanager fmt=webhook
[ "$route" = ev2 ] && type=events_v2 fmt=ev2
key=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/integrations" \
  -H "Authorization: Bearer $(cat "$out/data/admin.token")" -H 'Content-Type: application/json' \
  -d "{\"service\":\"bench\",\"type\":\"$type\"}" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["key"])')
load0=$(cat /proc/loadavg)
c0=$(awk '{ print $14 + $15 }' "/proc/$TP/stat")
perf record -F 999 -g -o "$out/perf.data" -p "$TP" -- sleep 10 2>"$out/perf.err" &
PP=$!
"$PY" -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:]).returncode
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("WRKCPU %.3f" % (r.ru_utime + r.ru_stime))
sys.exit(rc)' wrk -t2 -c"$conns" -d10s --timeout 30s --latency -s "$REPO/bench/alerts.lua" \
  "http://127.0.0.1:$port" -- "$fmt" 1 7 "$key" >"$out/wrk.out" 2>&1
wait "$PP" || true
c1=$(awk '{ print $14 + $15 }' "/proc/$TP/stat")
tck=$(getconf CLK_TCK)
req=$(sed -n 's/.*BENCHRESULT requests=\([0-9]*\).*/\1/p' "$out/wrk.out")
bad=$(sed -n 's/.*status=\([0-9]*\).*/\1/p' "$out/wrk.out")
wcpu=$(sed -n 's/^WRKCPU //p' "$out/wrk.out")
echo "profile: $route, $conns connections, tocsin $TOCSIN, data in $out"
echo "load average before: $load0; after: $(cat /proc/loadavg)"
awk -v r="$req" -v b="$bad" -v c="$((c1 - c0))" -v t="$tck" -v w="$wcpu" 'BEGIN {
  printf "%d requests in 10 s (%.0f/s), %d non-2xx; tocsin CPU %.1f us/alert; wrk CPU %.1f us/request\n",
    r, r / 10, b, c * 1e6 / t / r, w * 1e6 / r }'
perf script -i "$out/perf.data" 2>/dev/null | "$PY" "$REPO/bench/perf_buckets.py"
