#!/usr/bin/env bash
# The Swarm stack for real, on a single-node swarm (docs/deployment.md, "Tests"): makes this engine
# a swarm of one node, deploys deploy/docker-stack.yml as a stack of its own name, and checks
#   1. every service's task runs, the infrastructure and the three servers healthy, two bots;
#   2. the servers reach each other by their service names on the overlay network (each one's
#      `status` asked from server-1's container) and a client on the host writes and reads through
#      the broker's and the proxy's published ports;
#   3. after `docker kill` of server-2's container the cluster serves writes, Swarm starts a new
#      task for server-2, and, with the bots scaled to 0, the three servers hold the same events
#      (equal digests);
#   4. `docker stack rm` removes the stack's services, containers and network; the test removes
#      its volumes, leaves the swarm, and checks nothing of the stack is left.
# Cleanup runs whatever happens. An engine already in a swarm is not touched: the test says so
# and fails (it would otherwise have to leave a swarm it did not make).
#
#   tests/container/swarm_test.sh      (tools/container-test.sh runs it; needs an engine)
set -euo pipefail
test_name=swarm
source "$(dirname "$0")/lib.sh"

require_engine
stack="bibtest${RANDOM}${RANDOM}"
work=$(mktemp -d)
pick_published_ports
pick_metrics_ports
id=$RANDOM
user="ana$id" channel="sala$id"
# The label this test puts on the node of the swarm it makes: a swarm left over by a test that was
# killed (no cleanup) is recognised and left; any other swarm is not ours.
marker=bulletinboard.test-swarm

export BIB_IMAGE=$image BIB_BROKER_PORT=$broker_port BIB_PROXY_PORT=$proxy_port
export BIB_PERSISTENCE=json BIB_REPLICATION=${BIB_TEST_REPLICATION:-async} BIB_LOG_LEVEL=info BIB_WIRE_LOG=info
unset BIB_SERVER_1_PLACEMENT BIB_SERVER_2_PLACEMENT BIB_SERVER_3_PLACEMENT BIB_DRIFT_1 BIB_DRIFT_2 BIB_DRIFT_3

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
ours() { [ "$(docker node inspect self --format "{{index .Spec.Labels \"$marker\"}}" 2>/dev/null)" = 1 ]; }
stack_filter="label=com.docker.stack.namespace=$stack"
leftovers() {
  {
    docker service ls -q --filter "$stack_filter" 2>/dev/null | sed 's/^/service /'
    docker ps -aq --filter "$stack_filter" | sed 's/^/container /'
    docker network ls -q --filter "$stack_filter" | sed 's/^/network /'
    docker volume ls -q --filter "$stack_filter" | sed 's/^/volume /'
  } 2>/dev/null
}
no_containers() { [ -z "$(docker ps -aq --filter "$stack_filter")" ] && [ -z "$(docker network ls -q --filter "$stack_filter")" ]; }
made_swarm=0
# `swarm init` makes the bridge network docker_gwbridge, and `swarm leave` keeps it: removed after
# leaving when it was not there before.
had_gwbridge=0
docker network inspect docker_gwbridge >/dev/null 2>&1 && had_gwbridge=1
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ $code -ne 0 ] && [ "$(swarm_state)" = active ]; then
    local saved=${BIB_TEST_LOG_DIR:-${TMPDIR:-/tmp}}/$stack.log s
    for s in reference broker proxy server-1 server-2 server-3 bot subscriber; do
      timeout 30 docker service logs --no-task-ids --timestamps "${stack}_$s" >>"$saved" 2>&1 || true
    done
    log "the stack's last log lines (all of them: $saved):"
    for s in reference broker proxy server-1 server-2 server-3; do
      timeout 20 docker service logs --no-task-ids --tail 8 "${stack}_$s" 2>&1 | sed "s/^/  /" >&2 || true
    done
  fi
  if [ "$(swarm_state)" = active ]; then
    timeout 60 docker stack rm "$stack" >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 60))
    until no_containers || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
  fi
  docker ps -aq --filter "$stack_filter" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker volume ls -q --filter "$stack_filter" | xargs -r docker volume rm -f >/dev/null 2>&1 || true
  if [ $made_swarm = 1 ] && [ "$(swarm_state)" = active ]; then
    timeout 60 docker swarm leave --force >/dev/null 2>&1 || true
  fi
  if [ $made_swarm = 1 ] && [ $had_gwbridge = 0 ] && [ "$(swarm_state)" = inactive ]; then
    docker network rm docker_gwbridge >/dev/null 2>&1 || true
  fi
  docker network ls -q --filter "$stack_filter" | xargs -r docker network rm >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the swarm -------------------------------------------------------------------------------
case "$(swarm_state)" in
  inactive) ;;
  active)
    if ours; then
      log "leaving a single-node swarm left over by an earlier run of this test"
      timeout 60 docker swarm leave --force >/dev/null
    else
      echo "$test_name: FAILED: this engine is already part of a swarm; the test makes its own single-node swarm" \
           "and leaves it afterwards, so it needs an engine outside any swarm" >&2
      exit 1
    fi ;;
  *) echo "$test_name: FAILED: the engine's swarm state is '$(swarm_state)'" >&2; exit 1 ;;
esac

build_image

started=$SECONDS
made_swarm=1
# Loopback only: the one node needs no address other machines reach.
timeout 120 docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null ||
  fail "docker swarm init"
timeout 30 docker node update --label-add "$marker=1" "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null ||
  fail "labelling the node"
log "single-node swarm up in $((SECONDS - started)) s"

