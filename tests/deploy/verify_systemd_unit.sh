#!/usr/bin/env bash
# Checks deploy/newswatchd.service, with the secrets drop-in, with
# systemd-analyze verify, pointing ExecStart at the freshly built binary (the
# unit names its installed path).
set -euo pipefail
unit_src=$1 daemon=$2 dropin_src=${3:-}
if ! command -v systemd-analyze >/dev/null; then
  # deploy/install_deps.sh installs systemd; a silent skip would hide a bad unit.
  echo "systemd-analyze not found: run deploy/install_deps.sh (package systemd)"; exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/local/bin/newswatchd|$daemon|" "$unit_src" > "$dir/newswatchd.service"
if [ -n "$dropin_src" ]; then
  mkdir "$dir/newswatchd.service.d"
  cp "$dropin_src" "$dir/newswatchd.service.d/secrets.conf"
fi
# The trailing ':' keeps the default search path after ours (for drop-ins).
out=$(SYSTEMD_UNIT_PATH="$dir:" systemd-analyze verify "$dir/newswatchd.service" 2>&1) ||
  { echo "$out"; exit 1; }
# verify exits 0 on some warnings: fail on any line about our files.
if echo "$out" | grep -q -e "newswatchd.service" -e "secrets.conf"; then echo "$out"; exit 1; fi
echo "newswatchd.service${dropin_src:+ with $(basename "$dropin_src")} verified"
