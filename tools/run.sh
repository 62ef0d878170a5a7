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

# The chat finds this cluster by itself through the context bib-cluster points at; should that
# pointer be somewhere else (another cluster started since), the command names the context.
bib=$(realpath --relative-to="$PWD" "$here/build/bin/bib")
[[ "$bib" == ../../* ]] && bib="$here/build/bin/bib"
context=$("$here/build/bin/bib" context --json 2>/dev/null || true)
[[ "$context" == *"\"$workdir/context.json\""* ]] || bib="$bib --context $workdir/context.json"
cat <<HELP

Attach the chat in another terminal (/login NAME, /join geral: the bots post there; /help):

    $bib

the original numbered menu: $bib --menu
one request at a time (docs/client.md):

    $bib users
    $bib history geral
    $bib status

Following the bots' and servers' logs in $workdir/logs (Ctrl-C stops the cluster).

HELP
shopt -s nullglob
logs=("$workdir"/logs/bot-*.log "$workdir"/logs/server-*.log)
tail -n 0 -F "${logs[@]}"
