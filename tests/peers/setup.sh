#!/usr/bin/env bash
# Installs the real peers the tests in tests/peers/ talk to: Debian's Prometheus and Alertmanager.
# Only what is missing is installed (a machine that has both pays two dpkg queries), and
# `apt-get update` runs only then. The packages' own services are kept from starting: the tests
# start their own instances on loopback and nothing may listen on another address.
#   bash tests/peers/setup.sh
set -euo pipefail

want=(prometheus prometheus-alertmanager)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "peers: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

# Debian's postinst starts the daemons (listening on all addresses) unless invoke-rc.d is told
# not to. When the machine has no policy-rc.d of its own, install one for the duration of the
# install that refuses every start (exit 101, "action forbidden"), and remove it afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=0
cleanup() { if [ "$own_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 0755 "$policy"
  own_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for b in /usr/bin/prometheus /usr/bin/prometheus-alertmanager; do
  [ -x "$b" ] || { echo "peers: $b missing after install" >&2; exit 1; }
done
