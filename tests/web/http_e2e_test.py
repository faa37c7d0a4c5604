#!/usr/bin/python3
"""HTTP end-to-end tests of the web console's API on the real newswatchd.

Run by ctest: http_e2e_test.py --newswatchd BIN --cli BIN --match BIN --data DIR
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import Daemon, SseReader, make_tokens, matches_by_oracle  # noqa: E402

ARGS = None
RULE = "crude AND (OPEC OR Saudi)"


class WebApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nw-web-e2e-")
        cls.tokens, token_file = make_tokens(cls.dir, {
            "alice": ("analyst", "desk-a"), "bob": ("analyst", "desk-b"),
            "feed": ("ingest", None), "root": ("admin", None)})
        cls.d = Daemon(ARGS.newswatchd, ARGS.cli, cls.dir, token_file).start()
        cls.reuters = os.path.join(ARGS.data, "reuters-tm-70.jsonl")
        r = cls.d.run_cli("submit", cls.reuters, token=cls.tokens["feed"])
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def api(self, method, path, body=None, who="alice", **kw):
        return self.d.json(method, path, body, token=self.tokens.get(who), **kw)

    # Verifies the session: the cookie is HttpOnly and SameSite=Strict, works
    # instead of the header, and every page carries the strict CSP.
    def test_session_cookie_and_security_headers(self):
        status, headers, body = self.d.request(
            "POST", "/api/v1/session", {"token": self.tokens["alice"]})
        self.assertEqual(status, 200, body)
        cookie = headers["set-cookie"]
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, cookie)
        self.assertEqual(json.loads(body)["subscriber"], "desk-a")
        pair = cookie.split(";")[0]
        status, me = self.d.json("GET", "/api/v1/me", cookie=pair)
        self.assertEqual((status, me["name"], me["role"]), (200, "alice", "analyst"))
        status, _, _ = self.d.request("POST", "/api/v1/session", {"token": "nwt_nope"})
        self.assertEqual(status, 401)
        status, headers, page = self.d.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn("default-src 'self'", headers["content-security-policy"])
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertIn(b'type="module"', page)
        self.assertNotIn(b"<script>", page)  # no inline script

    # Verifies the cookie holds a session, not the token, and logging out
    # ends that session in the daemon: the same cookie, replayed (a copy an
    # attacker kept), is 401 afterwards while another session of the same
    # token and the token itself still work.
    def test_log_out_ends_the_session(self):
        def log_in():
            status, headers, body = self.d.request(
                "POST", "/api/v1/session", {"token": self.tokens["alice"]})
            self.assertEqual(status, 200, body)
            return headers["set-cookie"].split(";")[0]
        kept, other = log_in(), log_in()
        self.assertNotIn(self.tokens["alice"], kept)
        self.assertNotEqual(kept, other)
        self.assertEqual(self.d.json("GET", "/api/v1/me", cookie=kept)[0], 200)
        status, headers, body = self.d.request("DELETE", "/api/v1/session", cookie=kept)
        self.assertEqual(status, 200, body)
        self.assertIn("Max-Age=0", headers["set-cookie"])
        status, err = self.d.json("GET", "/api/v1/me", cookie=kept)
        self.assertEqual(status, 401)
        self.assertIn("log in again", err["message"])
        status, _, _ = self.d.request("GET", "/api/v1/alerts/stream", cookie=kept)
        self.assertEqual(status, 401)
        self.assertEqual(self.d.json("GET", "/api/v1/me", cookie=other)[0], 200)
        self.assertEqual(self.api("GET", "/api/v1/me")[0], 200)

    # Verifies the roles of the gRPC policy apply over HTTP: no token 401,
    # ingest 403, an analyst cannot reach another subscriber (403) nor see
    # its rule (404 as for a missing one), an admin can.
    def test_roles_and_subscriber_isolation(self):
        status, err = self.api("GET", "/api/v1/rules", who=None)
        self.assertEqual((status, err["code"]), (401, "UNAUTHENTICATED"))
        status, err = self.api("GET", "/api/v1/rules", who="feed")
        self.assertEqual((status, err["code"]), (403, "PERMISSION_DENIED"))
        status, rule = self.api("POST", "/api/v1/rules",
                                {"query": "Iran AND oil", "label": "b's"}, who="bob")
        self.assertEqual(status, 201, rule)
        self.assertEqual(rule["subscriber"], "desk-b")
        status, err = self.api("GET", f"/api/v1/rules/{rule['id']}")
        self.assertEqual((status, err["code"]), (404, "NOT_FOUND"))
        status, _ = self.api("DELETE", f"/api/v1/rules/{rule['id']}")
        self.assertEqual(status, 404)
        status, err = self.api("GET", "/api/v1/rules?subscriber=desk-b")
        self.assertEqual(status, 403)
        self.assertIn("limited to subscriber 'desk-a'", err["message"])
        status, err = self.api("GET", "/api/v1/alerts?subscriber=desk-b")
        self.assertEqual(status, 403)
        status, listed = self.api("GET", "/api/v1/rules?subscriber=desk-b", who="root")
        self.assertEqual(status, 200)
        self.assertIn(rule["id"], [r["id"] for r in listed["rules"]])
        status, _ = self.api("DELETE", f"/api/v1/rules/{rule['id']}", who="bob")
        self.assertEqual(status, 200)

    # Verifies the CSRF defence: a changing request without X-Newswatch or
    # with a foreign Origin is refused and changes nothing; a foreign Host
    # (DNS rebinding) is refused even for reads.
    def test_csrf_and_host_checks(self):
        before = self.api("GET", "/api/v1/rules")[1]["rules"]
        status, _, body = self.d.request(
            "POST", "/api/v1/rules", {"query": "csrf"}, token=self.tokens["alice"],
            headers={"X-Newswatch": ""})
        self.assertEqual(status, 403, body)
        status, _, body = self.d.request(
            "POST", "/api/v1/rules", {"query": "csrf"}, token=self.tokens["alice"],
            headers={"Origin": "http://evil.example"})
        self.assertEqual(status, 403, body)
        self.assertEqual(self.api("GET", "/api/v1/rules")[1]["rules"], before)
        status, _, _ = self.d.request("GET", "/api/v1/me", token=self.tokens["alice"],
                                      headers={"Host": "evil.example"})
        self.assertEqual(status, 403)

    def raw_post(self, path, chunks, headers=None):
        """POSTs `chunks` (bytes) as alice: chunked when a list, else with
        Content-Length. Returns (status, parsed JSON body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.d.web_port, timeout=20)
        h = {"Host": f"127.0.0.1:{self.d.web_port}", "X-Newswatch": "1",
             "Content-Type": "application/json",
             "Authorization": f"Bearer {self.tokens['alice']}"}
        h.update(headers or {})
        if isinstance(chunks, list):
            conn.request("POST", path, body=iter(chunks), headers=h, encode_chunked=True)
        else:
            conn.request("POST", path, body=chunks, headers=h)
        res = conn.getresponse()
        out = (res.status, json.loads(res.read()))
        conn.close()
        return out

    # Verifies request bodies: a chunked one (no Content-Length) is read;
    # one over 1 MiB gets 413 however it is sent; invalid UTF-8 is named as
    # such rather than as "not a JSON object".
    def test_request_bodies(self):
        status, v = self.raw_post("/api/v1/rules/validate",
                                  [b'{"query": "crude AND ', b'OPEC"}'])
        self.assertEqual(status, 200, v)
        self.assertEqual(v["canonical"], "crude AND opec")
        # Refused on its Content-Length, before the body is read.
        status, err = self.raw_post("/api/v1/rules/validate", b"{}",
                                    headers={"Content-Length": str(2 << 20)})
        self.assertEqual((status, err["code"]), (413, "INVALID_ARGUMENT"), err)
        big = b'{"query": "' + b"a" * (1 << 20) + b'"}'
        status, err = self.raw_post("/api/v1/rules/validate",
                                    [big[i:i + 65536] for i in range(0, len(big), 65536)])
        self.assertEqual((status, err["code"]), (413, "INVALID_ARGUMENT"), err)
        status, err = self.raw_post("/api/v1/rules/validate", b'{"query": "caf\xe9 OR x"}')
        self.assertEqual((status, err["code"]), (400, "INVALID_ARGUMENT"))
        self.assertEqual(err["message"], "the request body is not valid UTF-8 (at byte 14)")

    # Verifies validate gives the error offset and lint warnings, and that
    # errors map to HTTP status with {code, message}.
    def test_validate_and_errors(self):
        status, v = self.api("POST", "/api/v1/rules/validate",
                             {"query": "Myanmar AND (sanctions"})
        self.assertEqual(status, 200)
        self.assertFalse(v["valid"])
        self.assertIn("error_offset", v)
        self.assertIn(f"(at byte {v['error_offset']})", v["error"])
        status, v = self.api("POST", "/api/v1/rules/validate", {"query": "oil and gas"})
        self.assertTrue(v["valid"])
        self.assertTrue(any("'and' in lower case" in w for w in v["warnings"]), v)
        status, err = self.api("POST", "/api/v1/rules", {"query": "a AND ("})
        self.assertEqual((status, err["code"]), (400, "INVALID_ARGUMENT"))
        self.assertIn("error_offset", err)
        status, err = self.api("GET", "/api/v1/alerts/stream?after=x1")
        self.assertEqual(status, 400)
        status, err = self.api("GET", "/api/v1/nope")
        self.assertEqual((status, err["code"]), (404, "NOT_FOUND"))

    # Verifies the preview counts exactly what newswatch-match (the offline
    # oracle) matches among the same articles, and stores nothing.
    def test_preview_equals_oracle_and_writes_nothing(self):
        want = matches_by_oracle(ARGS.match, RULE, self.reuters)
        status, p = self.api("POST", "/api/v1/rules/preview",
                             {"query": RULE, "since": "7d", "limit": 100})
        self.assertEqual(status, 200, p)
        self.assertEqual(p["scanned"], 70)
        self.assertEqual(p["matched"], len(want))
        self.assertFalse(p["truncated"])
        self.assertEqual(sorted(s["article_id"] for s in p["samples"]), sorted(want))
        self.assertTrue(all(any(seg.get("m") for seg in s["title_segments"] + [
            seg for sn in s["snippets"] for seg in sn["segments"]]) for s in p["samples"]))
        self.assertEqual(self.api("GET", "/api/v1/alerts", who="bob")[1]["alerts"], [])
        status, p = self.api("POST", "/api/v1/rules/preview", {"query": "zzzqqq", "since": "30d"})
        self.assertEqual(p["matched"], 0)
        # The period as the page offers it ("30 days"), not absl's "720h".
        self.assertIn("no stored article of the last 30d matches", " ".join(p["warnings"]))

    # Verifies the stream: backfill alerts arrive with id: = cursor and
    # highlighted segments; Last-Event-ID resumes after it (no gap, no
    # duplicate), ?after= too, and idle streams get heartbeats. Then the
    # history page, export (CSV with formula escaping, JSONL), stats and a
    # rule edit over the same subscriber.
    def test_stream_resume_history_export_stats_edit(self):
        status, rule = self.api(
            "POST", "/api/v1/rules",
            {"query": RULE, "label": "=opec", "backfill": "7d", "subscriber": "energy"},
            who="root")
        self.assertEqual(status, 201, rule)
        n = rule["backfilled_alerts"]
        self.assertGreater(n, 2)
        s = SseReader(self.d, "/api/v1/alerts/stream?subscriber=energy",
                      token=self.tokens["root"])
        self.assertEqual(s.status, 200)
        self.assertEqual(s.next_of("hello")["event"], "hello")
        ids = []
        for _ in range(n):
            e = s.next_of("alert")
            ids.append(int(e["id"]))
            a = json.loads(e["data"])
            self.assertEqual(a["cursor"], int(e["id"]))
            self.assertTrue(a["backfill"])
            self.assertEqual(a["rules"], [{"id": rule["id"], "label": "=opec"}])
        self.assertEqual(ids, list(range(1, n + 1)))
        self.assertEqual(s.next_of("heartbeat")["event"], "heartbeat")
        s.close()
        s = SseReader(self.d, "/api/v1/alerts/stream?subscriber=energy&after=1",
                      token=self.tokens["root"], headers={"Last-Event-ID": "2"})
        self.assertEqual(int(s.next_of("alert")["id"]), 3)
        s.close()
        s = SseReader(self.d, f"/api/v1/alerts/stream?subscriber=energy&after={n - 1}",
                      token=self.tokens["root"])
        self.assertEqual(int(s.next_of("alert")["id"]), n)
        s.close()
        # A cursor past the newest alert (a restored data dir): the reason
        # comes as an event the page can show, not an HTTP error.
        s = SseReader(self.d, f"/api/v1/alerts/stream?subscriber=energy&after={n + 5}",
                      token=self.tokens["root"])
        self.assertEqual(s.status, 200)
        failure = s.next_of("failure")
        self.assertIn("cursor", json.loads(failure["data"])["message"])
        s.close()
        # History: newest first, paged by cursor.
        status, page = self.api("GET", "/api/v1/alerts?subscriber=energy&limit=2", who="root")
        self.assertEqual([a["cursor"] for a in page["alerts"]], [n, n - 1])
        status, page = self.api("GET", f"/api/v1/alerts?subscriber=energy&limit=2&before={n - 1}",
                                who="root")
        self.assertEqual([a["cursor"] for a in page["alerts"]], [n - 2, n - 3])
        status, art = self.api("GET", f"/api/v1/articles/{page['alerts'][0]['article_id']}")
        self.assertEqual(status, 200)
        self.assertEqual(art["title"], page["alerts"][0]["title"])
        # Export.
        status, headers, csv = self.d.request(
            "GET", "/api/v1/alerts/export?format=csv&subscriber=energy", token=self.tokens["root"])
        self.assertEqual(status, 200)
        self.assertIn("attachment", headers["content-disposition"])
        lines = csv.decode().split("\r\n")
        self.assertEqual(lines[0].split(","), ["cursor", "created_at", "published_at", "source",
                                               "article_id", "title", "url", "rule_ids",
                                               "rule_labels", "backfill"])
        self.assertEqual(len([l for l in lines[1:] if l]), n)
        self.assertIn(",'=opec,", lines[1])  # the label is not a formula
        status, _, jsonl = self.d.request(
            "GET", "/api/v1/alerts/export?format=jsonl&after=1&subscriber=energy",
            token=self.tokens["root"])
        self.assertEqual([json.loads(l)["cursor"] for l in jsonl.decode().splitlines()],
                         list(range(2, n + 1)))
        self.assertTrue(all("url" in json.loads(l) for l in jsonl.decode().splitlines()))
        # Stats.
        status, stats = self.api("GET", "/api/v1/rules/stats?subscriber=energy", who="root")
        self.assertEqual(stats["rules"][0]["alerts_24h"], n)
        # Edit: same id, new text, matching follows.
        status, edited = self.api("PUT", f"/api/v1/rules/{rule['id']}",
                                  {"query": "Kuwait"}, who="root")
        self.assertEqual((status, edited["id"], edited["canonical"]), (200, rule["id"], "kuwait"))
        self.assertEqual(edited["label"], "=opec")
        status, _ = self.api("PUT", f"/api/v1/rules/{rule['id']}", {"query": "a AND ("}, who="root")
        self.assertEqual(status, 400)
        self.assertEqual(self.api("GET", f"/api/v1/rules/{rule['id']}", who="root")[1]["query"],
                         "Kuwait")


