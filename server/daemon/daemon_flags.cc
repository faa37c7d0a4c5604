#include "server/daemon/daemon_flags.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/marshalling.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "server/base/duration.h"
#include "server/base/status_macros.h"
#include "server/cluster/cluster_node.h"

namespace nw::daemon {
namespace {

const DaemonConfig kDefaults;

// A duration flag that takes what people write: "15s", "500ms", "12h",
// "7d" (base::ParseHumanDuration); "" and "0" are zero.
struct Duration {
  absl::Duration value;
};

bool AbslParseFlag(absl::string_view text, Duration* out, std::string* error) {
  if (text.empty() || text == "0") {
    out->value = absl::ZeroDuration();
    return true;
  }
  absl::StatusOr<absl::Duration> d =
      base::ParseHumanDuration(std::string(text));
  if (!d.ok()) {
    *error = std::string(d.status().message());
    return false;
  }
  out->value = *d;
  return true;
}

std::string AbslUnparseFlag(const Duration& d) {
  return absl::FormatDuration(d.value);
}

}  // namespace
}  // namespace nw::daemon

using nw::daemon::Duration;
using nw::daemon::kDefaults;
namespace cluster = nw::cluster;

ABSL_FLAG(std::string, config, "",
          "TOML file of settings whose keys are these flags' names (see "
          "deploy/newswatch.example.toml); flags given here override it");
ABSL_FLAG(std::string, listen, kDefaults.listen,
          "host:port to serve gRPC on (port 0: pick a free one)");
ABSL_FLAG(std::string, data_dir, kDefaults.data_dir,
          "RocksDB data folder (created if missing)");
ABSL_FLAG(bool, sync, kDefaults.sync,
          "sync the write-ahead log before acknowledging; --nosync trades "
          "durability on "
          "power loss for bulk-load speed");
ABSL_FLAG(int, ingest_stream_threads, kDefaults.ingest_stream_threads,
          "threads driving SubmitArticles streams");
ABSL_FLAG(int, reader_threads, kDefaults.reader_threads,
          "threads reading alert logs for catch-up");
ABSL_FLAG(int, match_threads, kDefaults.match_threads,
          "threads that analyze and match articles in parallel");
ABSL_FLAG(Duration, heartbeat_interval, {kDefaults.heartbeat_interval},
          "idle alert streams get a heartbeat this often (e.g. 15s, 500ms)");
ABSL_FLAG(Duration, retention, {kDefaults.retention},
          "delete articles and their alerts this long after ingest (e.g. 30d, "
          "12h); 0 or empty keeps everything");
ABSL_FLAG(int64_t, max_rules_per_subscriber,
          static_cast<int64_t>(kDefaults.max_rules_per_subscriber),
          "rules one subscriber may have");
ABSL_FLAG(int64_t, max_streams, static_cast<int64_t>(kDefaults.max_streams),
          "concurrent Subscribe streams (each idle one holds about 200 KB)");
ABSL_FLAG(int64_t, max_streams_per_subscriber,
          static_cast<int64_t>(kDefaults.max_streams_per_subscriber),
          "concurrent Subscribe streams of one subscriber");
ABSL_FLAG(int64_t, max_article_bytes,
          static_cast<int64_t>(kDefaults.limits.max_article_bytes),
          "largest accepted article, in bytes");
ABSL_FLAG(
    int64_t, min_free_disk_bytes, kDefaults.min_free_disk_bytes,
    "free space kept on the data dir's disk: below it writes are refused until "
    "space is freed (the daemon still starts below it; 0: off)");
ABSL_FLAG(Duration, keepalive_interval, {kDefaults.keepalive_interval},
          "HTTP/2 keepalive ping interval on idle connections, so dead peers "
          "are dropped");
ABSL_FLAG(std::string, tls_cert, kDefaults.tls_cert_file,
          "PEM server certificate chain; with --tls-key turns TLS on");
ABSL_FLAG(std::string, tls_key, kDefaults.tls_key_file,
          "PEM private key of --tls-cert");
