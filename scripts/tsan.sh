#!/usr/bin/env bash
# The engine's multi-threaded tests under ThreadSanitizer (preset `tsan`: g++ -fsanitize=thread,
# build/tsan). Builds only those tests (tests/CMakeLists.txt `tsan_tests`, linked against the
# engine alone) and runs each; any data race, lock-order inversion or test failure fails the run.
#   scripts/tsan.sh        AJAR_TSAN_BUILD_JOBS (default 2) compile jobs
set -euo pipefail
cd "$(dirname "$0")/.."

tests=(engine_threads_test engine_stop_test rate_limiter_test)
started=$SECONDS
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "${AJAR_TSAN_BUILD_JOBS:-2}" --target "${tests[@]/#/unit_}"
echo "tsan.sh: built in $((SECONDS - started)) s"

# halt_on_error: the first race fails the test binary (exit 66) instead of scrolling past.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66 ${TSAN_OPTIONS:-}"
failed=0
for t in "${tests[@]}"; do
  t0=$SECONDS
  if "build/tsan/tests/unit_$t" --gtest_brief=1; then
    echo "tsan.sh: $t ok ($((SECONDS - t0)) s)"
  else
    echo "tsan.sh: $t FAILED (exit $?)"
    failed=1
  fi
done
echo "tsan.sh: done in $((SECONDS - started)) s"
exit $failed
