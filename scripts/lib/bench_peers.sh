# The peers section of scripts/bench: what a municipality could run instead of knutpunkt, side by
# side with it, against one upstream and under one load. Sourced after common.sh and postgres.sh
# (for free_port), not run.
#
#   bench_peers BUILD_DIR RUN_DIR   captures SSBTEK's reply, starts the peers, measures, prints
#   stop_peers                      stops what bench_peers started (call from the EXIT trap)
#
# The upstream is nginx serving SSBTEK's seven-source reply, captured at the start from our own
# simulator (production shape, with its departures from the contract), for every POST. Against
# it, with wrk (1 thread, 20 connections, bench/wrk/post.lua), in alternating rounds:
#   - knutpunkt, one gateway on SQLite, lookups of 7 sources and of 1 source (a case registered
#     first, every lookup audited durably before its answer);
#   - nginx proxy_pass to the upstream: the peer that does no work;
#   - Node-RED (bench/node-red/lookup-flow.json): builds the same SOAP question, posts it, parses
#     the XML and lists each source's facts; no audit, no validation, no case check.
# Everything listens on loopback on free ports and stops when the benchmark does.

NODE_RED_VERSION=4.1.8
PEER_PIDS=()
PEER_AUTH="Authorization: Bearer demo-token-stockholm-ekb"

stop_peers() {
  local pid
  for pid in "${PEER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PEER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PEER_PIDS=()
}

# stop_pid PID...: stops processes bench_peers started before the end, and forgets them.
stop_pid() {
  local pid kept=()
  kill "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
  for pid in "${PEER_PIDS[@]}"; do
    [[ " $* " == *" $pid "* ]] || kept+=("$pid")
  done
  PEER_PIDS=("${kept[@]}")
}

# Node-RED from the npm registry, pinned, installed once into a cache folder and reused.
# 4.1 is the newest line that runs on Debian 12's Node.js 18.
node_red_main() {
  local dir="${KNUTPUNKT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/knutpunkt}/node-red-$NODE_RED_VERSION"
  if [[ ! -f "$dir/node_modules/node-red/red.js" ]]; then
    say "installing Node-RED $NODE_RED_VERSION into ${dir}"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --omit=dev --loglevel=error "node-red@$NODE_RED_VERSION" >&2
  fi
  printf '%s\n' "$dir/node_modules/node-red/red.js"
}

# peer_gateway_config DIR SSBTEK_PORT: the demo config with SSBTEK at that port, SQLite in DIR,
# and room for the connections held_connections.py holds (the demo serves at most 512 at once).
peer_gateway_config() {
  python3 "$REPO_ROOT/scripts/lib/run_config.py" "$REPO_ROOT/config/demo.json" "$1/config.json" "$REPO_ROOT" \
    --ssbtek "$2" --log-level warn --max-connections 4096
}

# start_peer_gateway BUILD_DIR DIR: sets PEER_GATEWAY_PORT and PEER_GATEWAY_PID.
start_peer_gateway() {
  local build_dir="$1" dir="$2"
  rm -f "$dir/gateway.port"
  "$build_dir/gateway/knutpunkt" serve --config "$dir/config.json" --port 0 --port-file "$dir/gateway.port" \
    --log-file "$dir/gateway.log" >>"$dir/gateway.out" 2>>"$dir/gateway.err" &
  PEER_GATEWAY_PID=$!
  PEER_PIDS+=("$PEER_GATEWAY_PID")
  wait_for_file "$dir/gateway.port" 15 || {
    say "the gateway did not start: see ${dir}/gateway.err"
    return 1
  }
  PEER_GATEWAY_PORT="$(cat "$dir/gateway.port")"
}

# write_lookup FILE SOURCE...: the lookup both knutpunkt and the Node-RED flow are asked.
write_lookup() {
  python3 - "$@" <<'PY'
import datetime, json, sys


def last_three_months():
    """The three whole months before this one: a period valid whatever day the bench runs."""
    first_of_month = datetime.date.today().replace(day=1)
    end = first_of_month - datetime.timedelta(days=1)
    start = (first_of_month - datetime.timedelta(days=85)).replace(day=1)
    return {"from": start.isoformat(), "to": end.isoformat()}


lookup = {"person": "191212121212", "case_id": "EB-2026-BENCH", "purpose": "ekonomiskt_bistand",
          "legal_basis": "11 kap. 11 § SoL", "period": last_three_months(),
          "sources": sys.argv[2:], "caseworker": {"id": "bench", "unit": "bench"}}
open(sys.argv[1], "w", encoding="utf-8").write(json.dumps(lookup, ensure_ascii=False))
PY
}

