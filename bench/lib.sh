#!/usr/bin/env bash
# bench/lib.sh: what the bench scripts share (sourced by bench/run.sh and bench/pg.sh after they
# set REPO, PY, STOP_TRIES, the PIDS array and their own log()): process control by PID, a free
# loopback port, and the number formats of the tables.

die() { log "error: $*"; exit 1; }

stop_pid() {  # SIGTERM, bounded wait, then SIGKILL; always reaps
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TRIES; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for $((STOP_TRIES / 10))s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

forget_pid() {
  local pid=$1 keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ms() { awk -v u="$1" 'BEGIN { if (u < 10000) printf "%.2f ms", u / 1000; else printf "%.1f ms", u / 1000 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
