#!/usr/bin/env bash
# A local ringkv cluster of server processes on loopback ports, for trying things out and for
# system tests. Data and logs of node I live in $RINGKV_CLUSTER_DIR/nodeI (default ./cluster):
# data/, server.log, pid, args.
#
#   scripts/cluster.sh start K     a fresh K-node cluster: wipes the folder's nodes, starts K
#                                  nodes, joins nodes 2..K to node1 with `ringkv admin join`,
#                                  returns once every node reports the same settled ring; last
#                                  line: "cluster of K nodes ready (ring version V)"
#   scripts/cluster.sh stop        stops every node (SIGTERM, SIGKILL after 30 s); keeps the data
#   scripts/cluster.sh status      each node's process state, then the cluster as one node sees it
#   scripts/cluster.sh addresses   host:port of every member (not of nodes that left), one a line
#   scripts/cluster.sh kill I      SIGKILL node I
#   scripts/cluster.sh restart I   stops node I if it runs, starts it again on its data
#   scripts/cluster.sh pause I     SIGSTOP node I;  resume I: SIGCONT
#   scripts/cluster.sh add         starts one more node and joins it; waits for the settled ring
#   scripts/cluster.sh leave I     decommissions node I (`ringkv admin leave`), waits until the
#                                  others have taken its data over, then stops its process
#
# Node I is node-id nodeI on 127.0.0.1:(base + I - 1), cluster name ringkv-local, gossip seed
# node1. Environment:
#   RINGKV_CLUSTER_DIR        the folder (default ./cluster)
#   RINGKV_BASE_PORT          node1's port when a cluster starts (default 7101); later commands
#                             use the one the folder's cluster was started with
#   RINGKV_SERVER_ARGS        more server flags for every node, e.g. "--replication.w 3"
#   RINGKV_SERVER_JAVA_OPTS   JVM options of every node (default -Xms64m -Xmx256m)
#   RINGKV_CLUSTER_TIMEOUT    seconds to wait for a node to answer or the ring to settle (120)
#   RINGKV_NO_BUILD=1         run the jars as they are (tests inside a Maven build set it)
# Builds the server and CLI jars first if they are missing or older than the sources.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_jar="$root/server/target/ringkv-server.jar"
cli_jar="$root/client/target/ringkv-cli.jar"
timeout_s="${RINGKV_CLUSTER_TIMEOUT:-120}"
cluster_name="ringkv-local"

say() { echo "cluster: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---- build: only when a jar is missing or a source file is newer than it ---------------------
stale() {
  local jar="$1"; shift
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$@" -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.proto' \
    -o -name '*.yaml' -o -name '*.xml' \) -print -quit 2>/dev/null)" ]]
}
build_if_needed() {
  if [[ -n "${RINGKV_NO_BUILD:-}" ]]; then
    [[ -f "$server_jar" && -f "$cli_jar" ]] \
      || die "RINGKV_NO_BUILD is set but $server_jar or $cli_jar is missing"
    return 0
  fi
  local srcs=("$root/pom.xml") m
  for m in proto config ring storage gossip server client; do
    srcs+=("$root/$m/src" "$root/$m/pom.xml")
  done
  if stale "$server_jar" "${srcs[@]}" || stale "$cli_jar" "${srcs[@]}"; then
    say "building (./mvnw -DskipTests package -pl server,client -am) ..."
    # Offline first (the usual case: everything is in ~/.m2); online if something is missing.
    (cd "$root" && { ./mvnw -B -q -o -DskipTests package -pl server,client -am \
      || ./mvnw -B -q -DskipTests package -pl server,client -am; }) >&2 || die "build failed"
  fi
}

