#!/usr/bin/env bash
# Gives this machine what the container files need (docs/deployment.md): a Docker engine, the
# `docker-compose` command and the base images `debian:bookworm` and `debian:bookworm-slim`, on
# a bare Debian 12 machine that reaches Debian's package mirror and no container registry (CI's,
# and new machines).
# Idempotent: whatever is there already is used as it is.
#
#   tools/container-runtime.sh           prepare; one line when ready, exit 1 with the reason otherwise
#   tools/container-runtime.sh --check   only say whether an engine answers (exit 0 or 1); changes nothing
#   tools/container-runtime.sh --stop    stop the dockerd this script started (none other)
#   tools/container-runtime.sh --owns-engine   exit 0 when the engine running is the one this
#                                        script started (tools/container-test.sh then keeps its
#                                        build cache bounded; an engine of the user's own is
#                                        left as it is)
#
# 1. Packages, when a command is missing: docker.io (the engine, 20.10 on Debian 12),
#    docker-compose (1.29, the `docker-compose` command), and debootstrap when step 3 needs it.
#    apt-get runs as root, through sudo otherwise.
# 2. The engine: when no engine answers `docker info`, start dockerd in the background with
#    --iptables=false --ip-masq=false: these machines have no iptables, so the engine must not
#    try to write NAT rules. What follows: containers reach each other on their networks and the
#    host reaches the ports they publish (through docker-proxy), but containers reach nothing
#    outside the machine, so an image build that runs apt-get needs the host's network
#    (`docker build --network host`; `build: network: host` in docker-compose.yml).
#    Its log is $BIB_DOCKERD_LOG (default /var/log/bib-dockerd.log); its pid is written to
#    $BIB_DOCKERD_PIDFILE (default /run/bib-dockerd.pid) so that --stop stops only it.
#    $BIB_DOCKERD_DATA_ROOT, when set, is its --data-root (an empty folder: an engine with no
#    images and no build cache, as a new machine's; docs/testing.md measures CI that way).
# 3. The base images: when `debian:bookworm` or `debian:bookworm-slim` is not in the engine and
#    cannot be pulled (no registry reachable), build it with debootstrap (variant minbase, from
#    the machine's own apt mirror; -slim without documentation, manual pages and translations,
#    as Debian's official one) and import it under that tag, so that the FROM lines of
#    tools/docker/Dockerfile need no registry. With the images already there, nothing to do.
# Every step is bounded in time; a failure prints the last lines of the log that explains it.
set -euo pipefail

IMAGE=debian:bookworm
SLIM_IMAGE=debian:bookworm-slim
DOCKERD_LOG=${BIB_DOCKERD_LOG:-/var/log/bib-dockerd.log}
DOCKERD_PIDFILE=${BIB_DOCKERD_PIDFILE:-/run/bib-dockerd.pid}
WORK=${BIB_ROOTFS_WORK:-/var/tmp/bib-rootfs}

say() { echo "container-runtime: $*" >&2; }
die() { say "$*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
engine_answers() { timeout 20 docker info >/dev/null 2>&1; }

case "${1:-}" in
  --check)
    if command -v docker >/dev/null 2>&1 && engine_answers; then exit 0; fi
    echo "container-runtime: no Docker engine answers (run tools/container-runtime.sh to start one)" >&2
    exit 1 ;;
  --owns-engine)
    pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && engine_answers
    exit $? ;;
  --stop)
    if [ -f "$DOCKERD_PIDFILE" ]; then
      pid=$(cat "$DOCKERD_PIDFILE")
      # Only the dockerd we started: the pid must still be a dockerd.
      if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
        as_root kill "$pid"
        for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      fi
      as_root rm -f "$DOCKERD_PIDFILE"
    fi
    exit 0 ;;
  "") ;;
  *) echo "usage: tools/container-runtime.sh [--check | --stop | --owns-engine]" >&2; exit 2 ;;
esac

# --- 1. packages ------------------------------------------------------------------------------
missing=()
# An engine of the user's own (any version, local or remote) is used as it is.
if ! command -v dockerd >/dev/null 2>&1 && ! { command -v docker >/dev/null 2>&1 && engine_answers; }; then
  missing+=(docker.io)
