#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs all tests with ctest.
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/install_deps.sh
# clang builds this tree about twice as fast as g++ on 2 cores.
CXX_COMPILER=$(command -v clang++ || command -v g++)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_COMPILER"
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j 2
