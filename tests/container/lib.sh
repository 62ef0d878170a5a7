# Shared by the container tests (tests/container/*_test.sh; docs/deployment.md, "Tests"): sourced,
# not run. Logging, waiting for a condition with a deadline, the engine check, and the one image
# build from source that every test uses.
#
# Environment:
#   BIB_TEST_IMAGE      the image the tests build and run       bulletinboard:test
#   BIB_TEST_SDK_IMAGE  the Dockerfile's build stage, tagged     <BIB_TEST_IMAGE>-sdk
#                       (the SDK installed under /stage/usr/local: plugins are built in it)
#   BIB_TEST_BUILDKIT   auto | 1 (require BuildKit) | 0 (the classic builder)    auto
#   BIB_TEST_BUILD_JOBS compile jobs in the image build         2
#   BIB_TEST_SKIP_BUILD 1: use BIB_TEST_IMAGE as it is (it must exist)
#   BIB_TEST_PREBUILT   a built release tree (build/): the image takes its `cmake --install`
#                       (the Dockerfile's BIB_BUILD=prebuilt) instead of compiling from source
#   BIB_TEST_PREBUILT_AFTER  a file written once that tree is built: wait for it (await_prebuilt)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
image=${BIB_TEST_IMAGE:-bulletinboard:test}
sdk_image=${BIB_TEST_SDK_IMAGE:-$image-sdk}
test_name=${test_name:-$(basename "$0" .sh)}
test_start=$SECONDS

# Every docker command of a test is bounded (an engine that hangs fails the test, it does not
# hold it): the tests call this function, not the program, wherever they write `docker`.
docker() { timeout "${docker_timeout:-120}" docker "$@"; }

log() { printf '[%s %4ds] %s\n' "$test_name" $((SECONDS - test_start)) "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

# wait_until SECONDS WHAT COMMAND...: run COMMAND every half second until it succeeds; after
# SECONDS, fail naming WHAT and showing COMMAND's last output. COMMAND's output is kept in
# $waited_output for the caller.
waited_output=""
wait_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  while true; do
    if waited_output=$("$@" 2>&1); then return 0; fi
    if [ $SECONDS -ge $deadline ]; then
      printf '%s\n' "$waited_output" | tail -n 20 >&2
      fail "$what: not within $limit s"
    fi
    sleep 0.5
  done
}

# An engine must answer; without one the test says so in one line and fails (never a silent pass).
require_engine() {
  if ! command -v docker >/dev/null 2>&1; then
    echo "$test_name: FAILED: no docker command (tools/container-runtime.sh installs and starts an engine)" >&2
    exit 1
  fi
  if ! timeout 20 docker info >/dev/null 2>&1; then
    echo "$test_name: FAILED: no Docker engine answers (tools/container-runtime.sh starts one)" >&2
    exit 1
  fi
}

# A TCP port free on 127.0.0.1 now, for a published port of this run.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# The broker's and the proxy's published ports of this run: two free ports, not the same one.
# Sets broker_port and proxy_port.
pick_published_ports() {
  broker_port=$(free_port)
  proxy_port=$(free_port)
  while [ "$proxy_port" = "$broker_port" ]; do proxy_port=$(free_port); done
}
# Free host ports for every process's published metrics (docker-compose.yml), all different
# from each other and from the two above, so that runs side by side never collide. Exports the
# BIB_*_METRICS_PORT variables.
pick_metrics_ports() {
  local taken=" $broker_port $proxy_port " name port
  for name in REFERENCE BROKER PROXY SERVER_1 SERVER_2 SERVER_3 SERVER_4; do
    port=$(free_port)
    while [[ $taken == *" $port "* ]]; do port=$(free_port); done
    taken+="$port "
    export "BIB_${name}_METRICS_PORT=$port"
  done
}

