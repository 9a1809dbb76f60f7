#!/usr/bin/env bash
# `make run`: starts tocsin on examples/dev.yaml with its SQLite store in ./data, in the
# foreground (Ctrl-C stops it). Prints where to look, the admin token and how to sign in to the
# web UI: on the first run it sets a random password for the dev config's user alice (role
# admin) through the admin API (`tocsin user passwd`), prints it once and keeps it in
# DATA/ui.password (mode 0600), as the server does with DATA/admin.token.
# It also starts the local sinks the dev config pages through (scripts/dev_sinks.py: SMTP on
# 127.0.0.1:2525, HTTP on 127.0.0.1:9099 for SMS, voice, Slack, webhooks and tickets), printing
# what they receive and keeping it in DATA/sinks/; TOCSIN_SINKS=0 skips them. Both processes
# are stopped by their PIDs when tocsin stops.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${TOCSIN_CONFIG:-examples/dev.yaml}
data=${TOCSIN_DATA:-data}
listen=${TOCSIN_LISTEN:-127.0.0.1:8080}
ui_user=${TOCSIN_UI_USER:-alice}
mkdir -p -m 0700 "$data" # the database and the secrets: the owner's only (docs/security.md)
echo "tocsin: config $config, data dir $data"
echo "tocsin: API      http://$listen/api/v1/   (health: http://$listen/healthz)"
echo "tocsin: web UI   http://$listen/ui/"
sinks_pid=
if [ "${TOCSIN_SINKS:-1}" != 0 ]; then
  /usr/bin/python3 scripts/dev_sinks.py "$data/sinks" &
  sinks_pid=$!
  echo "tocsin: pages    mail in $data/sinks/mail.log, SMS/voice/Slack/webhook/ticket in $data/sinks/http.log (also printed here)"
fi
stop_sinks() { [ -n "$sinks_pid" ] && kill -TERM "$sinks_pid" 2>/dev/null && wait "$sinks_pid" 2>/dev/null; sinks_pid=; }
build/tocsin serve --config "$config" --data "$data" --listen "$listen" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; stop_sinks' INT TERM
trap 'stop_sinks' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { wait "$pid"; exit $?; }
  sleep 0.1
done
token=$(cat "$data/admin.token")
echo "tocsin: admin token (from $data/admin.token): $token"
if [ ! -f "$data/ui.password" ]; then
  pw=$(head -c 15 /dev/urandom | base64 | tr -d '/+=')
  if printf '%s\n' "$pw" | TOCSIN_URL="http://$listen" TOCSIN_TOKEN="$token" \
      build/tocsin user passwd "$ui_user" --role admin >/dev/null; then
    (umask 077 && printf '%s\n' "$pw" > "$data/ui.password")
    echo "tocsin: web UI sign-in: user $ui_user, password $pw (shown once; also in $data/ui.password)"
  fi
else
  echo "tocsin: web UI sign-in: user $ui_user, password in $data/ui.password"
fi
echo "tocsin: more users: printf '%s\n' 'PASSWORD' | build/tocsin user passwd USER [--role viewer|responder|admin]"
echo "tocsin: try   export TOCSIN_URL=http://$listen TOCSIN_TOKEN=\$(cat $data/admin.token)"
echo "              build/tocsin declare --severity SEV2 --title 'Checkout API 502s' --service api"
wait "$pid"
