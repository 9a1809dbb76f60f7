#!/usr/bin/env bash
# bench/status_page.sh: GET /status under a crowd (64 connections, wrk) from tocsin, beside
# Debian's nginx serving the same bytes as a static file, in the same run, on loopback (issue 11:
# budget at least half of nginx's rate). Prints a markdown table; `make bench` appends it to
# bench/results/latest.md. docs/BENCHMARKS.md "Status page".
#
# Environment: BENCH_DURATION (wrk syntax, default 10s), TOCSIN_BIN (default build/tocsin),
# BENCH_CONNS (default 64). Installs nginx, wrk and curl when missing (nginx's own service is kept
# from starting). Every process it starts is stopped by PID on exit, whatever the exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNS:-64}
TOCSIN=${TOCSIN_BIN:-$REPO/build/tocsin}
PY=/usr/bin/python3
log() { printf 'bench-status: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_missing() {
  local want=(nginx wrk curl) missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo= policy=/usr/sbin/policy-rc.d own=0 rc=0
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if [ ! -e "$policy" ]; then # keep Debian's postinst from starting nginx on port 80
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 0755 "$policy"
    own=1
  fi
  { export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  } || rc=$?
  [ "$own" = 1 ] && $sudo rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get failed ($rc)"
}

PIDS=()
TMP=
cleanup() {
  local rc=$? p i
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || continue
    for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  [ -n "$TMP" ] && rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # URL PID LOG
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$3" >&2; die "$1: the server exited"; }
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$3" >&2
  die "$1 not ready"
}
rps() { # URL: requests/s of one wrk run
  wrk -t2 -c"$CONNS" -d"$DURATION" "$1" | awk '/^Requests\/sec:/ {print $2}'
}

install_missing
[ -x "$TOCSIN" ] || die "no $TOCSIN (run make first)"
TMP=$(mktemp -d /tmp/tocsin-bench-status.XXXXXX)
mkdir -p "$TMP/data" "$TMP/www" "$TMP/nginx"
chmod 0755 "$TMP" "$TMP/www" # nginx's workers run as nobody when started by root

# tocsin: the test fixture with two components, one incident with a public update
sed -e 's/{id: api, name: API Gateway}/{id: api, name: API Gateway, component: API}/' \
    -e 's/{id: db, name: Database}/{id: db, name: Database, component: Database}/' \
    "$REPO/tests/integration/fixtures/test.yaml" >"$TMP/tocsin.yaml"
tport=$(free_port)
"$TOCSIN" serve --config "$TMP/tocsin.yaml" --data "$TMP/data" --listen "127.0.0.1:$tport" \
  >"$TMP/tocsin.log" 2>&1 </dev/null &
PIDS+=($!)
T=http://127.0.0.1:$tport
wait_ready "$T/healthz" "${PIDS[0]}" "$TMP/tocsin.log"
auth=(-H "Authorization: Bearer $(cat "$TMP/data/admin.token")" -H 'Content-Type: application/json')
id=$(curl -fsS "${auth[@]}" -d '{"title":"Checkout errors","severity":"SEV2","service":"api"}' \
  "$T/api/v1/incidents" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
curl -fsS -o /dev/null "${auth[@]}" "$T/api/v1/incidents/$id/status" \
  -d '{"status":"investigating","message":"We are looking into elevated error rates.","public":true}'
curl -fsS -o "$TMP/www/status.html" "$T/status"
bytes=$(stat -c %s "$TMP/www/status.html")
# page weights: the responder UI's incident page (signed in as alice) and the stylesheets
curl -fsS -o /dev/null "${auth[@]}" -X PUT "$T/api/v1/users/alice/password" \
  -d '{"password":"bench password 1","role":"responder"}'
cookie=$(curl -sS -o /dev/null -D - --data-urlencode user=alice \
  --data-urlencode 'password=bench password 1' "$T/ui/signin" |
  sed -n 's/^[Ss]et-[Cc]ookie: \(tocsin_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || die "cannot sign in to the UI"
weight() { curl -fsS -o /dev/null -w '%{size_download}' "$@"; }
inc_bytes=$(weight -H "Cookie: $cookie" "$T/ui/incidents/$id")
status_css=$(weight "$T/status/assets/status.css")
ui_css=$(weight "$T/ui/static/ui.css")
ui_js=$(weight "$T/ui/static/ui.js")

# nginx: the same bytes as a static file (sendfile, no access log), its defaults otherwise
nport=$(free_port)
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $TMP/nginx; proxy_temp_path $TMP/nginx; fastcgi_temp_path $TMP/nginx;
  uwsgi_temp_path $TMP/nginx; scgi_temp_path $TMP/nginx;
  server {
    listen 127.0.0.1:$nport;
    location = /status { default_type "text/html; charset=utf-8"; alias $TMP/www/status.html; }
  }
}
CONF
/usr/sbin/nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/stdout.log" 2>&1 </dev/null &
PIDS+=($!)
N=http://127.0.0.1:$nport
wait_ready "$N/status" "${PIDS[1]}" "$TMP/nginx/error.log"
cmp -s <(curl -fsS "$N/status") "$TMP/www/status.html" || die "nginx does not serve the same bytes"

log "wrk -c$CONNS -d$DURATION: nginx, then tocsin ($bytes bytes each)"
n_rps=$(rps "$N/status")
t_rps=$(rps "$T/status")
ratio=$("$PY" -c "print(f'{$t_rps / $n_rps:.2f}')")
cat <<OUT

### Status page under a crowd ($(date -u +%Y-%m-%dT%H:%MZ), $CONNS connections, $DURATION each)

| server | GET /status requests/s | bytes |
|---|---:|---:|
| nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///') (static file) | $n_rps | $bytes |
| tocsin (rendered once, cached) | $t_rps | $bytes |
| tocsin / nginx | **$ratio** (budget >= 0.50) | |

Page weights (bytes, uncompressed): /status $bytes + status.css $status_css (no script);
/ui/incidents/$id (one incident, one public update) $inc_bytes + ui.css $ui_css + ui.js $ui_js.
Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores.
OUT
