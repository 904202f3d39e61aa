#!/usr/bin/env bash
# Builds ajar (release), starts the loopback lab (real Redis, PostgreSQL, MariaDB and memcached,
# each open and secured, on 127.0.x.y), scans it and prints the findings table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release
cmake --build --preset release
lab/lab.sh start
echo
echo "\$ ajar scan @lab/targets.txt"
build/release/src/ajar scan @lab/targets.txt
echo
echo "The lab is still running; stop it with: lab/lab.sh stop"
