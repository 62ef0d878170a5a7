#!/usr/bin/env bash
# The second example, examples/topic-plugin, the way a third party ships a plugin: built against
# the installed SDK alone with its own GoogleTest suite, then loaded into a local cluster by
# configuration (bib-cluster up --add-plugins, i.e. BIB_ADD_PLUGINS). A topic set through the
# broker is on every server (replicated), `bib request topic` shows it, and it is still there
# after the whole cluster restarted (persisted and replayed).
# Usage: topic_check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d "$build/Testing/topic-plugin-XXXXXX")
# XDG_STATE_HOME: bib-cluster's "current cluster" pointer stays in the test's folder.
cluster() { XDG_STATE_HOME="$work/state" BIB_BUILD_DIR="$build" "$source/tools/bib-cluster" --workdir "$work/run" "$@"; }
cleanup() {
  local code=$?
  if [ $code -ne 0 ]; then  # every process's last lines, for the post-mortem
    for log in "$work"/run/logs/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 15 "$log"; } >&2; done
  fi
  cluster down --grace 2 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # so that the EXIT trap runs when `timeout` stops the test
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/examples/topic-plugin" -B "$work/topic" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/topic" >/dev/null
ctest --test-dir "$work/topic" --output-on-failure >"$work/topic-tests.log" 2>&1 || { cat "$work/topic-tests.log"; fail "the plugin's own tests"; }
exports=$(nm -D --defined-only "$work/topic/bib-topic.so" | awk '{print $3}')
[ "$exports" = "bib_plugin_descriptor" ] || fail "bib-topic.so exports: $exports"

# Relative to this file's folder, as every path in a config is.
cat > "$work/topic.toml" <<TOML
[[plugins]]
name = "topic"
path = "topic/bib-topic.so"
max_topic_bytes = 120
TOML

# A loopback block of its own (127.A.B.0/24): broker .2, server-N .(10+N).
block="127.$((RANDOM % 241 + 10)).$((RANDOM % 256))"
broker="tcp://$block.2:5555"
# One session across the bib runs below, so that each reads what the previous wrote whichever
# server the broker picks (async replication may not have reached that server yet).
export BIB_SESSION="$work/session"
bib() { "$build/bin/bib" --broker "$broker" --quiet "$@"; }
topic_on() {  # the topic of channel geral as server $1 answers it on its direct port
  "$build/bin/bib-probe" --endpoint "tcp://$block.$((10 + $1)):5561" --service topic --data '{"channel":"geral"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"].get("topic", "?"))'
}
on_every_server() {  # polls (deadline 10 s) until all three servers show topic $1
  for _ in $(seq 100); do
    ok=1
    for n in 1 2 3; do [ "$(topic_on "$n" 2>/dev/null)" = "$1" ] || ok=0; done
    [ $ok = 1 ] && return 0
    sleep 0.1
  done
  return 1
}

cluster up --servers 3 --base "$block" --bots 0 --add-plugins "$work/topic.toml" >/dev/null
bib login ana >/dev/null
bib channel geral >/dev/null
bib request topic channel=geral 'topic=releases on friday' user=ana >/dev/null || fail "setting the topic"
on_every_server "releases on friday" || fail "the topic did not reach every server"
shown=$(bib request topic channel=geral)
echo "$shown" | grep -qx "topic: releases on friday" || fail "bib request topic showed: $shown"
echo "$shown" | grep -qx "user: ana" || fail "bib request topic showed: $shown"
if bib request topic channel=nowhere topic=x >/dev/null 2>"$work/refused"; then fail "a topic for an unknown channel was accepted"; fi
grep -q "channel 'nowhere' does not exist" "$work/refused" || fail "refusal said: $(cat "$work/refused")"
if bib request topic channel=geral "topic=$(printf 'x%.0s' $(seq 121))" >/dev/null 2>&1; then fail "an over-long topic was accepted"; fi

cluster down --grace 5 >/dev/null
cluster up --servers 3 --base "$block" --bots 0 --add-plugins "$work/topic.toml" >/dev/null
on_every_server "releases on friday" || fail "the topic did not survive a restart of the cluster"
echo "topic plugin OK: built out of tree, replicated to 3 servers, persisted across a restart"
