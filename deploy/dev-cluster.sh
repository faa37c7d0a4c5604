#!/usr/bin/env bash
# A local two-node newswatch cluster in one command: one nats-server with
# JetStream and two newswatchd nodes (role all), all on 127.0.0.1, data under
# ./dev-cluster. Ctrl-C stops all three.
#
#   deploy/dev-cluster.sh            # NATS on 4222, nodes on 7373 and 7374
#   NATS_PORT=14222 NODE_PORTS="17373 17374" deploy/dev-cluster.sh
#   deploy/dev-cluster.sh --no-build # use the binaries already in ./build
set -euo pipefail
cd "$(dirname "$0")/.."
NATS_PORT=${NATS_PORT:-4222}
NODE_PORTS=${NODE_PORTS:-"7373 7374"}
DATA=${DATA:-./dev-cluster}
if [[ "${1:-}" != "--no-build" ]]; then
  bash deploy/install_deps.sh
  CXX_COMPILER=$(command -v clang++ || command -v g++)
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_COMPILER" >/dev/null
  cmake --build build -j "$(nproc)" --target newswatchd newswatch
fi
mkdir -p "$DATA/nats"
pids=()
# Nodes first (they hand their partitions back through NATS), then NATS.
stop() {
  kill "${pids[@]:1}" 2>/dev/null || true
  wait "${pids[@]:1}" 2>/dev/null || true
  kill "${pids[0]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$DATA/nats" >"$DATA/nats.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null && break
  sleep 0.1
done
i=0
for port in $NODE_PORTS; do
  i=$((i + 1))
  build/server/newswatchd --listen "127.0.0.1:$port" --data-dir "$DATA/node$i" \
    --cluster "nats://127.0.0.1:$NATS_PORT" --node-id "node$i" --role all \
    2>"$DATA/node$i.log" &
  pids+=($!)
  echo "node$i: 127.0.0.1:$port (log $DATA/node$i.log)"
done
echo "NATS: nats://127.0.0.1:$NATS_PORT (log $DATA/nats.log). Ctrl-C stops the cluster."
wait -n "${pids[@]}"
