#!/usr/bin/env bash
# Runs every test of anonauth:
#   1. for each compiler: configure build/<compiler>, build everything, ctest
#      (unit, conformance, compile-fail, headers, packaging, examples);
#   2. a ThreadSanitizer build (clang++) of the unit tests, running the tests
#      whose name contains "concurrency".
# Stops at the first failure and prints one summary line per job.
#
# Environment:
#   ANONAUTH_COMPILERS   compilers to test with (default: "g++ clang++"; empty: none)
#   ANONAUTH_BUILD_TYPE  build type for every compiler job (default: Debug for
#                        GCC, RelWithDebInfo for Clang: one build of each kind)
#   ANONAUTH_SKIP_TSAN=1 skip the ThreadSanitizer job
#   ANONAUTH_JOBS        parallel build/test jobs (default: nproc)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-debian.sh

jobs=${ANONAUTH_JOBS:-$(nproc)}
read -r -a compilers <<<"${ANONAUTH_COMPILERS-g++ clang++}"

summary=()
current=""
started=0
print_summary() {
  local rc=$?
  if [[ -n $current ]]; then
    summary+=("FAIL  $current ($((SECONDS - started))s)")
  fi
  if ((${#summary[@]})); then
    echo
    echo "== anonauth test summary =="
    printf '%s\n' "${summary[@]}"
  fi
  exit "$rc"
}
trap print_summary EXIT

begin() {
  current=$1
  started=$SECONDS
  echo
  echo "== $current =="
}

# end <ctest log>: records the job as passed, with the test count from the log.
end() {
  local count
  count=$(grep -Eo 'tests failed out of [0-9]+' "$1" | grep -Eo '[0-9]+$' | tail -n1 || true)
  summary+=("PASS  $current: ${count:-0} tests ($((SECONDS - started))s)")
  current=""
}

for cxx in "${compilers[@]}"; do
  name=$(basename "$cxx")
  build=build/$name
  case $name in
    clang*) type=${ANONAUTH_BUILD_TYPE:-RelWithDebInfo} ;;
    *)      type=${ANONAUTH_BUILD_TYPE:-Debug} ;;
  esac
  begin "$name $type"
  cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE="$type" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DANONAUTH_SANITIZE= \
    -DANONAUTH_BENCHMARKS=ON   # built, never run here: they must not rot
  cmake --build "$build" -j "$jobs"
  ctest --test-dir "$build" --output-on-failure -j "$jobs" 2>&1 | tee "$build/ctest.log"
  end "$build/ctest.log"
done

if [[ ${ANONAUTH_SKIP_TSAN:-0} != 1 ]]; then
  build=build/tsan
  begin "clang++ ThreadSanitizer (concurrency tests)"
  cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DANONAUTH_SANITIZE=thread \
    -DANONAUTH_BUILD_EXAMPLES=OFF \
    -DANONAUTH_INSTALL=OFF
  cmake --build "$build" --target anonauth_unit_tests -j "$jobs"
  # --no-tests=error: a TSan job that runs nothing must not pass.
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    ctest --test-dir "$build" -R concurrency --no-tests=error --output-on-failure -j "$jobs" 2>&1 |
    tee "$build/ctest.log"
  end "$build/ctest.log"
fi
