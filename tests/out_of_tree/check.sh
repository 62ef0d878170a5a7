#!/usr/bin/env bash
# A third party's view: install BulletInBoard, build examples/echo-plugin against the installed
# SDK alone, and load it into the installed bib-host (--check). Usage: check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d "$build/Testing/out-of-tree-XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/examples/echo-plugin" -B "$work/echo" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/echo" >/dev/null
exports=$(nm -D --defined-only "$work/echo/bib-echo.so" | awk '{print $3}')
[ "$exports" = "bib_plugin_descriptor" ] || { echo "unexpected exports: $exports"; exit 1; }
cat > "$work/echo.toml" <<TOML
[[plugins]]
name = "echo"
path = "$work/echo/bib-echo.so"
TOML
"$work/prefix/bin/bib-host" --check --config "$work/echo.toml"
