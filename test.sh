#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs all tests with ctest.
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j 2
