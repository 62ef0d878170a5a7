#!/usr/bin/env bash
# A user's install: `cmake --install` into a fresh prefix, then from another working directory
# and with a clean environment:
#   - the installed bib-host finds its plugins in <prefix>/<libdir>/bib/plugins by itself (no
#     plugin_path, no --plugin-path): --check passes on configs/host-example.toml and on every
#     installed role config (share/bib/configs);
#   - every program prints the project's version with --version, bib-cluster included (its
#     version is written in at install), and the SDK's bib/version.hpp and CMake package version
#     file carry it too;
#   - the same bib-host built for a Debian multiarch layout (lib/x86_64-linux-gnu) finds its
#     plugins there.
# Usage: check.sh BUILD_DIR SOURCE_DIR VERSION LIBDIR MULTIARCH_HOST
set -euo pipefail
build=$1
source=$2
version=$3
libdir=$4
multiarch_host=$5
work=$(mktemp -d "$build/Testing/install-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }
# A clean environment and a working directory that is neither the build nor the source tree.
run() { (cd "$work" && env -i PATH=/usr/bin:/bin "$@"); }

[ -f "$prefix/$libdir/bib/plugins/bib-ping.so" ] || fail "no $libdir/bib/plugins/bib-ping.so in the install"

out=$(run "$prefix/bin/bib-host" --check --config "$source/configs/host-example.toml")
[ "$out" = "config OK: 1 plugin (ping)" ] || fail "bib-host --check on host-example.toml said: $out"
for role in reference broker proxy server; do
  run "$prefix/bin/bib-host" --check --config "$prefix/share/bib/configs/$role.toml" >/dev/null ||
    fail "bib-host --check on the installed $role.toml"
done

out=$(run "$prefix/bin/bib-host" --version)
case "$out" in
  "bib-host $version (plugin ABI "*")") ;;
  *) fail "bib-host --version said: $out" ;;
esac
for tool in bib bib-bot bib-probe bib-bench bib-bench-persistence bib-cluster; do
  out=$(run "$prefix/bin/$tool" --version)
  [ "$out" = "$tool $version" ] || fail "$tool --version said: $out"
done
grep -q "^#define BIB_VERSION_STRING \"$version\"$" "$prefix/include/bib/version.hpp" ||
  fail "include/bib/version.hpp does not define BIB_VERSION_STRING \"$version\""
grep -q "set(PACKAGE_VERSION \"$version\")" "$prefix/$libdir/cmake/BulletInBoardSDK/BulletInBoardSDKConfigVersion.cmake" ||
  fail "no BulletInBoardSDKConfigVersion.cmake with version $version"

# Debian multiarch: <prefix>/bin/bib-host, <prefix>/lib/x86_64-linux-gnu/{libbib-sdk.so.*,bib/plugins}.
multi="$work/multiarch"
mkdir -p "$multi/bin" "$multi/lib/x86_64-linux-gnu/bib"
cp "$multiarch_host" "$multi/bin/bib-host"
cp -P "$prefix/$libdir"/libbib-sdk.so* "$multi/lib/x86_64-linux-gnu/"
cp -r "$prefix/$libdir/bib/plugins" "$multi/lib/x86_64-linux-gnu/bib/plugins"
out=$(run "$multi/bin/bib-host" --check --config "$source/configs/host-example.toml")
[ "$out" = "config OK: 1 plugin (ping)" ] || fail "multiarch bib-host --check said: $out"
echo "install OK: $prefix ($libdir) and a multiarch layout"
