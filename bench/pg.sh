#!/usr/bin/env bash
# `make bench`, part 3 (issue 13): tocsin on PostgreSQL, one node and three nodes, beside tocsin on
# SQLite and Prometheus Alertmanager 0.25, in one run, on loopback. See docs/BENCHMARKS.md,
# "Several nodes on PostgreSQL (issue 13)".
#
#   bash bench/pg.sh                 (what `make bench` runs after bench/run.sh; BENCH_PG=0 skips it)
#
# Environment:
#   BENCH_PG          0 skips this whole script (default 1)
#   BENCH_DURATION    length of each wrk run (default 10s)
#   BENCH_LOADS       throughput loads, BATCHxCONNS (default "1x2 1x16 100x2 100x16")
#   BENCH_LATENESS    1 (default) runs the escalation-lateness part, 0 skips it
#   BENCH_INCIDENTS   open incidents for the lateness part (default 10000)
#   BENCH_WALK        dev-clock step of the lateness walk (default 500ms)
#   BENCH_PG_STATEMENTS  1 (default) also runs bench/pg_statements.sh (statements per request), 0 skips
#   TOCSIN_BIN        the server binary (default build/tocsin)
#
# What it does:
#   1. starts a throwaway PostgreSQL 15 cluster (scripts/pg_cluster.sh: unix socket only, fsync on,
#      synchronous_commit on), one fresh database per server run;
#   2. ingest: for each load, one server set at a time, each fresh: Alertmanager (in memory),
#      tocsin on SQLite (one node), tocsin on PostgreSQL (one node), tocsin on PostgreSQL (three
#      nodes on one database, notify.key copied from the first). wrk + bench/alerts.lua, exactly as
#      bench/run.sh. Three nodes: one wrk per node at the same time, the connections split over
#      them (16 -> 6+5+5; 2 -> 1+1, the third node running idle: wrk cannot open fewer than one
#      connection, and a third connection would make the load unlike the others); alerts/s is the
#      sum of the three wrks' 2xx answers over the longest of their durations; p50/p99 are the
#      worst node's;
#   3. escalation lateness (bench/lateness.py): 10,000 incidents declared round-robin over three
#      PostgreSQL nodes started with --dev-clock, the shared clock walked across their second
#      step's deadline; then the same on one SQLite node;
#   4. prints the tables and appends them to bench/results/latest.md;
#   5. bench/pg_statements.sh: statements (round trips) per ingest request on PostgreSQL, a figure
#      the machine's load cannot move (its own cluster, after this one is stopped).
# Only 2xx answers count; any other answer or socket error is shown and makes the exit status 1.
# Every process it starts is stopped by PID on exit, whatever the exit; the cluster is stopped and
# removed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
[ "${BENCH_PG:-1}" = 0 ] && { echo "bench/pg.sh: skipped (BENCH_PG=0)" >&2; exit 0; }
DURATION=${BENCH_DURATION:-10s}
LOADS=${BENCH_LOADS:-1x2 1x16 100x2 100x16}
DO_LATE=${BENCH_LATENESS:-1}
INCIDENTS=${BENCH_INCIDENTS:-10000}
WALK=${BENCH_WALK:-500ms}
TOCSIN=${TOCSIN_BIN:-$REPO/build/tocsin}
AM=/usr/bin/prometheus-alertmanager
PY=/usr/bin/python3
BASE_CONFIG=$REPO/bench/tocsin-bench.yaml
LUA=$REPO/bench/alerts.lua
RESULTS=$REPO/bench/results
READY_TRIES=300
STOP_TRIES=100

log() { printf 'bench-pg: %s\n' "$*" >&2; }
# shared helpers: die, stop_pid, forget_pid, free_port, ms, ratio
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

