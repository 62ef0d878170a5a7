#!/usr/bin/env bash
# The one run command: installs what is missing, builds, starts a local cluster
# (reference, broker, proxy, 3 servers and 2 traffic bots) on loopback addresses, tells how to
# attach the interactive client, and follows the bots' and servers' logs: live traffic.
# Ctrl-C stops the cluster. Extra arguments go to `bib-cluster up` (e.g. --servers 5 --bots 4).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
workdir="${BIB_WORKDIR:-$here/run}"

"$here/tools/setup.sh" >/dev/null
cluster=("$here/tools/bib-cluster" --workdir "$workdir")
# The status read whole: `| grep -q` would fail under pipefail when grep stops reading early.
if status=$("${cluster[@]}" status 2>/dev/null) && [[ "$status" == *" alive"* ]]; then
  echo "a cluster is already running in $workdir; stop it with: ${cluster[*]} down" >&2
  exit 1
fi
"${cluster[@]}" up --servers 3 --drift demo "$@"
trap '"${cluster[@]}" down' EXIT INT TERM

endpoints=$("${cluster[@]}" endpoints)
broker=$(awk '$1 == "broker" {print $2}' <<<"$endpoints")
proxy=$(awk '$1 == "proxy" {print $2}' <<<"$endpoints")
bib="$here/build/bin/bib --broker $broker --proxy $proxy"
cat <<HELP

Attach the interactive client in another terminal (log in, join a channel the bots post in,
e.g. geral, and their posts appear as they arrive):

    $bib

or one request at a time (docs/client.md):

    $bib users
    $bib history geral
    $bib subscribe --user YOU geral

Following the bots' and servers' logs in $workdir/logs (Ctrl-C stops the cluster).

HELP
shopt -s nullglob
logs=("$workdir"/logs/bot-*.log "$workdir"/logs/server-*.log)
tail -n 0 -F "${logs[@]}"
