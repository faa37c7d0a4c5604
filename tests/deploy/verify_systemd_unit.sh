#!/usr/bin/env bash
# Checks deploy/newswatchd.service with systemd-analyze verify, pointing
# ExecStart at the freshly built binary (the unit names its installed path).
set -euo pipefail
unit_src=$1 daemon=$2
if ! command -v systemd-analyze >/dev/null; then
  # deploy/install_deps.sh installs systemd; a silent skip would hide a bad unit.
  echo "systemd-analyze not found: run deploy/install_deps.sh (package systemd)"; exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/local/bin/newswatchd|$daemon|" "$unit_src" > "$dir/newswatchd.service"
out=$(systemd-analyze verify "$dir/newswatchd.service" 2>&1) || { echo "$out"; exit 1; }
# verify exits 0 on some warnings: fail on any line about our unit.
if echo "$out" | grep -q "newswatchd.service"; then echo "$out"; exit 1; fi
echo "newswatchd.service verified"
