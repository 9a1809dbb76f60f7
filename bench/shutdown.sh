#!/usr/bin/env bash
# bench/shutdown.sh BIN: how long SIGTERM takes right after a 5 s, 16-connection ingest load (wrk,
# bench/alerts.lua, 100 alerts per POST). wrk closes its connections at the end abruptly; a request
# whose client left while its write was committing used to hold http_stop for its 30 s timeout
# (issue 14 item 2). Prints the seconds and the log lines that tell which path ran.
set -u
BIN=$1; D=$(mktemp -d /tmp/shut.XXXX); PORT=$((20000 + RANDOM % 20000))
$BIN serve --config $(dirname "$0")/tocsin-bench.yaml --data $D/data --listen 127.0.0.1:$PORT > $D/out 2> $D/err &
PID=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
ADMIN=$(cat $D/data/admin.token)
KEY=$(curl -sS -X POST http://127.0.0.1:$PORT/api/v1/integrations -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"service":"bench","type":"alertmanager"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
wrk -t2 -c16 -d5s --timeout 30s -s $(dirname "$0")/alerts.lua http://127.0.0.1:$PORT -- webhook 100 1 $KEY > $D/wrk 2>&1
T0=$(date +%s.%N); kill -TERM $PID; wait $PID; T1=$(date +%s.%N)
echo "sigterm took $(echo "$T1 - $T0" | bc) s; $(grep -c 'still waiting' $D/err) waiting-lines; $(grep -c 'client left' $D/err) client-left lines"
rm -rf $D
