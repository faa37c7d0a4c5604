#!/usr/bin/env bash
# Installs the Debian 12 packages newswatch builds with (no other downloads).
set -euo pipefail
PACKAGES=(
  build-essential clang cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  librocksdb-dev libabsl-dev libicu-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libtomlplusplus-dev
  libspdlog-dev libfmt-dev libcivetweb-dev  # the log (spdlog) and the /metrics HTTP server
  libjemalloc-dev  # the daemon's allocator
  systemd
  libssl-dev openssl  # token hashing (libcrypto); openssl makes the tests' certificates
  clang-format  # the format check in .ci/run
  libcurl4-openssl-dev  # webhooks and SMTP delivery
  nats-server libnats-dev  # cluster mode (NATS JetStream)
  chromium chromium-driver python3-selenium  # the web console's browser tests
  python3-grpcio python3-protobuf  # the Python client and its test
  python3-aiosmtpd  # the SMTP sink of the e-mail delivery test
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
