#!/usr/bin/python3
"""A webhook receiver for newswatch's tests, on 127.0.0.1 (port 0: free).

Prints "listening on 127.0.0.1:N (webhook receiver)" once listening.
Every POST is checked against --secret (Newswatch-Signature: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>">)
and appended to --log as one JSON line:
  {"path", "cursor", "idempotency_key", "hook", "subscriber", "sig_ok",
   "status", "alert"}
What it answers depends on its mode, set with POST /_mode/<mode>:
  ok     200 (after checking the signature: 401 if it does not match)
  fail   500
  busy   429 with Retry-After: 0
  stall  waits (no answer) until the mode changes, then answers as in it
The mode applies to every other path.
"""
import argparse
import hashlib
import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

state = {"mode": "ok"}
changed = threading.Condition()
log_lock = threading.Lock()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    secret = args.secret.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *unused):
            pass

        def answer(self, status, extra=None):
            self.send_response(status)
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.startswith("/_mode/"):
                with changed:
                    state["mode"] = self.path[len("/_mode/"):]
                    changed.notify_all()
                self.close_connection = True
                self.answer(200)
                return
            with changed:
                while state["mode"] == "stall":
                    changed.wait(timeout=1)
                mode = state["mode"]
            sig = self.headers.get("Newswatch-Signature", "")
            parts = dict(p.split("=", 1) for p in sig.split(",") if "=" in p)
            want = hmac.new(secret, (parts.get("t", "") + ".").encode() + body,
                            hashlib.sha256).hexdigest()
            sig_ok = hmac.compare_digest(want, parts.get("v1", ""))
            if mode == "fail":
                status = 500
            elif mode == "busy":
                status = 429
            else:
                status = 200 if sig_ok else 401
            try:
                alert = json.loads(body)
            except ValueError:
                alert = None
            record = {
                "path": self.path,
                "cursor": int(self.headers.get("Newswatch-Cursor", "0")),
                "idempotency_key": self.headers.get("Idempotency-Key", ""),
                "hook": self.headers.get("Newswatch-Webhook-Id", ""),
                "subscriber": self.headers.get("Newswatch-Subscriber", ""),
                "sig_ok": sig_ok,
                "status": status,
                "alert": alert,
            }
            with log_lock, open(args.log, "a") as f:
                f.write(json.dumps(record) + "\n")
            self.answer(status, {"Retry-After": "0"} if status == 429 else None)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("listening on 127.0.0.1:%d (webhook receiver)" % server.server_address[1],
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
