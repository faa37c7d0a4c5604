#!/usr/bin/python3
"""Browser tests of the web console: Debian's chromium + chromedriver driven by
python3-selenium, against the real newswatchd. One browser and one daemon for
the whole suite; tests run in name order and build on each other (log in,
alerts, restart, rules). Each test saves a screenshot, the page source and the
browser console log under --artifacts/<test>/, and fails on console errors.

Exit 77 (ctest: skipped) when chromium, chromedriver or selenium is missing,
except with CI=true, where that is a failure.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nwdaemon import Daemon, make_tokens, matches_by_oracle  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARGS = None
RULE = "crude AND (OPEC OR Saudi)"


def missing_browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "python3-selenium is not installed"
    return None


def start_browser(directory):
    """Headless chromium at 1280x900 with its profile under `directory`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1280,900", "--force-device-scale-factor=1",
              "--lang=en-US", "--no-first-run", "--disable-extensions",
              f"--user-data-dir={directory}/chrome"):
        opts.add_argument(a)
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")  # chromium refuses root otherwise
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


class ConsoleBrowserTest(unittest.TestCase):
    # Console messages a test expects (e.g. the 401 that sends a logged-out
    # page to /login); anything else at SEVERE fails the test.
    allowed_console = ()

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nw-browser-")
        cls.tokens, token_file = make_tokens(cls.dir, {
            "alice": ("analyst", "desk-a"), "bob": ("analyst", "desk-b"),
            "feed": ("ingest", None)})
        cls.d = Daemon(ARGS.newswatchd, ARGS.cli, cls.dir, token_file).start()
        cls.reuters = os.path.join(ARGS.data, "reuters-tm-70.jsonl")
        r = cls.d.run_cli("submit", cls.reuters, token=cls.tokens["feed"])
        assert r.returncode == 0, r.stderr
        cls.oracle = matches_by_oracle(ARGS.match, RULE, cls.reuters)
        cls.b = start_browser(cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.b.quit()
        cls.d.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.allowed_console = ()
        self.out = os.path.join(ARGS.artifacts, self.id().split(".")[-1])
        os.makedirs(self.out, exist_ok=True)

    def tearDown(self):
        self.b.save_screenshot(os.path.join(self.out, "page.png"))
        with open(os.path.join(self.out, "page.html"), "w") as f:
            f.write(self.b.page_source)
        logs = self.b.get_log("browser")
        with open(os.path.join(self.out, "console.log"), "w") as f:
            for e in logs:
                f.write(f"{e['level']} {e['message']}\n")
        shutil.copy(self.d.log_path, os.path.join(self.out, "newswatchd.log"))
        severe = [e["message"] for e in logs if e["level"] == "SEVERE" and
                  not any(a in e["message"] for a in self.allowed_console)]
        self.assertEqual(severe, [], "console errors")

    # --- helpers
    def wait(self, condition, timeout=10):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.b, timeout, poll_frequency=0.05).until(condition)

    def css(self, selector):
        from selenium.webdriver.common.by import By
        return self.b.find_elements(By.CSS_SELECTOR, selector)

    def wait_css(self, selector, timeout=10):
        return self.wait(lambda b: self.css(selector) or False, timeout)[0]

    def log_in(self, who):
        self.b.get(self.d.base + "/login")
        box = self.wait_css("#token")
        box.clear()
        box.send_keys(self.tokens[who])
        self.css("#login-form button")[0].click()
        self.wait(lambda b: b.current_url == self.d.base + "/")

    def submit(self, *articles):
        path = os.path.join(self.dir, "articles.jsonl")
        with open(path, "w") as f:
            for a in articles:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
        r = self.d.run_cli("submit", path, token=self.tokens["feed"])
        self.assertEqual(r.returncode, 0, r.stderr)

    def cursors(self):
        return [int(li.get_attribute("data-cursor")) for li in self.css("#alerts li.card")]

    def api(self, method, path, body=None, who="alice"):
        return self.d.json(method, path, body, token=self.tokens[who])

    # --- tests, in order
    # Verifies a logged-out visit goes to /login, the token logs in, the
    # cookie is invisible to scripts (HttpOnly) and the live stream opens.
    def test_01_login(self):
        self.allowed_console = ("status of 401",)
        self.b.get(self.d.base + "/")
        self.wait(lambda b: b.current_url.endswith("/login"))
        self.log_in("alice")
        self.wait_css('#status[data-state="open"]')
        self.assertEqual(self.b.execute_script("return document.cookie"), "")
        self.assertIn("desk-a", self.css("#subscriber")[0].text)

    # Verifies alerts appear live with the matched words in <mark>, also
    # after multi-byte text, with the rule's label; screenshot live.png.
    def test_02_live_alerts_with_highlights(self):
        status, _ = self.api("POST", "/api/v1/rules", {"query": "Myanmar", "label": "myanmar watch"})
        self.assertEqual(status, 201)
        self.submit({"id": "mb-1", "source": "test", "title": "Kraków — 東京 talks: Myanmar junta",
                     "body": "Envoys met in Kraków — then 東京 — to discuss Myanmar and its junta."})
        with open(os.path.join(ARGS.data, "seed-article.jsonl")) as f:
            seed = json.loads(f.readline())
        self.submit(seed)
        self.wait(lambda b: len(self.css("#alerts li.card")) == 2)
        newest, older = self.css("#alerts li.card")
        self.assertEqual(older.get_attribute("data-article"), "mb-1")
        self.assertEqual([m.text for m in older.find_elements("css selector", "h3 mark")], ["Myanmar"])
        self.assertEqual([m.text for m in older.find_elements("css selector", ".snippet mark")],
                         ["Myanmar"])
        self.assertIn("myanmar watch", [c.text for c in newest.find_elements("css selector", ".chip")])
        self.assertTrue(all(m.text.lower() == "myanmar"
                            for m in newest.find_elements("css selector", "mark")))
        self.assertEqual(self.cursors(), [2, 1])
        self.b.save_screenshot(os.path.join(ARGS.artifacts, "live.png"))

    # Verifies a title with markup is shown as text and runs nothing.
    def test_03_xss_title_is_text(self):
        from selenium.common.exceptions import NoAlertPresentException
        title = '<img src=x onerror=alert(1)> Myanmar <script>alert(2)</script>'
        # The body ends like every Reuters-21578 one, with U+0003.
        self.submit({"id": "xss-1", "source": "test", "title": title,
                     "body": "Myanmar talks. Reuter\n\u0003"})
        self.wait(lambda b: len(self.css("#alerts li.card")) == 3)
        card = self.css("#alerts li.card")[0]
        self.assertEqual(card.find_element("css selector", "h3").text, title)
        snippet = self.b.execute_script(
            "return arguments[0].querySelector('.snippet').textContent", card)
        self.assertEqual(snippet, "Myanmar talks. Reuter\n")  # no box for U+0003
        self.assertEqual(self.css("#alerts img, #alerts script"), [])
        with self.assertRaises(NoAlertPresentException):
            self.b.switch_to.alert.text

    # Verifies the page survives a daemon restart: it shows reconnecting,
    # then resumes after the last card it showed: exactly the new alerts,
    # no gap, no duplicate card.
    def test_04_resume_across_restart(self):
        self.allowed_console = ("ERR_CONNECTION_REFUSED", "alerts/stream", "ERR_EMPTY_RESPONSE",
                                "ERR_INCOMPLETE_CHUNKED_ENCODING")
        before = self.cursors()
        self.assertEqual(self.d.stop(), 0)
        self.wait_css('#status[data-state="reconnecting"]')
        self.d.start()
        self.submit({"id": "r-1", "source": "test", "title": "Myanmar after restart one", "body": "x"},
                    {"id": "r-2", "source": "test", "title": "Myanmar after restart two", "body": "y"})
        self.wait(lambda b: len(self.css("#alerts li.card")) == len(before) + 2, timeout=20)
        after = self.cursors()
        self.assertEqual(after, [before[0] + 2, before[0] + 1] + before)
        self.wait_css('#status[data-state="resumed"]')

    # Verifies a reload shows the same cards once each.
    def test_05_reload_shows_each_alert_once(self):
        before = self.cursors()
        self.b.refresh()
        self.wait_css('#status[data-state="open"]')
        self.wait(lambda b: len(self.css("#alerts li.card")) == len(before))
        self.assertEqual(self.cursors(), before)

    # Verifies the editor marks an error at its offset and disables saving,
    # then shows the canonical form of a fixed rule.
    def test_06_rule_validation_as_you_type(self):
        self.b.get(self.d.base + "/rules")
        query = self.wait_css("#query")
        query.send_keys("Myanmar AND (sanctions")
        verdict = self.wait_css('#verdict[data-state="invalid"]')
        want = self.api("POST", "/api/v1/rules/validate", {"query": "Myanmar AND (sanctions"})[1]
        self.assertEqual(verdict.get_attribute("data-error-offset"), str(want["error_offset"]))
        self.assertIn(want["error"], verdict.text)
        self.assertFalse(self.css("#save")[0].is_enabled())
        self.b.save_screenshot(os.path.join(ARGS.artifacts, "rule-invalid.png"))
        query.clear()
        query.send_keys(RULE)
        self.wait_css('#verdict[data-state="valid"]')
        canonical = self.api("POST", "/api/v1/rules/validate", {"query": RULE})[1]["canonical"]
        self.assertEqual(self.css("#canonical")[0].text, canonical)
        self.assertTrue(self.css("#save")[0].is_enabled())

    # Verifies the preview counts what newswatch-match matches among the
    # stored Reuters articles, with highlighted samples; screenshot
    # rule-editor.png.
    def test_07_preview_equals_oracle(self):
        self.css("#preview")[0].click()
        matched = self.wait_css("#preview-matched")
        self.assertEqual(matched.text, f"{len(self.oracle)} matches")
        self.assertEqual(len(self.css("#samples li.card")), len(self.oracle))
        self.assertTrue(self.css("#samples mark"))
        self.b.save_screenshot(os.path.join(ARGS.artifacts, "rule-editor.png"))

    # Verifies saving with a 7-day backfill lists the rule and puts its
    # backfilled alerts, badged, on the live page.
    def test_08_save_with_backfill(self):
        from selenium.webdriver.support.ui import Select
        Select(self.css("#backfill")[0]).select_by_value("7d")
        self.css("#save")[0].click()
        result = self.wait_css("#save-result:not([hidden])")
        self.assertIn(f"{len(self.oracle)} alerts backfilled", result.text)
        # The next rule does not inherit the backfill silently.
        self.assertEqual(Select(self.css("#backfill")[0]).first_selected_option
                         .get_attribute("value"), "")
        self.assertEqual(self.css("#save-effect")[0].text, "Applies to new articles only.")
        self.wait(lambda b: len(self.css("#rules tbody tr")) == 2)
        self.b.get(self.d.base + "/")
        self.wait_css('#status[data-state="open"]')
        self.wait(lambda b: len(self.css("#alerts .badge.backfill")) == len(self.oracle))

    # Verifies delete asks first, then removes the rule for good.
    def test_09_delete_with_confirmation(self):
        self.b.get(self.d.base + "/rules")
        self.wait(lambda b: len(self.css("#rules tbody tr")) == 2)
        row = self.css("#rules tbody tr")[0]
        rule_id = row.get_attribute("data-rule")
        row.find_element("css selector", "button.delete").click()
        self.wait_css("#confirm-delete[open]")
        self.css("#confirm-yes")[0].click()
        self.wait(lambda b: len(self.css("#rules tbody tr")) == 1)
        self.assertEqual(self.api("GET", f"/api/v1/rules/{rule_id}")[0], 404)

    # Verifies another analyst sees none of desk-a's rules or alerts, and an
    # ingest token gets the not-allowed page.
    def test_10_isolation(self):
        self.log_in("bob")
        self.wait_css('#status[data-state="open"]')
        self.assertEqual(self.css("#alerts li.card"), [])
        self.b.get(self.d.base + "/rules")
        self.wait_css("#no-rules:not([hidden])")
        self.assertEqual(self.css("#rules tbody tr"), [])
        self.log_in("feed")
        self.wait_css("#not-allowed")