# --- process control --------------------------------------------------------------------------------
PIDS=()
TMP=
PGDIR=

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  [ -n "$PGDIR" ] && bash "$REPO/scripts/pg_cluster.sh" stop "$PGDIR" || true
  [ -n "$TMP" ] && rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_ready() {  # URL NAME PID LOG
  local url=$1 name=$2 pid=$3 logf=$4 i
  for ((i = 0; i < READY_TRIES; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logf" >&2; die "$name exited before it was ready"; }
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 30 "$logf" >&2
  die "$name not ready after $((READY_TRIES / 10))s ($url)"
}

# --- PostgreSQL -------------------------------------------------------------------------------------
PG_BASE=
DBN=0
new_db() {  # sets DB_URL to a fresh database on the cluster (not in a subshell: DBN counts)
  DBN=$((DBN + 1))
  local name=bench_$DBN
  psql -X -q -v ON_ERROR_STOP=1 "$PG_BASE" -c "CREATE DATABASE $name" >&2 || die "CREATE DATABASE $name"
  DB_URL=${PG_BASE/\/postgres\?//$name?}
}

# write_config SRC DEST STORAGE: SRC without its storage: block, then STORAGE (a YAML line)
write_config() {
  awk '/^storage:/ { skip = 1; next } skip && /^[^ ]/ { skip = 0 } !skip' "$1" >"$2"
  printf '\n%s\n' "$3" >>"$2"
}

# --- tocsin nodes -----------------------------------------------------------------------------------
# start_nodes NAME N CONFIG [EXTRA ARGS...]: N nodes on CONFIG (its storage shared); sets NODE_PIDS,
# NODE_URLS, T_ADMIN, NODE_DATA (first node's data dir)
start_nodes() {
  local name=$1 n=$2 cfg=$3 i dir port pid
  shift 3
  NODE_PIDS=() NODE_URLS=()
  for ((i = 0; i < n; i++)); do
    dir=$TMP/$name/node$i
    mkdir -p "$dir/data"
    [ "$i" -gt 0 ] && cp "$TMP/$name/node0/data/notify.key" "$dir/data/notify.key"
    port=$(free_port)
    "$TOCSIN" serve --config "$cfg" --data "$dir/data" --listen "127.0.0.1:$port" \
      --node "$name-$i" "$@" >"$dir/tocsin.log" 2>&1 </dev/null &
    pid=$!
    PIDS+=("$pid")
    NODE_PIDS+=("$pid")
    NODE_URLS+=("http://127.0.0.1:$port")
    wait_ready "http://127.0.0.1:$port/healthz" "tocsin $name-$i" "$pid" "$dir/tocsin.log"
    if [ "$i" -eq 0 ]; then
      [ -s "$dir/data/admin.token" ] || die "tocsin wrote no $dir/data/admin.token"
      T_ADMIN=$(cat "$dir/data/admin.token")
      NODE_DATA=$dir/data
    fi
  done
}

stop_nodes() {
  local p
  for p in "${NODE_PIDS[@]}"; do stop_pid "$p"; forget_pid "$p"; done
  NODE_PIDS=()
}

create_key() {  # URL -> prints an alertmanager integration key of service bench
  local out=$TMP/integration.json code
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 -X POST "$1/api/v1/integrations" \
    -H "Authorization: Bearer $T_ADMIN" -H 'Content-Type: application/json' \
    -d '{"service":"bench","type":"alertmanager"}')
  [ "$code" = 201 ] || die "POST /api/v1/integrations: $code $(head -c 300 "$out")"
  "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"])' "$out"
}

smoke_tocsin() {  # URL KEY TAG: one alert in, answered 200 {status: ok, alerts: 1}
  local out=$TMP/smoke.json code
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 -X POST "$1/api/v1/ingest/alertmanager" \
    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d '{"version":"4","groupKey":"{}:{alertname=\"BenchSmoke\"}","truncatedAlerts":0,"status":"firing","receiver":"tocsin","groupLabels":{"alertname":"BenchSmoke"},"commonLabels":{"alertname":"BenchSmoke"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","alerts":[{"status":"firing","labels":{"alertname":"BenchSmoke","instance":"smoke-'"$3"'","severity":"warning"},"annotations":{"summary":"smoke"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1/bench","fingerprint":"00000000000000a'"$3"'"}]}')
  [ "$code" = 200 ] || die "smoke $1: POST /api/v1/ingest/alertmanager: $code $(head -c 300 "$out")"
  "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1]))
assert j.get("status") == "ok" and j.get("alerts") == 1, j' "$out" ||
    die "smoke $1: answer is not {status: ok, alerts: 1}: $(head -c 300 "$out")"
}