class WebSessionReloadTest(unittest.TestCase):
    """Console sessions across a token file reload (SIGHUP)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nw-web-reload-")
        self.tokens, self.token_file = make_tokens(self.dir, {
            "alice": ("analyst", "desk-a"), "bob": ("analyst", "desk-b")})
        self.d = Daemon(ARGS.newswatchd, ARGS.cli, self.dir, self.token_file,
                        extra=["--heartbeat-interval=300ms"]).start()

    def tearDown(self):
        self.d.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def session_stream(self, who):
        status, headers, body = self.d.request(
            "POST", "/api/v1/session", {"token": self.tokens[who]})
        self.assertEqual(status, 200, body)
        cookie = headers["set-cookie"].split(";")[0]
        s = SseReader(self.d, "/api/v1/alerts/stream", headers={"Cookie": cookie})
        self.assertEqual(s.next_of("hello")["event"], "hello")
        return cookie, s

    # Verifies a reload of the token file ends the live stream and the
    # session of a removed token, and leaves those of a kept token running
    # (before, every console stream ended at each reload).
    def test_reload_ends_only_the_removed_tokens_sessions(self):
        alice_cookie, alice = self.session_stream("alice")
        bob_cookie, bob = self.session_stream("bob")
        with open(self.token_file) as f:
            lines = [l for l in f if "name=bob" not in l]
        with open(self.token_file, "w") as f:
            f.writelines(lines)
        self.d.proc.send_signal(signal.SIGHUP)
        end = bob.next_of("error")
        if end is not None:  # the reason, then the end
            self.assertEqual(json.loads(end["data"])["code"], "UNAUTHENTICATED")
            self.assertIsNone(bob.next_of("alert"))
        # alice's stream goes on: heartbeats well after the reload.
        for _ in range(5):
            self.assertIsNotNone(alice.next_of("heartbeat"),
                                 "alice's stream ended at the reload")
        self.assertEqual(self.d.json("GET", "/api/v1/me", cookie=alice_cookie)[0], 200)
        self.assertEqual(self.d.json("GET", "/api/v1/me", cookie=bob_cookie)[0], 401)
        alice.close()
        bob.close()


class WebLimitsTest(unittest.TestCase):
    """A daemon without a token file, with one stream allowed."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nw-web-limits-")
        self.d = Daemon(ARGS.newswatchd, ARGS.cli, self.dir,
                        extra=["--web-max-streams=2"]).start()

    def tearDown(self):
        self.d.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # Verifies past --web-max-streams a stream gets 200 + "event: busy" (a
    # non-200 would stop the browser's EventSource for good), and that
    # SIGTERM with streams open stops the daemon (streams end on their own).
    def test_stream_cap_and_sigterm_with_open_streams(self):
        open_streams = [SseReader(self.d, "/api/v1/alerts/stream?subscriber=s") for _ in range(2)]
        for s in open_streams:
            self.assertEqual(s.next_of("hello")["event"], "hello")
        busy = SseReader(self.d, "/api/v1/alerts/stream?subscriber=s")
        self.assertEqual(busy.status, 200)
        e = busy.next_event()
        self.assertEqual(e["event"], "busy")
        self.assertEqual(json.loads(e["data"])["code"], "RESOURCE_EXHAUSTED")
        self.assertIsNone(busy.next_event())  # closed
        self.assertEqual(self.d.stop(), 0)  # bounded by stop()'s timeout
        for s in open_streams:
            self.assertIsNone(s.next_of("alert"))  # the stream ended

    # Verifies an admin-like caller (no token file) must name a subscriber.
    def test_no_token_file_needs_a_subscriber(self):
        status, me = self.d.json("GET", "/api/v1/me")
        self.assertEqual((status, me["auth"], me["role"]), (200, False, "admin"))
        status, err = self.d.json("GET", "/api/v1/alerts")
        self.assertEqual(status, 400)
        self.assertIn("name the subscriber", err["message"])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    for flag in ("--newswatchd", "--cli", "--match", "--data"):
        p.add_argument(flag, required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
