#!/usr/bin/env bash
# The fuzz campaign CI runs (scripts/test.sh calls it; docs/FUZZING.md explains it): builds every
# libFuzzer target (preset `fuzz`: clang-14, ASan + UBSan, build/fuzz), then runs each one for a
# bounded time over a COPY of its committed corpus (fuzz/corpus/<name>/ never grows here), two at
# a time. Any crash, sanitizer report, leak, timeout (one input > 10 s) or out-of-memory
# (> 2048 MB) fails the run; the reproducer's path and the report's first lines are printed.
#
#   scripts/fuzz.sh                 every target, AJAR_FUZZ_SECONDS (default 30) seconds each
#   scripts/fuzz.sh resp http       only these targets
#   AJAR_FUZZ_SECONDS=600 scripts/fuzz.sh pg      a longer run of one target
#
# Environment: AJAR_FUZZ_SECONDS (time per target), AJAR_FUZZ_JOBS (targets at once, default 2),
# AJAR_FUZZ_BUILD_JOBS (compile jobs, default 2).
# Reproduce a failure: build/fuzz/fuzz/fuzz_<name> <reproducer>   (runs that one input)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${AJAR_FUZZ_SECONDS:-30}
parallel=${AJAR_FUZZ_JOBS:-2}
build_jobs=${AJAR_FUZZ_BUILD_JOBS:-2}

if (($# > 0)); then
  targets=("$@")
else
  targets=()
  for f in fuzz/*_fuzz.cpp; do
    n=${f#fuzz/}
    targets+=("${n%_fuzz.cpp}")
  done
fi
for t in "${targets[@]}"; do
  [[ -f fuzz/${t}_fuzz.cpp && -d fuzz/corpus/$t ]] || { echo "fuzz.sh: no target or corpus '$t'" >&2; exit 2; }
done

started=$SECONDS
cmake --preset fuzz >/dev/null
# -k 0: a target that does not compile fails the run, but the others still build and run.
build_failed=()
if ! cmake --build --preset fuzz -j "$build_jobs" --target "${targets[@]/#/fuzz_}" -- -k 0; then
  built=()
  for t in "${targets[@]}"; do
    # Up to date: nothing to do. Broken: fails again on the same error.
    if cmake --build --preset fuzz -j "$build_jobs" --target "fuzz_$t" >/dev/null 2>&1; then
      built+=("$t")
    else
      build_failed+=("$t")
    fi
  done
  targets=("${built[@]}")
fi
echo "fuzz.sh: built ${#targets[@]} targets in $((SECONDS - started)) s${build_failed:+; FAILED to build: ${build_failed[*]}}"

campaign=build/fuzz/campaign
rm -rf "$campaign"
mkdir -p "$campaign"

# One target: its own corpus copy, artifacts and log under build/fuzz/campaign/<name>/.
run_one() {
  local t=$1 dir=$campaign/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -a "fuzz/corpus/$t/." "$dir/corpus/"
  local t0=$SECONDS rc=0
  # The outer timeout only catches a fuzzer that stops obeying -max_total_time.
  timeout --kill-after=10 $((seconds + 120)) "build/fuzz/fuzz/fuzz_$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
  echo "$rc $((SECONDS - t0))" >"$dir/status"
}

for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  echo "fuzz.sh: fuzz_$t for ${seconds} s"
  run_one "$t" &
done
wait

failed=0
printf '%-20s %6s %10s %8s %s\n' target secs execs cov result
for t in "${targets[@]}"; do
  dir=$campaign/$t
  read -r rc took <"$dir/status"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2 || true)
  if [[ $rc == 0 ]] && ! ls "$dir/artifacts/"* >/dev/null 2>&1; then
    printf '%-20s %6s %10s %8s %s\n' "$t" "$took" "${execs:-?}" "${cov:-?}" ok
  else
    failed=1
    printf '%-20s %6s %10s %8s %s\n' "$t" "$took" "${execs:-?}" "${cov:-?}" "FAILED (exit $rc)"
  fi
done
for t in "${targets[@]}"; do
  dir=$campaign/$t
  read -r rc took <"$dir/status"
  if [[ $rc != 0 ]] || ls "$dir/artifacts/"* >/dev/null 2>&1; then
    echo
    echo "=== fuzz_$t failed (exit $rc); log: $dir/log"
    for a in "$dir/artifacts/"*; do
      [[ -e $a ]] && echo "reproducer: $a   (run: build/fuzz/fuzz/fuzz_$t $a)"
    done
    # The sanitizer's or libFuzzer's report, from its first line.
    grep -n -m1 -E '==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer|==[0-9]+== ERROR|deadly signal' "$dir/log" >/dev/null &&
      sed -n "$(grep -n -m1 -E '==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer|==[0-9]+== ERROR|deadly signal' "$dir/log" | cut -d: -f1),+24p" "$dir/log" ||
      tail -25 "$dir/log"
  fi
done
if ((${#build_failed[@]} > 0)); then
  echo "fuzz.sh: FAILED to build: ${build_failed[*]} (the compiler errors are above)"
  failed=1
fi
echo "fuzz.sh: ${#targets[@]} targets, ${seconds} s each, done in $((SECONDS - started)) s"
exit $failed