# --- Alertmanager -----------------------------------------------------------------------------------
start_am() {
  local dir=$TMP/$1 port
  mkdir -p "$dir/am"
  printf 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n' >"$dir/am.yml"
  port=$(free_port)
  "$AM" --config.file="$dir/am.yml" --storage.path="$dir/am" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
    >"$dir/alertmanager.log" 2>&1 </dev/null &
  A_PID=$!
  PIDS+=("$A_PID")
  A_URL=http://127.0.0.1:$port
  wait_ready "$A_URL/-/ready" alertmanager "$A_PID" "$dir/alertmanager.log"
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$A_URL/api/v2/alerts" \
    -H 'Content-Type: application/json' -d '[{"labels":{"alertname":"BenchSmoke","instance":"smoke"}}]')
  [ "$code" = 200 ] || die "alertmanager smoke: $code"
}

# --- wrk --------------------------------------------------------------------------------------------
declare -A R
RUN=0
INVALID=0

# run_wrks KEY BATCH FORMAT AUTHKEY URL:CONNS [URL:CONNS...]: one wrk per URL, all at once
run_wrks() {
  local k=$1 batch=$2 fmt=$3 key=$4 spec url conns out pids=() outs=() i
  shift 4
  for spec in "$@"; do
    url=${spec%:*} conns=${spec##*:}
    RUN=$((RUN + 1))
    out=$TMP/wrk-$RUN.out
    wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"$DURATION" --timeout 30s --latency -s "$LUA" "$url" -- \
      "$fmt" "$batch" "$RUN" "$key" >"$out" 2>&1 </dev/null &
    pids+=($!)
    PIDS+=($!)
    outs+=("$out")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "${outs[$i]}" >&2; die "wrk failed"; }
    forget_pid "${pids[$i]}"
  done
  local ok=0 bad=0 dur=0 p50=0 p99=0 line kv
  for out in "${outs[@]}"; do
    line=$(grep '^BENCHRESULT ' "$out") || { cat "$out" >&2; die "no BENCHRESULT from wrk"; }
    local -A f=()
    for kv in ${line#BENCHRESULT }; do f[${kv%%=*}]=${kv#*=}; done
    ok=$((ok + f[requests] - f[status]))
    bad=$((bad + f[connect] + f[read] + f[write] + f[status] + f[timeout]))
    [ "${f[duration_us]}" -gt "$dur" ] && dur=${f[duration_us]}
    [ "${f[p50_us]}" -gt "$p50" ] && p50=${f[p50_us]}
    [ "${f[p99_us]}" -gt "$p99" ] && p99=${f[p99_us]}
    [ "$((f[connect] + f[read] + f[write] + f[status] + f[timeout]))" -eq 0 ] ||
      log "$k: $out: connect ${f[connect]}, read ${f[read]}, write ${f[write]}, non-2xx ${f[status]}, timeout ${f[timeout]}"
  done
  R[$k,alerts_s]=$(awk -v n="$ok" -v b="$batch" -v d="$dur" 'BEGIN { printf "%.0f", n * b / (d / 1e6) }')
  R[$k,p50]=$p50 R[$k,p99]=$p99 R[$k,errors]=$bad
  [ "$bad" -eq 0 ] || INVALID=1
  log "$k: ${R[$k,alerts_s]} alerts/s (2xx only), p50 $(ms "$p50"), p99 $(ms "$p99"), errors $bad"
}

# split CONNS over N URLs: prints URL:C for each URL with C > 0 (16 over 3 -> 6 5 5; 2 -> 1 1)
split_conns() {
  local conns=$1 i n c
  shift
  n=$#
  i=0
  for url in "$@"; do
    c=$((conns / n + (i < conns % n ? 1 : 0)))
    [ "$c" -gt 0 ] && echo "$url:$c"
    i=$((i + 1))
  done
}

# --- main -------------------------------------------------------------------------------------------
[ -x "$TOCSIN" ] || die "$TOCSIN not found (run make first)"
[ -x "$AM" ] || die "$AM not found (bench/run.sh installs it)"
command -v wrk >/dev/null || die "wrk not found (bench/run.sh installs it)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-pgbench.XXXXXX")
PGDIR=$(mktemp -d /tmp/tpgb.XXXXXX)   # short: the socket path must fit in 107 bytes
rmdir "$PGDIR"
PG_BASE=$(bash "$REPO/scripts/pg_cluster.sh" start "$PGDIR") || die "pg_cluster.sh start failed"
log "PostgreSQL: $PG_BASE ($(psql -X -A -t "$PG_BASE" -c 'SHOW fsync' ) fsync, synchronous_commit $(psql -X -A -t "$PG_BASE" -c 'SHOW synchronous_commit'))"
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
UPTIME_START=$(uptime)
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)

