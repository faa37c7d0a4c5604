#!/usr/bin/env bash
# Installs the dependencies, builds, and starts newswatchd on 127.0.0.1:7373
# with its data in ./newswatch-data, and the web console on
# http://127.0.0.1:7380/. Extra arguments go to newswatchd.
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/install_deps.sh
CXX_COMPILER=$(command -v clang++ || command -v g++)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_COMPILER" >/dev/null
cmake --build build -j "$(nproc)" --target newswatchd newswatch newswatch-match
exec build/server/newswatchd --listen 127.0.0.1:7373 --web-listen 127.0.0.1:7380 \
  --data-dir ./newswatch-data "$@"
