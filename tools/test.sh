#!/usr/bin/env bash
# The one test command: installs what is missing, builds the normal and the sanitizer
# (ASan + UBSan) trees, and runs every test in both.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

"$here/tools/setup.sh"
"$here/tools/setup.sh" --sanitize

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== tests (release) =="
ctest --test-dir "$here/build" -j "$jobs" --output-on-failure --timeout 300
echo "== tests (ASan + UBSan) =="
ctest --test-dir "$here/build-asan" -j "$jobs" --output-on-failure --timeout 300
if [ "${BIB_SKIP_CONTAINER_TESTS:-}" = 1 ]; then
  echo "== container tests: skipped (BIB_SKIP_CONTAINER_TESTS=1) =="
else
  # The image built from this tree, the compose demo and the Swarm stack (docs/deployment.md).
  "$here/tools/container-test.sh"
fi