ABSL_FLAG(std::string, tls_client_ca, kDefaults.tls_client_ca_file,
          "PEM CA bundle; clients must present a certificate it signed (mTLS)");
ABSL_FLAG(std::string, token_file, kDefaults.token_file,
          "bearer tokens and their roles; without it the daemon serves "
          "loopback only");
ABSL_FLAG(bool, insecure, kDefaults.insecure,
          "allow a non-loopback --listen without TLS and tokens (trusted "
          "networks only)");
ABSL_FLAG(
    std::string, metrics_listen, kDefaults.metrics_listen,
    "host:port serving Prometheus metrics at /metrics over HTTP; empty: off");
ABSL_FLAG(bool, allow_private_webhooks, kDefaults.allow_private_webhooks,
          "allow webhook URLs to loopback and private addresses (refused by "
          "default: server-side request forgery)");
ABSL_FLAG(Duration, delivery_retry_initial, {kDefaults.delivery_retry_initial},
          "first retry delay of a failed webhook/e-mail delivery (doubles)");
ABSL_FLAG(Duration, delivery_retry_max, {kDefaults.delivery_retry_max},
          "longest retry delay of a failed webhook/e-mail delivery");
ABSL_FLAG(Duration, webhook_pause_after, {kDefaults.webhook_pause_after},
          "a webhook failing this long without a success is paused");
ABSL_FLAG(Duration, webhook_timeout, {kDefaults.webhook_timeout},
          "a webhook POST not completed in this time fails");
ABSL_FLAG(Duration, delivery_poll_interval, {kDefaults.delivery_poll_interval},
          "how often idle webhooks look for new alerts");
ABSL_FLAG(std::string, delivery_ca_file, kDefaults.delivery_ca_file,
          "PEM CA bundle for HTTPS webhooks and SMTP STARTTLS (default: the "
          "system's roots)");
ABSL_FLAG(std::string, smtp_relay, kDefaults.smtp_relay,
          "host:port of the SMTP relay for alert e-mail; empty: no e-mail");
ABSL_FLAG(bool, smtp_starttls, kDefaults.smtp_starttls,
          "require STARTTLS with the SMTP relay");
ABSL_FLAG(std::string, smtp_user, kDefaults.smtp_user, "SMTP AUTH user name");
ABSL_FLAG(std::string, smtp_password_file, kDefaults.smtp_password_file,
          "file holding the SMTP AUTH password");
ABSL_FLAG(std::string, smtp_from, kDefaults.smtp_from,
          "From address of alert e-mails");
ABSL_FLAG(std::string, web_listen, kDefaults.web_listen,
          "host:port of the analyst web console (http://HOST:PORT/); off: "
          "none; port 0: pick a free one");
ABSL_FLAG(int64_t, web_max_streams,
          static_cast<int64_t>(kDefaults.web_max_streams),
          "live alert streams the web console serves at once");
ABSL_FLAG(std::string, log_level, kDefaults.log_level,
          "lowest log level: debug, info, warning, error");
ABSL_FLAG(std::string, log_format, kDefaults.log_format,
          "log line format: text or json (JSON Lines)");
// Cluster mode (README "Running a cluster").
ABSL_FLAG(std::string, cluster, "",
          "NATS servers (nats://h1:4222,nats://h2:4222,...): run as a node of "
          "a cluster on NATS JetStream; empty: single node (RocksDB)");
ABSL_FLAG(std::string, cluster_creds, kDefaults.cluster.creds_file,
          "NATS credentials file (.creds) for --cluster");
ABSL_FLAG(std::string, node_id, kDefaults.cluster.node_id,
          "this node's name in the cluster (default: the --listen address)");
ABSL_FLAG(std::string, role,
          std::string(cluster::RoleName(kDefaults.cluster.role)),
          "cluster role: all, gateway (serves the RPCs) or matcher (also "
          "owns rule partitions and writes alerts)");
ABSL_FLAG(int, partitions, kDefaults.cluster.partitions,
          "rule partitions, fixed when the cluster is created");
ABSL_FLAG(Duration, cluster_lease, {kDefaults.cluster.lease},
          "a matcher that stops renewing loses its partitions after this "
          "long (the takeover time after a crash)");
