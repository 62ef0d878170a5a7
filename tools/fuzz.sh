#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in the sanitizer tree (clang-14, ASan + UBSan; only
# the targets and what they link) and runs them (docs/fuzzing.md).
#
#   tools/fuzz.sh [--build-dir DIR] [--long [--timeout S] [--workers N]] [--target NAME]
#     --build-dir DIR  the sanitizer tree (default build-asan), configured as tools/setup.sh
#                      --sanitize configures it
#     (default)        the short runs: every ctest fuzz_<name> (each its regressions, then
#                      BIB_FUZZ_SECONDS, 12 s, of fuzzing from its seed corpus)
#     --long           the long run instead: 10,000,000 executions per target, one target
#                      after the other, at nice 10, one job and one worker each; prints each
#                      one's executions per second and final coverage, and a summary in
#                      DIR/fuzz-long/summary.txt
#     --timeout S      the long run: an input that takes S seconds of wall-clock time is a
#                      failure (default 10); raise it (300) when the run shares the machine
#                      at a low priority, where a starved process passes 10 s on one input
#     --workers N      the long run: N processes fuzz each target at once, sharing its corpus
#                      (libFuzzer's -jobs=N -workers=N; each rereads the corpus folder for the
#                      others' finds), 10,000,000 executions in all (default 1)
#     --target NAME    only that target (msgpack_codec, request_envelope, json_text,
#                      worker_frames, replication_messages, proxy_subscription, json_records,
#                      toml_config)
#   BIB_TEST_JOBS=N    short runs at once (default: the number of cores)
#   BIB_FUZZ_LONG_RUNS=N  the long run's executions per target (default 10000000)
#
# A crashing input (a crash, leak, timeout, sanitizer report or failed check) is saved by
# libFuzzer as crash-<sha1> (or leak-, timeout-, oom-): the short runs put it in
# DIR/tests/fuzz/<name>/artifacts/, the long run in DIR/fuzz-long/<name>/artifacts/. To keep
# it as a regression: reproduce it (DIR/bin/bib-fuzz-<name> FILE), fix the bug, and copy the
# file into tests/fuzz/regressions/<name>/ under a name that says what it was; every short
# run feeds it to the target again first, and fails if it fails again.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
targets=(msgpack_codec request_envelope json_text worker_frames replication_messages
  proxy_subscription json_records toml_config)
build_dir="$here/build-asan"
long=0
only=""
timeout=10
workers=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$(realpath -m "$2"); shift ;;
    --long) long=1 ;;
    --target) only="$2"; shift ;;
    --timeout) timeout="$2"; shift
      [[ "$timeout" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --timeout wants whole seconds, got '$timeout'" >&2; exit 2; } ;;
    --workers) workers="$2"; shift
      [[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --workers wants a whole number, got '$workers'" >&2; exit 2; } ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$only" ]; then
  [[ " ${targets[*]} " == *" $only "* ]] || { echo "fuzz.sh: no target '$only' (${targets[*]})" >&2; exit 2; }
  targets=("$only")
fi
jobs=$(nproc 2>/dev/null || echo 2)

# The project's packages (clang-14 and libFuzzer's runtime among them), then the tree configured.
"$here/tools/setup.sh" --deps-only || exit 1
# Configured only when it is not yet a clang tree: configuring again rewrites the ctest files of
# a tree whose suite may be running.
if ! grep -qs '^CMAKE_CXX_COMPILER:.*clang++-14$' "$build_dir/CMakeCache.txt"; then
  "$here/tools/setup.sh" --no-deps --sanitize --build-dir "$build_dir" --configure-only || exit 1
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("bib-fuzz-$t"); done
cmake --build "$build_dir" -j "$jobs" --target "${build_targets[@]}" || exit 1

if [ $long = 0 ]; then
  pattern="^fuzz_($(IFS='|'; echo "${targets[*]}"))\$"
  exec ctest --test-dir "$build_dir" -R "$pattern" -j "${BIB_TEST_JOBS:-$jobs}" --output-on-failure
fi

# The long run. libFuzzer with -jobs=N runs the fuzzing in N children, child K writing
# fuzz-K.log in the current folder; their progress lines are shown as they come.
runs=${BIB_FUZZ_LONG_RUNS:-10000000}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: BIB_FUZZ_LONG_RUNS wants a whole number, got '$runs'" >&2; exit 2; }
per_worker=$(((runs + workers - 1) / workers))
summary="$build_dir/fuzz-long/summary.txt"
mkdir -p "$build_dir/fuzz-long"
status=0
for t in "${targets[@]}"; do
  work="$build_dir/fuzz-long/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  logs=()
  for ((k = 0; k < workers; ++k)); do
    logs+=("$work/fuzz-$k.log")
    : >"$work/fuzz-$k.log"  # there from the start, for tail (the child writes it anew)
  done
  dirs=("$work/corpus" "$here/tests/fuzz/corpus/$t")
  [ -d "$here/tests/fuzz/regressions/$t" ] && dirs+=("$here/tests/fuzz/regressions/$t")
  dict=()
  [ -f "$here/tests/fuzz/$t.dict" ] && dict=("-dict=$here/tests/fuzz/$t.dict")
  echo "== $t: $runs executions, $workers process(es) (logs: $work/fuzz-*.log)"
  start=$SECONDS
  (cd "$work" && exec nice -n 10 "$build_dir/bin/bib-fuzz-$t" -runs=$per_worker -jobs="$workers" -workers="$workers" \
    -timeout="$timeout" -malloc_limit_mb=1 -print_final_stats=1 "${dict[@]}" -artifact_prefix="$work/artifacts/" \
    "${dirs[@]}") >/dev/null 2>&1 &
  pid=$!
  tail -q -n +1 -F --pid=$pid "${logs[@]}" 2>/dev/null |
    grep --line-buffered -E 'INITED|pulse|DONE|ERROR|SUMMARY|Test unit written'
  wait $pid
  code=$?
  seconds=$((SECONDS - start))
  # Every child's figures added up; the coverage is the first child's (they share the corpus).
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${logs[@]}" | awk '{n += $1} END {print n + 0}')
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "${logs[@]}" | awk '{n += $1} END {print n + 0}')
  coverage=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "${logs[0]}" | tail -n 1 |
    grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')
  if [ $code -eq 0 ] && [ "$execs" -ge $runs ]; then
    result=passed
  else
    result="FAILED (exit $code, see $work/artifacts/ and the logs)"
    status=1
  fi
  line="$t: $execs executions in ${seconds} s by $workers process(es), $rate exec/s, ${coverage:-no coverage line}; $result"
  echo "== $line"
  echo "$(date -u +%FT%TZ) $line" >>"$summary"
done
echo "== summary (also in $summary):"
tail -n ${#targets[@]} "$summary"
exit $status