# ask_peer URL BODY_FILE OUT [header...]: POSTs the body, fails unless the answer is a 200.
ask_peer() {
  local url="$1" body="$2" out="$3"
  shift 3
  local headers=() header
  for header in "$@"; do headers+=(-H "$header"); done
  curl -fsS -o "$out" -X POST "$url" "${headers[@]}" --data-binary "@$body"
}

# check_complete FILE SOURCES WHO: the answer is complete with every source answered, or the
# benchmark stops: figures of partial answers would flatter whoever gave them.
check_complete() {
  python3 - "$@" <<'PY'
import json, sys
path, count, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
answer = json.load(open(path, encoding="utf-8"))
sources = answer.get("sources", [])
states = [s.get("status") for s in (sources.values() if isinstance(sources, dict) else sources)]
if answer.get("status") != "complete" or len(states) != count or any(s != "ok" for s in states):
    sys.exit(f"{who}: the answer is not complete ({answer.get('status')}, sources {states}); see {path}")
PY
}

# capture_reply BUILD_DIR DIR: the gateway asks our simulator through capture_ssbtek.py, which
# keeps the question as the gateway sent it (DIR/question.xml) and the simulator's answer
# (DIR/reply.xml, its Content-Type beside it). Leaves DIR/gateway with its store and the case
# registered, and the lookups DIR/lookup-7.json and DIR/lookup-1.json.
capture_reply() {
  local build_dir="$1" dir="$2"
  mkdir -p "$dir/gateway"
  "$build_dir/adapters/ssbtek/simulator/ssbtek-simulator" --port 0 --threads 16 --port-file "$dir/simulator.port" \
    >"$dir/simulator.out" 2>"$dir/simulator.log" &
  local simulator_pid=$!
  PEER_PIDS+=("$simulator_pid")
  wait_for_file "$dir/simulator.port" 10 || {
    say "the SSBTEK simulator did not start: see ${dir}/simulator.log"
    return 1
  }
  python3 "$REPO_ROOT/scripts/lib/capture_ssbtek.py" --upstream "$(cat "$dir/simulator.port")" \
    --port-file "$dir/capture.port" --request "$dir/question.xml" --reply "$dir/reply.xml" &
  local capture_pid=$!
  PEER_PIDS+=("$capture_pid")
  wait_for_file "$dir/capture.port" 10
  peer_gateway_config "$dir/gateway" "$(cat "$dir/capture.port")"
  "$build_dir/gateway/knutpunkt" audit keygen --private "$dir/gateway/audit-signing-key.pem" \
    --public "$dir/gateway/audit-signing-key.pub.pem" >/dev/null
  start_peer_gateway "$build_dir" "$dir/gateway"
  # Lookups are held to a registered open case with the person in its household.
  curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$PEER_GATEWAY_PORT/v1/cases/EB-2026-BENCH" -H "$PEER_AUTH" \
    -H 'Content-Type: application/json' --data-binary '{"status":"open","unit":"Bench","household":["191212121212"]}'
  write_lookup "$dir/lookup-7.json" AF CSN FK SKV SO TNS MIV
  write_lookup "$dir/lookup-1.json" AF
  ask_peer "http://127.0.0.1:$PEER_GATEWAY_PORT/v1/lookups/ssbtek" "$dir/lookup-7.json" "$dir/capture-answer.json" \
    "$PEER_AUTH" 'Content-Type: application/json'
  check_complete "$dir/capture-answer.json" 7 "knutpunkt asking the simulator"
  wait_for_file "$dir/reply.xml" 5
  stop_pid "$PEER_GATEWAY_PID" "$capture_pid" "$simulator_pid"
}

