#!/usr/bin/env bash
# Installs the Debian packages tocsin needs, only those missing, so a machine that has
# everything pays a few dpkg queries and nothing more.
#   scripts/deps.sh build   what `make` needs (compiler, pkg-config, -dev libraries)
#   scripts/deps.sh fuzz    build + clang (libFuzzer) for `make fuzz` and `make test`s fuzz-smoke (docs/security.md "Fuzzing")
#   scripts/deps.sh test    build + what `make test` needs (cmocka, pytest, aiosmtpd, psycopg2, sqlite3 CLI,
#                           chromium for the browser tests; node and npm: tests/browser/setup.sh)
set -euo pipefail

build_pkgs=(gcc make pkg-config libmicrohttpd-dev libgnutls28-dev libjansson-dev libsqlite3-dev
            libsodium-dev libyaml-dev libcurl4-openssl-dev libpq-dev libical-dev libcmark-gfm-dev
            libcmark-gfm-extensions-dev tzdata
            python3 python3-aiosmtpd)  # python3-aiosmtpd: the mail sink of `make run`
test_pkgs=(libcmocka-dev python3-pytest python3-pytest-xdist python3-aiosmtpd python3-psycopg2 sqlite3 curl
           chromium openssl)
lint_pkgs=(clang-format cppcheck)
fuzz_pkgs=(clang libclang-rt-14-dev)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  lint) want+=("${lint_pkgs[@]}") ;;
  fuzz) want+=("${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|lint|fuzz" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
