#!/usr/bin/env bash
# Installs the Debian packages BulletInBoard needs (only those missing), then configures and
# builds. Idempotent. Runs apt-get directly as root, through sudo otherwise.
#   tools/setup.sh [--sanitize] [--build-dir DIR] [--deps-only | --no-deps] [--fuzz-deps]
#     --deps-only   install the packages and stop;  --no-deps   configure and build only
#     --fuzz-deps   also clang-14 and libFuzzer's runtime (tools/fuzz.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$here/build"
sanitize=OFF
deps=1 build=1 fuzz_deps=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=ON; build_dir="$here/build-asan" ;;
    --build-dir) build_dir="$2"; shift ;;
    --deps-only) build=0 ;;
    --no-deps) deps=0 ;;
    --fuzz-deps) fuzz_deps=1 ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(build-essential cmake pkg-config libzmq3-dev cppzmq-dev libmsgpack-cxx-dev
  libboost-dev libboost-filesystem-dev libtomlplusplus-dev libspdlog-dev libgtest-dev
  libsqlite3-dev libcli11-dev python3 procps ninja-build ccache libpq-dev postgresql
  libncurses-dev tmux  # the chat's screen (ncursesw) and its terminal tests (tmux)
  nats-server  # the peer of tools/bench/nats-compare.sh
  libcpp-httplib-dev)  # bib-host's metrics over HTTP (docs/operations.md)
[ $fuzz_deps = 1 ] && packages+=(clang-14 libclang-rt-14-dev)
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
cmake -S "$here" -B "$build_dir" "${generator[@]}" -DBIB_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j "$jobs"