# start_nginx DIR: nginx with its own prefix and config in DIR/nginx and two servers on free
# loopback ports: the upstream serving DIR/reply.xml for POSTs (NGINX_UPSTREAM_PORT) and
# proxy_pass to it (NGINX_PROXY_PORT). Waits until the proxy answers with the reply.
start_nginx() {
  local dir="$1"
  mkdir -p "$dir/nginx/temp"
  NGINX_UPSTREAM_PORT="$(free_port)"
  NGINX_PROXY_PORT="$(free_port)"
  local user_line=""
  if [[ $(id -u) -eq 0 ]]; then
    # nginx's workers leave root for nobody: they read the reply and write their temp files.
    user_line="user nobody nogroup;"
    chown nobody "$dir/nginx/temp"
    chmod a+r "$dir/reply.xml"
  fi
  # A static file refuses POST with 405; error_page turns that into a GET of the same file, and
  # the Content-Type is the simulator's.
  cat >"$dir/nginx/nginx.conf" <<NGINX
$user_line
daemon off;
worker_processes auto;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/temp/body;
  proxy_temp_path $dir/nginx/temp/proxy;
  fastcgi_temp_path $dir/nginx/temp/fastcgi;
  uwsgi_temp_path $dir/nginx/temp/uwsgi;
  scgi_temp_path $dir/nginx/temp/scgi;
  sendfile on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_UPSTREAM_PORT;
    location = /ssbtek {
      alias $dir/reply.xml;
      default_type "$(cat "$dir/reply.xml.content-type")";
      error_page 405 =200 \$uri;
    }
  }
  upstream ssbtek {
    server 127.0.0.1:$NGINX_UPSTREAM_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PROXY_PORT;
    location / {
      proxy_pass http://ssbtek;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffers 16 16k;
    }
  }
}
NGINX
  nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" &
  NGINX_PID=$!
  PEER_PIDS+=("$NGINX_PID")
  local waited=0
  until curl -fsS -o "$dir/nginx-answer.xml" -X POST "http://127.0.0.1:$NGINX_PROXY_PORT/ssbtek" \
    -H "Content-Type: text/xml; charset=utf-8" --data-binary "@$dir/question.xml" 2>/dev/null; do
    sleep 0.2
    waited=$((waited + 1))
    ((waited < 50)) || {
      say "nginx did not start: see ${dir}/nginx/error.log"
      return 1
    }
  done
  cmp -s "$dir/nginx-answer.xml" "$dir/reply.xml" || {
    say "nginx's answer is not the captured reply: see ${dir}/nginx-answer.xml"
    return 1
  }
}

# start_node_red DIR SSBTEK_URL: Node-RED with the committed flow and bench/node-red/settings.js,
# its user dir in DIR/node-red, on a free loopback port (NODE_RED_PORT). Waits until the flow
# answers DIR/lookup-7.json, and stops the benchmark unless that answer is complete.
start_node_red() {
  local dir="$1" ssbtek_url="$2" node_red
  node_red="$(node_red_main)"
  mkdir -p "$dir/node-red"
  NODE_RED_PORT="$(free_port)"
  cp "$REPO_ROOT/bench/node-red/lookup-flow.json" "$dir/node-red/flows.json"
  NODE_RED_BENCH_PORT="$NODE_RED_PORT" NODE_RED_BENCH_LOG="$dir/node-red.log" \
    NODE_RED_BENCH_SECRET="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" SSBTEK_URL="$ssbtek_url" \
    node "$node_red" --settings "$REPO_ROOT/bench/node-red/settings.js" --userDir "$dir/node-red" flows.json \
    >"$dir/node-red.out" 2>&1 &
  NODE_RED_PID=$!
  PEER_PIDS+=("$NODE_RED_PID")
  local waited=0
  until ask_peer "http://127.0.0.1:$NODE_RED_PORT/lookup" "$dir/lookup-7.json" "$dir/node-red-answer.json" \
    'Content-Type: application/json' 2>/dev/null; do
    sleep 0.5
    waited=$((waited + 1))
    ((waited < 120)) || {
      say "Node-RED did not start: see ${dir}/node-red.log and ${dir}/node-red.out"
      return 1
    }
  done
  check_complete "$dir/node-red-answer.json" 7 "Node-RED"
}

