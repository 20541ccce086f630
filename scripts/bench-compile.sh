#!/usr/bin/env bash
# Compile-time benchmark: how long compiling a translation unit that uses anonauth takes, how much
# memory the compiler needs, and how both grow with the size of the schema.
#
#   scripts/bench-compile.sh
#
# For each compiler, storage and N, benchmarks/compile_time/generate.sh writes a TU with N
# application tables and N + 1 migrators that calls every operation (into build/bench-compile/),
# and it is compiled with `-std=c++20 -O2 -c` under /usr/bin/time, best of ANONAUTH_COMPILE_REPEAT
# runs. The example TUs examples/readme.cpp and examples/guest_lifecycle.cpp are timed the same
# way (target: under 5 s each). No CMake: the compiler is called directly, so only the compile is
# measured.
#
# Output (stdout): the machine and the load average, one JSON line per measurement, then a table
# per compiler and storage: seconds and MiB per N, the cost per added table between consecutive
# N, a least-squares fit t = a + b*N with its largest relative residual, and the exponent k of
# t(N) - t(N0) between the two largest N (N0 the smallest): growth is called linear when k is
# within [0.8, 1.25]. Progress goes to stderr.
#
# A compile that exceeds ANONAUTH_COMPILE_TIMEOUT is stopped and reported as timed out, and the
# larger N of its compiler and storage are skipped (they would take longer still); a compile that
# fails is reported with its errors. The run then goes on, and exits 1 at the end. Large N can
# need minutes and gigabytes: the point of the benchmark is to show how cost grows with N.
#
# Timings are wall-clock and best-of: take numbers to compare on an otherwise idle machine (the
# load average is printed at start and end; the benchmark itself adds about 1). "cpu" is user +
# system time of the compiler, less sensitive to other load than wall time but not immune to it.
#
# Environment:
#   ANONAUTH_COMPILERS        compilers (default: "g++ clang++")
#   ANONAUTH_COMPILE_NS       numbers of tables (default: "1 10 50 200")
#   ANONAUTH_COMPILE_STORAGES storages (default: "memory sqlite"; sqlite needs sqlite3.h)
#   ANONAUTH_COMPILE_REPEAT   runs per measurement, the best is kept (default: 3)
#   ANONAUTH_COMPILE_TIMEOUT  seconds after which one compile is stopped (default: 1800)
#   ANONAUTH_COMPILE_FLAGS    extra compiler flags (default: none)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh" >&2   # GNU time (/usr/bin/time) comes from the Debian package "time"

read -r -a compilers <<<"${ANONAUTH_COMPILERS-g++ clang++}"
read -r -a ns <<<"${ANONAUTH_COMPILE_NS:-1 10 50 200}"
read -r -a storages <<<"${ANONAUTH_COMPILE_STORAGES:-memory sqlite}"
read -r -a extra_flags <<<"${ANONAUTH_COMPILE_FLAGS:-}"
repeat=${ANONAUTH_COMPILE_REPEAT:-3}
limit=${ANONAUTH_COMPILE_TIMEOUT:-1800}
examples=(examples/readme.cpp examples/guest_lifecycle.cpp)

[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "bench-compile: ANONAUTH_COMPILE_REPEAT must be a positive integer" >&2; exit 2; }
[[ $limit =~ ^[1-9][0-9]*$ ]] || { echo "bench-compile: ANONAUTH_COMPILE_TIMEOUT must be a positive integer" >&2; exit 2; }
for n in "${ns[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench-compile: ANONAUTH_COMPILE_NS holds '$n', not a positive integer" >&2; exit 2; }
done
mapfile -t ns < <(printf '%s\n' "${ns[@]}" | sort -n -u)   # the analysis walks N in order
[[ -x /usr/bin/time ]] || { echo "bench-compile: /usr/bin/time (GNU time) is missing" >&2; exit 1; }
for compiler in "${compilers[@]}"; do
  command -v "$compiler" >/dev/null || { echo "bench-compile: compiler '$compiler' not found" >&2; exit 1; }
done
if [[ " ${storages[*]} " == *" sqlite "* ]] && ! echo '#include <sqlite3.h>' | "${compilers[0]:-c++}" -E -x c++ - >/dev/null 2>&1; then
  echo "bench-compile: sqlite3.h not found: the sqlite storage is skipped" >&2
  mapfile -t storages < <(printf '%s\n' "${storages[@]}" | grep -vx sqlite || true)
fi

out="$root/build/bench-compile"
mkdir -p "$out"
flags=(-std=c++20 -O2 -c -I"$root/include" "${extra_flags[@]}")
results="$out/results.tsv"            # compiler storage N status wall cpu KiB, for the analysis
examples_results="$out/examples.tsv"  # compiler TU status wall cpu KiB
: >"$results"
: >"$examples_results"
status=0

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
version_of() { "$1" -dumpfullversion -dumpversion 2>/dev/null | head -n1; }

echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
for compiler in "${compilers[@]}"; do echo "compiler: $compiler: $("$compiler" --version | head -n1)"; done
echo "flags: ${flags[*]/#-I$root\//-I}"
load_start=$(loadavg)
echo "load average at start: $load_start"

# measure LABEL COMPILER SOURCE OBJECT: compiles up to REPEAT times; prints "ok WALL CPU KIB" (the
# least wall and cpu time and the largest peak RSS over the runs), "timeout" or "failed".
measure() {
  local label=$1 compiler=$2 source=$3 object=$4 run rc
  local timing="$out/time.txt" log="$out/compile.log" runs=()
  for ((run = 1; run <= repeat; run++)); do
    echo "bench-compile: $label (run $run/$repeat)" >&2
    rc=0
    # timeout signals its whole process group, so the compiler proper (cc1plus) stops too.
    /usr/bin/time -f '%e %U %S %M' -o "$timing" timeout "$limit" "$compiler" "${flags[@]}" "$source" -o "$object" \
      2>"$log" || rc=$?
    if ((rc == 124)); then
      echo "bench-compile: $label: stopped after $limit s (ANONAUTH_COMPILE_TIMEOUT)" >&2
      echo timeout
      return
    elif ((rc != 0)); then
      echo "bench-compile: $label failed to compile (exit status $rc):" >&2
      cat "$log" >&2
      echo failed
      return
    fi
    runs+=("$(tail -n1 "$timing")")
  done
  printf '%s\n' "${runs[@]}" | awk '
    NR == 1 || $1 < wall { wall = $1 }
    NR == 1 || $2 + $3 < cpu { cpu = $2 + $3 }
    $4 > kib { kib = $4 }
    END { printf "ok %.2f %.2f %d\n", wall, cpu, kib }'
}

# json COMPILER FIELDS STATUS WALL CPU KIB [EXTRA]: one measurement as a JSON line; FIELDS and
# EXTRA are JSON members ("key":value) that go before and after the measured values, which a
# compile that did not finish has not.
json() {
  awk -v compiler="$1" -v version="$(version_of "$1")" -v fields="$2" -v status="$3" -v wall="$4" -v cpu="$5" \
    -v kib="$6" -v extra="${7:-}" -v runs="$repeat" -v limit="$limit" 'BEGIN {
    printf "{\"bench\":\"anonauth-compile\",\"compiler\":\"%s\",\"version\":\"%s\",%s,\"status\":\"%s\"", compiler, version, fields, status
    if (status == "ok") printf ",\"seconds\":%.2f,\"cpu_seconds\":%.2f,\"peak_rss_mib\":%.1f,\"runs\":%d%s}\n", wall, cpu, kib / 1024, runs, extra
    else if (status == "timeout") printf ",\"timeout_seconds\":%d}\n", limit
    else printf "}\n"   # failed: the errors went to stderr
  }' </dev/null
}

for compiler in "${compilers[@]}"; do
  for example in "${examples[@]}"; do
    name=$(basename "$example" .cpp)
    measured=$(measure "$compiler $example" "$compiler" "$root/$example" "$out/example-$name.$compiler.o")
    read -r result wall cpu kib <<<"$measured"
    [[ $result == ok ]] || status=1
    under=$(awk -v t="${wall:-0}" -v r="$result" 'BEGIN { print (r == "ok" && t < 5 ? "true" : "false") }')
    json "$compiler" "\"tu\":\"$example\"" "$result" "${wall:-0}" "${cpu:-0}" "${kib:-0}" ",\"under_5s\":$under"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$compiler" "$example" "$result" "${wall:-0}" "${cpu:-0}" "${kib:-0}" >>"$examples_results"
  done
done

for compiler in "${compilers[@]}"; do
  for storage in "${storages[@]}"; do
    stopped=""
    for n in "${ns[@]}"; do
      if [[ -n $stopped ]]; then
        echo "bench-compile: $compiler $storage N=$n skipped: N=$stopped did not finish" >&2
        printf '%s\t%s\t%s\tskipped\t0\t0\t0\n' "$compiler" "$storage" "$n" >>"$results"
        continue
      fi
      source="$out/tables-$n-$storage.cpp"
      bash "$root/benchmarks/compile_time/generate.sh" "$n" "$source" "$storage"
      measured=$(measure "$compiler $storage N=$n" "$compiler" "$source" "$out/tables-$n-$storage.$compiler.o")
      read -r result wall cpu kib <<<"$measured"
      if [[ $result != ok ]]; then
        status=1
        stopped=$n
      fi
      json "$compiler" "\"storage\":\"$storage\",\"tables\":$n" "$result" "${wall:-0}" "${cpu:-0}" "${kib:-0}"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$compiler" "$storage" "$n" "$result" "${wall:-0}" "${cpu:-0}" "${kib:-0}" \
        >>"$results"
    done
  done
