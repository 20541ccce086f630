#!/usr/bin/env bash
# Runs anonauth's SQLite benchmark and Better Auth's own benchmark (the peer: Better Auth's
# anonymous plugin on Node.js with better-sqlite3) back to back on the same SQLite settings, and
# prints anonauth's ops/s over Better Auth's per operation.
#
#   scripts/bench-peer.sh [--quick] [--rounds N] PEER_DIR
#
#   PEER_DIR     the peer benchmark's folder (package.json, package-lock.json, bench.mjs)
#   --quick      passed to anonauth_bench_sqlite (a tenth of the operations); the peer runs its
#                own sizes (set BENCH_* in the environment to change them, see its README)
#   --rounds N   N rounds (default 1); every even round runs in the reverse order
#
# Order of one round: anonauth sqlite-memory, peer memory, anonauth sqlite-file-peer, peer file
# (the reverse in round 2, 4, ...), so that a change of the machine's load or disk during the run
# weighs on both sides alike. The load average is recorded before and after each program. Every
# program's JSON line is printed as it comes, then one table per database kind, the run log and
# the machine. Exit code 1 when a program failed (the table shows what the others measured).
#
# Needs: node and npm (the peer), cmake, ninja and a C++20 compiler (anonauth). anonauth's
# benchmark is build/bench/benchmarks/anonauth_bench_sqlite, built in Release the way
# scripts/bench.sh builds it (build/bench is reused when it exists; only this target is built).
# PEER_DIR is never written to: it is copied, without node_modules, to build/bench-peer/<hash of
# its package files>/, where `npm ci` runs once; later runs reuse that node_modules.
#
# What is compared with what, and why the pairs are like for like:
#
#   database     anonauth sqlite-memory (a private in-memory database, journal_mode=memory) with
#                the peer's ':memory:' (journal_mode=memory); anonauth sqlite-file-peer (a file in
#                the temp dir, journal_mode=DELETE, synchronous=FULL) with the peer's file database
#                (better-sqlite3's defaults: journal_mode=delete, synchronous=FULL), so every
#                commit is fsync'd on both sides. Both run in-process, one operation at a time.
#   sign-in      anonauth sign_in_anonymous with the peer's auth.api.signInAnonymous (and its
#                POST /sign-in/anonymous through auth.handler). Both write a user and a session
#                row. The peer runs them as 2 autocommit INSERTs (2 commits, 2 fsyncs on the
#                file); anonauth as one transaction (1 commit). On the file that difference is
#                the commit count, not library overhead.
#   get-session  anonauth get_session with auth.api.getSession (and GET /get-session): the
#                peer reads the session by token and the user by id (2 SELECTs) after checking
#                the cookie's HMAC; anonauth reads the session by the token's SHA-256 and
#                then its user. Neither writes (the peer's updateAge is never reached).
#   link, no hash  anonauth link_no_hash_rows_0 (sign-up by email carrying a guest's session,
#                a no-op password hasher, no rows to move) with the peer's
#                link_sign_up_email_handler_no_scrypt (POST /sign-up/email with the anonymous
#                cookie, password.hash swapped for a precomputed hash). Both create the user, the
#                credential account and the session, and delete the guest with its sessions and
#                accounts. The peer has no auth.api phase for it, so its handler path is the
#                reference: 15 statements in 5 commits (a transaction for the sign-up, then the
#                onLinkAccount UPDATE and the deletions as autocommits); anonauth: one transaction.
#                The peer's onLinkAccount also copies a bio (one UPDATE, inside the timed
#                request; setting the bio beforehand is untimed); anonauth's link with no rows
#                runs its migrators over nothing.
#   link, hashed anonauth link_argon2id_rows_0 (Argon2id, libsodium INTERACTIVE) with the peer's
#                link_sign_up_email_handler (scrypt N=16384 r=16 p=1). The hash takes tens of ms
#                on both sides and dominates: this compares the password hashes, not the
#                libraries, so it has no target. anonauth hashes before its transaction; the peer
#                hashes inside its sign-up transaction, holding its only connection.
#   concurrent   the peer's link_sign_up_email_handler_c4 (4 links in flight, ops/s = n / wall
#                time) with anonauth's concurrent link phase if its JSON has one (a link key
#                ending in _cN), else n/a.
#
# ops/s is what each side reports: n / the time spent in the measured operations.
set -euo pipefail

