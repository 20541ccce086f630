#!/usr/bin/env bash
# Builds and runs the guest checkout example (Release, GCC).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup-debian.sh
cmake -S . -B build/demo -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=g++ \
  -DANONAUTH_BUILD_TESTS=OFF \
  -DANONAUTH_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/demo --target guest_checkout -j "$(nproc)"
cd build/demo   # anything the example writes stays in the build tree
exec ./examples/guest_checkout
