#!/usr/bin/env bash
# `make bench`: tocsin's alert ingest side by side with Prometheus Alertmanager 0.25, in one run,
# on loopback, against the budgets of DESIGN.md §6. See docs/BENCHMARKS.md for what is measured.
#
#   bash bench/run.sh                      (what `make bench` runs, after building build/tocsin)
#
# Environment:
#   BENCH_DURATION    length of each wrk run (default 10s; wrk syntax: 10s, 1m)
#   BENCH_RSS_ALERTS  distinct firing alerts loaded before reading RSS (default 100000)
#   TOCSIN_BIN        the server binary (default build/tocsin)
#   BENCH_LOADS       which throughput loads to run, BATCHxCONNS separated by spaces
#                     (default "1x2 1x16 1x64", the loads of the budgets; 100x2 100x16 add batches)
#   BENCH_ROUTES      which tocsin routes take each load (default "webhook ev2": the Alertmanager
#                     webhook and the PagerDuty Events API v2 /v2/enqueue; ev2 only at 1 alert/POST)
#   BENCH_RSS         1 (default) runs the memory comparison, 0 skips it
#   BENCH_FSYNC_N     writes per kind in bench/fsync_cost.py (default 300), run before and after
#                     the 2-connection loads for the durable-commit ceiling
#
# What it does:
#   1. installs what is missing (prometheus-alertmanager, wrk, procps, curl, python3);
#   2. for each load: starts a fresh Alertmanager (a route to a null receiver, no clustering, temp
#      storage), checks it takes one alert, runs wrk against it (bench/alerts.lua: every alert
#      distinct), stops it; then the same with a fresh tocsin for each route (bench/tocsin-bench.yaml,
#      temp data dir, two integrations created with the admin token): alerts/s (2xx answers only),
#      p50, p99, and the server's CPU time (utime+stime from /proc/PID/stat, i.e. getrusage) and
#      context switches (all its threads) per alert, one server running at a time, all on 127.0.0.1;
#      the 2-connection loads are bracketed by bench/fsync_cost.py (the durable-commit ceiling);
#   3. sends a fresh Alertmanager, then a fresh tocsin, the same 100k distinct firing alerts
#      (100 per POST, bench/preload.py), reads VmRSS/VmHWM from /proc/PID/status, and checks
#      that each holds them all;
#   4. prints the table and the four budgets (met / NOT met) and writes it to bench/results/latest.md.
# Every process it starts is stopped by PID on exit, whatever the exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
DURATION=${BENCH_DURATION:-10s}
RSS_ALERTS=${BENCH_RSS_ALERTS:-100000}
LOADS=${BENCH_LOADS:-1x2 1x16 1x64}
ROUTES=${BENCH_ROUTES:-webhook ev2}
FSYNC_N=${BENCH_FSYNC_N:-300}
DO_RSS=${BENCH_RSS:-1}
TOCSIN=${TOCSIN_BIN:-$REPO/build/tocsin}
AM=/usr/bin/prometheus-alertmanager
PY=/usr/bin/python3
CONFIG=$REPO/bench/tocsin-bench.yaml
LUA=$REPO/bench/alerts.lua
RESULTS=$REPO/bench/results
READY_TRIES=300       # x 0.1 s: readiness polling bound
STOP_TRIES=100        # x 0.1 s: wait this long for SIGTERM before SIGKILL

log() { printf 'bench: %s\n' "$*" >&2; }
# shared helpers: die, stop_pid, forget_pid, free_port, ms, ratio
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

# --- 1. dependencies ------------------------------------------------------------------------------
install_missing() {
  local want=(prometheus-alertmanager wrk procps curl python3) missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  # Debian's postinst would start Alertmanager as a service (listening on every address) unless
  # invoke-rc.d is told not to: with no policy-rc.d on the machine, use one that refuses every
  # start for the duration of the install.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 0755 "$policy"
    own_policy=1
  fi
  local rc=0
  {
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq &&
      $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  } || rc=$?
  [ "$own_policy" = 1 ] && $sudo rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get failed ($rc)"
}

