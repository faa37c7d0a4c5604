#!/usr/bin/env python3
"""deploy/newswatch.example.toml lists every newswatchd setting with its default.

Reads the flags and defaults from `newswatchd --help` (the defaults come from
DaemonConfig, server/daemon/daemon_flags.cc) and checks that the example file
has each one, no other key, and the same default value.
usage: example_config_test.py NEWSWATCHD EXAMPLE.toml
"""
import re
import subprocess
import sys
import tomllib

UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3,
         "us": 1e-6, "ns": 1e-9}


def seconds(text):
    """A duration as absl prints it or people write it ("1h30m", "7d"), or None."""
    if text in ("", "0"):
        return 0.0
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|d|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * UNITS[u] for n, u in parts)


def flag_defaults(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True,
                         timeout=30).stdout
    defaults = {}
    out = out.split("\n\nTry --helpfull")[0]
    for chunk in out.split("\n    --")[1:]:
        name = chunk.split(" ", 1)[0]
        assert "default: " in chunk, f"no default in --help for --{name}"
        value = chunk.rsplit("default: ", 1)[1].strip().rstrip(";")
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        defaults[name] = value
    return defaults


def same(flag_default, toml_value):
    if isinstance(toml_value, bool):
        return flag_default == ("true" if toml_value else "false")
    if isinstance(toml_value, int):
        return flag_default == str(toml_value)
    if flag_default == toml_value:
        return True
    a, b = seconds(flag_default), seconds(toml_value)
    return a is not None and a == b


def main():
    binary, example = sys.argv[1], sys.argv[2]
    defaults = flag_defaults(binary)
    defaults.pop("config")  # the file itself
    with open(example, "rb") as f:
        settings = tomllib.load(f)
    errors = []
    for name in sorted(set(defaults) - set(settings)):
        errors.append(f"{example} lacks `{name} = {defaults[name]!r}`")
    for name in sorted(set(settings) - set(defaults)):
        errors.append(f"{example} sets `{name}`, which is no newswatchd flag")
    for name in sorted(set(settings) & set(defaults)):
        if not same(defaults[name], settings[name]):
            errors.append(f"{example}: {name} = {settings[name]!r}, but the "
                          f"default is {defaults[name]!r}")
    for e in errors:
        print(e)
    print(f"{len(defaults)} settings checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