# The docker CLI and the mode the image is built with. BuildKit adds a compiler cache that
# survives between builds (a cache mount on the compile step, below): with it a rebuild after a
# source change compiles only what changed. BuildKit is there with a CLI that has buildx, or with
# a CLI older than 23.0 and DOCKER_BUILDKIT=1 (its built-in BuildKit, as Debian 12's docker.io
# has); a newer CLI without buildx has no BuildKit at all. Sets build_cli and build_mode
# (buildx | builtin | classic).
choose_builder() {
  build_cli=docker
  build_mode=classic
  [ "${BIB_TEST_BUILDKIT:-auto}" = 0 ] && return 0
  local cli version
  while read -r cli; do
    if "$cli" buildx version >/dev/null 2>&1; then
      build_cli=$cli build_mode=buildx
      return 0
    fi
    version=$("$cli" version --format '{{.Client.Version}}' 2>/dev/null || true)
    if [ -n "$version" ] && [ "${version%%.*}" -lt 23 ] 2>/dev/null; then
      build_cli=$cli build_mode=builtin
      return 0
    fi
  done < <(type -ap docker | awk '!seen[$0]++')
  [ "${BIB_TEST_BUILDKIT:-auto}" = 1 ] && fail "BIB_TEST_BUILDKIT=1 but no docker CLI here builds with BuildKit"
  return 0
}

# await_prebuilt TREE: when BIB_TEST_PREBUILT_AFTER names a file that another process writes once
# TREE is built ("built", or anything else when it failed; tools/test.sh does), builds the
# Dockerfile's toolchain stage meanwhile (its apt-get: the layer is then cached), then waits for
# that file. Uses the caller's build_cli, env and args (tagging $sdk_image, which the build of
# the build stage tags again).
await_prebuilt() {
  local after=${BIB_TEST_PREBUILT_AFTER:-}
  [ -n "$after" ] || return 0
  if [ ! -e "$after" ]; then
    log "building the toolchain stage while $1 is built; output in $build_log"
    (cd "$repo" && env "${env[@]}" timeout 1200 nice -n 10 "$build_cli" "${args[@]/#$image/$sdk_image}" --target toolchain . >>"$build_log" 2>&1) ||
      { tail -n 40 "$build_log" >&2; fail "the image's toolchain stage failed (whole output: $build_log)"; }
    wait_until 3000 "the release tree $1 built (BIB_TEST_PREBUILT_AFTER=$after)" test -e "$after"
  fi
  [ "$(cat "$after")" = built ] || fail "the release tree $1 did not build, so there is no image to test"
}

# stage_prebuilt TREE: `cmake --install` of the release tree TREE into .bib-prebuilt/ of the
# context, laid out as the Dockerfile's own build installs (prefix /usr/local, libraries in lib/).
# The image then ships the programs that tree's tests ran: same sources, compiler, packages (this
# host is Debian 12, as the image) and -O2, only its line tables more, which the image strips.
stage_prebuilt() {
  local tree=$1 cache=$1/CMakeCache.txt
  [ -f "$cache" ] || fail "BIB_TEST_PREBUILT=$tree: not a configured build tree (no CMakeCache.txt)"
  grep -qx 'CMAKE_INSTALL_LIBDIR:PATH=lib' "$cache" ||
    fail "BIB_TEST_PREBUILT=$tree: its libraries do not install to lib/ (CMAKE_INSTALL_LIBDIR), as the image's do"
  grep -Eq '^BIB_SANITIZE:BOOL=ON' "$cache" &&
    fail "BIB_TEST_PREBUILT=$tree: a sanitizer tree; the image takes a release tree"
  [ -x "$tree/bin/bib-host" ] || fail "BIB_TEST_PREBUILT=$tree: not built (no bin/bib-host)"
  rm -rf "$repo/.bib-prebuilt"
  DESTDIR="$repo/.bib-prebuilt" cmake --install "$tree" --prefix /usr/local >/dev/null ||
    fail "BIB_TEST_PREBUILT=$tree: cmake --install failed"
}

