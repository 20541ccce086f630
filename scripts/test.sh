#!/usr/bin/env bash
# Runs every test of anonauth:
#   1. for each compiler: configure build/<compiler>, build everything, ctest
#      (unit, conformance, HTTP, compile-fail, headers, packaging, examples, and the
#      end-to-end tests of the example server). GCC builds plain, benchmarks included;
#      Clang builds with AddressSanitizer and UndefinedBehaviorSanitizer
#      (-DANONAUTH_SANITIZE=address,undefined, at -O1 with line tables: tests, examples and
#      the example server the end-to-end tests drive), so a memory error, a leak or
#      undefined behaviour fails its test;
#   2. a build without SQLite (g++, -DANONAUTH_SQLITE=OFF, with CMake unable to find
#      SQLite at all): every CMake file configures, and the conformance tests (the memory
#      storage through the kit) build without including any SQLite header, and pass;
#   3. a ThreadSanitizer build (clang++) of the unit test files that run threads, of the
#      server adapter tests and of the conformance tests, running the tests whose name contains
#      "concurrency", the rate limiter's and the hashing bound's thread tests, those of the Beast
#      server and the storage kit on every storage (PostgreSQL's pool among them);
#   4. the libFuzzer harnesses of fuzz/ (scripts/fuzz.sh: build/fuzz, each target
#      ANONAUTH_FUZZ_SECONDS on a copy of its seed corpus).
# Stops at the first failure and prints one summary line per job.
#
# Environment:
#   ANONAUTH_COMPILERS   compilers to test with (default: "g++ clang++"; empty: none)
#   ANONAUTH_BUILD_TYPE  build type for every compiler job (default: Debug for
#                        GCC, RelWithDebInfo for Clang: one build of each kind)
#   ANONAUTH_SKIP_NOSQLITE=1 skip the job without SQLite
#   ANONAUTH_SKIP_TSAN=1 skip the ThreadSanitizer job
#   ANONAUTH_SKIP_FUZZ=1 skip the fuzz job
#   ANONAUTH_FUZZ_SECONDS seconds per fuzz target (default: 20)
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

# pass <what ran>: records the job as passed.
pass() {
  summary+=("PASS  $current: $1 ($((SECONDS - started))s)")
  current=""
}

# end <ctest log>: records the job as passed, with the test count from the log.
end() {
  local count
  count=$(grep -Eo 'tests failed out of [0-9]+' "$1" | grep -Eo '[0-9]+$' | tail -n1 || true)
  pass "${count:-0} tests"
}

for cxx in "${compilers[@]}"; do
  name=$(basename "$cxx")
  build=build/$name
  sanitize=""
  label=""
  # The sanitized build leaves out what a second compiler adds nothing to: the compile-fail
  # tests' positive twins (their tags are still checked), the headers' self-containment, the
  # packaging tests (CMake's logic, not the compiler's) and the end-to-end tests of Better
  # Auth's own server against itself. It optimises at -O1 with line tables only, which is what
  # the sanitizers' reports need and compiles faster than -O2 -g.
  twins=ON
  header_checks=ON
  skip_tests='^$'
  sanitized_flags=()
  case $name in
    clang*)
      type=${ANONAUTH_BUILD_TYPE:-RelWithDebInfo}
      sanitize=address,undefined
      label=" ASan+UBSan"
      twins=OFF
      header_checks=OFF
      skip_tests='^anonauth\.(e2e\.reference|package)\.'
      if [[ -z ${ANONAUTH_BUILD_TYPE:-} ]]; then
        sanitized_flags=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only")
        label=" ASan+UBSan, -O1"
      fi
      ;;
    *) type=${ANONAUTH_BUILD_TYPE:-Debug} ;;
  esac
  # The benchmarks are built, never run here, so that they do not rot: by the plain build only,
  # since a sanitized one would only make them slower to build.
  benchmarks=ON
  [[ -n $sanitize ]] && benchmarks=OFF
  begin "$name $type$label"
  cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE="$type" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DANONAUTH_SANITIZE="$sanitize" \
    -DANONAUTH_BENCHMARKS="$benchmarks" \
    -DANONAUTH_COMPILE_FAIL_TWINS="$twins" \
    -DANONAUTH_HEADER_CHECKS="$header_checks" \
    "${sanitized_flags[@]}"
  cmake --build "$build" -j "$jobs"
  # The end-to-end tests are left out when a tool they drive is missing; here that is a failure,
  # not a skip: setup-debian.sh installs them, so a run without them would hide a broken setup.
  for required in anonauth.e2e.client anonauth.e2e.browser anonauth.e2e.load anonauth.e2e.reference.client; do
    if ! ctest --test-dir "$build" -N -R "^${required//./\\.}\$" | grep -q "Total Tests: 1"; then
      echo "test.sh: $required is not registered: are node, npm, chromium and wrk installed?" >&2
      exit 1
    fi
  done
  sanitizer_env=()
  if [[ -n $sanitize ]]; then
    sanitizer_env=(
      "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
      "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
    )
  fi
  env "${sanitizer_env[@]}" ctest --test-dir "$build" -E "$skip_tests" --output-on-failure -j "$jobs" 2>&1 |
    tee "$build/ctest.log"
  end "$build/ctest.log"
