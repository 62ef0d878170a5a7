#!/usr/bin/env bash
# Installs the Debian packages BulletInBoard needs (only those missing), then configures and
# builds. Idempotent. Runs apt-get directly as root, through sudo otherwise.
#   tools/setup.sh [--sanitize] [--build-dir DIR] [--deps-only | --no-deps] [--configure-only]
#     --sanitize        the sanitizer tree (build-asan): ASan + UBSan, compiled by clang-14, with
#                       the libFuzzer targets of tests/fuzz (docs/fuzzing.md); the release tree
#                       (build) is GCC's, so both compilers' warnings hold
#     --deps-only       install the packages and stop;  --no-deps   configure and build only
#     --configure-only  configure the tree, build nothing (tools/fuzz.sh builds its targets)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$here/build"
sanitize=OFF
deps=1 build=1 configure_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=ON; build_dir="$here/build-asan" ;;
    --build-dir) build_dir="$2"; shift ;;
    --deps-only) build=0 ;;
    --no-deps) deps=0 ;;
    --configure-only) configure_only=1 ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(build-essential cmake pkg-config libzmq3-dev cppzmq-dev libmsgpack-cxx-dev
  libboost-dev libboost-filesystem-dev libtomlplusplus-dev libspdlog-dev libgtest-dev
  libsqlite3-dev libcli11-dev python3 procps ninja-build ccache libpq-dev postgresql
  libncurses-dev tmux  # the chat's screen (ncursesw) and its terminal tests (tmux)
  nats-server  # the peer of tools/bench/nats-compare.sh
  libcpp-httplib-dev  # bib-host's metrics over HTTP (docs/operations.md)
  clang-14 libclang-rt-14-dev)  # the sanitizer tree's compiler, libFuzzer's runtime
missing=()
[ $deps = 1 ] && for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  # Waits for the dpkg lock rather than failing: another installer may be running beside it.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}"
fi
[ $build = 1 ] || exit 0

jobs=$(nproc 2>/dev/null || echo 2)
generator=()
# Ninja for a new tree (an existing tree keeps the generator it was made with).
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
# The sanitizer tree is clang's: it compiles the test sources two to three times as fast as GCC
# under ASan, and the fuzz targets (which need clang's libFuzzer) share its compile instead of
# a tree of their own (docs/testing.md). A tree made by another compiler is made anew: CMake
# cannot change a configured tree's compiler.
compiler=()
if [ $sanitize = ON ]; then
  if [ -f "$build_dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-14$' "$build_dir/CMakeCache.txt"; then
    echo "setup: $build_dir was configured with another compiler than clang++-14; making it anew"
    rm -rf "$build_dir"
    command -v ninja >/dev/null && generator=(-G Ninja)
  fi
  [ -f "$build_dir/CMakeCache.txt" ] || compiler=(-DCMAKE_CXX_COMPILER=clang++-14)
fi
cmake -S "$here" -B "$build_dir" "${generator[@]}" "${compiler[@]}" -DBIB_SANITIZE="$sanitize" >/dev/null
[ $configure_only = 1 ] && exit 0
cmake --build "$build_dir" -j "$jobs"
