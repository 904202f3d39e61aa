#!/usr/bin/env bash
# Builds ajar with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test: unit and
# transcript tests, fuzz-corpus replays, and integration tests that scan the loopback lab
# (ctest starts lab/lab.sh before them and stops it after).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