done
load_end=$(loadavg)

# The analysis, in POSIX awk.
echo
echo "example TUs (target: under 5 s)"
awk -F'\t' '
$3 != "ok" { printf "  %-8s %-30s %s\n", $1, $2, ($3 == "timeout" ? "TIMED OUT" : "FAILED"); next }
{ printf "  %-8s %-30s %7.2f s  cpu %7.2f s  %7.1f MiB  %s\n", $1, $2, $4, $5, $6 / 1024, ($4 < 5 ? "under 5 s" : "OVER 5 s") }
' "$examples_results"

awk -F'\t' -v limit="$limit" '
# linearity(what, y): fits y = a + b*N by least squares over the finished N, prints the largest
# relative residual and the exponent k of y(N) - y(N0) between the two largest N (N0 the
# smallest; taken on N - N0 so that a linear cost gives exactly 1, a quadratic one about 2).
function linearity(what, y,    i, sx, sy, sxx, sxy, a, b, fit, res, worst, worst_i, g1, g2, k) {
  sx = sy = sxx = sxy = 0
  for (i = 1; i <= count; i++) { sx += n[i]; sy += y[i]; sxx += n[i] * n[i]; sxy += n[i] * y[i] }
  b = (count * sxy - sx * sy) / (count * sxx - sx * sx)
  a = (sy - b * sx) / count
  worst = -1
  for (i = 1; i <= count; i++) {
    fit = a + b * n[i]
    res = (y[i] > 0) ? (y[i] - fit) / y[i] : 0
    if ((res < 0 ? -res : res) > worst) { worst = (res < 0 ? -res : res); worst_i = i }
  }
  printf "  %s: fit a + b*N: a = %.2f s, b = %.4f s per table; largest relative residual %.1f%% (N = %d)\n",
         what, a, b, 100 * worst, n[worst_i]
  if (count < 3) { printf "  %s: exponent needs at least three N\n", what; return }
  g1 = y[count - 1] - y[1]; g2 = y[count] - y[1]
  if (g1 <= 0 || g2 <= 0) {
    printf "  %s: exponent n/a (no growth over N = %d above the noise)\n", what, n[1]
    return
  }
  k = log(g2 / g1) / log((n[count] - n[1]) / (n[count - 1] - n[1]))
  printf "  %s: exponent k of t(N) - t(%d) from N = %d to %d: %.2f: %s\n", what, n[1], n[count - 1], n[count], k,
         (k >= 0.8 && k <= 1.25) ? "linear (k within [0.8, 1.25])" \
                                 : (k > 1.25 ? "NOT linear: grows faster than N" : "NOT linear: grows slower than N")
}
function report() {
  if (rows == "") return
  printf "\n%s, %s storage: N application tables + the user table, one migrator each\n", group_compiler, group_storage
  printf "  %6s %9s %9s %9s %12s %12s\n", "N", "seconds", "cpu s", "MiB", "s/table", "MiB/table"
  printf "%s", rows
  if (unfinished) print "  a compile did not finish: the fit and the exponent below cover the finished N only"
  if (count < 2) print "  linearity: needs at least two finished N"
  else {
    linearity("wall time", t)
    linearity("cpu time ", c)   # less sensitive to other load on the machine
  }
  count = 0; rows = ""; unfinished = 0
}
$1 != group_compiler || $2 != group_storage { report(); group_compiler = $1; group_storage = $2 }
$4 != "ok" {
  unfinished = 1
  rows = rows sprintf("  %6d  %s\n", $3, $4 == "timeout" ? "stopped after " limit " s" : ($4 == "skipped" ? "skipped" : "failed to compile"))
  next
}
{
  count++; n[count] = $3; t[count] = $5; c[count] = $6; mib[count] = $7 / 1024
  if (count == 1) rows = rows sprintf("  %6d %9.2f %9.2f %9.1f %12s %12s\n", n[count], t[count], c[count], mib[count], "-", "-")
  else rows = rows sprintf("  %6d %9.2f %9.2f %9.1f %12.4f %12.3f\n", n[count], t[count], c[count], mib[count],
                           (t[count] - t[count - 1]) / (n[count] - n[count - 1]),
                           (mib[count] - mib[count - 1]) / (n[count] - n[count - 1]))
}
END { report() }' "$results"

echo
echo "load average at start: $load_start; at end: $load_end ($(nproc) cores)"
awk -v load="${load_start%% *}" 'BEGIN {
  if (load > 0.5) printf "warning: the machine was busy at start (1-minute load %.2f): timings are inflated and noisy; compare only runs on an idle machine\n", load
}'
exit "$status"
