#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them; each prints one JSON line.
#   scripts/bench.sh [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh"
build="$root/build/bench"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
  -DANONAUTH_BENCHMARKS=ON -DANONAUTH_BUILD_TESTS=OFF -DANONAUTH_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target anonauth_bench_runtime -j"$(nproc)"
"$build/benchmarks/anonauth_bench_runtime" "$@"