# --- process control --------------------------------------------------------------------------------
PIDS=()
TMP=

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  [ -n "$TMP" ] && rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_ready() {  # URL NAME PID LOG: poll until URL answers 2xx, the process dies, or the bound
  local url=$1 name=$2 pid=$3 logf=$4 i
  for ((i = 0; i < READY_TRIES; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logf" >&2; die "$name exited before it was ready"; }
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 30 "$logf" >&2
  die "$name not ready after $((READY_TRIES / 10))s ($url)"
}

# --- the two servers -------------------------------------------------------------------------------
# start_tocsin NAME: sets T_PID T_URL T_ADMIN T_KEY (alertmanager integration) T_EV2 (events_v2)
start_tocsin() {
  local dir=$TMP/$1 port
  mkdir -p "$dir/data"
  port=$(free_port)
  "$TOCSIN" serve --config "$CONFIG" --data "$dir/data" --listen "127.0.0.1:$port" \
    >"$dir/tocsin.log" 2>&1 </dev/null &
  T_PID=$!
  PIDS+=("$T_PID")
  T_URL=http://127.0.0.1:$port
  wait_ready "$T_URL/healthz" tocsin "$T_PID" "$dir/tocsin.log"
  [ -s "$dir/data/admin.token" ] || die "tocsin wrote no $dir/data/admin.token"
  T_ADMIN=$(cat "$dir/data/admin.token")
  T_KEY=$(create_integration alertmanager "$dir")
  T_EV2=$(create_integration events_v2 "$dir")
}

create_integration() {  # TYPE DIR -> prints the key
  local type=$1 out=$2/integration-$1.json code
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 -X POST "$T_URL/api/v1/integrations" \
    -H "Authorization: Bearer $T_ADMIN" -H 'Content-Type: application/json' \
    -d "{\"service\":\"bench\",\"type\":\"$type\"}")
  [ "$code" = 201 ] || die "POST /api/v1/integrations type=$type: $code $(head -c 300 "$out")
(is alert ingest implemented in this build? see docs/api.md \"Alert ingest\")"
  "$PY" -c 'import json, re, sys
k = json.load(open(sys.argv[1]))["key"]
assert re.fullmatch(r"[0-9a-f]{32}", k), k
print(k)' "$out"
}

# start_am NAME: sets A_PID A_URL
start_am() {
  local dir=$TMP/$1 port
  mkdir -p "$dir/am"
  cat >"$dir/am.yml" <<'EOF'
# Minimal: every alert goes to a receiver with no integrations.
route:
  receiver: "null"
receivers:
  - name: "null"
EOF
  port=$(free_port)
  "$AM" --config.file="$dir/am.yml" --storage.path="$dir/am" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
    >"$dir/alertmanager.log" 2>&1 </dev/null &
  A_PID=$!
  PIDS+=("$A_PID")
  A_URL=http://127.0.0.1:$port
  wait_ready "$A_URL/-/ready" alertmanager "$A_PID" "$dir/alertmanager.log"
}

stop_tocsin() { stop_pid "$T_PID"; forget_pid "$T_PID"; }
stop_am() { stop_pid "$A_PID"; forget_pid "$A_PID"; }

# Each server takes one alert and shows it, so the load below is not measuring an error path.
smoke_am() {
  local out=$TMP/smoke.json code
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 -X POST "$A_URL/api/v2/alerts" \
    -H 'Content-Type: application/json' \
    -d '[{"labels":{"alertname":"BenchSmoke","instance":"smoke","severity":"warning"},"annotations":{"summary":"smoke"}}]')
  [ "$code" = 200 ] || die "alertmanager POST /api/v2/alerts: $code $(head -c 300 "$out")"
  curl -fsS --max-time 30 "$A_URL/api/v2/alerts?filter=alertname%3D%22BenchSmoke%22" >"$out"
  "$PY" -c 'import json, sys; a = json.load(open(sys.argv[1]))
assert len(a) == 1 and a[0]["labels"]["instance"] == "smoke", a' "$out" ||
    die "alertmanager does not show the smoke alert"
}

smoke_tocsin() {
  local out=$TMP/smoke.json code
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 -X POST "$T_URL/api/v1/ingest/alertmanager" \
    -H "Authorization: Bearer $T_KEY" -H 'Content-Type: application/json' \
    -d '{"version":"4","groupKey":"{}:{alertname=\"BenchSmoke\"}","truncatedAlerts":0,"status":"firing","receiver":"tocsin","groupLabels":{"alertname":"BenchSmoke"},"commonLabels":{"alertname":"BenchSmoke"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","alerts":[{"status":"firing","labels":{"alertname":"BenchSmoke","instance":"smoke","severity":"warning"},"annotations":{"summary":"smoke"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1/bench","fingerprint":"00000000000000aa"}]}')
  [ "$code" = 200 ] || die "tocsin POST /api/v1/ingest/alertmanager: $code $(head -c 300 "$out")"
  "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1]))
assert j.get("status") == "ok" and j.get("alerts") == 1 and len(j.get("incidents") or []) == 1, j' "$out" ||
    die "tocsin's ingest answer is not {status: ok, alerts: 1, incidents: [one]}: $(head -c 300 "$out")"
  curl -fsS --max-time 30 -H "Authorization: Bearer $T_ADMIN" "$T_URL/api/v1/alerts?service=bench" >"$out"
  "$PY" -c 'import json, sys; a = json.load(open(sys.argv[1]))["alerts"]
assert len(a) == 1 and a[0]["source_kind"] == "alertmanager" and a[0]["status"] == "firing", a' "$out" ||
    die "tocsin does not list the smoke alert: $(head -c 300 "$out")"

  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 30 -X POST "$T_URL/v2/enqueue" \
    -H 'Content-Type: application/json' \
    -d "{\"routing_key\":\"$T_EV2\",\"event_action\":\"trigger\",\"dedup_key\":\"smoke\",\"payload\":{\"summary\":\"smoke\",\"source\":\"bench\",\"severity\":\"warning\"}}")
  [ "$code" = 202 ] || die "tocsin POST /v2/enqueue: $code $(head -c 300 "$out")"
}