deploy_args=(--resolve-image never)
# The help read whole: `| grep -q` would fail under pipefail when grep stops reading early.
[[ "$(docker stack deploy --help 2>/dev/null)" == *--detach* ]] && deploy_args+=(--detach=true)
timeout 120 docker stack deploy "${deploy_args[@]}" -c "$repo/deploy/docker-stack.yml" "$stack" >"$work/deploy.log" 2>&1 ||
  { cat "$work/deploy.log" >&2; fail "docker stack deploy"; }
log "deployed stack $stack; broker published on port $broker_port, proxy on $proxy_port"

# The running containers of a service's tasks (healthy ones with "healthy" as second argument).
tasks() {
  local filters=(--filter "label=com.docker.swarm.service.name=${stack}_$1")
  [ "${2:-}" = healthy ] && filters+=(--filter health=healthy)
  docker ps -q "${filters[@]}"
}
has_healthy() { [ -n "$(tasks "$1" healthy)" ]; }
for s in reference broker proxy server-1 server-2 server-3; do
  wait_until 150 "a healthy task of $s" has_healthy "$s"
done
two_bots() { [ "$(tasks bot | wc -l)" = 2 ] && [ -n "$(tasks subscriber)" ]; }
wait_until 60 "two bots and the subscriber running" two_bots
log "every task runs, the infrastructure and the servers healthy, $((SECONDS - started)) s after swarm init"

# --- the servers by name on the overlay; a client on the host --------------------------------
# Each server's own status, asked by its service name from server-1's container.
status_by_name() {
  docker exec "$(tasks server-1 | head -n 1)" bib-probe --endpoint "tcp://$1:5561" --service status --timeout-ms 2000
}
same_state() {
  local s
  for s in server-1 server-2 server-3; do status_by_name "$s" >"$work/status-$s.json" || { echo "$s: no status"; return 1; }; done
  python3 - "$work" <<'EOF'
import json, sys
states = {s: json.load(open(f"{sys.argv[1]}/status-{s}.json"))["data"] for s in ("server-1", "server-2", "server-3")}
print(", ".join(f"{s}: {d.get('node')} {d.get('events')} events, {d.get('posts')} posts, digest {d.get('digest')}"
                for s, d in states.items()))
first = states["server-1"]
ok = all(d.get("node") == s for s, d in states.items())
ok = ok and all((d.get("digest"), d.get("events")) == (first.get("digest"), first.get("events")) for d in states.values())
sys.exit(0 if ok and first.get("posts", 0) > 0 else 1)
EOF
}
posts_everywhere() {
  local s
  for s in server-1 server-2 server-3; do
    status_by_name "$s" | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["data"].get("posts", 0) > 0 else 1)'
  done
}
wait_until 60 "the bots' posts on every server, each asked by name" posts_everywhere
log "the servers answer by name across the overlay; the bots post"

if "$repo/build/bin/bib" --version >/dev/null 2>&1; then client=("$repo/build/bin/bib"); else client=(docker run --rm --network host "$image" bib); fi
bib() {
  timeout 60 "${client[@]}" --quiet --broker "tcp://127.0.0.1:$broker_port" --proxy "tcp://127.0.0.1:$proxy_port" "$@"
}
bib login "$user" >/dev/null || fail "bib login through the published port"
bib channel "$channel" >/dev/null || fail "bib channel"
bib publish --user "$user" "$channel" "oi swarm $id" >/dev/null || fail "bib publish"
history=$(bib history "$channel" --limit 1000) || fail "bib history"
grep -q "$user: oi swarm $id" <<<"$history" || fail "bib history lacks the post"
log "a host client writes and reads through the published ports"

# --- kill a task: rescheduled, caught up ------------------------------------------------------
victim=$(tasks server-2 | head -n 1)
docker kill "$victim" >/dev/null
log "killed server-2's container ${victim:0:12}"
for i in 1 2 3; do
  bib publish --user "$user" "$channel" "while server-2 is away $i" >/dev/null || fail "publish $i while server-2 is away"
done
rescheduled() { local c; c=$(tasks server-2 healthy | head -n 1); [ -n "$c" ] && [ "$c" != "$victim" ]; }
wait_until 120 "a new healthy task of server-2" rescheduled
log "Swarm started a new task for server-2 ($(tasks server-2 healthy | head -n 1 | cut -c1-12))"
timeout 60 docker service scale --detach "${stack}_bot=0" >/dev/null 2>&1 ||
  timeout 60 docker service scale "${stack}_bot=0" >/dev/null || fail "scaling the bots to 0"
wait_until 60 "equal digests on the three servers" same_state
log "server-2 caught up, bots scaled to 0: $waited_output"

# --- stack rm, leave ---------------------------------------------------------------------------
timeout 60 docker stack rm "$stack" >/dev/null || fail "docker stack rm"
wait_until 90 "the stack's containers and network gone after stack rm" no_containers
docker volume ls -q --filter "$stack_filter" | xargs -r docker volume rm >/dev/null || fail "removing the stack's volumes"
timeout 60 docker swarm leave --force >/dev/null || fail "docker swarm leave"
[ "$(swarm_state)" = inactive ] || fail "still in a swarm after leave: $(swarm_state)"
if [ $had_gwbridge = 0 ]; then
  docker network rm docker_gwbridge >/dev/null || fail "removing docker_gwbridge, which swarm init made"
fi
left=$(leftovers)
[ -z "$left" ] || fail "left behind: ${left//$'\n'/, }"
log "stack removed, volumes removed, swarm left (and its docker_gwbridge network): nothing of the stack is left"
log "PASSED in $((SECONDS - test_start)) s"
