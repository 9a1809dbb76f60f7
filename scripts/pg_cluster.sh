#!/usr/bin/env bash
# pg_cluster.sh start DIR | stop DIR
# A throwaway PostgreSQL 15 cluster for the tests: its data in DIR/data, listening only on a unix
# socket in DIR (listen_addresses='', no TCP), trust authentication, fsync on (as production).
# `start` installs Debian's postgresql if missing, creates and starts the cluster (pg_ctl -w) and
# prints the base URL (postgresql:///postgres?host=DIR&user=postgres). `stop` stops the postmaster by the PID in
# its postmaster.pid (SIGINT: fast shutdown), waits for it to exit, and removes DIR.
# The server runs as the `postgres` system user (it refuses to run as root); DIR is given to it.
# Keep DIR short: a unix socket path must fit in 107 bytes (DIR/.s.PGSQL.5432).
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
usage() { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1; dir=$2

as_pg() { # run a command as the postgres user (or as ourselves when we are not root)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_pg() {
  [ -x "$PGBIN/postgres" ] && return 0
  echo "pg_cluster: installing postgresql" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postinst would start its own cluster as a service (on localhost:5432) unless
  # invoke-rc.d is told not to: with no policy-rc.d on the machine, use one that refuses every
  # start for the duration of the install (the tests use only their own throwaway cluster).
  local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 0755 "$policy"
    own_policy=1
  fi
  { $SUDO apt-get update -qq &&
      $SUDO apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null; } || rc=$?
  [ "$own_policy" = 1 ] && $SUDO rm -f "$policy"
  [ "$rc" -eq 0 ] || { echo "pg_cluster: apt-get failed ($rc)" >&2; exit 1; }
}

start() {
  install_pg
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/data" ] || { echo "pg_cluster: $dir/data exists; stop it first" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
max_connections = 200
shared_buffers = 32MB
CONF
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "postgresql:///postgres?host=$dir&user=postgres"
}

stop() {
  [ -d "$dir" ] || return 0
  local pidfile=$dir/data/postmaster.pid pid
  if [ -f "$pidfile" ]; then
    pid=$(head -n 1 "$pidfile")
    if [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null; then
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && { echo "pg_cluster: postmaster $pid did not stop" >&2; exit 1; }
    fi
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