# ---- the folder and its nodes ----------------------------------------------------------------
dir="${RINGKV_CLUSTER_DIR:-./cluster}"
[[ "$dir" == /* ]] || dir="$PWD/${dir#./}"

base_port() {
  if [[ -f "$dir/base-port" ]]; then cat "$dir/base-port"; else echo "${RINGKV_BASE_PORT:-7101}"; fi
}
addr() { echo "127.0.0.1:$(($(base_port) + $1 - 1))"; }
node_dir() { echo "$dir/node$1"; }

# Every node the folder holds, by number.
nodes() {
  local d
  for d in "$dir"/node*; do
    [[ -d "$d" && "$(basename "$d")" =~ ^node([0-9]+)$ ]] && echo "${BASH_REMATCH[1]}"
  done | sort -n
}
# The nodes that are members: every node but those that left.
members() {
  local i
  for i in $(nodes); do [[ -f "$(node_dir "$i")/left" ]] || echo "$i"; done
}
pid_of() { # the live pid of node I, or nothing
  local f
  f="$(node_dir "$1")/pid"
  [[ -f "$f" ]] || return 0
  local pid
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null && [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z* ]]; then
    echo "$pid"
  fi
}
paused() { [[ "$(ps -o stat= -p "$1" 2>/dev/null)" == T* ]]; }
# The members whose process runs and is not paused: the ones that can answer.
answering() {
  local i pid
  for i in $(members); do
    pid="$(pid_of "$i")"
    [[ -n "$pid" ]] && ! paused "$pid" && echo "$i"
  done
}

need_node() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] || die "which node? give its number (see: $0 status)"
  [[ -d "$(node_dir "$1")" ]] || die "there is no node $1 in $dir"
}

# The CLI, tuned to start fast (it runs many times).
cli() {
  RINGKV_JAVA_OPTS="${RINGKV_CLI_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}" \
    "$root/scripts/ringkv" "$@"
}

# ---- one node --------------------------------------------------------------------------------
start_node() { # I: starts the process on the args it was first started with
  local i="$1" d
  d="$(node_dir "$i")"
  mkdir -p "$d/data"
  if [[ ! -f "$d/args" ]]; then
    # shellcheck disable=SC2206 # RINGKV_SERVER_ARGS is a list of words by design
    local args=(--node-id "node$i" --host 127.0.0.1 --port "$(($(base_port) + i - 1))"
      --data-dir "$d/data" --cluster-name "$cluster_name" --seeds "$(addr 1)"
      ${RINGKV_SERVER_ARGS:-})
    printf '%s\n' "${args[@]}" > "$d/args"
  fi
  local args=()
  mapfile -t args < "$d/args"
  echo "---- $(date -u +%FT%TZ) cluster.sh starts node$i" >> "$d/server.log"
  # Its own session: a Ctrl-C meant for this script does not reach the nodes.
  RINGKV_JAVA_OPTS="${RINGKV_SERVER_JAVA_OPTS:--Xms64m -Xmx256m}" \
    setsid "$root/scripts/ringkv-server" "${args[@]}" >> "$d/server.log" 2>&1 < /dev/null &
  echo $! > "$d/pid"
}

# Waits until node I answers an admin status as node I (not some other process on its port).
wait_answering() {
  local i="$1" deadline=$((SECONDS + timeout_s)) out
  while true; do
    if [[ -z "$(pid_of "$i")" ]]; then
      die "node$i exited; the end of $(node_dir "$i")/server.log:
$(tail -n 15 "$(node_dir "$i")/server.log")"
    fi
    if out="$(cli --node "$(addr "$i")" --timeout 2s admin status --json 2>/dev/null)"; then
      [[ "$out" == *"\"node\":\"node$i\""* ]] \
        || die "$(addr "$i") is answered by another node: $out"
      return 0
    fi
    ((SECONDS < deadline)) || die "node$i did not answer on $(addr "$i") within ${timeout_s}s"
    sleep 0.5
  done
}

stop_node() { # I: SIGTERM, SIGKILL after 30 s
  local i="$1" pid
  pid="$(pid_of "$i")"
  [[ -n "$pid" ]] || return 0
  kill -CONT "$pid" 2>/dev/null || true # a paused process would not act on SIGTERM
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while [[ -n "$(pid_of "$i")" ]] && ((SECONDS < deadline)); do sleep 0.2; done
  if [[ -n "$(pid_of "$i")" ]]; then
    say "node$i did not stop within 30 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while [[ -n "$(pid_of "$i")" ]]; do sleep 0.1; done
  fi
  rm -f "$(node_dir "$i")/pid"
}

# ---- the ring --------------------------------------------------------------------------------
# Waits until every answering member reports a settled ring, all the same version, whose normal
# members are exactly the given node numbers; prints that version.
wait_ready() {
  local want
  want="$(printf 'node%s\n' "$@" | sort | tr '\n' ' ')"
  local deadline=$((SECONDS + timeout_s)) last="" i out head version versions normal ok
  while true; do
    ok=1
    versions=""
    for i in $(answering); do
      if ! out="$(cli --node "$(addr "$i")" --timeout 3s admin status --json 2>&1)"; then
        ok=0; last="node$i: $out"; break
      fi
      head="${out%%\"nodes\":\[*}" # the node's own fields; each entry of "nodes" has its own
      version="$(sed -n 's/.*[{,]"ring_version":\([0-9]*\).*/\1/p' <<<"$head")"
      normal="$(grep -o '{"id":"[^"]*","address":"[^"]*","state":"normal"' <<<"$out" \
        | sed 's/{"id":"\([^"]*\)".*/\1/' | sort | tr '\n' ' ')"
      versions+="$version "
      if [[ "$head" != *'"settled":true'* || "$normal" != "$want" ]]; then
        ok=0; last="node$i sees ring v$version, normal members: ${normal:-none}$(
          [[ "$head" == *'"settled":true'* ]] || echo ', not settled')"
        break
      fi
    done
    if ((ok)) && [[ "$(tr ' ' '\n' <<<"$versions" | sed '/^$/d' | sort -u | wc -l)" == 1 ]]; then
      echo "${versions%% *}"
      return 0
    fi
    ((ok)) && last="nodes see different rings: versions $versions"
    ((SECONDS < deadline)) || die "the ring did not settle within ${timeout_s}s: $last"
    sleep 0.5
  done
}

# ---- commands --------------------------------------------------------------------------------
cmd_start() {
  local k="${1:-}"
  [[ "$k" =~ ^[1-9][0-9]*$ ]] || die "start K: K is the number of nodes (1 or more)"
  for i in $(nodes); do
    [[ -z "$(pid_of "$i")" ]] || die "node$i of $dir still runs; '$0 stop' first"
  done
  build_if_needed
  mkdir -p "$dir"
  rm -rf "$dir"/node* "$dir/base-port"
  echo "${RINGKV_BASE_PORT:-7101}" > "$dir/base-port"
  local i
  say "starting $k nodes in $dir (node1 on $(addr 1))"
  for ((i = 1; i <= k; i++)); do start_node "$i"; done
  for ((i = 1; i <= k; i++)); do wait_answering "$i"; done
  for ((i = 2; i <= k; i++)); do
    cli --node "$(addr "$i")" admin join --seed "$(addr 1)" >&2 \
      || die "node$i could not join through node1 (see $(node_dir "$i")/server.log)"
  done
  local version
  version="$(wait_ready $(seq 1 "$k"))"
  echo "cluster of $k nodes ready (ring version $version)"
}

cmd_stop() {
  local i n=0
  for i in $(nodes); do
    if [[ -n "$(pid_of "$i")" ]]; then
      stop_node "$i"
      n=$((n + 1))
    fi
  done
  echo "stopped $n node(s)"
}

cmd_status() {
  local i pid state any=""
  for i in $(nodes); do
    pid="$(pid_of "$i")"
    if [[ -f "$(node_dir "$i")/left" ]]; then
      state="left the cluster${pid:+ (still running, pid $pid)}"
    elif [[ -z "$pid" ]]; then
      state="down"
    elif paused "$pid"; then
      state="paused (pid $pid)"
    else
      state="running (pid $pid)"
      [[ -n "$any" ]] || any="$i"
    fi
    printf 'node%-4s %-21s %s\n' "$i" "$(addr "$i")" "$state"
  done
  if [[ -n "$any" ]]; then
    cli --node "$(addr "$any")" --timeout 3s admin status \
      || say "node$any did not answer admin status"
  else
    say "no node of $dir is running"
  fi
}

cmd_addresses() {
  local i
  for i in $(members); do addr "$i"; done
}

cmd_kill() {
  need_node "$1"
  local pid
  pid="$(pid_of "$1")"
  [[ -n "$pid" ]] || die "node$1 is not running"
  kill -KILL "$pid"
  while [[ -n "$(pid_of "$1")" ]]; do sleep 0.1; done
  rm -f "$(node_dir "$1")/pid"
  echo "node$1 killed (SIGKILL)"
}

cmd_restart() {
  need_node "$1"
  [[ ! -f "$(node_dir "$1")/left" ]] || die "node$1 left the cluster"
  stop_node "$1"
  start_node "$1"
  wait_answering "$1"
  echo "node$1 restarted (pid $(pid_of "$1"))"
}

cmd_signal() { # pause|resume I
  need_node "$2"
  local pid
  pid="$(pid_of "$2")"
  [[ -n "$pid" ]] || die "node$2 is not running"
  if [[ "$1" == pause ]]; then
    kill -STOP "$pid"
    echo "node$2 paused (SIGSTOP)"
  else
    kill -CONT "$pid"
    echo "node$2 resumed (SIGCONT)"
  fi
}

cmd_add() {
  local seed
  seed="$(answering)"
  seed="${seed%%$'\n'*}" # the first (no `| head`: under pipefail its SIGPIPE would abort)
  [[ -n "$seed" ]] || die "no running member to join through; '$0 start K' first"
  build_if_needed
  local last
  last="$(nodes | tail -n 1)"
  local i=$((last + 1))
  start_node "$i"
  wait_answering "$i"
  cli --node "$(addr "$i")" admin join --seed "$(addr "$seed")" >&2 \
    || die "node$i could not join through node$seed (see $(node_dir "$i")/server.log)"
  local version count
  count="$(members | wc -l)"
  version="$(wait_ready $(members))"
  echo "node$i added: cluster of $count nodes ready (ring version $version)"
}

cmd_leave() {
  need_node "$1"
  local i="$1"
  [[ ! -f "$(node_dir "$i")/left" ]] || die "node$i already left"
  [[ -n "$(pid_of "$i")" ]] || die "node$i is not running: a node hands its data off as it leaves"
  cli --node "$(addr "$i")" admin leave >&2 || die "node$i refused to leave"
  # The others take its partitions over; once their ring no longer has it, it may stop.
  touch "$(node_dir "$i")/left"
  local version count
  count="$(members | wc -l)"
  version="$(wait_ready $(members))"
  stop_node "$i"
  echo "node$i left: cluster of $count nodes ready (ring version $version)"
}

case "${1:-}" in
  start | -h | --help | help | "") ;;
  *) [[ -d "$dir" ]] || die "no cluster in $dir (start one with: $0 start K)" ;;
esac
case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  addresses) cmd_addresses ;;
  kill) cmd_kill "${2:-}" ;;
  restart) cmd_restart "${2:-}" ;;
  pause | resume) cmd_signal "$1" "${2:-}" ;;
  add) cmd_add ;;
  leave) cmd_leave "${2:-}" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
