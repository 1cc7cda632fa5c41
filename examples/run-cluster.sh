#!/usr/bin/env bash
# Starts a load-balanced local chat cluster: three chat nodes (java -jar wscluster-chat.jar) and nginx in
# front of them on one port, all on 127.0.0.1. Ctrl-C stops everything it started, by PID.
#
#   examples/run-cluster.sh                 # least_conn balancing, http://127.0.0.1:8080/
#   examples/run-cluster.sh --mode hash     # consistent hash of the client address
#   examples/run-cluster.sh --help
set -euo pipefail

MODE=least
LB_PORT=8080
BASE_PORT=8081
CLUSTER_BASE_PORT=5701
NODES=3
REBUILD=0
# A random cluster name and secret per run: nobody guesses the name, nobody without the secret can make
# a node deliver anything (the chat protocol's --cluster-secret).
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
CLUSTER_NAME="run-cluster-$(random_hex 6)"

usage() {
  cat <<USAGE
Usage: $0 [--mode least|hash] [--port N] [--base-port N] [--cluster-base-port N] [--nodes N] [--rebuild]

  --mode least          nginx least_conn: each new connection goes to the node with the fewest open ones
                        (stateful, L7 style). Default.
  --mode hash           nginx "hash \$remote_addr consistent": the client address picks the node
                        (stateless, like an L3/L4 balancer). Every local client is 127.0.0.1, so locally
                        they all land on one node; messages still reach everyone.
  --port N              nginx port (default $LB_PORT)
  --base-port N         first chat node's HTTP/WebSocket port; node i gets N+i (default $BASE_PORT)
  --cluster-base-port N first chat node's cluster port; node i gets N+i (default $CLUSTER_BASE_PORT)
  --nodes N             number of chat nodes (default $NODES)
  --rebuild             rebuild the chat jar even if it exists

Needs Java 17+, Maven (only to build the jar) and nginx (Debian: apt-get install -y nginx).
USAGE
}

# A bad argument: one line naming the problem, a pointer to --help, exit status 2.
bad_usage() {
  echo "$(basename "$0"): $1" >&2
  echo "Run $0 --help for the options." >&2
  exit 2
}

# The value of option $1, given as the next argument $2 ($3 is how many arguments were left).
value_of() {
  [ "$3" -ge 2 ] || bad_usage "$1 needs a value"
  case "$2" in
    ''|--*) bad_usage "$1 needs a value, not '$2'" ;;
  esac
}

while [ $# -gt 0 ]; do
  case "$1" in
    --mode) value_of "$1" "${2-}" $#; MODE="$2"; shift 2 ;;
    --port) value_of "$1" "${2-}" $#; LB_PORT="$2"; shift 2 ;;
    --base-port) value_of "$1" "${2-}" $#; BASE_PORT="$2"; shift 2 ;;
    --cluster-base-port) value_of "$1" "${2-}" $#; CLUSTER_BASE_PORT="$2"; shift 2 ;;
    --nodes) value_of "$1" "${2-}" $#; NODES="$2"; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument '$1'" ;;
  esac
done

case "$MODE" in
  least) BALANCE='least_conn;' ;;
  hash) BALANCE='hash $remote_addr consistent;' ;;
  *) bad_usage "--mode must be least or hash, not '$MODE'" ;;
esac
number() { # option value low high
  [[ "$2" =~ ^[0-9]{1,5}$ ]] && [ "$((10#$2))" -ge "$3" ] && [ "$((10#$2))" -le "$4" ] \
    || bad_usage "$1 must be a number from $3 to $4, not '$2'"
}
number --nodes "$NODES" 1 100
number --port "$LB_PORT" 1 65535
number --base-port "$BASE_PORT" 1 $((65535 - NODES + 1))
number --cluster-base-port "$CLUSTER_BASE_PORT" 1 $((65535 - NODES + 1))
LB_PORT=$((10#$LB_PORT)); BASE_PORT=$((10#$BASE_PORT)); CLUSTER_BASE_PORT=$((10#$CLUSTER_BASE_PORT)); NODES=$((10#$NODES))

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="$HERE/chat/target/wscluster-chat.jar"
TEMPLATE="$HERE/nginx/chat-lb.conf.template"

# ---- prerequisites ------------------------------------------------------------------------------
command -v java >/dev/null || { echo "java not found: install a JDK 17+ (Debian: apt-get install -y openjdk-17-jdk-headless)" >&2; exit 1; }

if [ "$REBUILD" = 1 ] || [ ! -f "$JAR" ]; then
  command -v mvn >/dev/null || { echo "the chat jar is missing and mvn is not installed (Debian: apt-get install -y maven)" >&2; exit 1; }
  # Only what runs: the library modules and the chat jar, in this source tree (nothing is installed
  # into ~/.m2), without compiling or resolving anything for tests (the jars-only profile).
  echo "Building the chat jar: mvn -B -ntp -P jars-only package -pl examples/chat -am"
  echo "(the first build downloads the dependencies, which can take a few minutes)"
  (cd "$ROOT" && mvn -B -ntp -P jars-only package -pl examples/chat -am) > "${TMPDIR:-/tmp}/wscluster-run-cluster-build.log" 2>&1 \
    || { echo "the build failed; its output:" >&2; tail -40 "${TMPDIR:-/tmp}/wscluster-run-cluster-build.log" >&2; exit 1; }
  echo "Built $JAR"
fi

NGINX="$(command -v nginx || true)"
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "nginx is not installed; installing it: apt-get update && apt-get install -y nginx"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  else
    echo "nginx is not installed. Install it with: sudo apt-get update && sudo apt-get install -y nginx" >&2
    exit 1
  fi
fi

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for ((i = 0; i < NODES; i++)); do
  for p in $((BASE_PORT + i)) $((CLUSTER_BASE_PORT + i)); do
    port_free "$p" || { echo "port $p on 127.0.0.1 is in use; choose others with --base-port / --cluster-base-port" >&2; exit 1; }
  done
done
port_free "$LB_PORT" || { echo "port $LB_PORT on 127.0.0.1 is in use; choose another with --port" >&2; exit 1; }

# ---- start --------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/wscluster-run.XXXXXX")"
chmod 755 "$WORK"  # nginx workers run unprivileged when nginx is started by root
PIDS=()
NGINX_PID=""
SECRET_FILE="$WORK/cluster-secret"
(umask 077 && random_hex 32 > "$SECRET_FILE")

stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping: chat nodes ${PIDS[*]:-} and nginx ${NGINX_PID:-} (SIGTERM; nodes drain with close 1001) ..."
  for pid in "${PIDS[@]}" $NGINX_PID; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 150); do
    alive=0
    for pid in "${PIDS[@]}" $NGINX_PID; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}" $NGINX_PID; do
    if kill -0 "$pid" 2>/dev/null; then echo "PID $pid did not stop within 15 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  done
  echo "Stopped. Logs are in $WORK"
}
trap stop_all INT TERM EXIT

