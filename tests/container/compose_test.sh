#!/usr/bin/env bash
# The docker-compose cluster for real (docs/deployment.md, "Tests"): builds the image from source,
# brings docker-compose.yml up under a project name of its own, and checks
#   1. every server and the infrastructure become healthy (the images' HEALTHCHECK), and the bots
#      and the subscriber run; the run is made with CurveZMQ on the cluster links
#      (BIB_SECURITY=curve, keys from the one-shot service `keys`; BIB_TEST_SECURITY=none for a
#      plain run), so the healthchecks speak it;
#   1b. with CURVE on, a process without a listed key (plain, or with a key of its own) gets no
#      answer on any cluster port (5556, 5557, 5560, 5561, 5562) and is logged as refused, while
#      the cluster's `tools` key is answered;
#   2. a client on the host, through the published ports only, logs in, creates a channel,
#      publishes, reads the history, sends a private message and reads the inbox; the client
#      service answers through `docker-compose run`;
#      the chat (`docker-compose run --rm client`) on a terminal, driven in tmux: logs in, joins,
#      posts, shows a post and a private message as they arrive, and quits;
#   3. the subscriber printed the bots' posts, the host client's post and its private message;
#   4. after `docker kill` of server-2 the cluster goes on serving writes, and server-2, started
#      again, catches up: with the bots stopped, all three servers hold the same events (equal
#      digests), the bots' posts included;
#   5. a fourth server added with the profile `extra` catches up too, and is removed again;
#   6. a plugin of the user's own (examples/topic-plugin, built in the image's build stage against
#      its SDK) reaches the servers by a mount and BIB_ADD_PLUGINS in a docker-compose override
#      file, the servers recreated one at a time while writes go on: the topic set through the
#      broker is on every server;
#   7. after a clean stop each server's JSON files (usuarios.json, canais.json, publicacoes.json,
#      mensagens.json) are in its own directory on the shared volume `dados`, holding the writes;
#   8. `down -v` leaves no container, network or volume of the project.
# Whatever happens, everything the project created is removed at exit. Traffic stays between the
# project's containers and the host's loopback (ports published on 127.0.0.1).
#
#   tests/container/compose_test.sh      (tools/container-test.sh runs it; needs an engine)
# Environment: see lib.sh; BIB_TEST_CLIENT=PATH uses that `bib` on the host (default build/bin/bib
# when it runs, else the image's bib in a container on the host's network: the same published ports).
set -euo pipefail
test_name=compose
source "$(dirname "$0")/lib.sh"

require_engine
if command -v docker-compose >/dev/null 2>&1; then
  compose_cli=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose_cli=(docker compose)
else
  echo "$test_name: FAILED: neither docker-compose nor 'docker compose' is installed (tools/container-runtime.sh installs it)" >&2
  exit 1
fi

project="bibtest${RANDOM}${RANDOM}"
work=$(mktemp -d)
pick_published_ports
pick_metrics_ports
id=$RANDOM
user="ana$id" other="bia$id" channel="sala$id"

# What docker-compose.yml reads: fixed here, whatever the caller's environment says.
export COMPOSE_PROJECT_NAME=$project BIB_IMAGE=$image
export BIB_PUBLISH_ADDRESS=127.0.0.1 BIB_BROKER_PORT=$broker_port BIB_PROXY_PORT=$proxy_port
export BIB_PERSISTENCE=json BIB_REPLICATION=${BIB_TEST_REPLICATION:-async} BIB_LOG_LEVEL=info BIB_WIRE_LOG=info
export BIB_SECURITY=${BIB_TEST_SECURITY:-curve} BIB_CLIENT_SECURITY=none
BIB_SUBSCRIBE="geral futebol musica cinema ciencia viagens jogos culinaria $channel $other"  # bib-bot's channels, and ours
export BIB_SUBSCRIBE
unset BIB_DRIFT_1 BIB_DRIFT_2 BIB_DRIFT_3

