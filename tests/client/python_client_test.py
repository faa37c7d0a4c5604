"""newswatch_client (client/python) against the real newswatchd.

Run by ctest with PYTHONPATH set to the generated package folder and
NW_DAEMON_BINARY to newswatchd. Each daemon gets a temp data dir and a free
port (--listen 127.0.0.1:0), and is stopped by its pid.
"""

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import grpc

from newswatch_client import Client
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha import reflection_pb2_grpc

WAIT = 20  # seconds: the most any step waits before the test fails


class Daemon:
    """newswatchd on 127.0.0.1 with `data_dir`; port 0 picks a free one."""

    def __init__(self, data_dir, port=0):
        self.log = open(os.path.join(data_dir + ".log"), "ab")
        self.process = subprocess.Popen(
            [os.environ["NW_DAEMON_BINARY"], "--listen", f"127.0.0.1:{port}",
             "--data-dir", data_dir, "--web-listen", "off"],
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()),
                         daemon=True).start()
        try:
            line = lines.get(timeout=WAIT).decode()
        except queue.Empty:
            self.stop()
            raise AssertionError("newswatchd did not print its address")
        if "listening on " not in line:
            self.stop()
            raise AssertionError(f"newswatchd did not start: {line!r}")
        self.address = line.split("listening on ")[1].split()[0]
        self.port = int(self.address.rsplit(":", 1)[1])

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process.stdout.close()
        self.log.close()


def collect(subscription):
    """Iterates `subscription` on a thread; returns the queue of alerts."""
    alerts = queue.Queue()

    def run():
        try:
            for alert in subscription:
                alerts.put(alert)
        except grpc.RpcError as e:
            alerts.put(e)

    threading.Thread(target=run, daemon=True).start()
    return alerts


def next_alert(alerts):
    item = alerts.get(timeout=WAIT)
    if isinstance(item, Exception):
        raise item
    return item


class ClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nw-python-client-")
        cls.daemon = Daemon(os.path.join(cls.tmp, "data"))
        cls.client = Client(cls.daemon.address)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.daemon.stop()
        shutil.rmtree(cls.tmp)

    def test_rule_submit_subscribe_with_str_text(self):
        rule = self.client.create_rule("energy", "crude AND (OPEC OR Saudi)",
                                       label="oil")
        self.assertTrue(rule.id)
        self.assertEqual(rule.canonical, "crude AND (opec OR saudi)")
        self.assertEqual([r.id for r in self.client.list_rules("energy")],
                         [rule.id])
        ack = self.client.submit("Société Générale on OPEC",
                                 "Saudi crude output rose — again.",
                                 id="py-1", source="test", tags=["energy"])
        self.assertEqual((ack.article_id, ack.duplicate, ack.alerts),
                         ("py-1", False, 1))
        self.client.submit("Weather", "Rain in Oslo.", id="py-2")

        stored = self.client.get_article("py-1")
        self.assertEqual(stored.title.decode(), "Société Générale on OPEC")

        with self.client.subscribe("energy") as subscription:
            alert = next_alert(collect(subscription))
        self.assertEqual((alert.cursor, alert.article_id, list(alert.rule_ids)),
                         (1, "py-1", [rule.id]))
        self.assertEqual(alert.title, "Société Générale on OPEC")

    def test_subscribe_resumes_after_cursor_then_live(self):
        self.client.create_rule("resume", "zinc")
        self.client.submit("Zinc one", "zinc", id="zinc-1")
        self.client.submit("Zinc two", "zinc", id="zinc-2")
        with self.client.subscribe("resume", after=1) as subscription:
            alerts = collect(subscription)
            self.assertEqual(next_alert(alerts).article_id, "zinc-2")
            self.client.submit("Zinc three", "zinc", id="zinc-3")  # live
            alert = next_alert(alerts)
            self.assertEqual((alert.cursor, alert.article_id), (3, "zinc-3"))
            self.assertEqual(subscription.cursor, 3)

    def test_resubmitted_id_is_a_duplicate(self):
        articles = [Client.article("Copper", "copper", id="cu-1"),
                    Client.article("Copper", "copper", id="cu-1")]
        acks = list(self.client.submit_many(articles))
        self.assertEqual([a.duplicate for a in acks], [False, True])
        self.assertEqual(acks[0].sequence, acks[1].sequence)

    def test_bad_rule_is_refused_with_offset(self):
        result = self.client.validate_rule("Myanmar AND (sanctions")
        self.assertFalse(result.valid)
        self.assertGreater(result.error_offset, 0)
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.create_rule("x", "Myanmar AND (sanctions")
        self.assertEqual(caught.exception.code(),
                         grpc.StatusCode.INVALID_ARGUMENT)

    def test_title_must_be_str(self):
        with self.assertRaises(TypeError):
            self.client.submit(b"bytes", "body")

    def test_health_and_reflection_from_grpc_proto(self):
        self.assertEqual(self.client.health(), "SERVING")
        self.assertEqual(self.client.health("newswatch.v1.RuleService"),
                         "SERVING")
        channel = grpc.insecure_channel(self.daemon.address)
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
            timeout=WAIT)
        names = [s.name for r in responses
                 for s in r.list_services_response.service]
        channel.close()
        self.assertIn("newswatch.v1.IngestService", names)


class ReconnectTest(unittest.TestCase):

    def test_subscription_survives_a_daemon_restart(self):
        tmp = tempfile.mkdtemp(prefix="nw-python-client-")
        data = os.path.join(tmp, "data")
        daemon = Daemon(data)
        try:
            client = Client(daemon.address)
            client.create_rule("desk", "tin")
            client.submit("Tin", "tin", id="tin-1")
            subscription = client.subscribe("desk", max_backoff=0.5)
            alerts = collect(subscription)
            self.assertEqual(next_alert(alerts).cursor, 1)

            daemon.stop()
            daemon = Daemon(data, port=daemon.port)
            Client(daemon.address).submit("Tin", "tin", id="tin-2")
            alert = next_alert(alerts)
            self.assertEqual((alert.cursor, alert.article_id), (2, "tin-2"))
            self.assertGreaterEqual(subscription.reconnects, 1)
            subscription.close()
            client.close()
        finally:
            daemon.stop()
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main()
