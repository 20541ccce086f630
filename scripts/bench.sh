#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them one after the other; each prints JSON lines:
#   anonauth_bench_runtime        the memory storage (one line)
#   anonauth_bench_sqlite         the SQLite storage: sqlite-memory, sqlite-file-peer, sqlite-file-wal
#   anonauth_bench_sqlite_floor   the same SQL written by hand (the floor), same configurations
# The SQLite storage and its floor alternate per configuration, so that a change in the machine's
# load or disk between the two programs skews a ratio as little as possible. Then a table of
# anonauth's latency over the floor's, per operation and configuration.
#   scripts/bench.sh [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh"
build="$root/build/bench"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
  -DANONAUTH_BENCHMARKS=ON -DANONAUTH_BUILD_TESTS=OFF -DANONAUTH_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"   # every benchmark target (tests and examples are off)

results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "== anonauth_bench_runtime" >&2
"$build/benchmarks/anonauth_bench_runtime" "$@" | tee -a "$results"
configs=(sqlite-memory sqlite-file-peer sqlite-file-wal)
[[ -x "$build/benchmarks/anonauth_bench_sqlite" ]] || configs=()   # built with -DANONAUTH_SQLITE=OFF
for config in "${configs[@]}"; do
  for bench in anonauth_bench_sqlite anonauth_bench_sqlite_floor; do
    echo "== $bench $config" >&2
    sync   # the previous program's writes and deleted files must not slow this one's fsyncs
    "$build/benchmarks/$bench" "$@" "$config" | tee -a "$results"
  done
done

# anonauth / floor: the ratio of median (and mean) latencies. POSIX awk: the JSON lines are flat
# enough to pick apart by their keys.
awk '
function value(s, key,    i, rest) {  # the value after "key": in s (a string without its quotes)
  i = index(s, "\"" key "\":")
  if (i == 0) return ""
  rest = substr(s, i + length(key) + 3)
  if (substr(rest, 1, 1) == "\"") { rest = substr(rest, 2); return substr(rest, 1, index(rest, "\"") - 1) }
  return rest + 0
}
{
  bench = value($0, "bench"); config = value($0, "config")
  if (bench == "anonauth-sqlite") side = "anonauth"; else if (bench == "sqlite-floor") side = "floor"; else next
  if (!(config in config_seen)) { config_seen[config] = 1; configs[++nconfigs] = config }
  n = split(substr($0, index($0, "\"ops\":{") + 7), parts, "[}],")
  for (k = 1; k <= n; k++) {
    if (substr(parts[k], 1, 1) != "\"") continue
    op = substr(parts[k], 2, index(parts[k], "\":{") - 2)
    median[side, config, op] = value(parts[k], "median_ms")
    mean[side, config, op] = value(parts[k], "mean_ms")
    if (side == "floor" && !(op in op_seen)) { op_seen[op] = 1; ops[++nops] = op }
  }
}
END {
  if (nconfigs == 0) exit
  print ""
  print "anonauth (SQLite storage) over the floor (the same SQL by hand): median latency, ratio of medians and of means"
  printf "%-17s %-34s %14s %12s %8s %8s\n", "config", "operation", "anonauth ms", "floor ms", "median", "mean"
  for (c = 1; c <= nconfigs; c++) {
    for (o = 1; o <= nops; o++) {
      config = configs[c]; op = ops[o]; ours = op; sub(/_in_txn$/, "", ours)
      if (!(("anonauth", config, ours) in median) || !(("floor", config, op) in median)) continue
      label = (ours == op) ? op : ours " (floor in one txn)"
      a = median["anonauth", config, ours]; f = median["floor", config, op]
      am = mean["anonauth", config, ours]; fm = mean["floor", config, op]
      printf "%-17s %-34s %14.4f %12.4f %8.2f %8.2f\n", config, label, a, f, (f > 0 ? a / f : 0), (fm > 0 ? am / fm : 0)
    }
  }
}' "$results"
