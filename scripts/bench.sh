#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them one after the other; each prints JSON lines
# (keys: benchmarks/runtime/measure.hpp):
#   anonauth_bench_runtime        the memory storage (one line)
#   anonauth_bench_memory_floor   the same work by hand in hash maps (the memory floor, one line)
#   anonauth_bench_sqlite         the SQLite storage: sqlite-memory, sqlite-file-peer, sqlite-file-wal
#   anonauth_bench_sqlite_floor   the same SQL written by hand (the SQLite floor), same configurations
# Each library program is followed at once by its floor (the SQLite ones alternate per
# configuration), so that a change in the machine's load or disk between the two skews a ratio as
# little as possible. First the machine and compiler; last two tables of anonauth's latency over
# its floor's, per operation: the SQLite storage per configuration, then the memory storage.
# Numbers from a machine doing other work (see loadavg_1_5_15 in each line) are noise: take the
# ones you keep on a quiet machine.
#   scripts/bench.sh [--quick]
# Environment: CXX (default g++), ANONAUTH_JOBS parallel build jobs (default: nproc).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh"
build="$root/build/bench"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
  -DANONAUTH_BENCHMARKS=ON -DANONAUTH_BUILD_TESTS=OFF -DANONAUTH_BUILD_EXAMPLES=OFF >/dev/null

# The machine and the compiler the numbers belong to.
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[[ -n $cpu ]] || cpu=$(uname -p)
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
echo "machine: $(nproc) CPUs (nproc), $cpu, $(uname -srm)"
echo "compiler: $("${cxx:-${CXX:-g++}}" --version | head -n 1), CMAKE_BUILD_TYPE=Release"

cmake --build "$build" -j"${ANONAUTH_JOBS:-$(nproc)}"   # every benchmark target (tests and examples are off)

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for bench in anonauth_bench_runtime anonauth_bench_memory_floor; do
  echo "== $bench" >&2
  "$build/benchmarks/$bench" "$@" | tee -a "$results"
done
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
# One table: every configuration of a storage kind, every operation its floor measured.
function table(kind, title,    c, o, config, op, ours, label, a, f, am, fm) {
  if (nconfigs[kind] == 0) return
  print ""
  print title
  printf "%-17s %-34s %14s %12s %8s %8s\n", "config", "operation", "anonauth ms", "floor ms", "median", "mean"
  for (c = 1; c <= nconfigs[kind]; c++) {
    for (o = 1; o <= nops[kind]; o++) {
      config = configs[kind, c]; op = ops[kind, o]; ours = op; sub(/_in_txn$/, "", ours)
      if (!(("anonauth", config, ours) in median) || !(("floor", config, op) in median)) continue
      label = (ours == op) ? op : ours " (floor in one txn)"
      a = median["anonauth", config, ours]; f = median["floor", config, op]
      am = mean["anonauth", config, ours]; fm = mean["floor", config, op]
      printf "%-17s %-34s %14.4f %12.4f %8.2f %8.2f\n", config, label, a, f, (f > 0 ? a / f : 0), (fm > 0 ? am / fm : 0)
    }
  }
}
{
  bench = value($0, "bench"); config = value($0, "config")
  if (bench == "anonauth-sqlite") { kind = "sqlite"; side = "anonauth" }
  else if (bench == "sqlite-floor") { kind = "sqlite"; side = "floor" }
  else if (bench == "anonauth-memory") { kind = "memory"; side = "anonauth" }
  else if (bench == "memory-floor") { kind = "memory"; side = "floor" }
  else next
  if (!((kind, config) in config_seen)) { config_seen[kind, config] = 1; configs[kind, ++nconfigs[kind]] = config }
  n = split(substr($0, index($0, "\"ops\":{") + 7), parts, "[}],")
  for (k = 1; k <= n; k++) {
    if (substr(parts[k], 1, 1) != "\"") continue
    op = substr(parts[k], 2, index(parts[k], "\":{") - 2)
    median[side, config, op] = value(parts[k], "median_ms")
    mean[side, config, op] = value(parts[k], "mean_ms")
    if (side == "floor" && !((kind, op) in op_seen)) { op_seen[kind, op] = 1; ops[kind, ++nops[kind]] = op }
    if (op ~ /^purge_/) purged = 1
  }
}
END {
  table("sqlite", "anonauth (SQLite storage) over the floor (the same SQL by hand): median latency, ratio of medians and of means")
  table("memory", "anonauth (memory storage) over the floor (the same work by hand in hash maps): median latency, ratio of medians and of means")
  if (purged) print "(purge_N: one call deleting N guests; per guest, see per_guest_median_us in the JSON lines)"
}' "$results"