fi
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
install_packages() {
  say "installing $*"
  as_root timeout 300 apt-get -o DPkg::Lock::Timeout=240 update -q >/dev/null 2>&1 || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive timeout 600 \
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@" >/dev/null 2>"$WORK.apt.log" ||
    { tail -n 20 "$WORK.apt.log" >&2; die "apt-get install $* failed"; }
  rm -f "$WORK.apt.log"
}
[ ${#missing[@]} -eq 0 ] || install_packages "${missing[@]}"

# --- 2. the engine ----------------------------------------------------------------------------
if ! engine_answers; then
  command -v dockerd >/dev/null 2>&1 || die "no dockerd to start (package docker.io)"
  say "starting dockerd (log: $DOCKERD_LOG)"
  # setsid: the engine outlives this script and the terminal; its pid goes to our pid file.
  data_root=()
  [ -n "${BIB_DOCKERD_DATA_ROOT:-}" ] && data_root=(--data-root "$BIB_DOCKERD_DATA_ROOT")
  as_root sh -c 'log=$1 pidfile=$2; shift 2; setsid dockerd --iptables=false --ip-masq=false "$@" >>"$log" 2>&1 </dev/null & echo $! >"$pidfile"' \
    sh "$DOCKERD_LOG" "$DOCKERD_PIDFILE" "${data_root[@]}"
  deadline=$((SECONDS + 60))
  until engine_answers; do
    pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
    if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true; die "dockerd exited (log: $DOCKERD_LOG)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true; die "dockerd did not answer within 60 s (log: $DOCKERD_LOG)"
    fi
    sleep 0.5
  done
fi

# --- 3. the base images -----------------------------------------------------------------------
find_missing_images() {  # sets missing_images to the base images the engine does not have
  missing_images=()
  for tag in "$IMAGE" "$SLIM_IMAGE"; do
    docker image inspect "$tag" >/dev/null 2>&1 || missing_images+=("$tag")
  done
}
find_missing_images
if [ ${#missing_images[@]} -gt 0 ]; then
  # From a registry when the engine reaches one (fails at once where none is reachable).
  for tag in "${missing_images[@]}"; do
    timeout 300 docker pull -q "$tag" >/dev/null 2>&1 || true
  done
  find_missing_images
fi
if [ ${#missing_images[@]} -gt 0 ]; then
  command -v debootstrap >/dev/null 2>&1 || install_packages debootstrap
  # The machine's own Debian mirror: deb822 sources first, then the one-line format.
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d} for debootstrap"
  say "making ${missing_images[*]} with debootstrap from $mirror"
  rootfs=$WORK/rootfs
  as_root rm -rf "$WORK"
  as_root mkdir -p "$rootfs"
  as_root timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$WORK.log" 2>&1 ||
    { tail -n 20 "$WORK.log" >&2; die "debootstrap failed (log: $WORK.log)"; }
  # What an official image leaves out: package caches and lists, device nodes (the engine makes
  # its own), the build machine's resolver and name; apt without recommends or translations;
  # no service starts during package installs.
  as_root sh -c '
    root=$1
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/dev/*
    : >"$root/etc/resolv.conf"
    echo localhost >"$root/etc/hostname"
    echo "APT::Install-Recommends \"false\";" >"$root/etc/apt/apt.conf.d/90-bib-no-recommends"
    echo "Acquire::Languages \"none\";" >"$root/etc/apt/apt.conf.d/90-bib-no-languages"
    printf "#!/bin/sh\nexit 101\n" >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"' sh "$rootfs"
  import_as() {
    as_root tar -C "$rootfs" -c . |
      docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$1" >/dev/null ||
      die "docker import of the debootstrap tree as $1 failed"
  }
  docker image inspect "$IMAGE" >/dev/null 2>&1 || import_as "$IMAGE"
  if ! docker image inspect "$SLIM_IMAGE" >/dev/null 2>&1; then
    # The -slim variant, as Debian's official one: no documentation (but the copyright files),
    # manual pages or translations, neither now nor from the packages installed later
    # (dpkg path-exclude).
    as_root sh -c '
      root=$1
      printf "%s\n" "path-exclude /usr/share/doc/*" "path-include /usr/share/doc/*/copyright" \
        "path-exclude /usr/share/man/*" "path-exclude /usr/share/groff/*" "path-exclude /usr/share/info/*" \
        "path-exclude /usr/share/lintian/*" "path-exclude /usr/share/linda/*" "path-exclude /usr/share/locale/*" \
        >"$root/etc/dpkg/dpkg.cfg.d/docker"
      find "$root/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
      find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
      rm -rf "$root"/usr/share/man/* "$root"/usr/share/groff/* "$root"/usr/share/info/* \
             "$root"/usr/share/lintian/* "$root"/usr/share/linda/* "$root"/usr/share/locale/*' sh "$rootfs"
    import_as "$SLIM_IMAGE"
  fi
  as_root rm -rf "$WORK" "$WORK.log"
fi
for tag in "$IMAGE" "$SLIM_IMAGE"; do
  timeout 60 docker run --rm --network none "$tag" test -f /etc/debian_version || die "the base image $tag does not run"
done

echo "container runtime ready: engine $(docker version --format '{{.Server.Version}}')," \
  "compose $(docker-compose version --short 2>/dev/null || docker compose version --short 2>/dev/null)," \
  "base images $IMAGE and $SLIM_IMAGE"