# `up` starts the default services only; the profile `extra` (server-4) is named where server-4
# is meant: to add it, remove it, and take everything down.
# Section 6 adds an override file; every later command names it too, as a user's would.
compose_files=(-f "$repo/docker-compose.yml")
compose() {
  timeout "${compose_timeout:-300}" "${compose_cli[@]}" --project-directory "$repo" "${compose_files[@]}" \
    -p "$project" "$@"
}
compose_extra() { compose --profile extra "$@"; }
# Everything of the project, by the label every container, network and volume it made carries.
leftovers() {
  local filter="label=com.docker.compose.project=$project"
  {
    docker ps -aq --filter "$filter" | sed 's/^/container /'
    docker network ls -q --filter "$filter" | sed 's/^/network /'
    docker volume ls -q --filter "$filter" | sed 's/^/volume /'
  } 2>/dev/null
}
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ $code -ne 0 ]; then
    local saved=${BIB_TEST_LOG_DIR:-${TMPDIR:-/tmp}}/$project.log
    compose_timeout=60 compose logs --no-color --timestamps >"$saved" 2>&1 || true
    log "the project's last log lines (all of them: $saved):"
    compose_timeout=60 compose logs --no-color --tail 10 2>&1 | tail -n 120 >&2 || true
    # The chat's terminal, when the test stopped in its step: what it showed says why.
    if [ -S "$work/tmux.sock" ]; then
      log "the chat's terminal:"
      timeout 20 tmux -S "$work/tmux.sock" capture-pane -p -t chat -S -60 >&2 2>/dev/null || true
    fi
  fi
  # The chat's tmux server, when the test stopped before it ended it (or it is gone already).
  timeout 20 tmux -S "$work/tmux.sock" kill-server >/dev/null 2>&1 || true
  # A paused container cannot be stopped: the bots, when the chat step stopped while they slept.
  [ "${bots_paused:-0}" = 1 ] && { compose_timeout=60 compose unpause bot >/dev/null 2>&1 || true; }
  compose_timeout=120 compose_extra down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
  # Whatever down left (it was interrupted, or failed): removed by label.
  local filter="label=com.docker.compose.project=$project"
  docker ps -aq --filter "$filter" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network ls -q --filter "$filter" | xargs -r docker network rm >/dev/null 2>&1 || true
  docker volume ls -q --filter "$filter" | xargs -r docker volume rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the client on the host ------------------------------------------------------------------
if [ -n "${BIB_TEST_CLIENT:-}" ]; then
  client=("$BIB_TEST_CLIENT")
elif "$repo/build/bin/bib" --version >/dev/null 2>&1; then
  client=("$repo/build/bin/bib")
else
  # No host build: the image's bib, in a container on the host's network, so it too goes through
  # the ports published on 127.0.0.1.
  client=(docker run --rm --network host "$image" bib)
fi
# One session across the runs (bib --session): each reads what the previous wrote, whichever
# server the broker picks (async replication may not have reached it yet).
session=(--session "$work/session")
[ "${client[0]}" = docker ] && session=()  # a client in a container keeps no file of ours
bib() {
  timeout 60 "${client[@]}" "${session[@]}" --quiet --broker "tcp://127.0.0.1:$broker_port" --proxy "tcp://127.0.0.1:$proxy_port" "$@"
}

