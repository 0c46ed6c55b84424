#!/usr/bin/env bash
# Installs every Debian package prid needs to build, run and test.
# Idempotent: skips apt entirely when everything is already there.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build
  libpri-dev libev-dev dahdi-source
  nlohmann-json3-dev libsimdjson-dev libfmt-dev libcli11-dev libsystemd-dev libtomlplusplus-dev
  libmicrohttpd-dev
  # cdr/: the SQLite and PostgreSQL stores; tests start a real PostgreSQL server.
  libsqlite3-dev sqlite3 libpq-dev postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  tshark python3 socat
  # tests/cli: the zsh completion runs in zsh (bash's in bash).
  zsh
  # clients/python: pip install of the package, tested (tests/python).
  python3-pip python3-setuptools python3-wheel
  # tests/exporter: promtool (Debian ships it only in prometheus, whose server
  # this also installs) and curl, a real HTTP client for prid-exporter.
  prometheus curl
  systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
