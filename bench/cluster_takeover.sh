#!/usr/bin/env bash
# Time to take over a killed matcher's partitions (bench/README.md, "Cluster
# mode"): one nats-server, two newswatchd nodes (role all) with
# --cluster-lease LEASE; once the partitions are split, node2 gets SIGKILL and
# `newswatch admin cluster` on node1 is polled (every 0.1 s) until node1 owns
# every partition. Prints the seconds from the kill. Stopped by PID.
#
#   LEASE=10s bench/cluster_takeover.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LEASE=${LEASE:-10s}
PARTITIONS=${PARTITIONS:-16}
BUILD=${BUILD:-build}
DAEMON=${DAEMON:-$BUILD/server/newswatchd}
CLI=${CLI:-$BUILD/client/cli/newswatch}
BASE=${BASE_PORT:-$((20000 + RANDOM % 20000))}
DIR=$(mktemp -d /tmp/nw-cluster-takeover.XXXXXX)
pids=()
stop() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
nats-server -a 127.0.0.1 -p "$BASE" -js -sd "$DIR/nats" >"$DIR/nats.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$BASE") 2>/dev/null && break
  sleep 0.1
done
for n in 1 2; do
  "$DAEMON" --listen "127.0.0.1:$((BASE + n))" --data-dir "$DIR/node$n" \
    --cluster "nats://127.0.0.1:$BASE" --node-id "node$n" --role all \
    --partitions "$PARTITIONS" --cluster-lease "$LEASE" >"$DIR/node$n.log" 2>&1 &
  pids+=($!)
done
owned_by() {  # partitions node $1 owns, as node1 answers
  "$CLI" --server "127.0.0.1:$((BASE + 1))" admin cluster 2>/dev/null |
    awk -v node="$1" '$2 == node {n++} END {print n + 0}'
}
for _ in $(seq 600); do
  (($(owned_by node2) == PARTITIONS / 2)) && (($(owned_by node1) == PARTITIONS / 2)) && break
  sleep 0.1
done
echo "# split: node1 $(owned_by node1), node2 $(owned_by node2) of $PARTITIONS; lease $LEASE" >&2
kill -9 "${pids[2]}"
t0=$(date +%s.%N)
until (($(owned_by node1) == PARTITIONS)); do sleep 0.1; done
echo "{\"lease\":\"$LEASE\",\"takeover_seconds\":$(echo "$(date +%s.%N) - $t0" | bc)}"
