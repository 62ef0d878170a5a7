#!/usr/bin/env bash
# BulletInBoard beside NATS JetStream on this machine (docs/benchmarks.md, "Beside NATS
# JetStream"): the same closed-loop publish-with-acknowledgement load against
#   - a 3-node NATS cluster with JetStream, a file-backed stream of 3 replicas, and
#   - a 3-server BulletInBoard cluster (json, async replication, wire log off),
# one after the other, each printed with its ratio to a raw ZeroMQ echo measured in its run.
#
#   tools/bench/nats-compare.sh [--clients N] [--requests N] [--bytes N] [--build DIR]
#                               [--bib-fsync batch|never]
#
# JetStream acknowledges once a majority of the stream's replicas hold a message, and syncs to
# disk on a timer (every 2 minutes by default); BulletInBoard fsyncs each loop's writes before
# it answers. --bib-fsync never makes BulletInBoard skip the fsync too, for a like-for-like run.
#
# Needs nats-server (tools/setup.sh installs it) and a built tree (build/, or --build DIR). Everything runs on
# loopback; every process and folder it starts is removed at the end, even on failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build"
fsync=batch
clients=16
requests=1000
bytes=64
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --bytes) bytes=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --bib-fsync) fsync=$2; shift 2 ;;
    *) echo "usage: $0 [--clients N] [--requests N] [--bytes N] [--build DIR] [--bib-fsync batch|never]" >&2; exit 2 ;;
  esac
done
bin="$build/bin"
export BIB_BUILD_DIR="$build"  # bib-cluster starts this tree's bib-host
command -v nats-server > /dev/null || { echo "nats-server is not installed (tools/setup.sh installs it)" >&2; exit 1; }
for tool in bib-bench bib-bench-nats; do
  [ -x "$bin/$tool" ] || { echo "$bin/$tool is missing: build first (tools/setup.sh)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bib-nats-compare-XXXXXX")
nats_pids=()
cleanup() {
  for pid in "${nats_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${nats_pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  "$root/tools/bib-cluster" --workdir "$work/bib" down > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A loopback address and ports of this run's own, so that two runs (or tests) do not collide.
nats_ip="127.$((20 + RANDOM % 200)).$((20 + RANDOM % 200)).$((100 + RANDOM % 100))"
base=$((20000 + RANDOM % 20000))
routes="nats://$nats_ip:$((base + 11)),nats://$nats_ip:$((base + 12)),nats://$nats_ip:$((base + 13))"
for i in 1 2 3; do
  nats-server -js -sd "$work/nats-$i" -n "nats-$i" -a "$nats_ip" -p $((base + i)) \
    --cluster_name bib-compare --cluster "nats://$nats_ip:$((base + 10 + i))" --routes "$routes" \
    > "$work/nats-$i.log" 2>&1 &
  nats_pids+=($!)
done

echo "== NATS JetStream 2.9: 3 servers, stream of 3 file replicas, publish with acknowledgement"
# bib-bench-nats waits (up to 30 s) until the cluster has a JetStream leader and the stream exists.
"$bin/bib-bench-nats" --server "$nats_ip:$((base + 1))" --clients "$clients" --requests "$requests" \
  --bytes "$bytes" --no-progress

for pid in "${nats_pids[@]}"; do kill "$pid" 2> /dev/null || true; done

echo
echo "== BulletInBoard: 3 servers, json (fsync $fsync), async replication, wire log off"
# A loopback /24 of this run's own: reference .1, broker .2, proxy .3, servers .11-.13.
block="127.$((20 + RANDOM % 200)).$((20 + RANDOM % 200))"
"$root/tools/bib-cluster" --workdir "$work/bib" up --servers 3 --bots 0 --base "$block" --no-current \
  --set server:host.wire_log=off --set broker:host.wire_log=off --set proxy:host.wire_log=off \
  --set "server:plugins.persistence-json.fsync=$fsync" > "$work/bib-up.log"
"$bin/bib-bench" --broker "tcp://$block.2:5555" --workload publish --clients "$clients" \
  --requests "$requests" --bytes "$bytes" --data-dir "$work/bib/data" --no-progress
