# Shared by the benchmark scripts (sourced, not run): the Release build of a benchmark target,
# and the copy of a Node.js peer with its node_modules installed once.

# bench_release_build <script name> <build dir> <target>: configures <build dir> in Release with
# the benchmarks once (a build dir configured otherwise is refused) and builds <target>.
bench_release_build() {
  local script=$1 build=$2 target=$3 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [[ ! -f $build/CMakeCache.txt ]]; then
    "$root/scripts/setup-debian.sh" >&2
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
      -DANONAUTH_BENCHMARKS=ON -DANONAUTH_BUILD_TESTS=OFF -DANONAUTH_BUILD_EXAMPLES=OFF >/dev/null
  fi
  local build_type
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
  if [[ $build_type != Release ]]; then
    echo "$script: $build is configured as '${build_type}', not Release; remove it" >&2
    exit 2
  fi
  echo "== building $target (Release, $build)" >&2
  if ! cmake --build "$build" --target "$target" -j"${ANONAUTH_JOBS:-$(nproc)}" >&2; then
    echo "$script: building $target failed (is $build configured with ANONAUTH_BENCHMARKS=ON?)" >&2
    exit 1
  fi
}

# bench_peer_copy <peer dir> <copies dir>: prints the path of a copy of <peer dir> (keyed by its
# package files) whose node_modules `npm ci` installed once; everything else is refreshed, so a
# changed script is picked up. <peer dir> itself is never written to.
bench_peer_copy() {
  local peer_dir=$1 copies=$2 key peer
  key=$(cat "$peer_dir/package.json" "$peer_dir/package-lock.json" | sha256sum | cut -c1-16)
  peer="$copies/$key"
  mkdir -p "$peer"
  find "$peer" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .npm-ci-done -exec rm -rf {} +
  tar -C "$peer_dir" --exclude=./node_modules --exclude='*.db' --exclude='*.db-*' -cf - . | tar -C "$peer" -xf -
  chmod -R u+w "$peer"
  if [[ ! -f $peer/.npm-ci-done || ! -d $peer/node_modules ]]; then
    echo "== npm ci in $peer (once; about a minute when better-sqlite3 builds from source)" >&2
    rm -f "$peer/.npm-ci-done"
    (cd "$peer" && npm ci --no-audit --no-fund) >&2
    touch "$peer/.npm-ci-done"
  fi
  echo "$peer"
}
