#!/usr/bin/env bash
# What one ingest request costs PostgreSQL, in statements (round trips), a figure the machine's
# load cannot move (part of bench/pg.sh; also runs alone: bash bench/pg_statements.sh).
#
# Starts a throwaway cluster (scripts/pg_cluster.sh) and one tocsin node on it, turns on
# log_statement = 'all' (ALTER SYSTEM + pg_reload_conf()), then sends N single-alert POSTs and N
# 100-alert POSTs, one at a time, every alert distinct (the same webhook body as bench/alerts.lua),
# and counts the statements the server log shows during each series: all of them (the node's
# background passes included) and those of the writer backend (the one that takes the write lock: the node's writer connection,
# which runs the ingest transactions). Prints a markdown table.
#
# Environment: TOCSIN_BIN (default build/tocsin), BENCH_STMT_POSTS (default 20).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
TOCSIN=${TOCSIN_BIN:-$REPO/build/tocsin}
N=${BENCH_STMT_POSTS:-20}
PY=/usr/bin/python3

log() { printf 'bench-pg-statements: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

PID='' TMP='' PGDIR=''
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null || true
  fi
  [ -n "$PGDIR" ] && bash "$REPO/scripts/pg_cluster.sh" stop "$PGDIR" || true
  [ -n "$TMP" ] && rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$TOCSIN" ] || die "$TOCSIN not found"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-pgstmt.XXXXXX")
PGDIR=$(mktemp -d /tmp/tpgs.XXXXXX)
rmdir "$PGDIR"
PG=$(bash "$REPO/scripts/pg_cluster.sh" start "$PGDIR") || die "pg_cluster.sh start failed"
PGLOG=$PGDIR/server.log

awk '/^storage:/ { skip = 1; next } skip && /^[^ ]/ { skip = 0 } !skip' bench/tocsin-bench.yaml >"$TMP/c.yaml"
printf '\nstorage: {driver: postgres, url: "%s"}\n' "$PG" >>"$TMP/c.yaml"
mkdir -p "$TMP/data"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
"$TOCSIN" serve --config "$TMP/c.yaml" --data "$TMP/data" --listen "127.0.0.1:$PORT" --node stmt-0 \
  >"$TMP/tocsin.log" 2>&1 </dev/null &
PID=$!
for ((i = 0; i < 300; i++)); do
  curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$TMP/tocsin.log" >&2; die "tocsin exited"; }
  sleep 0.1
done
ADMIN=$(cat "$TMP/data/admin.token")
KEY=$(curl -fsS --max-time 30 -X POST "$URL/api/v1/integrations" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"service":"bench","type":"alertmanager"}' |
  "$PY" -c 'import json, sys; print(json.load(sys.stdin)["key"])')

psql -X -q -v ON_ERROR_STOP=1 "$PG" -c "ALTER SYSTEM SET log_statement = 'all'" \
  -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] '" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1

# series BATCH: N POSTs of BATCH distinct alerts, one at a time; prints "total writer seconds"
series() {
  local batch=$1 start end
  start=$(stat -c %s "$PGLOG")
  "$PY" - "$URL" "$KEY" "$batch" "$N" <<'EOF' || die "a POST was not answered 200"
import json, sys, time, urllib.request
url, key, batch, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for r in range(n):
    alerts = [{"status": "firing", "labels": {"alertname": "BenchAlert", "instance": f"s{batch}-{r}-{i}",
               "job": "bench", "severity": "warning"}, "annotations": {"summary": "bench"},
               "startsAt": "2026-01-01T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
               "generatorURL": "http://127.0.0.1/bench", "fingerprint": f"{batch:04x}{r:04x}{i:08x}"}
              for i in range(batch)]
    body = {"version": "4", "groupKey": "{}:{alertname=\"BenchAlert\"}", "truncatedAlerts": 0,
            "status": "firing", "receiver": "tocsin", "groupLabels": {"alertname": "BenchAlert"},
            "commonLabels": {"alertname": "BenchAlert"}, "commonAnnotations": {},
            "externalURL": "http://127.0.0.1:9093", "alerts": alerts}
    req = urllib.request.Request(url + "/api/v1/ingest/alertmanager", json.dumps(body).encode(),
                                 {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        assert resp.status == 200, resp.status
EOF
  sleep 0.5   # let the log catch up
  end=$(stat -c %s "$PGLOG")
  tail -c +"$((start + 1))" "$PGLOG" | head -c "$((end - start))" |
    awk 'match($0, /\[[0-9]+\] LOG:  (statement|execute)/) {
           total++; pid = substr($0, RSTART + 1); sub(/\].*/, "", pid); by[pid]++
           if ($0 ~ /pg_advisory_xact_lock\(127978830768495\)/) locks[pid]++
         }
         END { w = ""; m = 0; for (p in locks) if (locks[p] > m) { m = locks[p]; w = p }
               print total + 0, (w == "" ? 0 : by[w]) }'
}

IDLE_START=$(stat -c %s "$PGLOG"); sleep 2
IDLE=$(tail -c +"$((IDLE_START + 1))" "$PGLOG" | grep -cE 'LOG:  (statement|execute)' || true)
read -r T1 B1 < <(series 1)
read -r T100 B100 < <(series 100)

echo "### Statements per ingest request on PostgreSQL (one node, $N POSTs each, one at a time)"
echo
echo "| request | statements per POST (all backends) | per POST on the writer's backend (the one taking the write lock) | per alert (writer) |"
echo "|---|---:|---:|---:|"
awk -v t="$T1" -v b="$B1" -v n="$N" 'BEGIN { printf "| 1 alert/POST | %.1f | %.1f | %.1f |\n", t / n, b / n, b / n }'
awk -v t="$T100" -v b="$B100" -v n="$N" 'BEGIN { printf "| 100 alerts/POST | %.1f | %.1f | %.2f |\n", t / n, b / n, b / n / 100 }'
echo
echo "Idle node for comparison: $IDLE statements in 2 s (background passes), included in the 'all backends' column."
