#!/usr/bin/env bash
# The one run command: installs what is missing, builds, starts a local cluster
# (reference, broker, proxy, 3 servers) on loopback addresses and follows its logs.
# Ctrl-C stops the cluster. Extra arguments go to `bib-cluster up` (e.g. --servers 5).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
workdir="${BIB_WORKDIR:-$here/run}"

"$here/tools/setup.sh" >/dev/null
cluster=("$here/tools/bib-cluster" --workdir "$workdir")
if "${cluster[@]}" status >/dev/null 2>&1 && "${cluster[@]}" status | grep -q " alive"; then
  echo "a cluster is already running in $workdir; stop it with: ${cluster[*]} down" >&2
  exit 1
fi
"${cluster[@]}" up --servers 3 "$@"
trap '"${cluster[@]}" down' EXIT INT TERM
echo
echo "Following the logs in $workdir/logs (Ctrl-C stops the cluster)."
echo "Try, in another terminal:  $here/build/bin/bib-probe --endpoint \$(${cluster[*]} endpoints | awk '/broker/{print \$2}') --service ping"
tail -n 0 -F "$workdir"/logs/*.log
