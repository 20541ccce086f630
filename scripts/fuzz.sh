#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ with clang++ (RelWithDebInfo, ASan + UBSan, in
# build/fuzz) and runs each for a fixed time on a copy of its seed corpus, fuzz/corpus/<target>/
# (the copy, in build/fuzz/corpus/<target>/, grows; the source tree is never written to).
# Prints one line per target with the inputs it ran; fails if any target crashed, broke an
# invariant, timed out, ran out of memory or leaked. A crash input is kept in
# build/fuzz/artifacts/<target>/; replay it with build/fuzz/fuzz/<target> <file>.
#
# Environment:
#   ANONAUTH_FUZZ_SECONDS  seconds per target (default: 20)
#   ANONAUTH_FUZZ_TARGETS  targets to run (default: every fuzz/fuzz_*.cpp)
#   ANONAUTH_JOBS          parallel build jobs (default: nproc)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-debian.sh

seconds=${ANONAUTH_FUZZ_SECONDS:-20}
jobs=${ANONAUTH_JOBS:-$(nproc)}
build=build/fuzz

if [[ -n ${ANONAUTH_FUZZ_TARGETS:-} ]]; then
  read -r -a targets <<<"$ANONAUTH_FUZZ_TARGETS"
else
  targets=()
  for source in fuzz/fuzz_*.cpp; do
    targets+=("$(basename "$source" .cpp)")
  done
fi

cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DANONAUTH_FUZZ=ON \
  -DANONAUTH_BUILD_TESTS=OFF \
  -DANONAUTH_BUILD_EXAMPLES=OFF \
  -DANONAUTH_BENCHMARKS=OFF \
  -DANONAUTH_INSTALL=OFF \
  -DANONAUTH_SANITIZE=
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# libFuzzer's leak check after every input that allocated more than it freed would run on
# nearly every input here (the harnesses keep their auth across inputs) and cost a heap scan
# each time: -detect_leaks=0 turns it off, and LeakSanitizer still checks once, at exit.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

results=()
failed=0
for target in "${targets[@]}"; do
  corpus=$build/corpus/$target
  artifacts=$build/artifacts/$target
  log=$build/$target.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d fuzz/corpus/$target ]]; then
    cp fuzz/corpus/"$target"/* "$corpus"/
  fi
  echo
  echo "== $target: ${seconds}s =="
  rc=0
  "$build/fuzz/$target" "$corpus" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    >"$log" 2>&1 || rc=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || true)
  if ((rc == 0)); then
    results+=("PASS  $target: ${runs:-0} executions in ${seconds}s")
  else
    failed=1
    # The report: the violated invariant or the sanitizer's, with its stack.
    grep -E -A40 'invariant violated|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|==[0-9]+== ?ERROR' \
      "$log" | head -80 || tail -n 60 "$log"
    crash=$(find "$artifacts" -type f | head -n1)
    results+=("FAIL  $target (exit $rc): ${runs:-?} executions; log $log${crash:+; input $crash}")
  fi
  echo "${results[-1]}"
done

echo
echo "== anonauth fuzz summary =="
printf '%s\n' "${results[@]}"
exit "$failed"