# write_sides DIR: the sides wrk_rounds.py measures, in the order of each round.
write_sides() {
  python3 - "$1" "$PEER_AUTH" "$PEER_GATEWAY_PORT" "$NGINX_PROXY_PORT" "$NODE_RED_PORT" <<'PY'
import json, sys
run, auth, gateway, proxy, node_red = sys.argv[1:]
complete = '"status":"complete"'  # only complete answers count, on each side that can give partial ones
lookups = f"http://127.0.0.1:{gateway}/v1/lookups/ssbtek"
sides = [
    {"key": "knutpunkt-7", "label": "knutpunkt, 7 sources (audited)", "url": lookups,
     "body": f"{run}/lookup-7.json", "headers": [auth], "expect": complete},
    {"key": "knutpunkt-1", "label": "knutpunkt, 1 source (audited)", "url": lookups,
     "body": f"{run}/lookup-1.json", "headers": [auth], "expect": complete},
    {"key": "nginx", "label": "nginx proxy_pass (no work)", "url": f"http://127.0.0.1:{proxy}/ssbtek",
     "body": f"{run}/question.xml", "content_type": "text/xml; charset=utf-8", "headers": ['SOAPAction: ""']},
    {"key": "node-red", "label": "Node-RED flow, 7 sources", "url": f"http://127.0.0.1:{node_red}/lookup",
     "body": f"{run}/lookup-7.json", "expect": complete},
]
json.dump(sides, open(f"{run}/sides.json", "w", encoding="utf-8"), indent=2)
PY
}

# write_held_sides DIR: the sides held_connections.py holds connections to, with their servers'
# process ids: knutpunkt's 7-source lookup, nginx proxy_pass, the Node-RED flow.
write_held_sides() {
  python3 - "$1" "$PEER_GATEWAY_PID" "$NGINX_PID" "$NODE_RED_PID" <<'PY'
import json, sys
run, gateway, nginx, node_red = sys.argv[1:]
pids = {"knutpunkt-7": gateway, "nginx": nginx, "node-red": node_red}
sides = [dict(side, pid=int(pids[side["key"]])) for side in json.load(open(f"{run}/sides.json", encoding="utf-8"))
         if side["key"] in pids]
json.dump(sides, open(f"{run}/held-sides.json", "w", encoding="utf-8"), indent=2)
PY
}

bench_peers() {
  local build_dir="$1" dir="$2/peers" started=$SECONDS
  if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    say "the peers need nginx and wrk (Debian packages nginx, wrk)"
    return 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  # Every server started below must be able to hold the connections held_connections.py opens,
  # with descriptors to spare (the gateway keeps a quarter of its limit for its own).
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 2>/dev/null || true
  capture_reply "$build_dir" "$dir"
  # The flow must ask what the gateway asks, or the comparison is not of like with like.
  python3 "$REPO_ROOT/bench/node-red/check_flow.py" "$REPO_ROOT/bench/node-red/lookup-flow.json" \
    "$REPO_ROOT/schemas/ssbtek/ssbtek-v10.xsd" --gateway-question "$dir/question.xml" --require-node
  start_nginx "$dir"
  # knutpunkt against the upstream, on the same store (the case is registered already).
  peer_gateway_config "$dir/gateway" "$NGINX_UPSTREAM_PORT"
  start_peer_gateway "$build_dir" "$dir/gateway"
  local count
  for count in 7 1; do
    ask_peer "http://127.0.0.1:$PEER_GATEWAY_PORT/v1/lookups/ssbtek" "$dir/lookup-$count.json" \
      "$dir/gateway-answer-$count.json" "$PEER_AUTH" 'Content-Type: application/json'
    check_complete "$dir/gateway-answer-$count.json" "$count" "knutpunkt against the upstream, $count source(s)"
  done
  start_node_red "$dir" "http://127.0.0.1:$NGINX_UPSTREAM_PORT/ssbtek"
  write_sides "$dir"
  python3 "$REPO_ROOT/scripts/lib/wrk_rounds.py" --sides "$dir/sides.json" --script "$REPO_ROOT/bench/wrk/post.lua" \
    --rounds "${BENCH_PEER_ROUNDS:-3}" --seconds "${BENCH_PEER_SECONDS:-10}" --connections 20 \
    --upstream-bytes "$(wc -c <"$dir/reply.xml")" --rounds-file "$dir/rounds.jsonl"
  echo
  write_held_sides "$dir"
  python3 "$REPO_ROOT/scripts/lib/held_connections.py" --sides "$dir/held-sides.json" \
    --count "${BENCH_HELD_CONNECTIONS:-1000}"
  stop_peers
  say "peers section took $((SECONDS - started)) s"
}
