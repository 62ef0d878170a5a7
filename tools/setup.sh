#!/usr/bin/env bash
# Installs the Debian packages BulletInBoard needs (only those missing), then configures and
# builds. Idempotent. Runs apt-get directly as root, through sudo otherwise.
#   tools/setup.sh [--sanitize] [--build-dir DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$here/build"
sanitize=OFF
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=ON; build_dir="$here/build-asan" ;;
    --build-dir) build_dir="$2"; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(build-essential cmake pkg-config libzmq3-dev cppzmq-dev libmsgpack-cxx-dev
  libboost-dev libboost-filesystem-dev libtomlplusplus-dev libspdlog-dev libgtest-dev
  libsqlite3-dev libcli11-dev python3 procps ninja-build ccache)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
generator=()
# Ninja for a new tree (an existing tree keeps the generator it was made with).
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$here" -B "$build_dir" "${generator[@]}" -DBIB_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j "$jobs"
