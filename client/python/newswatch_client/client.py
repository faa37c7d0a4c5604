"""A thin client over newswatchd's gRPC API.

Client wraps the generated stubs (newswatch.v1.*_pb2_grpc) so that a caller
passes str where the wire has bytes (article title and body are UTF-8), gets
the bearer token and TLS set up once, and can follow a subscriber's alerts
across daemon restarts without a gap or a duplicate (Subscription).

Errors are the grpc.RpcError of the failed call (e.code(), e.details()), as
with the raw stubs; TypeError for a title or body that is not str.
"""

import datetime
import os
import random
import threading
import time

import grpc
from google.protobuf import timestamp_pb2

from newswatch.v1 import admin_service_pb2
from newswatch.v1 import admin_service_pb2_grpc
from newswatch.v1 import alert_service_pb2
from newswatch.v1 import alert_service_pb2_grpc
from newswatch.v1 import article_pb2
from newswatch.v1 import article_service_pb2
from newswatch.v1 import article_service_pb2_grpc
from newswatch.v1 import ingest_service_pb2
from newswatch.v1 import ingest_service_pb2_grpc
from newswatch.v1 import rule_pb2
from newswatch.v1 import rule_service_pb2
from newswatch.v1 import rule_service_pb2_grpc
from grpc_health.v1 import health_pb2
from grpc_health.v1 import health_pb2_grpc

DEFAULT_SERVER = "127.0.0.1:7373"

# Codes a reconnect may fix; any other error ends a Subscription.
_RETRYABLE = frozenset({
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.CANCELLED,
})


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _text(value, name):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    return value.encode("utf-8")


def _timestamp(value):
    """A datetime (naive means UTC) as a protobuf Timestamp."""
    ts = timestamp_pb2.Timestamp()
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    ts.FromDatetime(value)
    return ts


class Client:
    """newswatchd's services over one channel.

    server: "host:port". token: bearer token (default: $NEWSWATCH_TOKEN).
    tls_ca / tls_cert / tls_key: PEM files (any of them, or tls=True for the
    system's roots, turns TLS on). timeout: seconds per unary call.
    Thread-safe; use as a context manager or call close().
    """

    def __init__(self, server=DEFAULT_SERVER, *, token=None, tls=False,
                 tls_ca=None, tls_cert=None, tls_key=None, timeout=30.0):
        if token is None:
            token = os.environ.get("NEWSWATCH_TOKEN") or None
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._timeout = timeout
        # A connection of its own (not gRPC's process-wide pool, which could
        # hand over one to a daemon that just died), retried within 100 ms
        # to 5 s rather than gRPC's default of up to 2 minutes.
        options = [("grpc.use_local_subchannel_pool", 1),
                   ("grpc.initial_reconnect_backoff_ms", 100),
                   ("grpc.min_reconnect_backoff_ms", 100),
                   ("grpc.max_reconnect_backoff_ms", 5000)]
        if tls or tls_ca or tls_cert or tls_key:
            if bool(tls_cert) != bool(tls_key):
                raise ValueError("a client certificate needs tls_cert and tls_key")
            credentials = grpc.ssl_channel_credentials(
                root_certificates=_read(tls_ca) if tls_ca else None,
                private_key=_read(tls_key) if tls_key else None,
                certificate_chain=_read(tls_cert) if tls_cert else None)
            self._channel = grpc.secure_channel(server, credentials, options)
        else:
            self._channel = grpc.insecure_channel(server, options)
        self.server = server
        self._ingest = ingest_service_pb2_grpc.IngestServiceStub(self._channel)
        self._articles = article_service_pb2_grpc.ArticleServiceStub(self._channel)
        self._rules = rule_service_pb2_grpc.RuleServiceStub(self._channel)
        self._alerts = alert_service_pb2_grpc.AlertServiceStub(self._channel)
        self._admin = admin_service_pb2_grpc.AdminServiceStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _unary(self, method, request):
        return method(request, timeout=self._timeout, metadata=self._metadata)

    # --- articles ---

    @staticmethod
    def article(title, body, *, id="", source="", url="", lang="", tags=(),
                published=None):
        """A newswatch.v1.Article from str title and body (sent as UTF-8).

        published: a datetime (naive is read as UTC) or None. An empty id
        lets the daemon assign one.
        """
        article = article_pb2.Article(
            id=id, source=source, title=_text(title, "title"),
            body=_text(body, "body"), url=url, lang=lang, tags=list(tags))
        if published is not None:
            article.published_at.CopyFrom(_timestamp(published))
        return article

    def submit(self, title, body, **fields):
        """Stores one article; returns its ArticleAck (article_id, sequence,
        duplicate, alerts). fields: as for article()."""
        request = ingest_service_pb2.SubmitArticleRequest(
            article=self.article(title, body, **fields))
        return self._unary(self._ingest.SubmitArticle, request)

    def submit_many(self, articles):
        """Streams Articles (see article()) on one SubmitArticles call; yields
        one ArticleAck per article, in order. A refused article's ack has
        error_code and error_message set; the stream goes on."""
        requests = (ingest_service_pb2.SubmitArticleRequest(article=a)
                    for a in articles)
        yield from self._ingest.SubmitArticles(requests, metadata=self._metadata)

    def get_article(self, article_id):
        """The stored Article (title and body are bytes: .decode())."""
        return self._unary(self._articles.GetArticle,
                           article_service_pb2.GetArticleRequest(id=article_id))

    # --- watch rules ---

    def create_rule(self, subscriber, query, *, label="", rule_id="",
                    backfill_since=None):
        """Adds a watch rule; returns the stored WatchRule (id, canonical).
        backfill_since: a datetime; the rule is also matched against the
        articles stored since then (backfilled_alerts says how many).
        INVALID_ARGUMENT for a bad query, with the byte offset."""
        request = rule_service_pb2.CreateRuleRequest(
            rule=rule_pb2.WatchRule(id=rule_id, subscriber=subscriber,
                                    query=query, label=label))
        if backfill_since is not None:
            request.backfill_since.CopyFrom(_timestamp(backfill_since))
        return self._unary(self._rules.CreateRule, request)

    def get_rule(self, rule_id):
        return self._unary(self._rules.GetRule,
                           rule_service_pb2.GetRuleRequest(id=rule_id))

    def list_rules(self, subscriber=""):
        """Rules sorted by subscriber then id; every subscriber's when ""."""
        response = self._unary(
            self._rules.ListRules,
            rule_service_pb2.ListRulesRequest(subscriber=subscriber))
        return list(response.rules)

    def delete_rule(self, rule_id):
        self._unary(self._rules.DeleteRule,
                    rule_service_pb2.DeleteRuleRequest(id=rule_id))

    def validate_rule(self, query):
        """ValidateRuleResponse: valid and canonical, or error and
        error_offset (bytes)."""
        return self._unary(self._rules.ValidateRule,
                           rule_service_pb2.ValidateRuleRequest(query=query))

    # --- alerts ---

    def subscribe(self, subscriber, *, after=0, live_only=False,
                  reconnect=True, max_backoff=5.0):
        """A Subscription: iterate it for the subscriber's Alerts after
        cursor `after`, then live ones as they come."""
        return Subscription(self, subscriber, after=after, live_only=live_only,
                            reconnect=reconnect, max_backoff=max_backoff)

    # --- operations ---

    def health(self, service=""):
        """The grpc.health.v1 status name, e.g. "SERVING" (no token needed)."""
        response = self._health.Check(
            health_pb2.HealthCheckRequest(service=service),
            timeout=self._timeout)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)

    def create_checkpoint(self, directory):
        """Online backup into `directory` on the daemon's host (admin)."""
        return self._unary(
            self._admin.CreateCheckpoint,
            admin_service_pb2.CreateCheckpointRequest(directory=directory))