usage() { echo "usage: $0 [--quick] [--rounds N] PEER_DIR" >&2; exit 2; }
quick=()
rounds=1
peer_dir=
while (($#)); do
  case $1 in
    --quick) quick=(--quick) ;;
    --rounds) (($# >= 2)) || usage; rounds=$2; shift ;;
    --rounds=*) rounds=${1#--rounds=} ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) usage ;;
    *) [[ -z $peer_dir ]] || usage; peer_dir=$1 ;;
  esac
  shift
done
[[ -n $peer_dir ]] || usage
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench-peer: --rounds takes a positive integer" >&2; exit 2; }
peer_dir=$(cd "$peer_dir" && pwd) || exit 2
for f in package.json package-lock.json bench.mjs; do
  [[ -f $peer_dir/$f ]] || { echo "bench-peer: $peer_dir has no $f: not the peer benchmark's folder" >&2; exit 2; }
done
for tool in node npm cmake; do
  command -v "$tool" >/dev/null || { echo "bench-peer: $tool is not installed" >&2; exit 2; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/bench-common.sh
source "$root/scripts/bench-common.sh"

# ---------- anonauth's benchmark, in Release as scripts/bench.sh builds it ----------
build="$root/build/bench"
bench_release_build bench-peer "$build" anonauth_bench_sqlite
build_type=Release
ours="$build/benchmarks/anonauth_bench_sqlite"

# The compiler, from what CMake found when it configured the build.
compiler_file=$(ls "$build"/CMakeFiles/*/CMakeCXXCompiler.cmake 2>/dev/null | head -n 1 || true)
compiler=unknown
if [[ -n $compiler_file ]]; then
  compiler_id=$(sed -n 's/^set(CMAKE_CXX_COMPILER_ID "\(.*\)")$/\1/p' "$compiler_file")
  compiler_version=$(sed -n 's/^set(CMAKE_CXX_COMPILER_VERSION "\(.*\)")$/\1/p' "$compiler_file")
  compiler_path=$(sed -n 's/^set(CMAKE_CXX_COMPILER "\(.*\)")$/\1/p' "$compiler_file")
  compiler="$compiler_id $compiler_version ($compiler_path), $build_type"
fi

# ---------- the peer: a copy of PEER_DIR with its node_modules installed once ----------
peer=$(bench_peer_copy "$peer_dir" "$root/build/bench-peer")

# ---------- the runs ----------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
steps="$work/steps.jsonl"
: >"$steps"
failed=0

loadavg() {  # the 1, 5 and 15 minute load averages as a JSON array
  if [[ -r /proc/loadavg ]]; then
    read -r one five fifteen _ </proc/loadavg
    echo "[$one,$five,$fifteen]"
  else
    echo null
  fi
}

run_step() {  # round side kind
  local round=$1 side=$2 kind=$3 out="$work/$1-$2-$3.json" program rc before after t0 t1
  local -a cmd
  if [[ $side == anonauth ]]; then
    local config=sqlite-memory
    [[ $kind == file ]] && config=sqlite-file-peer
    cmd=("$ours" "${quick[@]}" "$config")
    program="anonauth_bench_sqlite ${quick[*]:+${quick[*]} }$config"
  else
    cmd=(node bench.mjs "$kind")
    program="node bench.mjs $kind"
  fi
  echo "== round $round: $program" >&2
  sync   # the previous program's writes and deleted files must not slow this one's fsyncs
  before=$(loadavg)
  t0=$(date +%s%N)
  rc=0
  if [[ $side == anonauth ]]; then
    "${cmd[@]}" | tee "$out" || rc=$?
  else
    (cd "$peer" && "${cmd[@]}") | tee "$out" || rc=$?
  fi
  t1=$(date +%s%N)
  after=$(loadavg)
  ((rc == 0)) || { failed=1; echo "bench-peer: $program exited with $rc" >&2; }
  printf '{"round":%d,"side":"%s","kind":"%s","program":"%s","rc":%d,"wall_s":%s,"loadavg_before":%s,"loadavg_after":%s,"output":"%s"}\n' \
    "$round" "$side" "$kind" "$program" "$rc" "$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')" \
    "$before" "$after" "$out" >>"$steps"
}

order=("anonauth memory" "better-auth memory" "anonauth file" "better-auth file")
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then
    for step in "${order[@]}"; do run_step "$round" $step; done
  else
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do run_step "$round" ${order[i]}; done
  fi
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
node "$root/scripts/bench-peer-compare.mjs" "$steps" \
  --context "machine=nproc $(nproc), CPU ${cpu:-unknown}, kernel $(uname -sr)" \
  --context "anonauth compiler=$compiler" \
  --context "node (running the peer)=$(node --version)"
exit "$failed"
