// File: server/daemon/daemon_config.h
#ifndef NW_SERVER_DAEMON_DAEMON_CONFIG_H_
#define NW_SERVER_DAEMON_DAEMON_CONFIG_H_

#include <string>

#include "absl/time/time.h"
#include "server/cluster/cluster_options.h"
#include "server/ingest/article_validation.h"

namespace nw::daemon {

struct DaemonConfig {
  // host:port to serve gRPC on; port 0 picks a free port (see Daemon::port).
  // Default: 127.0.0.1:7373.
  std::string listen = "127.0.0.1:7373";
  // RocksDB folder; created when missing. Default: ./newswatch-data.
  std::string data_dir = "./newswatch-data";
  // Sync the WAL before acknowledging an article or a rule change.
  // Default: true (an acknowledged article survives power loss).
  bool sync = true;
  // Threads that drive SubmitArticles streams; each mostly waits for its
  // batch's commit, so more than cores lets streams share WAL syncs.
  // Default: 4.
  int ingest_stream_threads = 4;
  // Threads that read alert logs for streams that replay or catch up.
  // Default: 2.
  int reader_threads = 2;
  // Threads that analyze and match articles of a batch in parallel.
  // Default: 2 (one per core of the machines we run on).
  int match_threads = 2;
  // An idle alert stream gets a heartbeat this often. Default: 15 s.
  absl::Duration heartbeat_interval = absl::Seconds(15);
  // Articles, and the alerts about them, are deleted this long after ingest.
  // Default: zero, keep everything.
  absl::Duration retention = absl::ZeroDuration();
  // How often retention runs (it also runs at start). Default: 60 s.
  absl::Duration retention_check_interval = absl::Seconds(60);
  ingest::ArticleLimits limits;
  // Rules per subscriber. Default: 10,000.
  size_t max_rules_per_subscriber = 10000;
  // Concurrent Subscribe streams. An idle stream holds about 200 KB (gRPC
  // buffers, queue), so this bounds their memory. Default: 4,096 (~0.8 GB).
  size_t max_streams = 4096;
  // Concurrent Subscribe streams of one subscriber, so one analyst (or a
  // leaked token) cannot take them all. Default: 64.
  size_t max_streams_per_subscriber = 64;
  // Free disk space kept where the data dir is: writes are refused below it
  // (storage/disk_space.h). 0: off. Default: 64 MiB.
  int64_t min_free_disk_bytes = int64_t{64} << 20;
  // HTTP/2 keepalive pings on idle connections, so dead peers are noticed.
  // Default: 60 s.
  absl::Duration keepalive_interval = absl::Seconds(60);

  // --- Security (issue 6). Paths are PEM files; empty means off.
  // Server certificate chain and private key: both set turns TLS on.
  std::string tls_cert_file;
  std::string tls_key_file;
  // CA bundle that client certificates must chain to; set requires and
  // verifies client certificates (mTLS). Needs tls_cert_file/tls_key_file.
  std::string tls_client_ca_file;
  // Bearer tokens and their roles (format: deploy/newswatch.tokens.example).
  // Empty: no authentication, and the daemon listens on loopback only.
  std::string token_file;
  // Allows a non-loopback listen address without TLS and tokens.
  bool insecure = false;

  // --- Delivery by webhook and e-mail (issue 14, server/delivery/).
  // Webhook URLs may point to loopback and private addresses (tests, a
  // receiver on the same host). Default: false (server-side request
  // forgery).
  bool allow_private_webhooks = false;
  // Retry backoff of failed webhook/e-mail deliveries: from `retry_initial`,
  // doubling, up to `retry_max`, with jitter. Defaults: 1 s, 5 min.
  absl::Duration delivery_retry_initial = absl::Seconds(1);
  absl::Duration delivery_retry_max = absl::Minutes(5);
  // A webhook failing without a success for this long is paused.
  // Default: 24 h.
  absl::Duration webhook_pause_after = absl::Hours(24);
  // A webhook POST not completed in this time fails. Default: 10 s.
  absl::Duration webhook_timeout = absl::Seconds(10);
  // How often idle webhooks look for new alerts. Default: 200 ms.
  absl::Duration delivery_poll_interval = absl::Milliseconds(200);
  // PEM CA bundle for HTTPS webhooks and the SMTP relay's STARTTLS; empty:
  // the system's roots.
  std::string delivery_ca_file;
  // host:port of the SMTP relay; empty: no e-mail delivery.
  std::string smtp_relay;
  // Require STARTTLS with the relay. Default: false.
  bool smtp_starttls = false;
  // AUTH user; the password is read from smtp_password_file (never a flag
  // value, so it is not in `ps`).
  std::string smtp_user;
  std::string smtp_password_file;
  // From address of alert e-mails. Default: newswatch@localhost.
  std::string smtp_from = "newswatch@localhost";
  // --- Web console (server/web).
  // host:port of the analyst web console over HTTP; "off" (or empty): none;
  // port 0 picks a free one (see Daemon::web_port). Default: 127.0.0.1:7380.
  std::string web_listen = "127.0.0.1:7380";
  // Concurrent alert streams of the console. Default: 32.
  size_t web_max_streams = 32;

  // --- Observability.
  // host:port for the Prometheus /metrics endpoint over HTTP; empty: off.
  std::string metrics_listen;
  // Lowest log level written to stderr: debug, info, warning, error.
  std::string log_level = "info";
  // "text" (one human-readable line per event) or "json" (JSON Lines).
  std::string log_format = "text";

  // --- Cluster mode (server/cluster). cluster.servers empty: single node.
  // In cluster mode articles, rules and alerts live in NATS JetStream; the
  // data dir still holds this node's (unused) local database.
  cluster::ClusterOptions cluster;
};

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_DAEMON_CONFIG_H_
