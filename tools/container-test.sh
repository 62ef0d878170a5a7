#!/usr/bin/env bash
# The container tests, in one command (docs/deployment.md, "Tests"):
#   1. deploy_consistency: docker-compose.yml, deploy/docker-stack.yml and deploy/kubernetes/
#      agree on names, ports and environment (reads the files; no engine needed);
#   2. the engine: tools/container-runtime.sh installs Debian's docker.io, docker-compose and
#      debootstrap when missing, starts dockerd when none answers, and makes the debian:bookworm
#      base image when it is not there (a bare machine, as CI's, starts with none of these);
#   3. the image, built once from the working tree (tests/container/lib.sh);
#   4. compose: tests/container/compose_test.sh, the docker-compose cluster for real;
#   5. swarm: tests/container/swarm_test.sh, the stack on a single-node swarm.
# Ends with "N passed, N failed"; exits 1 when any part failed. Without an engine the tests fail
# (with one line saying so), they never pass silently.
#
#   tools/container-test.sh [--no-runtime] [--prebuilt TREE] [--only compose|swarm|consistency]
#     --no-runtime     do not run tools/container-runtime.sh: use the engine that answers as it is
#     --prebuilt TREE  the image takes the programs of the built release tree TREE (its
#                      `cmake --install`) instead of compiling the sources itself; tools/test.sh
#                      passes its own build/, which its release suite tests
# Environment: BIB_TEST_IMAGE, BIB_TEST_BUILDKIT, BIB_TEST_BUILD_JOBS, BIB_TEST_PREBUILT
# (tests/container/lib.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runtime=1
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-runtime) runtime=0 ;;
    --only) only=${2:-}; shift ;;
    --prebuilt) [ -n "${2:-}" ] || { echo "container-test: --prebuilt TREE" >&2; exit 2; }
      export BIB_TEST_PREBUILT; BIB_TEST_PREBUILT=$(realpath "$2"); shift ;;
    *) echo "usage: tools/container-test.sh [--no-runtime] [--prebuilt TREE] [--only compose|swarm|consistency]" >&2; exit 2 ;;
  esac
  shift
done
case "$only" in ""|compose|swarm|consistency) ;; *) echo "container-test: --only compose|swarm|consistency" >&2; exit 2 ;; esac

passed=0 failed=0 results=()
start=$SECONDS
step() {  # step NAME LIMIT COMMAND...: run one part, bounded by LIMIT seconds, and count it
  local name=$1 limit=$2 began=$SECONDS code
  shift 2
  echo "== container tests: $name ==" >&2
  timeout --kill-after=30 "$limit" "$@"
  code=$?
  [ $code -eq 124 ] && echo "container-test: $name: stopped after $limit s" >&2
  if [ $code -eq 0 ]; then
    passed=$((passed + 1)) results+=("ok      $name ($((SECONDS - began)) s)")
  else
    failed=$((failed + 1)) results+=("FAILED  $name ($((SECONDS - began)) s, exit $code)")
  fi
  return $code
}
finish() {
  echo "== container tests: $((SECONDS - start)) s in all ==" >&2
  printf '%s\n' "${results[@]}"
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
  exit $?
}

if [ -z "$only" ] || [ "$only" = consistency ]; then
  step consistency 60 python3 "$here/tests/container/deploy_consistency_test.py" "$here"
fi
[ "$only" = consistency ] && finish

if [ $runtime = 1 ]; then
  step engine 1200 "$here/tools/container-runtime.sh" || finish
fi
# The image once for both tests; each test then uses it as it is.
step image 3000 bash -c 'test_name=image; source "$1/tests/container/lib.sh"; require_engine; build_image' _ "$here" || finish
# Each rebuild after a source change leaves the previous layers in BuildKit's cache. On the engine
# tools/container-runtime.sh started (CI's), keep that cache under 8 GB, the most recently used
# kept (the ccache directory, the layers just built); an engine of the user's own is left alone.
if "$here/tools/container-runtime.sh" --owns-engine; then
  timeout 300 docker builder prune -f --keep-storage 8GB >/dev/null 2>&1 || true
  # The images each rebuild left untagged (the previous bulletinboard:test and its SDK stage).
  timeout 300 docker image prune -f >/dev/null 2>&1 || true
fi
export BIB_TEST_SKIP_BUILD=1
if [ -z "$only" ] || [ "$only" = compose ]; then
  step compose 900 "$here/tests/container/compose_test.sh"
fi
if [ -z "$only" ] || [ "$only" = swarm ]; then
  step swarm 900 "$here/tests/container/swarm_test.sh"
fi
finish
