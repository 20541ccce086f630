#!/usr/bin/env bash
# Builds the example server (examples/server: the seed's shop behind Better Auth's HTTP
# protocol, on SQLite, with its page) in Release and runs it with the given flags:
#
#   scripts/serve.sh                       # http://127.0.0.1:3000, database build/serve/anonauth-example.db
#   scripts/serve.sh --port 0 --trusted-origin http://localhost:5173 --rate-limit
#
# Flags (see examples/server/main.cpp): --port N (0: any free port), --db PATH, --guest-domain D,
# --trusted-origin O (repeatable), --secret S (or ANONAUTH_SECRET), --rate-limit, --threads N.
# Installing and building print to stderr only: the first line on stdout is the server's origin,
# http://127.0.0.1:PORT. SIGINT or SIGTERM stop it once the requests in flight are answered.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

{
  scripts/setup-debian.sh
  cmake -S . -B build/serve -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=g++ \
    -DANONAUTH_BUILD_TESTS=OFF \
    -DANONAUTH_BUILD_EXAMPLES=ON
  cmake --build build/serve --target example_server -j "$(nproc)"
} 1>&2

args=("$@")
db_given=0
for arg in "${args[@]}"; do
  [[ $arg == --db ]] && db_given=1
done
if ((db_given == 0)); then
  args+=(--db build/serve/anonauth-example.db)   # kept between runs, out of the source tree
fi
exec build/serve/examples/anonauth-example-server "${args[@]}"
