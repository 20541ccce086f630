#!/usr/bin/env bash
# The example server's shop (benchmarks/http/server.cpp: examples/server/shop.hpp on the Beast
# server) and Better Auth's own server (benchmarks/http/better-auth/server.mjs: node:http with
# toNodeHandler, better-sqlite3) under the same wrk load, on the same SQLite settings, back to
# back in one run, with a floor; then the ratios and the targets.
#
#   scripts/bench-http.sh [PEER_DIR]
#
#   PEER_DIR   Better Auth's server folder (package.json, package-lock.json, server.mjs);
#              default benchmarks/http/better-auth
#
# Environment (defaults in parentheses): BENCH_HTTP_DURATION seconds of each timed run (5),
# BENCH_HTTP_WARMUP seconds of warm-up before it (4: Node's JIT brings Better Auth's get-session
# from about 60% to its steady rate in about 4 s of load), BENCH_HTTP_THREADS threads of anonauth's
# server (2), BENCH_HTTP_WRK_THREADS wrk threads (1, for every server and connection count),
# BENCH_HTTP_CONNECTIONS the connection counts ("1 64"), BENCH_HTTP_DBS the storages
# ("file-wal memory"), BENCH_HTTP_OPS the operations ("get-session sign-in link"),
# ANONAUTH_JOBS parallel build jobs (2), CXX (g++).
#
# What runs, for each storage, each operation and each connection count, each server started
# afresh (a new database), warmed up, measured, stopped:
#
#   storages     file-wal: a SQLite file in the temp dir, journal_mode=WAL, synchronous=NORMAL
#                (anonauth's defaults; Better Auth's server sets the same pragmas); memory:
#                SQLite in memory (':memory:' on both sides, SQLite's memory journal).
#   servers      anonauth (the shop, --threads BENCH_HTTP_THREADS), better-auth (one Node
#                process), and for get-session the floor: the same Beast server answering every
#                request with a real get-session answer's bytes, no auth, no database.
#   get-session  GET /api/auth/get-session with the cookies of 2,000 guests signed in through the
#                server beforehand, in turn. The warm-up checks every answer is a session; the
#                timed run reads statuses only, and its bytes per answer must equal the warm-up's.
#   sign-in      POST /api/auth/sign-in/anonymous {} with a trusted Origin.
#   link         POST /api/auth/sign-up/email {name, email, password} with a fresh guest's cookie
#                and a trusted Origin; the guests are signed in through the server beforehand
#                (as many as BENCH_HTTP_WARMUP + BENCH_HTTP_DURATION + 1 seconds of sign-ins at 64
#                connections give), each is used once, the emails are unique. Both servers store
#                a precomputed real hash (anonauth: Argon2id, Better Auth: scrypt): the link
#                without hashing. The guests have no bio, so neither side's onLinkAccount writes one.
#
# Each run prints one JSON line (server, db, op, connections, rps, p50_ms, p99_ms, errors,
# non_2xx, ok, and the details); a run with any socket error, non-2xx answer, wrong answer or
# missing guest, in its warm-up or its timed part, is flagged ("ok":false) and the exit code is 1.
# Then the tables of anonauth / Better Auth and floor / anonauth with the targets
# (benchmarks/http/report.mjs). wrk runs on the same machine as the servers and takes its share of
# the cores: the numbers are those of client and server together, as the header says.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$root/scripts/bench-common.sh"
peer_dir=${1:-$root/benchmarks/http/better-auth}
(($# <= 1)) || { echo "usage: $0 [PEER_DIR]" >&2; exit 2; }
case $peer_dir in -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
peer_dir=$(cd "$peer_dir" && pwd) || exit 2
for f in package.json package-lock.json server.mjs; do
  [[ -f $peer_dir/$f ]] || { echo "bench-http: $peer_dir has no $f: not Better Auth's server folder" >&2; exit 2; }
done
for tool in node npm cmake wrk; do
  command -v "$tool" >/dev/null || { echo "bench-http: $tool is not installed (scripts/setup-debian.sh)" >&2; exit 2; }
done

duration=${BENCH_HTTP_DURATION:-5}
warmup=${BENCH_HTTP_WARMUP:-4}
server_threads=${BENCH_HTTP_THREADS:-2}
wrk_threads=${BENCH_HTTP_WRK_THREADS:-1}
read -r -a connection_counts <<<"${BENCH_HTTP_CONNECTIONS:-1 64}"
read -r -a dbs <<<"${BENCH_HTTP_DBS:-file-wal memory}"
read -r -a ops <<<"${BENCH_HTTP_OPS:-get-session sign-in link}"
session_guests=2000
lua="$root/benchmarks/http"

loadavg() { read -r one five fifteen _ </proc/loadavg; echo "[$one,$five,$fifteen]"; }

# ---------- the machine, first ----------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: nproc $(nproc), CPU ${cpu:-unknown}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "note: wrk ($wrk_threads thread(s)) and the server under test share these $(nproc) cores; anonauth's server runs $server_threads threads, Better Auth's one Node process"

# ---------- anonauth's server, in Release ----------
build="$root/build/bench-http"
bench_release_build bench-http "$build" anonauth_bench_http_server
ours="$build/benchmarks/anonauth_bench_http_server"
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
echo "anonauth: $("$cxx" --version | head -n 1), Release; Better Auth: Node $(node --version)"

# ---------- Better Auth's server: a copy of PEER_DIR with node_modules installed once ----------
peer=$(bench_peer_copy "$peer_dir" "$build/peer")
versions=$(cd "$peer" && node -e "const v = (n) => require('./node_modules/' + n + '/package.json').version;
  console.log('better-auth ' + v('better-auth') + ', better-sqlite3 ' + v('better-sqlite3'))")
echo "Better Auth's server: $versions"

# ---------- one run ----------
work=$(mktemp -d "${TMPDIR:-/tmp}/anonauth-bench-http.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results.jsonl"
: >"$results"
failed=0

start_server() {  # server db_label db_path log: sets server_pid and origin
  local server=$1 db=$2 path=$3 log=$4
  local -a args=(--port 0 --db "$path" --journal wal --synchronous normal --hash precomputed)
  case $server in
    anonauth) "$ours" "${args[@]}" --threads "$server_threads" >"$log.out" 2>"$log.err" & ;;
    floor) "$ours" --port 0 --threads "$server_threads" --floor >"$log.out" 2>"$log.err" & ;;
    better-auth) (cd "$peer" && exec node server.mjs "${args[@]}") >"$log.out" 2>"$log.err" & ;;
  esac
  server_pid=$!
  origin=
  for ((i = 0; i < 300; i++)); do
    origin=$(head -n 1 "$log.out" 2>/dev/null || true)
    [[ $origin == http://* ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench-http: the $server server did not start:" >&2
  cat "$log.err" >&2
  return 1
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

wrk_run() {  # connections seconds script report [ENV=VALUE...]: wrk's own summary to a log
  local c=$1 d=$2 script=$3 report=$4
  shift 4
  local t=$wrk_threads
  ((t <= c)) || t=$c
  env BENCH_ORIGIN="$origin" BENCH_REPORT="$report" "$@" \
    wrk -t"$t" -c"$c" -d"${d}s" --timeout 10s --latency -s "$lua/$script" "$origin" >>"$report.wrk" 2>&1
}

# Signs guests in (64 connections) into per-thread cookie files until `want` cookies or `cap`
# seconds; concatenates them into `pool`.
make_guests() {  # prefix pool want cap
  local prefix=$1 pool=$2 want=$3 cap=$4 wrk_pid n=0
  env BENCH_ORIGIN="$origin" BENCH_REPORT="$prefix.report" GUESTS_OUT="$prefix" \
    wrk -t"$wrk_threads" -c64 -d"${cap}s" --timeout 10s -s "$lua/sign-in.lua" "$origin" >"$prefix.wrk" 2>&1 &
  wrk_pid=$!
  if ((want > 0)); then
    while kill -0 "$wrk_pid" 2>/dev/null; do
      n=$({ cat "$prefix".[0-9]* 2>/dev/null || true; } | wc -l)
      if ((n >= want)); then kill -INT "$wrk_pid" 2>/dev/null || true; break; fi
      sleep 0.1
    done
  fi
  wait "$wrk_pid" || true
  cat "$prefix".[0-9]* >"$pool" 2>/dev/null || : >"$pool"
}

field() {  # JSON_LINE key: a number field of a flat line (0 when absent)
  local v
  v=$(sed -n "s/.*\"$2\":\(-\{0,1\}[0-9.]*\).*/\1/p" <<<"$1")
  echo "${v:-0}"
}

run_one() {  # server db op connections
  local server=$1 db=$2 op=$3 c=$4
  local tag="$db-$op-$c-$server" path=":memory:" pool="" log
  log="$work/$tag"
  if [[ $db == file-wal && $server != floor ]]; then
    path="$work/$tag.db"
    rm -f "$path" "$path-wal" "$path-shm" "$path-journal"
  fi
  echo "== $server, $db, $op, $c connection(s)" >&2
  sync   # the previous run's writes and deleted files must not slow this one's fsyncs
  local before after
  before=$(loadavg)
  start_server "$server" "$db" "$path" "$log" || { failed=1; return; }

  local -a env_warm=() env_timed=()
  local script=$op.lua
  case $op in
    get-session)
      if [[ $server == floor ]]; then
        pool="$work/$db-$op-$c-anonauth.pool"   # the floor reads no cookie: the anonauth run's requests
        [[ -s $pool ]] || { make_guests "$log.guests" "$log.pool" "$session_guests" 30; pool="$log.pool"; }
      else
        pool="$log.pool"
        make_guests "$log.guests" "$pool" "$session_guests" 30
      fi
      env_warm=(GUESTS="$pool" GUESTS_MAX="$session_guests" CHECK=1)
      env_timed=(GUESTS="$pool" GUESTS_MAX="$session_guests")
      ;;
    sign-in) ;;
    link)
      pool="$log.pool"
      make_guests "$log.guests" "$pool" 0 $((warmup + duration + 1))
      env_warm=(GUESTS="$pool" GUESTS_OFFSET=0 LINK_STATE="$log.state" LINK_RUN=warm)
      ;;
  esac
  wrk_run "$c" "$warmup" "$script" "$log.warm.json" "${env_warm[@]}" || true
  if [[ $op == link ]]; then
    env_timed=(GUESTS="$pool" GUESTS_OFFSET="$(cat "$log.state" 2>/dev/null || echo 0)" LINK_STATE="$log.state" LINK_RUN=timed)
  fi
  wrk_run "$c" "$duration" "$script" "$log.json" "${env_timed[@]}" || true
  stop_server
  after=$(loadavg)

  local warm timed guests_report="" ok=true why=()
  warm=$(cat "$log.warm.json" 2>/dev/null || true)
  timed=$(cat "$log.json" 2>/dev/null || true)
  [[ -n $timed ]] || { timed='{}'; ok=false; why+=("wrk wrote no report"); }
  [[ -n $warm ]] || { warm='{}'; ok=false; why+=("the warm-up wrote no report"); }
  [[ -f $log.guests.report ]] && guests_report=$(cat "$log.guests.report")
  local part k
  for part in warm timed; do
    local line=${!part}
    for k in errors non_2xx bad_answers exhausted; do
      [[ $(field "$line" "$k") == 0 ]] || { ok=false; why+=("$part: $k $(field "$line" "$k")"); }
    done
  done
  if [[ $op == get-session && $timed != '{}' && $warm != '{}' ]]; then
    # every warm-up answer was checked to be a session: the timed answers must be as long
    local wb tb
    wb=$(field "$warm" bytes_per_response)
    tb=$(field "$timed" bytes_per_response)
    if ! awk -v a="$wb" -v b="$tb" 'BEGIN { exit !(a > 0 && b > 0 && (a - b < 2 && b - a < 2)) }'; then
      ok=false
      why+=("timed bytes per answer $tb, warm-up $wb (answers that are not sessions?)")
    fi
    [[ $(field "$timed" guests) -ge $session_guests ]] || why+=("only $(field "$timed" guests) guests")
  fi
  if [[ -n $guests_report ]]; then
    for k in errors non_2xx bad_answers; do
      [[ $(field "$guests_report" "$k") == 0 ]] || { ok=false; why+=("guests: $k $(field "$guests_report" "$k")"); }
    done
  fi
  [[ $ok == true ]] || failed=1
  local why_json=""
  if ((${#why[@]})); then why_json=$(printf '"%s",' "${why[@]}"); why_json=${why_json%,}; fi
  local line
  line=$(printf '{"server":"%s","db":"%s","op":"%s","connections":%d,"rps":%s,"p50_ms":%s,"p99_ms":%s,"errors":%s,"non_2xx":%s,"ok":%s,"problems":[%s],"server_threads":%s,"wrk_threads":%d,"warmup_s":%s,"duration_s_asked":%s,"loadavg_before":%s,"loadavg_after":%s,"timed":%s,"warmup":%s%s}' \
    "$server" "$db" "$op" "$c" "$(field "$timed" rps)" "$(field "$timed" p50_ms)" "$(field "$timed" p99_ms)" \
    "$(field "$timed" errors)" "$(field "$timed" non_2xx)" "$ok" "$why_json" \
    "$([[ $server == better-auth ]] && echo 1 || echo "$server_threads")" "$wrk_threads" "$warmup" "$duration" \
    "$before" "$after" "$timed" "$warm" "${guests_report:+,\"guests\":$guests_report}")
  echo "$line"
  echo "$line" >>"$results"
  rm -f "$path" "$path-wal" "$path-shm" "$path-journal"
}

# ---------- the runs: per storage, operation and connection count, the servers back to back ----------
t0=$(date +%s)
round=0
for db in "${dbs[@]}"; do
  for op in "${ops[@]}"; do
    for c in "${connection_counts[@]}"; do
      # alternate which side goes first; the floor runs right after anonauth (it reuses its cookies)
      if ((round % 2 == 0)); then order=(anonauth better-auth); else order=(better-auth anonauth); fi
      round=$((round + 1))
      for server in "${order[@]}"; do
        run_one "$server" "$db" "$op" "$c"
        [[ $server == anonauth && $op == get-session ]] && run_one floor "$db" "$op" "$c"
      done
    done
  done
done
echo "== $(($(date +%s) - t0)) s of runs; load average now $(cut -d' ' -f1-3 /proc/loadavg)" >&2

node "$lua/report.mjs" "$results" \
  --context "machine=nproc $(nproc), CPU ${cpu:-unknown}, $(uname -sr)" \
  --context "anonauth=$("$cxx" --version | head -n 1), Release, $server_threads server threads" \
  --context "Better Auth=$versions, Node $(node --version), one process" \
  --context "load=wrk -t$wrk_threads on the same cores; ${warmup} s warm-up, ${duration} s timed, a fresh server per run" || failed=1
exit "$failed"
