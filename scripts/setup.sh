#!/usr/bin/env bash
# Installs everything ajar needs to build, test and run its loopback lab, from Debian 12
# packages only. Idempotent: when every package is already present it changes nothing and
# needs no network.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config
  # the fuzz campaign (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libfmt-dev libcli11-dev libssl-dev libsqlite3-dev libyaml-cpp-dev
  # the inventory's PostgreSQL backend, the dashboard's password hashing
  libpq-dev libpqxx-dev libsodium-dev
  # tests
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jsonschema python3-yaml
  # browser tests (driven by playwright-core from npm) and the report's screenshot
  chromium
  # the loopback lab: real servers, started by lab/lab.sh, never as system services
  redis-server postgresql mariadb-server memcached
  # the lab's HTTP-family servers (etcd, InfluxDB 1.x, ClickHouse, Jupyter, Prometheus,
  # RabbitMQ, phpMyAdmin/Adminer on php -S), their clients, and what lab.sh needs for them:
  # php-cgi satisfies Adminer's "web server PHP" dependency without pulling in Apache,
  # dbconfig-no-thanks keeps phpMyAdmin's installer from configuring a database,
  # gcc builds the lab's LD_PRELOAD loopback guard for epmd/RabbitMQ
  etcd-server etcd-client influxdb influxdb-client clickhouse-server clickhouse-client
  jupyter-notebook prometheus rabbitmq-server phpmyadmin adminer php-cli php-cgi php-mysql
  dbconfig-no-thanks python3-bcrypt curl gcc libc6-dev
  # the lab's ZooKeeper (standalone, started by lab/lab.sh with the JRE it depends on)
  zookeeper
  # lab/lab.sh and tests use these
  procps iproute2 util-linux
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# playwright-core (npm, pinned by tests/browser/package-lock.json) drives Debian's chromium in
# the browser tests; it never downloads a browser.
install_browser_driver() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
  [[ -d $dir/node_modules/playwright-core ]] && return 0
  echo "setup: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# The OASIS SARIF 2.1.0 schema (npm, pinned by tests/sarif/package-lock.json) that
# tests/integration/test_audit.py validates `ajar audit --format sarif` against.
install_sarif_schema() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/sarif"
  [[ -f $dir/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json ]] && return 0
  echo "setup: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
}

# Node and npm run playwright-core; a machine that already has them (Debian's or not) keeps its own.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  install_browser_driver
  install_sarif_schema
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
install_browser_driver
install_sarif_schema
