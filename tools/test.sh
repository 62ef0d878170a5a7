#!/usr/bin/env bash
# The one test command: installs what is missing, builds the normal and the sanitizer
# (ASan + UBSan) trees, runs every test in both, and runs the container tests.
#
# The work overlaps where it does not compete for the same thing (docs/testing.md, "Build and
# CI speed"):
#   containers  from the start, beside everything: tools/container-test.sh (engine, image,
#               compose, swarm), mostly waiting on dockerd and on the containers. The image
#               takes the release tree's programs (--prebuilt build), so it waits for that
#               tree (test-logs/.release-built) instead of compiling the sources a third time;
#   release     the release tree built, then its tests, while the sanitizer tree builds;
#   sanitizer   its tests once that tree is built and the release tests are done (two suites
#               at once measured no faster than one after the other);
#   fuzz        once both trees are built: each libFuzzer target briefly (docs/fuzzing.md);
#               they are built with the sanitizer tree (clang-14), whose suite leaves them to
#               this lane.
# Each lane writes its own log under test-logs/; a lane that fails has its whole log printed,
# a lane that passes the end of it. The exit status is 0 only when everything passed.
#
#   BIB_SKIP_CONTAINER_TESTS=1   skip the container tests (says so; for machines without an engine)
#   BIB_TEST_JOBS=N              tests at once in each suite (default: four per core, at most 16)
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cores=$(nproc 2>/dev/null || echo 2)
# Most tests wait (on their processes, timers, the network) far more than they compute: on 2
# cores the release suite took 361 s at 2 jobs, 183 s at 4 and 114 s at 8, the sanitizer suite
# 305 s at 2 and 141 s at 8 (docs/testing.md). The cap bounds memory on large machines.
jobs=$((cores * 4))
[ $jobs -gt 16 ] && jobs=16
export BIB_TEST_JOBS=${BIB_TEST_JOBS:-$jobs}
logs="$here/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
start=$SECONDS

declare -A lane_names
lanes=() results=()
stop_lanes() { for pid in "${lanes[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done; }
trap 'stop_lanes; exit 130' INT TERM

# start_lane NAME COMMAND...: COMMAND in its own process group, its output in test-logs/NAME.log
start_lane() {
  local name=$1
  shift
  set -m
  ( "$@" ) >"$logs/$name.log" 2>&1 &
  set +m
  lanes+=($!)
  lane_names[$!]=$name
  echo "== $name: started at $((SECONDS - start)) s (log: test-logs/$name.log) =="
}
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
# suite TREE [AFTER]: every test of build TREE but the fuzz targets' (the fuzz lane's); first
# waits until the file AFTER exists.
suite() {
  local tree=$1 after=${2:-}
  if [ -n "$after" ]; then while [ ! -e "$after" ]; do sleep 1; done; fi
  ctest --test-dir "$here/$tree" -LE '^fuzz$' -j "$BIB_TEST_JOBS" --output-on-failure --timeout 300
  local code=$?
  touch "$logs/.$tree-done"
  return $code
}

# mark_release built|failed: tells the container lane how the release tree's build ended (written
# whole, then renamed: the lane never reads half of it).
mark_release() { echo "$1" >"$logs/.release-built.new" && mv "$logs/.release-built.new" "$logs/.release-built"; }

# The packages first, alone: the container lane installs its own with apt-get too.
"$here/tools/setup.sh" --deps-only || exit 1

failed=0
if [ "${BIB_SKIP_CONTAINER_TESTS:-}" = 1 ]; then
  echo "== container tests: skipped (BIB_SKIP_CONTAINER_TESTS=1) =="
else
  # The image built from this tree, the compose demo and the Swarm stack (docs/deployment.md).
  start_lane containers env BIB_TEST_PREBUILT_AFTER="$logs/.release-built" \
    "$here/tools/container-test.sh" --prebuilt "$here/build"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== build: release =="
if "$here/tools/setup.sh" --no-deps; then
  mark_release built
  start_lane tests-release suite build
else
  failed=1 results+=("FAILED  build (release)")
  mark_release failed
  touch "$logs/.build-done"
fi
echo "== build: ASan + UBSan =="
if "$here/tools/setup.sh" --no-deps --sanitize; then
  echo "== build: both trees built at $((SECONDS - start)) s =="
  # Two ctests read this tree at once (its suite, the fuzz lane), and the first reading of a tree
  # lists each test executable's tests (gtest_discover_tests, PRE_TEST) and writes the lists: done
  # once here, or one ctest can read a list the other is writing and miss its tests.
  ctest --test-dir "$here/build-asan" -N >/dev/null
  start_lane tests-sanitizer suite build-asan "$logs/.build-done"
else
  failed=1 results+=("FAILED  build (ASan + UBSan)")
fi
# The libFuzzer targets (docs/fuzzing.md), a short run of each beside the sanitizer suite: the
# ctests fuzz_<name> of the sanitizer tree, run directly (tools/fuzz.sh would configure the tree
# again, under the feet of the suite starting in it). One target per core: they compute all the
# time they run.
start_lane fuzz ctest --test-dir "$here/build-asan" -L '^fuzz$' -j "$cores" --output-on-failure --timeout 300

for pid in "${lanes[@]}"; do finish_lane "$pid" || failed=1; done
# Whoever reads only the end of the output (a CI page) still sees why each failed lane failed.
for pid in "${lanes[@]}"; do
  case "${results[*]}" in *"FAILED  ${lane_names[$pid]} "*)
    echo "== ${lane_names[$pid]} failed; the end of its log =="
    grep -E 'FAILED|Failure|failed|error' "$logs/${lane_names[$pid]}.log" | tail -n 25
    tail -n 15 "$logs/${lane_names[$pid]}.log" ;;
  esac
done
echo "== tools/test.sh: $((SECONDS - start)) s in all =="
printf '%s\n' "${results[@]}"
exit $failed