# --- 2. throughput --------------------------------------------------------------------------------
declare -A R   # R[key,field]: key = batch-conns-target; fields alerts_s p50 p99 errors
RUN=0
INVALID=0

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # utime + stime, all threads
ctx_switches() {  # voluntary + involuntary, summed over the process's threads
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}
CLK_TCK=$(getconf CLK_TCK)
store_metrics() {  # tocsin's commits: "duration_sum count jobs" from /metrics
  curl -fsS --max-time 10 "$T_URL/metrics" | awk '
    $1 == "tocsin_store_commit_duration_seconds_sum" { d = $2 }
    $1 == "tocsin_store_commit_duration_seconds_count" { c = $2 }
    $1 == "tocsin_store_commit_batch_size_sum" { j = $2 }
    END { print d + 0, c + 0, j + 0 }'
}

run_wrk() {  # TARGET(am|webhook|ev2) BATCH CONNS PID
  local target=$1 batch=$2 conns=$3 spid=$4 url fmt key out line pid cpu0 cpu1 cs0 cs1
  RUN=$((RUN + 1))
  case $target in
    am) url=$A_URL fmt=am key=- ;;
    webhook) url=$T_URL fmt=webhook key=$T_KEY ;;
    ev2) url=$T_URL fmt=ev2 key=$T_EV2 ;;
  esac
  out=$TMP/wrk-$RUN-$target-$batch-$conns.out
  log "run $RUN: $target, $batch alert(s)/POST, $conns connections, $DURATION"
  local m0=(0 0 0) m1=(0 0 0)
  [ "$target" = am ] || read -r -a m0 <<<"$(store_metrics)"
  cpu0=$(cpu_ticks "$spid") cs0=$(ctx_switches "$spid")
  wrk -t2 -c"$conns" -d"$DURATION" --timeout 30s --latency -s "$LUA" "$url" -- \
    "$fmt" "$batch" "$RUN" "$key" >"$out" 2>&1 </dev/null &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || { cat "$out" >&2; die "wrk failed"; }
  forget_pid "$pid"
  cpu1=$(cpu_ticks "$spid") cs1=$(ctx_switches "$spid")
  [ "$target" = am ] || read -r -a m1 <<<"$(store_metrics)"
  line=$(grep '^BENCHRESULT ' "$out") || { cat "$out" >&2; die "no BENCHRESULT from wrk"; }
  # requests=.. duration_us=.. p50_us=.. p99_us=.. connect=.. read=.. write=.. status=.. timeout=..
  local -A f
  local kv
  for kv in ${line#BENCHRESULT }; do f[${kv%%=*}]=${kv#*=}; done
  local k=$batch-$conns-$target errors ok_alerts
  errors=$((f[connect] + f[read] + f[write] + f[status] + f[timeout]))
  ok_alerts=$(((f[requests] - f[status]) * batch))
  R[$k,requests]=${f[requests]}
  R[$k,alerts_s]=$(awk -v n="$ok_alerts" -v d="${f[duration_us]}" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  # CPU per alert: the server's user+system time over the run (all its threads; the kernel work of
  # its sockets and fsyncs included), divided by the alerts answered 2xx
  R[$k,cpu_us]=$(awk -v t="$((cpu1 - cpu0))" -v hz="$CLK_TCK" -v n="$ok_alerts" \
    'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a" }')
  R[$k,cs]=$(awk -v c="$((cs1 - cs0))" -v n="$ok_alerts" 'BEGIN { if (n > 0) printf "%.2f", c / n; else print "n/a" }')
  # tocsin's writer: jobs per commit, mean commit (the transaction, its fsync included) and the
  # share of the run it spent committing: what bounds durable ingest when it is near 100%
  if [ "$target" != am ]; then
    R[$k,batch]=$(awk -v j="$(awk -v a="${m1[2]}" -v b="${m0[2]}" 'BEGIN { print a - b }')" \
      -v c="$(awk -v a="${m1[1]}" -v b="${m0[1]}" 'BEGIN { print a - b }')" \
      'BEGIN { if (c > 0) printf "%.1f", j / c; else print "n/a" }')
    R[$k,commit_ms]=$(awk -v s="${m1[0]}" -v s0="${m0[0]}" -v c="${m1[1]}" -v c0="${m0[1]}" \
      'BEGIN { if (c > c0) printf "%.2f", (s - s0) * 1000 / (c - c0); else print "n/a" }')
    R[$k,busy]=$(awk -v s="${m1[0]}" -v s0="${m0[0]}" -v d="${f[duration_us]}" \
      'BEGIN { printf "%.0f%%", 100 * (s - s0) / (d / 1e6) }')
  fi
  R[$k,p50]=${f[p50_us]}
  R[$k,p99]=${f[p99_us]}
  R[$k,errors]=$errors
  if [ "$errors" -ne 0 ]; then
    INVALID=1
    log "run $RUN: $errors errors (connect ${f[connect]}, read ${f[read]}, write ${f[write]}, non-2xx ${f[status]}, timeout ${f[timeout]})"
  fi
  log "run $RUN: ${R[$k,alerts_s]} alerts/s, p50 $(ms "${f[p50_us]}"), p99 $(ms "${f[p99_us]}"), CPU ${R[$k,cpu_us]} us/alert, ${R[$k,cs]} context switches/alert${R[$k,batch]:+, ${R[$k,batch]} jobs/commit, commit ${R[$k,commit_ms]} ms, writer committing ${R[$k,busy]} of the run}"
}

# --- the durable-commit ceiling (budget 2) ----------------------------------------------------------
# bench/fsync_cost.py on the data dirs' file system: the mean cost of a 9-frame WAL commit over
# written blocks (what a tocsin commit of one or two single-alert requests writes: its WAL is
# zero-filled, so it is reused in place) and of a one-row SQLite commit, synchronous=FULL.
FSYNC_RUNS=()
fsync_cost() {
  local out=$TMP/fsync-$((${#FSYNC_RUNS[@]} + 1)).out
  "$PY" "$REPO/bench/fsync_cost.py" "$TMP" "$FSYNC_N" >"$out" || die "bench/fsync_cost.py failed"
  FSYNC_RUNS+=("$(grep '^FSYNCRESULT ' "$out" | sed 's/^FSYNCRESULT //')")
  log "fsync cost: ${FSYNC_RUNS[-1]}"
}
fsync_field() {  # NAME: the mean over the fsync_cost runs of NAME_mean_us
  local r kv sum=0 n=0
  for r in "${FSYNC_RUNS[@]}"; do
    for kv in $r; do
      [ "${kv%%=*}" = "$1_mean_us" ] || continue
      sum=$(awk -v a="$sum" -v b="${kv#*=}" 'BEGIN { print a + b }') n=$((n + 1))
    done
  done
  awk -v s="$sum" -v n="$n" 'BEGIN { if (n > 0) printf "%.0f", s / n; else print 0 }'
}

# --- 3. memory ------------------------------------------------------------------------------------
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# --- versions and machine --------------------------------------------------------------------------
versions() {
  echo "- tocsin: $("$TOCSIN" --version 2>&1 | head -n1) (tree at start: commit $COMMIT${DIRTY:+ plus uncommitted changes}), $TOCSIN"
  echo "- Alertmanager: $("$AM" --version 2>&1 | head -n1)"
  echo "- wrk: $(wrk -v 2>&1 | head -n1 | sed 's/ Copyright.*//')"
  echo "- Debian packages: $(dpkg-query -W -f='${Package} ${Version}, ' prometheus-alertmanager wrk libsqlite3-0 libmicrohttpd12 libjansson4 2>/dev/null | sed 's/, $//')"
  echo "- machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- load average (1/5/15 min) at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg) (the end figure includes the bench's own load)"
  echo "- data dir filesystem: $(df -PT "$TMP" | awk 'NR == 2 { print $2 }') ($TMP)"
}

# --- main -----------------------------------------------------------------------------------------
install_missing
[ -x "$TOCSIN" ] || die "$TOCSIN not found (run make first)"
[ -x "$AM" ] || die "$AM not found"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench.XXXXXX")
"$TOCSIN" check-config "$CONFIG" >&2 || die "check-config refused $CONFIG"
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null || true)

# Each run gets a fresh server, and only that server runs during it, so that neither server's
# background work (Go's GC, SQLite's WAL checkpoints, what a previous run left behind) lands in
# the other's numbers.
for load in $LOADS; do
  batch=${load%x*} conns=${load#*x}
  [[ "$batch" =~ ^[0-9]+$ && "$conns" =~ ^[0-9]+$ ]] || die "BENCH_LOADS: \"$load\" is not BATCHxCONNS"
  [ "$conns" = 2 ] && fsync_cost
  start_am "tp-$batch-$conns"
  smoke_am
  run_wrk am "$batch" "$conns" "$A_PID"
  stop_am
  for route in $ROUTES; do
    [ "$route" = ev2 ] && [ "$batch" != 1 ] && continue
    start_tocsin "tp-$batch-$conns-$route"
    smoke_tocsin
    run_wrk "$route" "$batch" "$conns" "$T_PID"
    stop_tocsin
  done
  [ "$conns" = 2 ] && fsync_cost
done

A_RSS= T_RSS=
if [ "$DO_RSS" = 1 ]; then
  log "memory: $RSS_ALERTS distinct firing alerts into a fresh Alertmanager, then a fresh tocsin"
  start_am rss
  "$PY" bench/preload.py am "$A_URL" "$RSS_ALERTS" 100 || die "preload into Alertmanager failed"
  A_RSS=$(status_kb "$A_PID" VmRSS) A_HWM=$(status_kb "$A_PID" VmHWM)
  # Read after the RSS: both must hold every alert (a lost alert would flatter the number).
  A_HELD=$(curl -fsS --max-time 300 "$A_URL/api/v2/alerts?active=true" |
    "$PY" -c 'import json, sys; print(sum(1 for a in json.load(sys.stdin) if a["labels"]["instance"].startswith("rss-")))')
  stop_am

  start_tocsin rss
  "$PY" bench/preload.py webhook "$T_URL" "$RSS_ALERTS" 100 "$T_KEY" || die "preload into tocsin failed"
  T_RSS=$(status_kb "$T_PID" VmRSS) T_HWM=$(status_kb "$T_PID" VmHWM)
  T_HELD=$("$PY" - "$TMP/rss/data/tocsin.db" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
print(con.execute("SELECT count(*) FROM alerts WHERE status = 'firing' AND dedup_key LIKE 'ff%'").fetchone()[0])
EOF
  ) || T_HELD="? (could not count)"
  stop_tocsin
fi

# --- 4. report ------------------------------------------------------------------------------------
route_name() { case $1 in am) echo "Alertmanager /api/v2/alerts" ;; webhook) echo "tocsin webhook" ;; ev2) echo "tocsin /v2/enqueue" ;; esac; }
verdict() { awk -v x="$1" -v op="$2" -v lim="$3" 'BEGIN { ok = (op == ">=") ? (x >= lim) : (x <= lim); print ok ? "met" : "NOT met" }'; }

report() {
  local batch conns a t load route
  echo "## tocsin vs Alertmanager: alert ingest ($STARTED)"
  echo
  echo "wrk -t2 -cN -d$DURATION, every alert distinct, alerts/s counts 2xx answers only; tocsin answers"
  echo "after an fsync'd SQLite commit (synchronous=FULL), Alertmanager keeps alerts in memory."
  echo "Latency is per request. CPU = the server's utime+stime over the run (/proc/PID/stat, all"
  echo "threads, kernel work included) per alert answered; cs = its context switches per alert;"
  echo "tocsin's writer (from /metrics over the run): jobs per commit, mean commit time (the"
  echo "transaction and its fsync) and the share of the run it spent committing."
  echo
  echo "| load | conns | server | alerts/s | p50 | p99 | CPU us/alert | cs/alert | jobs/commit | commit | writer busy | x AM alerts/s | AM CPU / this CPU |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for load in $LOADS; do
    batch=${load%x*} conns=${load#*x}
    a=$batch-$conns-am
    for route in am $ROUTES; do
      t=$batch-$conns-$route
      [ -n "${R[$t,alerts_s]:-}" ] || continue
      printf '| %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$([ "$batch" = 1 ] && echo "1 alert/POST" || echo "$batch alerts/POST")" "$conns" \
        "$(route_name "$route")" \
        "${R[$t,alerts_s]}" "$([ "${R[$t,errors]}" = 0 ] || echo " (${R[$t,errors]} errors)")" \
        "$(ms "${R[$t,p50]}")" "$(ms "${R[$t,p99]}")" "${R[$t,cpu_us]}" "${R[$t,cs]}" \
        "${R[$t,batch]:-}" "${R[$t,commit_ms]:+${R[$t,commit_ms]} ms}" "${R[$t,busy]:-}" \
        "$([ "$route" = am ] && echo "" || echo "**$(ratio "${R[$t,alerts_s]}" "${R[$a,alerts_s]}")**")" \
        "$([ "$route" = am ] && echo "" || ratio "${R[$a,cpu_us]}" "${R[$t,cpu_us]}")"
    done
  done
  echo
  if [ ${#FSYNC_RUNS[@]} -gt 0 ]; then
    echo "Durable-commit cost (bench/fsync_cost.py $FSYNC_N writes each, before and after the 2-connection loads, mean us):"
    local r
    for r in "${FSYNC_RUNS[@]}"; do echo "- $r"; done
    echo
  fi
  if [ "$DO_RSS" = 1 ]; then
  echo "| after $RSS_ALERTS distinct firing alerts (100/POST) | Alertmanager | tocsin | tocsin/AM |"
  echo "|---|---:|---:|---:|"
  echo "| VmRSS | $(mib "$A_RSS") | $(mib "$T_RSS") | **$(awk -v t="$T_RSS" -v a="$A_RSS" 'BEGIN { printf "%.1f%%", 100 * t / a }')** |"
  echo "| VmHWM (peak RSS) | $(mib "$A_HWM") | $(mib "$T_HWM") | $(awk -v t="$T_HWM" -v a="$A_HWM" 'BEGIN { printf "%.1f%%", 100 * t / a }') |"
  echo "| alerts held afterwards | $A_HELD | $T_HELD | |"
  echo
  fi
  echo "Budgets (issue 15; DESIGN.md §6):"
  local r pct ceil_us ceil
  for conns in 16 64; do
    for route in $ROUTES; do
      t=1-$conns-$route a=1-$conns-am
      [ -n "${R[$t,alerts_s]:-}" ] || continue
      r=$(ratio "${R[$t,alerts_s]}" "${R[$a,alerts_s]}")
      echo "- 1. $(route_name "$route"), 1 alert/POST, $conns connections: ${R[$t,alerts_s]} vs Alertmanager ${R[$a,alerts_s]} alerts/s = ${r}x, budget >= 2x ($(verdict "$r" '>=' 2)); writer committing ${R[$t,busy]:-?} of the run, ${R[$t,batch]:-?} jobs per ${R[$t,commit_ms]:-?} ms commit; CPU ${R[$t,cpu_us]} vs AM's ${R[$a,cpu_us]} us/alert"
    done
  done
  if [ ${#FSYNC_RUNS[@]} -gt 0 ]; then
    ceil_us=$(fsync_field wal9)
    ceil=$(awk -v u="$ceil_us" 'BEGIN { if (u > 0) printf "%.0f", 2 * 1e6 / u; else print 0 }')
    for route in $ROUTES; do
      t=1-2-$route
      [ -n "${R[$t,alerts_s]:-}" ] || continue
      pct=$(awk -v x="${R[$t,alerts_s]}" -v c="$ceil" 'BEGIN { if (c > 0) printf "%.0f", 100 * x / c; else print 0 }')
      echo "- 2. $(route_name "$route"), 1 alert/POST, 2 connections: ${R[$t,alerts_s]} alerts/s = ${pct}% of the durable-commit ceiling 2 / ${ceil_us} us = ${ceil}/s (9-frame WAL commit + fdatasync, mean of the fsync_cost runs), budget >= 80% ($(verdict "$pct" '>=' 80))"
    done
  fi
  if [ "$DO_RSS" = 1 ]; then
    pct=$(awk -v t="$T_RSS" -v a="$A_RSS" 'BEGIN { printf "%.1f", 100 * t / a }')
    echo "- 3. RSS with $RSS_ALERTS firing alerts: $(mib "$T_RSS") vs Alertmanager $(mib "$A_RSS") = ${pct}%, budget <= 10% ($(verdict "$pct" '<=' 10))"
  fi
  for load in $LOADS; do
    batch=${load%x*} conns=${load#*x}
    [ "$batch" = 1 ] || continue
    local line="- 4. CPU per alert, 1 alert/POST, $conns connections: Alertmanager ${R[1-$conns-am,cpu_us]} us"
    for route in $ROUTES; do
      [ -n "${R[1-$conns-$route,cpu_us]:-}" ] && line+=", $(route_name "$route") ${R[1-$conns-$route,cpu_us]} us ($(ratio "${R[1-$conns-$route,cpu_us]}" "${R[1-$conns-am,cpu_us]}")x AM's)"
    done
    echo "$line (reported)"
  done
  echo "  Instructions per alert: this VM has no hardware counters (perf stat -e instructions: not supported);"
  echo "  bench/instructions.py counts tocsin's with callgrind (docs/BENCHMARKS.md)."
  [ "$INVALID" = 0 ] || echo "- WARNING: some runs had errors (see the table); their numbers count only 2xx answers"
  echo
  echo "Versions:"
  echo
  versions
}

mkdir -p "$RESULTS"
report | tee "$RESULTS/latest.md"
log "written to bench/results/latest.md"
[ "$INVALID" = 0 ] || die "some runs had errors"