# Builds $image from the working tree with tools/docker/Dockerfile, as `docker-compose build`
# does, at low priority (`nice`, and `--cpu-shares` where the classic builder takes it), and tags
# its build stage $sdk_image (from the same cache: nothing is compiled twice). With
# BuildKit the Dockerfile gets one change, made here: the compile step's RUN mounts a cache
# directory (/ccache, kept by the engine between builds) and turns ccache on (CCACHE=on).
# The classic builder has no cache mounts, so tools/docker/Dockerfile itself keeps ccache off.
build_image() {
  if [ "${BIB_TEST_SKIP_BUILD:-0}" = 1 ]; then
    docker image inspect "$image" >/dev/null 2>&1 || fail "BIB_TEST_SKIP_BUILD=1 but there is no image $image"
    docker image inspect "$sdk_image" >/dev/null 2>&1 || fail "BIB_TEST_SKIP_BUILD=1 but there is no image $sdk_image"
    log "using the image $image as it is (BIB_TEST_SKIP_BUILD=1)"
    return 0
  fi
  choose_builder
  local dockerfile=$repo/tools/docker/Dockerfile started=$SECONDS from=source
  local args=(build --network host -f "$dockerfile" -t "$image" --build-arg "BUILD_JOBS=${BIB_TEST_BUILD_JOBS:-2}")
  local env=()
  case "$build_mode" in
    classic) args+=(--cpu-shares 256 --force-rm); env=(DOCKER_BUILDKIT=0) ;;
    builtin) env=(DOCKER_BUILDKIT=1) ;;
  esac
  if [ "$build_mode" != classic ]; then
    build_dir=$(mktemp -d)
    # The compile step: the one RUN line that tests $CCACHE (checked: exactly one).
    sed 's|^RUN if \[ "\$CCACHE" != on \]|RUN --mount=type=cache,id=bulletinboard-ccache,target=/ccache if [ "$CCACHE" != on ]|' \
      "$dockerfile" >"$build_dir/Dockerfile"
    [ "$(grep -c -- '--mount=type=cache' "$build_dir/Dockerfile")" = 1 ] ||
      fail "tools/docker/Dockerfile: expected one line 'RUN if [ \"\$CCACHE\" != on ]' (the compile step) for the ccache mount"
    args=(build --network host -f "$build_dir/Dockerfile" -t "$image" --progress plain
          --build-arg "BUILD_JOBS=${BIB_TEST_BUILD_JOBS:-2}" --build-arg CCACHE=on)
  fi
  : "${build_log:=$(mktemp)}"
  if [ -n "${BIB_TEST_PREBUILT:-}" ]; then
    await_prebuilt "$BIB_TEST_PREBUILT"
    stage_prebuilt "$BIB_TEST_PREBUILT"
    from="the release tree $BIB_TEST_PREBUILT"
    args+=(--build-arg BIB_BUILD=prebuilt)
  fi
  log "building $image from $from ($build_mode builder: $build_cli); output in $build_log"
  if ! (cd "$repo" && env "${env[@]}" timeout 3000 nice -n 10 "$build_cli" "${args[@]}" . >"$build_log" 2>&1 &&
        env "${env[@]}" timeout 600 "$build_cli" "${args[@]/#$image/$sdk_image}" --target build . >>"$build_log" 2>&1); then
    tail -n 40 "$build_log" >&2
    [ -n "${build_dir:-}" ] && rm -rf "$build_dir"
    rm -rf "$repo/.bib-prebuilt"
    fail "the image build failed (whole output: $build_log)"
  fi
  [ -n "${build_dir:-}" ] && rm -rf "$build_dir"
  rm -rf "$repo/.bib-prebuilt"
  local size
  size=$(docker image inspect "$image" --format '{{.Size}}')
  log "built $image in $((SECONDS - started)) s: $((size / 1000000)) MB"
  rm -f "$build_log"
}

# JSON field FIELD of the JSON object on stdin, or nothing ("a.b" for nested objects).
json_field() {
  python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else (value if isinstance(value, str) else json.dumps(value)))' "$1"
}