SQLITE_CFG=$TMP/sqlite.yaml
cp "$BASE_CONFIG" "$SQLITE_CFG"

for load in $LOADS; do
  batch=${load%x*} conns=${load#*x}
  [[ "$batch" =~ ^[0-9]+$ && "$conns" =~ ^[0-9]+$ ]] || die "BENCH_LOADS: \"$load\" is not BATCHxCONNS"

  start_am "am-$load"
  log "load $load: Alertmanager"
  run_wrks "$load,am" "$batch" am - "$A_URL:$conns"
  stop_pid "$A_PID"; forget_pid "$A_PID"

  log "load $load: tocsin, SQLite"
  start_nodes "sq-$load" 1 "$SQLITE_CFG"
  key=$(create_key "${NODE_URLS[0]}")
  smoke_tocsin "${NODE_URLS[0]}" "$key" 0
  run_wrks "$load,sqlite" "$batch" webhook "$key" "${NODE_URLS[0]}:$conns"
  stop_nodes

  cfg=$TMP/pg1-$load.yaml
  new_db
  write_config "$BASE_CONFIG" "$cfg" "storage: {driver: postgres, url: \"$DB_URL\"}"
  log "load $load: tocsin, PostgreSQL, one node"
  start_nodes "pg1-$load" 1 "$cfg"
  key=$(create_key "${NODE_URLS[0]}")
  smoke_tocsin "${NODE_URLS[0]}" "$key" 0
  run_wrks "$load,pg1" "$batch" webhook "$key" "${NODE_URLS[0]}:$conns"
  stop_nodes

  cfg=$TMP/pg3-$load.yaml
  new_db
  write_config "$BASE_CONFIG" "$cfg" "storage: {driver: postgres, url: \"$DB_URL\"}"
  log "load $load: tocsin, PostgreSQL, three nodes"
  start_nodes "pg3-$load" 3 "$cfg"
  key=$(create_key "${NODE_URLS[0]}")
  sleep 1.5   # the key was created on node 0; the others see it within a second
  for i in 0 1 2; do smoke_tocsin "${NODE_URLS[$i]}" "$key" "$i"; done
  # shellcheck disable=SC2046
  run_wrks "$load,pg3" "$batch" webhook "$key" $(split_conns "$conns" "${NODE_URLS[@]}")
  stop_nodes
done

# --- escalation lateness ----------------------------------------------------------------------------
LATE_PG='' LATE_SQ=''
if [ "$DO_LATE" = 1 ]; then
  esc_cfg() {  # DEST STORAGE
    cat >"$1" <<'EOF'
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, notify: [email]}
users:
  - {id: alice, name: Alice}
  - {id: bob, name: Bob}
schedules:
  - {id: primary, timezone: UTC, rotation: {every: 1w, handoff: "mon 09:00", users: [alice]}}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [schedule:primary]}
      - {after: 10m, notify: [user:bob]}
services:
  - {id: bench, name: Bench, escalation: default}
EOF
    [ -n "$2" ] && printf '%s\n' "$2" >>"$1"
    "$TOCSIN" check-config "$1" >&2 || die "check-config refused $1"
  }

  new_db
  url=$DB_URL
  esc_cfg "$TMP/late-pg.yaml" "storage: {driver: postgres, url: \"$url\"}"
  log "lateness: $INCIDENTS incidents over three PostgreSQL nodes"
  start_nodes late-pg 3 "$TMP/late-pg.yaml" --dev-clock
  sleep 1.5
  LATE_PG=$("$PY" bench/lateness.py --urls "$(IFS=,; echo "${NODE_URLS[*]}")" --token "$T_ADMIN" \
    --db "$url" --incidents "$INCIDENTS" --walk "$WALK" --label pg3 | grep '^LATENESS ') ||
    die "lateness on PostgreSQL failed"
  log "$LATE_PG"
  stop_nodes

  esc_cfg "$TMP/late-sq.yaml" ""
  log "lateness: $INCIDENTS incidents on one SQLite node"
  start_nodes late-sq 1 "$TMP/late-sq.yaml" --dev-clock
  LATE_SQ=$("$PY" bench/lateness.py --urls "${NODE_URLS[0]}" --token "$T_ADMIN" \
    --db "sqlite:$NODE_DATA/tocsin.db" --incidents "$INCIDENTS" --walk "$WALK" --label sqlite |
    grep '^LATENESS ') || die "lateness on SQLite failed"
  log "$LATE_SQ"
  stop_nodes
