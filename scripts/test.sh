#!/usr/bin/env bash
# Builds ajar with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test: unit and
# transcript tests, fuzz-corpus replays, and integration tests that scan the loopback lab
# (ctest starts lab/lab.sh before them and stops it after).
#
# Then, the CI extras (docs/FUZZING.md): the libFuzzer campaign (scripts/fuzz.sh: every fuzz
# target for AJAR_FUZZ_SECONDS seconds, default 30, under ASan + UBSan) and the engine's
# multi-threaded tests under ThreadSanitizer (scripts/tsan.sh). About 10 minutes on 2 quiet cores.
#   AJAR_CI_EXTRAS=auto   (default) run them only when no ctest arguments were given, so
#                         `scripts/test.sh -R wire_` stays quick
#   AJAR_CI_EXTRAS=1      always run them;  AJAR_CI_EXTRAS=0  never
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"

extras=${AJAR_CI_EXTRAS:-auto}
if [[ $extras == 1 || ($extras == auto && $# -eq 0) ]]; then
  failed=0
  scripts/fuzz.sh || failed=1
  scripts/tsan.sh || failed=1
  exit $failed
fi