ABSL_FLAG(int, cluster_replicas, kDefaults.cluster.replicas,
          "replicas of the cluster's streams (0: 3 when 3 or more NATS "
          "servers are known, else 1)");

namespace nw::daemon {

absl::StatusOr<DaemonConfig> DaemonConfigFromFlags() {
  DaemonConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.sync = absl::GetFlag(FLAGS_sync);
  config.ingest_stream_threads = absl::GetFlag(FLAGS_ingest_stream_threads);
  config.reader_threads = absl::GetFlag(FLAGS_reader_threads);
  config.match_threads = absl::GetFlag(FLAGS_match_threads);
  config.heartbeat_interval = absl::GetFlag(FLAGS_heartbeat_interval).value;
  config.retention = absl::GetFlag(FLAGS_retention).value;
  config.max_rules_per_subscriber =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_rules_per_subscriber));
  config.max_streams = static_cast<size_t>(absl::GetFlag(FLAGS_max_streams));
  config.max_streams_per_subscriber =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_streams_per_subscriber));
  config.limits.max_article_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_article_bytes));
  config.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval).value;
  config.min_free_disk_bytes = absl::GetFlag(FLAGS_min_free_disk_bytes);
  config.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  config.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  config.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  config.token_file = absl::GetFlag(FLAGS_token_file);
  config.insecure = absl::GetFlag(FLAGS_insecure);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.allow_private_webhooks = absl::GetFlag(FLAGS_allow_private_webhooks);
  config.delivery_retry_initial =
      absl::GetFlag(FLAGS_delivery_retry_initial).value;
  config.delivery_retry_max = absl::GetFlag(FLAGS_delivery_retry_max).value;
  config.webhook_pause_after = absl::GetFlag(FLAGS_webhook_pause_after).value;
  config.webhook_timeout = absl::GetFlag(FLAGS_webhook_timeout).value;
  config.delivery_poll_interval =
      absl::GetFlag(FLAGS_delivery_poll_interval).value;
  config.delivery_ca_file = absl::GetFlag(FLAGS_delivery_ca_file);
  config.smtp_relay = absl::GetFlag(FLAGS_smtp_relay);
  config.smtp_starttls = absl::GetFlag(FLAGS_smtp_starttls);
  config.smtp_user = absl::GetFlag(FLAGS_smtp_user);
  config.smtp_password_file = absl::GetFlag(FLAGS_smtp_password_file);
  config.smtp_from = absl::GetFlag(FLAGS_smtp_from);
  config.web_listen = absl::GetFlag(FLAGS_web_listen);
  config.web_max_streams = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_web_max_streams)));
  config.log_level = absl::GetFlag(FLAGS_log_level);
  config.log_format = absl::GetFlag(FLAGS_log_format);
  if (const std::string servers = absl::GetFlag(FLAGS_cluster);
      !servers.empty()) {
    config.cluster.servers =
        absl::StrSplit(servers, ',', absl::SkipWhitespace());
    config.cluster.creds_file = absl::GetFlag(FLAGS_cluster_creds);
    config.cluster.node_id = absl::GetFlag(FLAGS_node_id);
    NW_ASSIGN_OR_RETURN(cluster::Role role,
                        cluster::ParseRole(absl::GetFlag(FLAGS_role)));
    config.cluster.role = role;
    config.cluster.partitions = absl::GetFlag(FLAGS_partitions);
    config.cluster.lease = absl::GetFlag(FLAGS_cluster_lease).value;
    config.cluster.replicas = absl::GetFlag(FLAGS_cluster_replicas);
  }

  return config;
}

bool IsDaemonFlagsFile(absl::string_view file) {
  return absl::EndsWith(file, "server/daemon/daemon_flags.cc");
}

absl::flat_hash_set<std::string> DaemonSettings() {
  absl::flat_hash_set<std::string> names;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsDaemonFlagsFile(flag->Filename()) && name != "config") {
      names.insert(std::string(name));
    }
  }
  return names;
}

}  // namespace nw::daemon
