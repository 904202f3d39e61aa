#!/usr/bin/env bash
# Installs everything ajar needs to build, test and run its loopback lab, from Debian 12
# packages only. Idempotent: when every package is already present it changes nothing and
# needs no network.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libfmt-dev libcli11-dev libssl-dev libsqlite3-dev
  # tests
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jsonschema
  # the loopback lab: real servers, started by lab/lab.sh, never as system services
  redis-server postgresql mariadb-server memcached
  # lab/lab.sh and tests use these
  procps iproute2 util-linux
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Package scripts may try to start the distribution's own service instances; the lab never
# uses them (it runs its own, on its own loopback addresses), so a failure to start is fine.
apt-get install -y -q --no-install-recommends "${missing[@]}"
