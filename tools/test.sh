#!/usr/bin/env bash
# The one test command: installs what is missing, builds the normal and the sanitizer
# (ASan + UBSan) trees, runs every test in both, and runs the container tests.
#
# Three lanes run side by side, because most of the tests' time is spent waiting on processes,
# not computing (docs/testing.md, "Build and CI speed"):
#   build    both trees, one after the other, each with every core;
#   suites   once both trees are built: the release and the sanitizer ctest runs together;
#   images   from the start: tools/container-test.sh (engine, image, compose, swarm).
# Each lane writes its own log under test-logs/; a lane that fails has its whole log printed,
# a lane that passes its summary. The exit status is 0 only when every lane passed.
#
#   BIB_SKIP_CONTAINER_TESTS=1   skip the container tests (says so; for machines without an engine)
#   BIB_TEST_JOBS=N              tests at once in each suite (default: the number of cores + 1)
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cores=$(nproc 2>/dev/null || echo 2)
suite_jobs=${BIB_TEST_JOBS:-$((cores + 1))}
logs="$here/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
start=$SECONDS

lanes=() results=()
stop_lanes() { for pid in "${lanes[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done; }
trap 'stop_lanes; exit 130' INT TERM

# start_lane NAME COMMAND...: run COMMAND in its own process group, output to test-logs/NAME.log
start_lane() {
  local name=$1
  shift
  set -m
  ( "$@" ) >"$logs/$name.log" 2>&1 &
  set +m
  lanes+=($!)
  lane_names[$!]=$name
  echo "== $name: started (log: test-logs/$name.log) =="
}
declare -A lane_names
# finish_lane PID: wait for it, print its log (whole on failure, the end otherwise)
finish_lane() {
  local pid=$1 name=${lane_names[$1]} code
  wait "$pid"
  code=$?
  if [ $code -eq 0 ]; then
    echo "== $name: passed at $((SECONDS - start)) s; the end of its log =="
    tail -n 12 "$logs/$name.log"
    results+=("ok      $name")
  else
    echo "== $name: FAILED (exit $code) at $((SECONDS - start)) s; its log =="
    cat "$logs/$name.log"
    results+=("FAILED  $name (exit $code, test-logs/$name.log)")
  fi
  return $code
}

# The packages first, alone: the container lane installs its own with apt-get too.
"$here/tools/setup.sh" --deps-only || exit 1

if [ "${BIB_SKIP_CONTAINER_TESTS:-}" = 1 ]; then
  echo "== container tests: skipped (BIB_SKIP_CONTAINER_TESTS=1) =="
  images=""
else
  # The image built from this tree, the compose demo and the Swarm stack (docs/deployment.md).
  start_lane containers "$here/tools/container-test.sh"
  images=$!
fi

echo "== build: release, then ASan + UBSan =="
"$here/tools/setup.sh" --no-deps && "$here/tools/setup.sh" --no-deps --sanitize
built=$?
echo "== build: done at $((SECONDS - start)) s (exit $built) =="

suites=()
if [ $built -eq 0 ]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  for tree in build build-asan; do
    start_lane "tests-$tree" ctest --test-dir "$here/$tree" -j "$suite_jobs" --output-on-failure --timeout 300
    suites+=($!)
  done
else
  results+=("FAILED  build (exit $built)")
fi

failed=0
[ $built -eq 0 ] || failed=1
for pid in "${suites[@]}" $images; do finish_lane "$pid" || failed=1; done
echo "== tools/test.sh: $((SECONDS - start)) s in all =="
printf '%s\n' "${results[@]}"
exit $failed