MEMBERS=""
for ((i = 0; i < NODES; i++)); do
  MEMBERS="${MEMBERS:+$MEMBERS,}127.0.0.1:$((CLUSTER_BASE_PORT + i))"
done

for ((i = 0; i < NODES; i++)); do
  port=$((BASE_PORT + i))
  java -jar "$JAR" --host 127.0.0.1 --port "$port" --cluster-host 127.0.0.1 --cluster-port $((CLUSTER_BASE_PORT + i)) \
       --members "$MEMBERS" --cluster-name "$CLUSTER_NAME" --cluster-secret-file "$SECRET_FILE" > "$WORK/node-$port.log" 2>&1 &
  PIDS+=($!)
  echo "chat node $((i + 1)): PID $! on http://127.0.0.1:$port (log $WORK/node-$port.log)"
done

echo "Waiting for every node's READY line ..."
for ((i = 0; i < NODES; i++)); do
  port=$((BASE_PORT + i))
  for _ in $(seq 1 900); do
    grep -q "READY $port" "$WORK/node-$port.log" 2>/dev/null && break
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then echo "node on port $port exited:" >&2; tail -20 "$WORK/node-$port.log" >&2; exit 1; fi
    sleep 0.1
  done
  grep -q "READY $port" "$WORK/node-$port.log" || { echo "node on port $port not ready after 90 s; see $WORK/node-$port.log" >&2; exit 1; }
done

CONF="$WORK/nginx.conf"
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    *@SERVER@*) # the server line of the template, once per chat node
      for ((i = 0; i < NODES; i++)); do printf '%s\n' "${line//@SERVER@/127.0.0.1:$((BASE_PORT + i))}"; done ;;
    *) line="${line//@DIR@/$WORK}"; line="${line//@LISTEN@/$LB_PORT}"; line="${line//@BALANCE@/$BALANCE}"; printf '%s\n' "$line" ;;
  esac
done < "$TEMPLATE" > "$CONF"
"$NGINX" -t -q -p "$WORK" -c "$CONF" -e "$WORK/error.log"
"$NGINX" -p "$WORK" -c "$CONF" -e "$WORK/error.log" > "$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$LB_PORT") 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx exited:" >&2; cat "$WORK/nginx.out" "$WORK/error.log" >&2; exit 1; }
  sleep 0.1
done
echo "nginx: PID $NGINX_PID on 127.0.0.1:$LB_PORT, mode $MODE ($BALANCE), config $CONF"

members_of() {
  { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 && cat <&3; } 2>/dev/null \
    | grep -o '"members":[0-9]*' | cut -d: -f2 || true
}
for _ in $(seq 1 300); do
  [ "$(members_of "$BASE_PORT")" = "$NODES" ] && break
  sleep 0.1
done
echo "Cluster members seen by node 1: $(members_of "$BASE_PORT") of $NODES"

cat <<DONE

  Open  http://127.0.0.1:$LB_PORT/   (through nginx; open it in two windows and chat)
  Nodes $(for ((i = 0; i < NODES; i++)); do printf 'http://127.0.0.1:%s/ ' $((BASE_PORT + i)); done)(direct)
  Health http://127.0.0.1:$LB_PORT/health

  Drain one node (its clients reconnect through nginx to the others):  kill -TERM ${PIDS[0]}
  Ctrl-C stops everything.
DONE
[ "$MODE" = hash ] && echo "  (hash mode: every local client has the address 127.0.0.1, so all land on one node.)"

# Run until Ctrl-C, or until nginx or every node has gone.
while kill -0 "$NGINX_PID" 2>/dev/null; do
  any=0
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && any=1; done
  [ "$any" = 1 ] || { echo "every chat node has stopped"; break; }
  sleep 1
done