class Subscription:
    """A subscriber's alerts, resumable by cursor.

    Iterating yields newswatch.v1.Alert in cursor order (heartbeats are
    skipped, batches unpacked). `cursor` is the cursor of the last alert
    yielded; when the stream breaks with a retryable error (daemon restarted,
    UNAVAILABLE) and reconnect is on, it reconnects with backoff (0.1 s
    doubling to max_backoff) and resumes after `cursor`: no alert is skipped
    or yielded twice. Save `cursor` to resume in a later run with
    subscribe(after=saved). close() (from any thread) ends the iteration.
    """

    def __init__(self, client, subscriber, *, after, live_only, reconnect,
                 max_backoff):
        self._client = client
        self.subscriber = subscriber
        self.cursor = after
        self._live_only = live_only
        self._reconnect = reconnect
        self._max_backoff = max_backoff
        self._lock = threading.Lock()
        self._call = None
        self._closed = False
        self.reconnects = 0

    def close(self):
        with self._lock:
            self._closed = True
            if self._call is not None:
                self._call.cancel()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _open(self):
        request = alert_service_pb2.SubscribeRequest(
            subscriber=self.subscriber, from_cursor=self.cursor,
            live_only=self._live_only, max_batch=256)
        with self._lock:
            if self._closed:
                return None
            self._call = self._client._alerts.Subscribe(
                request, metadata=self._client._metadata)
            return self._call

    def __iter__(self):
        backoff = 0.1
        while True:
            call = self._open()
            if call is None:
                return
            try:
                for response in call:
                    kind = response.WhichOneof("kind")
                    if kind == "alert":
                        alerts = [response.alert]
                    elif kind == "batch":
                        alerts = response.batch.alerts
                    else:
                        alerts = []
                    self._live_only = False  # the stream is open: by cursor
                    backoff = 0.1
                    for alert in alerts:
                        if alert.cursor <= self.cursor:
                            continue  # already yielded before a reconnect
                        self.cursor = alert.cursor
                        yield alert
                if self._closed:
                    return
            except grpc.RpcError as e:
                if self._closed:
                    return
                if not self._reconnect or e.code() not in _RETRYABLE:
                    raise
            if not self._reconnect:
                return
            self.reconnects += 1
            time.sleep(backoff * random.uniform(0.8, 1.2))
            backoff = min(backoff * 2, self._max_backoff)