fi

# --- report -----------------------------------------------------------------------------------------
report() {
  local load batch conns t
  echo "## tocsin on PostgreSQL, one and three nodes, beside SQLite and Alertmanager ($STARTED)"
  echo
  echo "wrk + bench/alerts.lua, -d$DURATION, every alert distinct, only 2xx answers counted."
  echo "PostgreSQL 15 on a unix socket, fsync on, synchronous_commit on; SQLite synchronous=FULL;"
  echo "Alertmanager in memory. Three nodes: one wrk per node at once, connections split"
  echo "(16 -> 6+5+5, 2 -> 1+1 with the third node idle); p50/p99 are the worst node's."
  echo
  echo "| load | conns | AM alerts/s | SQLite alerts/s | PG 1 node alerts/s | PG 3 nodes alerts/s | PG1/SQLite | PG3/SQLite | PG1/AM | PG3/AM | p99 AM / SQLite / PG1 / PG3 |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for load in $LOADS; do
    batch=${load%x*} conns=${load#*x}
    local e=""
    for t in am sqlite pg1 pg3; do
      [ "${R[$load,$t,errors]}" = 0 ] || e="$e $t:${R[$load,$t,errors]}"
    done
    printf '| %s/POST | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s / %s |%s\n' \
      "$batch" "$conns" "${R[$load,am,alerts_s]}" "${R[$load,sqlite,alerts_s]}" \
      "${R[$load,pg1,alerts_s]}" "${R[$load,pg3,alerts_s]}" \
      "$(ratio "${R[$load,pg1,alerts_s]}" "${R[$load,sqlite,alerts_s]}")" \
      "$(ratio "${R[$load,pg3,alerts_s]}" "${R[$load,sqlite,alerts_s]}")" \
      "$(ratio "${R[$load,pg1,alerts_s]}" "${R[$load,am,alerts_s]}")" \
      "$(ratio "${R[$load,pg3,alerts_s]}" "${R[$load,am,alerts_s]}")" \
      "$(ms "${R[$load,am,p99]}")" "$(ms "${R[$load,sqlite,p99]}")" \
      "$(ms "${R[$load,pg1,p99]}")" "$(ms "${R[$load,pg3,p99]}")" \
      "${e:+ errors:$e}"
  done
  echo
  if [ "$DO_LATE" = 1 ]; then
    echo "Escalation lateness ($INCIDENTS open incidents, steps after 0m and 10m, dev clock walked in"
    echo "$WALK steps across the 10m deadlines; app time, at - (created_at + after)):"
    echo
    echo "| store | nodes | declared/s | step | fired | missing | p50 | p99 | max | doubled | early |"
    echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    "$PY" - "$LATE_PG" "$LATE_SQ" <<'EOF'
import json, sys
for line in sys.argv[1:]:
    j = json.loads(line.split(" ", 1)[1])
    store = "PostgreSQL" if j["label"] == "pg3" else "SQLite"
    for s, v in sorted(j["steps"].items()):
        print(f"| {store} | {j['nodes']} | {j['declare_per_s']} | {s} (after {v['after_min']}m) | "
              f"{v['fired']} | {v['missing']} | {v['p50_ms']} ms | {v['p99_ms']} ms | {v['max_ms']} ms | "
              f"{j['doubled']} | {j['early']} |")
for line in sys.argv[1:]:
    print()
    print("    " + line)
EOF
    echo
  fi
  echo "- tocsin $("$TOCSIN" --version 2>&1 | head -n1), commit $COMMIT; $("$AM" --version 2>&1 | head -n1);"
  echo "  $(/usr/lib/postgresql/15/bin/postgres --version)"
  echo "- machine: $(nproc) CPUs, load average (1/5/15 min) at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- uptime at start: $UPTIME_START"
  echo "- uptime at end:   $(uptime)"
}

mkdir -p "$RESULTS"
report | tee -a "$RESULTS/latest.md"
bash "$REPO/scripts/pg_cluster.sh" stop "$PGDIR"
PGDIR=
if [ "${BENCH_PG_STATEMENTS:-1}" = 1 ]; then
  echo
  TOCSIN_BIN=$TOCSIN bash "$REPO/bench/pg_statements.sh" | tee -a "$RESULTS/latest.md"
fi
[ "$INVALID" = 0 ] || die "some runs had non-2xx answers or socket errors (shown in the table)"