container() { compose_extra ps -q "$1" 2>/dev/null | head -n 1; }
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1"; }
healthy() { [ "$(health "$(container "$1")")" = healthy ]; }
# ask_server SERVER SERVICE [PROBE OPTIONS...]: asked inside the server's container on its direct
# port, as the cluster's `tools` key when CURVE is on.
ask_server() {
  local curve=()
  [ "$BIB_SECURITY" = curve ] && curve=(--server-key "/keys/$1.pub" --key /keys/tools.key)
  docker exec "$(container "$1")" bib-probe --endpoint tcp://127.0.0.1:5561 --service "$2" --timeout-ms 2000 \
    "${curve[@]}" "${@:3}"
}
status_of() { ask_server "$1" status; }  # a server's own `status`
# same_state SERVER...: every server answers status with the same digest and event count, and
# holds posts beyond the host client's own (the bots').
same_state() {
  local s
  for s in "$@"; do status_of "$s" >"$work/status-$s.json" || { echo "$s: no status"; return 1; }; done
  python3 - "$work" "$@" <<'EOF'
import json, sys
work, servers = sys.argv[1], sys.argv[2:]
states = {s: json.load(open(f"{work}/status-{s}.json"))["data"] for s in servers}
shown = ", ".join(f"{s}: {d.get('events')} events, {d.get('posts')} posts, digest {d.get('digest')}" for s, d in states.items())
print(shown)
first = states[servers[0]]
same = all((d.get("digest"), d.get("events")) == (first.get("digest"), first.get("events")) for d in states.values())
sys.exit(0 if same and first.get("posts", 0) > 3 else 1)
EOF
}

# --- 1. image, up, health --------------------------------------------------------------------
build_image
log "up: project $project, broker on 127.0.0.1:$broker_port, proxy on 127.0.0.1:$proxy_port"
started=$SECONDS
# up returns once every service started, each after the ones it depends on were healthy.
compose up -d --no-build >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "docker-compose up"; }
for s in reference broker proxy server-1 server-2 server-3; do
  wait_until 90 "$s healthy" healthy "$s"
done
log "every server and the infrastructure healthy, $((SECONDS - started)) s after up"
[ "$(compose ps -q bot | wc -l)" = 2 ] || fail "expected 2 bot containers: $(compose ps bot)"
for c in $(compose ps -q bot) $(container subscriber) $(container client); do
  [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || fail "container $c is not running"
done
# The bots post: every server applies posts.
posts_everywhere() {
  local s
  for s in server-1 server-2 server-3; do
    status_of "$s" | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["data"].get("posts", 0) > 0 else 1)'
  done
}
wait_until 60 "the bots' posts on every server" posts_everywhere
log "the bots post, every server holds posts"

