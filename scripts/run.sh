#!/usr/bin/env bash
# `make run`: starts tocsin on examples/dev.yaml with its SQLite store in ./data, in the
# foreground (Ctrl-C stops it). Prints where to look and the admin token.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${TOCSIN_CONFIG:-examples/dev.yaml}
data=${TOCSIN_DATA:-data}
listen=${TOCSIN_LISTEN:-127.0.0.1:8080}
mkdir -p -m 0700 "$data" # the database and the secrets: the owner's only (docs/security.md)
echo "tocsin: config $config, data dir $data"
echo "tocsin: API      http://$listen/api/v1/   (health: http://$listen/healthz)"
if [ -f "$data/admin.token" ]; then
  echo "tocsin: admin token (from $data/admin.token): $(cat "$data/admin.token")"
fi
echo "tocsin: try   export TOCSIN_URL=http://$listen TOCSIN_TOKEN=\$(cat $data/admin.token)"
echo "              build/tocsin declare --severity SEV2 --title 'Checkout API 502s' --service api"
exec build/tocsin serve --config "$config" --data "$data" --listen "$listen"
