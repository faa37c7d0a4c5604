#!/usr/bin/env bash
# Cluster figures (bench/README.md, "Cluster mode"): starts NATS_SERVERS
# nats-servers (1, or 3 in one JetStream cluster: R3 streams) and NODES
# newswatchd nodes (role all) on 127.0.0.1, loads the rules once, then runs
# newswatch-load against node 1 twice: at maximum rate (ingest articles/s)
# and at RATE articles/s with SUBSCRIBERS subscriber streams (ingest->alert
# p99). Everything runs under $DIR and is stopped by PID at the end.
#
#   NATS_SERVERS=1 NODES=1 bench/cluster_bench.sh
#   NATS_SERVERS=3 NODES=2 LIMIT=3000 RATE=100 bench/cluster_bench.sh
#   DAEMON=/path/to/other/newswatchd bench/cluster_bench.sh   # compare builds
set -euo pipefail
cd "$(dirname "$0")/.."
NATS_SERVERS=${NATS_SERVERS:-1}
NODES=${NODES:-2}
PARTITIONS=${PARTITIONS:-16}
LIMIT=${LIMIT:-3000}
RATE=${RATE:-100}
SUBSCRIBERS=${SUBSCRIBERS:-103}
DURATION=${DURATION:-10s}
BUILD=${BUILD:-build}
DAEMON=${DAEMON:-$BUILD/server/newswatchd}
LOAD=${LOAD:-$BUILD/bench/load/newswatch-load}
ARTICLES=${ARTICLES:-../shared/data/reuters21578.jsonl}
RULES=${RULES:-../shared/bench/rules-10k.jsonl}
BASE=${BASE_PORT:-$((20000 + RANDOM % 20000))}
DIR=$(mktemp -d /tmp/nw-cluster-bench.XXXXXX)
pids=()
nats_pids=()
stop() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

urls=()
routes=()
for ((i = 0; i < NATS_SERVERS; i++)); do
  urls+=("nats://127.0.0.1:$((BASE + i))")
  routes+=("nats-route://127.0.0.1:$((BASE + 100 + i))")
done
for ((i = 0; i < NATS_SERVERS; i++)); do
  conf=$DIR/n$i.conf
  {
    echo "server_name: n$i"
    echo "listen: 127.0.0.1:$((BASE + i))"
    echo "jetstream { store_dir: \"$DIR/store$i\" }"
    if ((NATS_SERVERS > 1)); then
      echo "cluster { name: nw, listen: 127.0.0.1:$((BASE + 100 + i)), routes: [$(IFS=,; echo "${routes[*]}")] }"
    fi
  } >"$conf"
  nats-server -c "$conf" >"$DIR/n$i.log" 2>&1 &
  pids+=($!)
  nats_pids+=($!)
done
for ((i = 0; i < NATS_SERVERS; i++)); do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$((BASE + i))") 2>/dev/null && break
    sleep 0.1
  done
done
((NATS_SERVERS > 1)) && sleep 3  # meta leader
cluster=$(IFS=,; echo "${urls[*]}")
node_pids=()
for ((n = 1; n <= NODES; n++)); do
  port=$((BASE + 200 + n))
  "$DAEMON" --listen "127.0.0.1:$port" --data-dir "$DIR/node$n" \
    --cluster "$cluster" --node-id "node$n" --role all --partitions "$PARTITIONS" \
    --metrics-listen "127.0.0.1:$((BASE + 300 + n))" \
    >"$DIR/node$n.log" 2>&1 &
  pids+=($!)
  node_pids+=($!)
  for _ in $(seq 300); do
    grep -q listening "$DIR/node$n.log" 2>/dev/null && break
    sleep 0.1
  done
done
server=127.0.0.1:$((BASE + 201))
# Articles matched, summed over partitions and nodes (each partition matches
# every article once: N articles are done at N x PARTITIONS).
matched() {
  local sum=0 n v
  for ((n = 1; n <= NODES; n++)); do
    v=$(curl -s "http://127.0.0.1:$((BASE + 300 + n))/metrics" |
      awk '/^newswatch_cluster_partition_articles_matched/ {s += $2} END {printf "%d", s}')
    sum=$((sum + v))
  done
  echo "$sum"
}
# CPU seconds (user + system) of the given pids so far.
cpu() {
  local t=0 p
  for p in "$@"; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t / $(getconf CLK_TCK)" | bc -l
}
# Waits (up to 10 min) until matched() reaches $2; prints the seconds since
# $1, or -1 (a daemon without the cluster metrics: an older build).
await_matched() {
  local until=$((SECONDS + 600))
  while (($(matched) < $2)); do
    ((SECONDS < until)) || { echo -1; return; }
    sleep 0.2
  done
  echo "$(date +%s.%N) - $1" | bc
}
echo "# nats-servers=$NATS_SERVERS nodes=$NODES partitions=$PARTITIONS daemon=$DAEMON dir=$DIR" >&2
t0=$(date +%s.%N)
"$LOAD" --server "$server" --articles "$ARTICLES" --rules "$RULES" --limit 1 \
  --streams 1 --drain 1s >/dev/null 2>"$DIR/rules.log"
echo "# rules loaded in $(echo "$(date +%s.%N) - $t0" | bc) s" >&2
sleep 2  # every node has compiled every rule
echo "# max rate, --limit $LIMIT" >&2
before=$(matched)
cpu_nodes=$(cpu "${node_pids[@]}")
cpu_nats=$(cpu "${nats_pids[@]}")
t0=$(date +%s.%N)
"$LOAD" --server "$server" --articles "$ARTICLES" --rules "$RULES" --streams 4 \
  --rate 0 --limit "$LIMIT" --drain 1s --daemon-pid "${node_pids[0]}" 2>&1 | tail -1
secs=$(await_matched "$t0" $((before + LIMIT * PARTITIONS)))
cpu_nodes=$(echo "($(cpu "${node_pids[@]}") - $cpu_nodes) * 1000 / $LIMIT" | bc -l)
cpu_nats=$(echo "($(cpu "${nats_pids[@]}") - $cpu_nats) * 1000 / $LIMIT" | bc -l)
printf '{"matched_all_partitions_seconds":%s,"matched_articles_per_s":%d,"cpu_ms_per_article_nodes":%.2f,"cpu_ms_per_article_nats":%.2f}\n' \
  "$secs" "$(echo "$LIMIT / $secs" | bc)" "$cpu_nodes" "$cpu_nats"
sleep 2
echo "# at $RATE/s for $DURATION, $SUBSCRIBERS subscribers" >&2
"$LOAD" --server "$server" --articles "$ARTICLES" --rules "$RULES" --streams 4 \
  --subscribers "$SUBSCRIBERS" --rate "$RATE" --duration "$DURATION" \
  --daemon-pid "${node_pids[0]}" 2>&1 | tail -1