# --- 1b. CURVE: no listed key, no answer ----------------------------------------------------
if [ "$BIB_SECURITY" = curve ]; then
  # The subscriber's container: on the project's network, the keys volume mounted, no member.
  outsider=$(container subscriber)
  probe_exit() {  # the exit status of bib-probe run in $outsider with these options
    local code=0
    docker exec "$outsider" bib-probe --timeout-ms 1500 "$@" >/dev/null 2>&1 || code=$?
    echo $code
  }
  for target in broker:5556 proxy:5557 reference:5560 server-1:5561 server-1:5562; do
    node=${target%:*} port=${target#*:}
    if [ "$port" = 5557 ]; then  # the proxy's publisher port: a round trip, published there
      plain=(--endpoint tcp://proxy:5558 --publish-to tcp://proxy:5557)
      own=("${plain[@]}" --publish-key /keys/proxy.pub)
    else
      plain=(--endpoint "tcp://$target" --service status)
      own=("${plain[@]}" --server-key "/keys/$node.pub")
    fi
    # Exit 2 is "no reply in time": the handshake never completed.
    [ "$(probe_exit "${plain[@]}")" = 2 ] || fail "$target answered a plain client with CURVE on"
    [ "$(probe_exit "${own[@]}")" = 2 ] || fail "$target answered a CURVE client whose key is not listed"
  done
  [ "$(probe_exit --endpoint tcp://reference:5560 --service list --server-key /keys/reference.pub \
        --key /keys/tools.key)" = 0 ] || fail "the reference did not answer the listed tools key"
  [ "$(probe_exit --endpoint tcp://proxy:5558 --publish-to tcp://proxy:5557 --publish-key /keys/proxy.pub \
        --key /keys/tools.key)" = 0 ] || fail "the proxy did not carry a publication of the listed tools key"
  status_of server-1 >/dev/null || fail "server-1 did not answer the listed tools key"
  compose logs --no-color reference 2>/dev/null | grep -q "refused connection without a listed CURVE key" \
    || fail "the reference did not log the refused handshake"
  log "CURVE on the cluster links: plain and unlisted clients get nothing on 5556, 5557, 5560, 5561, 5562; the tools key is answered"
fi

# --- 2. a client through the published ports -------------------------------------------------
log "host client (${client[*]}): login, channel, publish, history, message, inbox"
text="oi do host $id"
bib login "$user" >/dev/null || fail "bib login $user"
bib login "$other" >/dev/null || fail "bib login $other"
bib channel "$channel" >/dev/null || fail "bib channel $channel"
bib publish --user "$user" "$channel" "$text" >/dev/null || fail "bib publish"
bib history "$channel" --limit 1000 >"$work/history.txt" || fail "bib history"
grep -q "$user: $text" "$work/history.txt" || fail "history of $channel lacks the post: $(cat "$work/history.txt")"
bib message --from "$user" "$other" "segredo $id" >/dev/null || fail "bib message"
bib inbox "$other" --limit 1000 >"$work/inbox.txt" || fail "bib inbox"
grep -q "$user -> $other: segredo $id" "$work/inbox.txt" || fail "inbox of $other lacks the message: $(cat "$work/inbox.txt")"
compose run --rm -T client bib users >"$work/users.txt" 2>/dev/null || fail "docker-compose run client bib users"
grep -qx "$user" "$work/users.txt" || fail "the client service does not list $user: $(cat "$work/users.txt")"
log "the host client and the client service work"

# --- 2b. the chat in a terminal: `docker-compose run --rm client`, driven in tmux -------------
# A tmux server of this test's own (its socket in $work), killed at exit. It inherits this
# script's environment, so the compose command inside it names the same project and files.
tmux_socket="$work/tmux.sock"
chat_user="caio$id"
chat_tmux() { timeout 20 tmux -S "$tmux_socket" "$@"; }
chat_screen() { chat_tmux capture-pane -p -t chat -S -200; }
chat_shows() { local screen; screen=$(chat_screen) || return 1; grep -qF -- "$1" <<<"$screen" && echo "$1"; }
chat_say() { chat_tmux send-keys -t chat -l -- "$1" && chat_tmux send-keys -t chat Enter; }
command -v tmux >/dev/null 2>&1 || fail "tmux is not installed (tools/setup.sh installs it)"
printf -v chat_command '%q ' "${compose_cli[@]}" --project-directory "$repo" "${compose_files[@]}" -p "$project" \
  run --rm client
chat_tmux new-session -d -s chat -x 160 -y 45 "$chat_command; echo chat-exit=\$?; sleep 600" || fail "tmux new-session"
wait_until 60 "the chat's greeting on the terminal" chat_shows "/login NAME, then /join CHANNEL"
chat_say "/login $chat_user"
wait_until 30 "the chat logged in" chat_shows "logged in as $chat_user"
# The bots post in every channel they list, ours too, ten posts a round: the page shown on
# /join is the last 20 posts, so they are paused while the chat reads it (unpaused below, and
# by the cleanup if this step fails).
compose pause bot >/dev/null 2>&1 || fail "docker-compose pause bot"
bots_paused=1
bib publish --user "$user" "$channel" "antes do terminal $id" >/dev/null || fail "bib publish before the chat joins"
chat_say "/join $channel"
wait_until 30 "the chat joined #$channel" chat_shows "joined #$channel"
wait_until 30 "the host's post in the chat's history page" chat_shows "<$user> antes do terminal $id"
chat_say "oi do terminal $id"
wait_until 30 "the chat's own post on its screen" chat_shows "<$chat_user> oi do terminal $id"
history=$(bib history "$channel" --limit 1000) || fail "bib history"
grep -q "$chat_user: oi do terminal $id" <<<"$history" || fail "the history lacks the chat's post: $history"
bib publish --user "$user" "$channel" "para o terminal $id" >/dev/null || fail "bib publish to the chat"
wait_until 30 "the host's new post arriving in the chat" chat_shows "<$user> para o terminal $id"
bib message --from "$user" "$chat_user" "psst $id" >/dev/null || fail "bib message to the chat"
wait_until 30 "the private message's window in the status line" chat_shows "@$user(1)"
chat_say "/quit"
wait_until 30 "the chat ended by /quit, exit status 0" chat_shows "chat-exit=0"
chat_tmux kill-server 2>/dev/null || true
compose unpause bot >/dev/null 2>&1 || fail "docker-compose unpause bot"
bots_paused=0
log "the chat on a terminal (docker-compose run --rm client in tmux): logged in, joined, posted, received a post and a private message, quit"

# --- 3. the subscriber -----------------------------------------------------------------------
printed() { docker logs "$(container subscriber)" 2>/dev/null | grep -E "$1"; }
wait_until 30 "the subscriber printing a bot's post" printed '\[[a-z0-9]+\] bot-[a-z]+-[0-9]+: '
wait_until 30 "the subscriber printing the host's post" printed "\[$channel\] $user: $text"
wait_until 30 "the subscriber printing the private message" printed "\[private\] $user -> $other: segredo $id"
log "the subscriber printed the bots' posts, the host's post and the private message"

# --- 4. kill a server: the others serve; it comes back and catches up -------------------------
victim=$(container server-2)
docker kill "$victim" >/dev/null
log "killed server-2 (docker kill)"
for i in 1 2 3 4 5; do
  bib publish --user "$user" "$channel" "while server-2 is down $i" >/dev/null ||
    fail "publish $i while server-2 is down"
done
log "5 writes served while server-2 was down"
# restart: unless-stopped may have started it again already; start is a no-op then.
compose start server-2 >/dev/null 2>&1 || fail "docker-compose start server-2"
wait_until 90 "server-2 healthy again" healthy server-2
compose stop -t 10 bot >/dev/null 2>&1 || fail "docker-compose stop bot"
wait_until 60 "equal digests on the three servers (server-2 caught up)" same_state server-1 server-2 server-3
log "server-2 caught up, bots stopped: $waited_output"
# Read whole, then searched: `bib ... | grep -q` fails under pipefail when grep stops reading early.
history=$(bib history "$channel" --limit 1000) || fail "bib history"
grep -q "while server-2 is down 5" <<<"$history" || fail "the history lacks the writes made while server-2 was down"

# --- 5. a fourth server joins and leaves -----------------------------------------------------
[ -z "$(container server-4)" ] || fail "server-4 runs before it was added"
compose_extra up -d --no-build --no-deps server-4 >"$work/up4.log" 2>&1 || { cat "$work/up4.log" >&2; fail "up server-4"; }
wait_until 90 "server-4 healthy" healthy server-4
wait_until 60 "server-4 with the same digest" same_state server-1 server-2 server-3 server-4
log "server-4 joined and caught up: $waited_output"
compose_extra rm -s -f server-4 >/dev/null 2>&1 || fail "docker-compose rm -s -f server-4"
[ -z "$(container server-4)" ] || fail "server-4 still there after rm"
bib publish --user "$user" "$channel" "after server-4 left" >/dev/null || fail "publish after server-4 left"
log "server-4 removed, the cluster serves"

# --- 6. a plugin of the user's own, by a mount (docs/deployment.md, "Your own plugin") --------
mkdir -p "$work/my-plugins"
docker_timeout=600 docker run --rm --network none --user "$(id -u):$(id -g)" --entrypoint bash \
  -v "$repo/examples/topic-plugin:/topic:ro" -v "$work/my-plugins:/out" "$sdk_image" -c '
    cmake -S /topic -B /tmp/topic -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=/stage/usr/local \
      -DTOPIC_BUILD_TESTS=OFF >/dev/null && cmake --build /tmp/topic >/dev/null && cp /tmp/topic/bib-topic.so /out/' ||
  fail "building examples/topic-plugin in $sdk_image against its SDK"
cat >"$work/my-plugins/topic.toml" <<'TOML'
[[plugins]]
name = "topic"
path = "bib-topic.so"
TOML
cat >"$work/override.yml" <<YAML
services:
  server-1: &with-topic
    volumes:
      - dados:/dados
      - $work/my-plugins:/plugins:ro
    environment:
      BIB_ADD_PLUGINS: /plugins/topic.toml
  server-2: *with-topic
  server-3: *with-topic
YAML
compose_files+=(-f "$work/override.yml")
topic_on() {  # the topic of $channel as server $1 answers it itself
  ask_server "$1" topic --data "{\"channel\":\"$channel\"}" | json_field data.topic
}
for s in server-1 server-2 server-3; do
  compose up -d --no-build --no-deps "$s" >"$work/up-$s.log" 2>&1 || { cat "$work/up-$s.log" >&2; fail "up $s with the plugin"; }
  wait_until 90 "$s healthy with the plugin" healthy "$s"
  bib publish --user "$user" "$channel" "after $s took the plugin" >/dev/null || fail "publish after $s took the plugin"
done
log "the three servers recreated one at a time with the plugin mounted; writes went on"
topic="plugins by mount $id"
bib request topic "channel=$channel" "topic=$topic" "user=$user" >/dev/null || fail "bib request topic (set)"
topic_everywhere() { local s; for s in server-1 server-2 server-3; do [ "$(topic_on "$s")" = "$topic" ] || return 1; done; }
wait_until 30 "the topic on every server" topic_everywhere
shown=$(bib request topic "channel=$channel") || fail "bib request topic (read)"
grep -qx "topic: $topic" <<<"$shown" || fail "bib request topic does not show the topic: $shown"
log "the mounted plugin serves on every server: the topic set through the broker is on all three"

# --- 7. the JSON files on the shared volume --------------------------------------------------
compose stop -t 20 >/dev/null 2>&1 || fail "docker-compose stop"
mkdir -p "$work/dados"
docker run --rm --network none -v "${project}_dados:/dados:ro" --entrypoint tar "$image" -C /dados -cf - . |
  tar -C "$work/dados" -xf - || fail "reading the volume ${project}_dados"
python3 - "$work/dados" "$user" "$other" "$channel" "$text" <<'EOF' || fail "the JSON files on the volume"
import json, os, sys
root, user, other, channel, text = sys.argv[1:]
problems = []
for server in ("server-1", "server-2", "server-3"):
    records = {}
    for name in ("usuarios.json", "canais.json", "publicacoes.json", "mensagens.json"):
        path = os.path.join(root, server, name)
        try:
            with open(path) as f:
                records[name] = json.load(f)
        except (OSError, ValueError) as e:
            problems.append(f"{server}/{name}: {e}")
            continue
        if not isinstance(records[name], list):
            problems.append(f"{server}/{name}: not a JSON array")
    if len(records) < 4:
        continue
    if not any(r.get("user") == user for r in records["usuarios.json"]):
        problems.append(f"{server}/usuarios.json: no login of {user}")
    if not any(r.get("channel") == channel for r in records["canais.json"]):
        problems.append(f"{server}/canais.json: no channel {channel}")
    if not any(r.get("message") == text and r.get("user") == user for r in records["publicacoes.json"]):
        problems.append(f"{server}/publicacoes.json: no post '{text}'")
    if not any(r.get("src") == user and r.get("dst") == other for r in records["mensagens.json"]):
        problems.append(f"{server}/mensagens.json: no message {user} -> {other}")
    print(f"{server}: " + ", ".join(f"{n} {len(r)}" for n, r in records.items()))
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
log "each server's JSON files are in its own directory on the volume ${project}_dados"

# --- 8. down -v leaves nothing ---------------------------------------------------------------
compose_extra down -v --remove-orphans -t 5 >/dev/null 2>&1 || fail "docker-compose down -v"
left=$(leftovers)
[ -z "$left" ] || fail "down -v left: ${left//$'\n'/, }"
log "down -v left no container, network or volume"
log "PASSED in $((SECONDS - test_start)) s"
