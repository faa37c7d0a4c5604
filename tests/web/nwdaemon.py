"""Runs the real newswatchd for the web console's tests (HTTP and browser).

On 127.0.0.1 with free ports (port 0, read back from its stdout), a temporary
data dir and an optional token file; stopped by PID. Python stdlib only.
"""
import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import tempfile
import time


def make_tokens(directory, principals):
    """principals: {name: (role, subscriber or None)} -> ({name: token}, path)."""
    tokens, lines = {}, []
    for name, (role, subscriber) in principals.items():
        token = "nwt_" + secrets.token_hex(32)
        tokens[name] = token
        line = f"sha256:{hashlib.sha256(token.encode()).hexdigest()} {role} name={name}"
        if subscriber:
            line += f" subscriber={subscriber}"
        lines.append(line)
    path = os.path.join(directory, "tokens")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return tokens, path


class Daemon:
    """One newswatchd process. start() may be called again after stop() to
    restart on the same data dir and ports."""

    def __init__(self, binary, cli, workdir, token_file=None, extra=()):
        self.binary, self.cli, self.workdir = binary, cli, workdir
        self.data_dir = os.path.join(workdir, "data")
        self.token_file, self.extra = token_file, list(extra)
        self.grpc_port = 0
        self.web_port = 0
        self.proc = None
        self.log_path = os.path.join(workdir, "newswatchd.log")

    def start(self):
        args = [self.binary, f"--listen=127.0.0.1:{self.grpc_port}",
                f"--web-listen=127.0.0.1:{self.web_port}",
                f"--data-dir={self.data_dir}", "--heartbeat-interval=1s",
                "--min-free-disk-bytes=0"] + self.extra
        if self.token_file:
            args.append(f"--token-file={self.token_file}")
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                         stderr=log, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"newswatchd exited: see {self.log_path}")
            m = re.search(r"listening on [\d.]+:(\d+)", line)
            if m:
                self.grpc_port = int(m.group(1))
            m = re.search(r"web console at http://[\d.]+:(\d+)/", line)
            if m:
                self.web_port = int(m.group(1))
                return self
        raise RuntimeError("newswatchd did not report its web console")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the daemon; returns its exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = "hung"
        self.proc.stdout.close()
        self.proc = None
        return code

    @property
    def base(self):
        return f"http://127.0.0.1:{self.web_port}"

    def run_cli(self, *args, token=None):
        env = dict(os.environ)
        if token:
            env["NEWSWATCH_TOKEN"] = token
        else:
            env.pop("NEWSWATCH_TOKEN", None)
        return subprocess.run([self.cli, "--server", f"127.0.0.1:{self.grpc_port}", *args],
                              capture_output=True, text=True, env=env, timeout=60)

    def request(self, method, path, body=None, token=None, cookie=None,
                headers=None):
        """One HTTP request: (status, headers dict lower-case, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=20)
        h = {"Host": f"127.0.0.1:{self.web_port}"}
        if method not in ("GET", "HEAD"):
            h["X-Newswatch"] = "1"
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = f"Bearer {token}"
        if cookie:
            h["Cookie"] = cookie
        h.update(headers or {})
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers=h)
        res = conn.getresponse()
        out = (res.status, {k.lower(): v for k, v in res.getheaders()}, res.read())
        conn.close()
        return out

    def json(self, method, path, body=None, token=None, **kw):
        status, headers, data = self.request(method, path, body, token, **kw)
        return status, (json.loads(data) if data else None)


class SseReader:
    """Reads Server-Sent Events from /api/v1/alerts/stream."""

    def __init__(self, daemon, path, token=None, headers=None, timeout=15):
        self.conn = http.client.HTTPConnection("127.0.0.1", daemon.web_port,
                                               timeout=timeout)
        h = {"Host": f"127.0.0.1:{daemon.web_port}", "Accept": "text/event-stream"}
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        self.conn.request("GET", path, headers=h)
        self.res = self.conn.getresponse()
        self.status = self.res.status

    def next_event(self):
        """{'event', 'id', 'data'} of the next event, or None at the end."""
        event = {"event": "message", "id": None, "data": []}
        while True:
            line = self.res.readline()
            if not line:
                return None
            line = line.decode().rstrip("\n")
            if line == "":
                if event["data"] or event["id"] is not None:
                    event["data"] = "\n".join(event["data"])
                    return event
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                event["data"].append(value)
            elif field == "id":
                event["id"] = value
            elif field == "event":
                event["event"] = value

    def next_of(self, kind):
        while True:
            e = self.next_event()
            if e is None or e["event"] == kind:
                return e

    def close(self):
        self.conn.close()


def matches_by_oracle(match_binary, rule, jsonl_path):
    """Article ids of `jsonl_path` that newswatch-match says `rule` matches."""
    ids = []
    with tempfile.TemporaryDirectory() as d, open(jsonl_path) as f:
        for line in f:
            if not line.strip():
                continue
            path = os.path.join(d, "a.json")
            with open(path, "w") as out:
                out.write(line)
            r = subprocess.run([match_binary, "--rule", rule, path],
                               capture_output=True, text=True, timeout=30)
            if json.loads(r.stdout)["match"]:
                ids.append(json.loads(line)["id"])
    return ids