done

if [[ ${ANONAUTH_SKIP_NOSQLITE:-0} != 1 ]]; then
  build=build/nosqlite
  begin "g++ Debug without SQLite (configure, conformance tests)"
  # The SQLite storage is optional: without it, every CMake file must configure (tests,
  # examples, packaging) and what is built must not need SQLite. Only the conformance tests are
  # built, to keep the job short: the whole build without SQLite is the same code as the
  # job above, less the SQLite files.
  cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=g++ \
    -DANONAUTH_SQLITE=OFF \
    -DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=TRUE
  cmake --build "$build" --target anonauth_conformance_tests -j "$jobs"
  # A SQLite header that compiles (it is installed) must still not be included by anything here.
  if ninja -C "$build" -t deps | grep -E 'sqlite3\.h$|anonauth/storage/sqlite/'; then
    echo "test.sh: the build without SQLite includes the headers above" >&2
    exit 1
  fi
  ctest --test-dir "$build" -R '^anonauth\.conformance\.' --no-tests=error --output-on-failure -j "$jobs" 2>&1 |
    tee "$build/ctest.log"
  end "$build/ctest.log"
fi

if [[ ${ANONAUTH_SKIP_TSAN:-0} != 1 ]]; then
  build=build/tsan
  begin "clang++ ThreadSanitizer (concurrency tests)"
  cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DANONAUTH_SANITIZE=thread \
    -DANONAUTH_BUILD_EXAMPLES=OFF \
    -DANONAUTH_INSTALL=OFF \
    "-DANONAUTH_UNIT_TESTS=concurrency.cpp;sqlite_concurrency.cpp;rate_limit.cpp;abuse_resistance.cpp"
  targets=(anonauth_unit_tests anonauth_adapters_tests anonauth_conformance_tests)
  # The PostgreSQL storage's pool and its racing threads, when it is built and tested here.
  if grep -q '^ANONAUTH_TEST_POSTGRES:BOOL=ON' "$build/CMakeCache.txt"; then targets+=(anonauth_postgres_tests); fi
  cmake --build "$build" --target "${targets[@]}" -j "$jobs"
  # --no-tests=error: a TSan job that runs nothing must not pass. The Beast server's tests are
  # the HTTP layer's concurrency tests (connections, timeouts and stop on several threads); the
  # rate limiter's and the hashing bound's thread tests share buckets and slots across threads;
  # the storage kit's transaction cases run writers on four threads against a reader; the
  # PostgreSQL tests named *concurrency share one pool between threads (CTest starts the
  # server they need, the fixture of anonauth.postgres.server_start).
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    ctest --test-dir "$build" -R 'concurrency|rate_limit\.threads_|abuse\.no_burst_|abuse\.a_sign_in_that_waits_|anonauth\.adapters\.beast\.|anonauth\.conformance\.' \
      --no-tests=error --output-on-failure -j "$jobs" 2>&1 |
    tee "$build/ctest.log"
  end "$build/ctest.log"
fi

if [[ ${ANONAUTH_SKIP_FUZZ:-0} != 1 ]]; then
  seconds=${ANONAUTH_FUZZ_SECONDS:-20}
  begin "clang++ libFuzzer ASan+UBSan (${seconds}s per target)"
  mkdir -p build
  ANONAUTH_FUZZ_SECONDS=$seconds ANONAUTH_JOBS=$jobs scripts/fuzz.sh 2>&1 | tee build/fuzz.log
  # fuzz.sh ends with one "PASS  <target>: <n> executions in <s>s" line per target.
  pass "$(awk '/^== anonauth fuzz summary ==/ { seen = 1; next }
               seen && /^PASS / { targets++; executions += $3 }
               END { printf "%d targets, %d executions", targets, executions }' build/fuzz.log)"
fi