class LocalConsoleBrowserTest(unittest.TestCase):
    """The console of a daemon without a token file (what ./run.sh starts)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nw-browser-local-")
        cls.d = Daemon(ARGS.newswatchd, ARGS.cli, cls.dir).start()
        cls.b = start_browser(cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.b.quit()
        cls.d.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    # Verifies the top bar without a login says who is there and nothing
    # else: no log-out button and no stray "null" where it would be.
    def test_topbar_without_token_file(self):
        from selenium.webdriver.support.ui import WebDriverWait
        self.b.get(self.d.base + "/?subscriber=desk-a")
        wait = WebDriverWait(self.b, 10, poll_frequency=0.05)
        wait.until(lambda b: b.find_elements("css selector", '#status[data-state="open"]'))
        out = os.path.join(ARGS.artifacts, "local_topbar")
        os.makedirs(out, exist_ok=True)
        self.b.save_screenshot(os.path.join(out, "page.png"))
        bar = self.b.find_element("css selector", "#topbar")
        self.assertEqual(self.b.find_element("css selector", "#whoami").text,
                         "local (no token file)")
        self.assertEqual(bar.find_elements("css selector", "#logout"), [])
        self.assertNotIn("null", bar.text)
        severe = [e["message"] for e in self.b.get_log("browser") if e["level"] == "SEVERE"]
        self.assertEqual(severe, [], "console errors")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    for flag in ("--newswatchd", "--cli", "--match", "--data", "--artifacts"):
        p.add_argument(flag, required=True)
    ARGS, rest = p.parse_known_args()
    why = missing_browser()
    if why:
        print(f"browser tests cannot run: {why}")
        sys.exit(1 if os.environ.get("CI") == "true" else 77)
    os.makedirs(ARGS.artifacts, exist_ok=True)
    result = unittest.main(argv=[sys.argv[0]] + rest, verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
