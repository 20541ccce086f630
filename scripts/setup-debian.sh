#!/usr/bin/env bash
# Installs what building and testing anonauth needs on Debian 12 (bookworm).
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config
  g++ clang
  libclang-rt-14-dev        # sanitizer runtimes for clang (ThreadSanitizer job)
  libboost1.81-dev          # Boost.Hana
  librange-v3-dev
  catch2
  libsodium-dev
  libsqlite3-dev
  libpq-dev                 # libpq, for anonauth::postgres
  postgresql-15             # the throwaway server the PostgreSQL tests start (scripts/pg-cluster.sh)
  libboost-json1.81-dev     # Boost.JSON, for anonauth::http
  libcpp-httplib-dev        # the second HTTP adapter (anonauth/http/httplib.hpp) and its test
  libssl-dev zlib1g-dev libbrotli-dev   # what cpp-httplib's header includes (TLS, compression)
  chromium                  # the browser test of the example server's page (headless)
  wrk                       # the HTTP load test and scripts/bench-http.sh
  time                      # GNU /usr/bin/time: peak memory of a compile (scripts/bench-compile.sh)
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-debian: not a Debian system; install these yourself: ${packages[*]}"
  exit 0
fi

# Node.js and npm run the end-to-end tests and bundle the example's page. A machine that has
# them (e.g. from NodeSource) keeps its own; otherwise Debian's are installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup-debian: all ${#packages[@]} packages already installed; nothing to do"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-debian: installed ${missing[*]}"
