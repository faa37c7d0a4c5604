// newswatchd: the newswatch daemon. Flags -> DaemonConfig -> Daemon; then
// waits for SIGINT/SIGTERM and shuts down cleanly; SIGHUP reloads the token
// file.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "server/base/build_info.h"
#include "server/base/duration.h"
#include "server/config/config_file.h"
#include "server/daemon/daemon.h"

ABSL_FLAG(std::string, config, "",
          "TOML file of settings whose keys are these flags' names (see "
          "deploy/newswatch.example.toml); flags given here override it");
ABSL_FLAG(std::string, listen, "127.0.0.1:7373",
          "host:port to serve gRPC on (port 0: pick a free one)");
ABSL_FLAG(std::string, data_dir, "./newswatch-data",
          "RocksDB data folder (created if missing)");
ABSL_FLAG(bool, sync, true,
          "sync the write-ahead log before acknowledging; --nosync trades "
          "durability on "
          "power loss for bulk-load speed");
ABSL_FLAG(int, ingest_stream_threads, 4,
          "threads driving SubmitArticles streams");
ABSL_FLAG(int, reader_threads, 2, "threads reading alert logs for catch-up");
ABSL_FLAG(int, match_threads, 2,
          "threads that analyze and match articles in parallel");
ABSL_FLAG(absl::Duration, heartbeat_interval, absl::Seconds(15),
          "idle alert streams get a heartbeat this often (e.g. 15s, 500ms)");
ABSL_FLAG(
    std::string, retention, "",
    "delete articles and their alerts this long after ingest (e.g. 30d, 12h); "
    "empty keeps everything");
ABSL_FLAG(int64_t, max_rules_per_subscriber, 10000,
          "rules one subscriber may have");
ABSL_FLAG(int64_t, max_streams, 4096,
          "concurrent Subscribe streams (each idle one holds about 200 KB)");
ABSL_FLAG(int64_t, max_streams_per_subscriber, 64,
          "concurrent Subscribe streams of one subscriber");
ABSL_FLAG(int64_t, max_article_bytes, 1 << 20,
          "largest accepted article, in bytes");
ABSL_FLAG(
    int64_t, min_free_disk_bytes, int64_t{64} << 20,
    "free space kept on the data dir's disk: below it writes are refused until "
    "space is freed (the daemon still starts below it; 0: off)");
ABSL_FLAG(absl::Duration, keepalive_interval, absl::Seconds(60),
          "HTTP/2 keepalive ping interval on idle connections, so dead peers "
          "are dropped");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM server certificate chain; with --tls-key turns TLS on");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; clients must present a certificate it signed (mTLS)");
ABSL_FLAG(std::string, token_file, "",
          "bearer tokens and their roles; without it the daemon serves "
          "loopback only");
ABSL_FLAG(bool, insecure, false,
          "allow a non-loopback --listen without TLS and tokens (trusted "
          "networks only)");
ABSL_FLAG(
    std::string, metrics_listen, "",
    "host:port serving Prometheus metrics at /metrics over HTTP; empty: off");
ABSL_FLAG(bool, allow_private_webhooks, false,
          "allow webhook URLs to loopback and private addresses (refused by "
          "default: server-side request forgery)");
ABSL_FLAG(absl::Duration, delivery_retry_initial, absl::Seconds(1),
          "first retry delay of a failed webhook/e-mail delivery (doubles)");
ABSL_FLAG(absl::Duration, delivery_retry_max, absl::Minutes(5),
          "longest retry delay of a failed webhook/e-mail delivery");
ABSL_FLAG(absl::Duration, webhook_pause_after, absl::Hours(24),
          "a webhook failing this long without a success is paused");
ABSL_FLAG(absl::Duration, webhook_timeout, absl::Seconds(10),
          "a webhook POST not completed in this time fails");
ABSL_FLAG(absl::Duration, delivery_poll_interval, absl::Milliseconds(200),
          "how often idle webhooks look for new alerts");
ABSL_FLAG(std::string, delivery_ca_file, "",
          "PEM CA bundle for HTTPS webhooks and SMTP STARTTLS (default: the "
          "system's roots)");
ABSL_FLAG(std::string, smtp_relay, "",
          "host:port of the SMTP relay for alert e-mail; empty: no e-mail");
ABSL_FLAG(bool, smtp_starttls, false, "require STARTTLS with the SMTP relay");
ABSL_FLAG(std::string, smtp_user, "", "SMTP AUTH user name");
ABSL_FLAG(std::string, smtp_password_file, "",
          "file holding the SMTP AUTH password");
ABSL_FLAG(std::string, smtp_from, "newswatch@localhost",
          "From address of alert e-mails");
ABSL_FLAG(std::string, web_listen, "127.0.0.1:7380",
          "host:port of the analyst web console (http://HOST:PORT/); off: "
          "none; port 0: pick a free one");
ABSL_FLAG(int64_t, web_max_streams, 32,
          "live alert streams the web console serves at once");
ABSL_FLAG(std::string, log_level, "info",
          "lowest log level: debug, info, warning, error");
ABSL_FLAG(std::string, log_format, "text",
          "log line format: text or json (JSON Lines)");
// Cluster mode (README "Running a cluster").
ABSL_FLAG(std::string, cluster, "",
          "NATS servers (nats://h1:4222,nats://h2:4222,...): run as a node of "
          "a cluster on NATS JetStream; empty: single node (RocksDB)");
ABSL_FLAG(std::string, cluster_creds, "",
          "NATS credentials file (.creds) for --cluster");
ABSL_FLAG(std::string, node_id, "",
          "this node's name in the cluster (default: the --listen address)");
ABSL_FLAG(std::string, role, "all",
          "cluster role: all, gateway (serves the RPCs) or matcher (also "
          "owns rule partitions and writes alerts)");
ABSL_FLAG(int, partitions, 16,
          "rule partitions, fixed when the cluster is created");
ABSL_FLAG(absl::Duration, cluster_lease, absl::Seconds(10),
          "a matcher that stops renewing loses its partitions after this "
          "long (the takeover time after a crash)");
ABSL_FLAG(int, cluster_replicas, 0,
          "replicas of the cluster's streams (0: 3 when 3 or more NATS "
          "servers are known, else 1)");

// Accepts --data-dir as well as absl's --data_dir: flag names are rewritten
// from dashes to underscores before parsing.
std::vector<char*> NormalizeFlagNames(int argc, char** argv,
                                      std::vector<std::string>& storage) {
  storage.assign(argv, argv + argc);
  for (std::string& arg : storage) {
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + end, '-', '_');
  }
  std::vector<char*> out;
  for (std::string& arg : storage) out.push_back(arg.data());
  return out;
}

// The flags of this file, minus --config itself: what a config file may set.
absl::flat_hash_set<std::string> DaemonSettings() {
  absl::flat_hash_set<std::string> names;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::EndsWith(flag->Filename(), "server/main.cc") &&
        name != "config") {
      names.insert(std::string(name));
    }
  }
  return names;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "stores articles, matches watch rules, streams alerts.\n"
      "Every flag can also be set in a TOML file given with --config "
      "(deploy/newswatch.example.toml).");
  // --help lists this file's flags (absl's default looks for a file named
  // after the program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  // --version: version, build type, commit.
  usage.version_string = [] {
    return nw::base::VersionLine("newswatchd") + "\n";
  };
  // --help names files from the repository root, not the build machine's
  // checkout ("Flags from server/main.cc").
  usage.normalize_filename = [](absl::string_view file) {
    const size_t at = file.rfind("server/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at));
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<std::string> arg_storage;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, arg_storage);
  // The config file first, so that flags on the command line override it.
  if (const std::string path = nw::config::FindFlagValue(
          static_cast<int>(args.size()), args.data(), "config");
      !path.empty()) {
    if (absl::Status s = nw::config::ApplyConfigFile(path, DaemonSettings());
        !s.ok()) {
      std::cerr << "newswatchd: --config: " << s.message() << "\n";
      return 2;
    }
  }
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  // Block the signals before any thread starts, then wait for them here:
  // SIGINT/SIGTERM stop, SIGHUP reloads the token file.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  nw::daemon::DaemonConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.sync = absl::GetFlag(FLAGS_sync);
  config.ingest_stream_threads = absl::GetFlag(FLAGS_ingest_stream_threads);
  config.reader_threads = absl::GetFlag(FLAGS_reader_threads);
  config.match_threads = absl::GetFlag(FLAGS_match_threads);
  config.heartbeat_interval = absl::GetFlag(FLAGS_heartbeat_interval);
  if (const std::string retention = absl::GetFlag(FLAGS_retention);
      !retention.empty()) {
    absl::StatusOr<absl::Duration> d = nw::base::ParseHumanDuration(retention);
    if (!d.ok()) {
      std::cerr << "newswatchd: --retention: " << d.status().message() << "\n";
      return 2;
    }
    if (*d <= absl::ZeroDuration()) {
      std::cerr << "newswatchd: --retention: must be positive, e.g. 30d (leave "
                   "it empty to keep "
                   "everything)\n";
      return 2;
    }
    config.retention = *d;
  }
  config.max_rules_per_subscriber =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_rules_per_subscriber));
  config.max_streams = static_cast<size_t>(absl::GetFlag(FLAGS_max_streams));
  config.max_streams_per_subscriber =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_streams_per_subscriber));
  config.limits.max_article_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_article_bytes));
  config.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval);
  config.min_free_disk_bytes = absl::GetFlag(FLAGS_min_free_disk_bytes);
  config.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  config.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  config.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  config.token_file = absl::GetFlag(FLAGS_token_file);
  config.insecure = absl::GetFlag(FLAGS_insecure);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.allow_private_webhooks = absl::GetFlag(FLAGS_allow_private_webhooks);
  config.delivery_retry_initial = absl::GetFlag(FLAGS_delivery_retry_initial);
  config.delivery_retry_max = absl::GetFlag(FLAGS_delivery_retry_max);
  config.webhook_pause_after = absl::GetFlag(FLAGS_webhook_pause_after);
  config.webhook_timeout = absl::GetFlag(FLAGS_webhook_timeout);
  config.delivery_poll_interval = absl::GetFlag(FLAGS_delivery_poll_interval);
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
    absl::StatusOr<nw::cluster::Role> role =
        nw::cluster::ParseRole(absl::GetFlag(FLAGS_role));
    if (!role.ok()) {
      std::cerr << "newswatchd: " << role.status().message() << "\n";
      return 2;
    }
    config.cluster.role = *role;
    config.cluster.partitions = absl::GetFlag(FLAGS_partitions);
    config.cluster.lease = absl::GetFlag(FLAGS_cluster_lease);
    config.cluster.replicas = absl::GetFlag(FLAGS_cluster_replicas);
  }

  absl::StatusOr<std::unique_ptr<nw::daemon::Daemon>> daemon =
      nw::daemon::Daemon::Start(config);
  if (!daemon.ok()) {
    std::cerr << "newswatchd: cannot start: " << daemon.status() << "\n";
    return 1;
  }
  const std::string host = config.listen.substr(0, config.listen.rfind(':'));
  // Tests and scripts read this line to learn the port.
  std::cout << "newswatchd listening on " << host << ":" << (*daemon)->port()
            << " (data dir " << config.data_dir << ", "
            << (*daemon)->rule_count() << " rules)" << std::endl;
  if ((*daemon)->web_port() != 0) {
    // Tests read this line to learn the console's port.
    const std::string web_host =
        config.web_listen.substr(0, config.web_listen.rfind(':'));
    std::cout << "newswatchd web console at http://"
              << (web_host == "0.0.0.0" || web_host.empty() ? "127.0.0.1"
                                                            : web_host)
              << ":" << (*daemon)->web_port() << "/" << std::endl;
  }

  int signal = 0;
  while (sigwait(&stop_signals, &signal) == 0 && signal == SIGHUP) {
    absl::StatusOr<size_t> tokens = (*daemon)->ReloadTokens();
    if (tokens.ok()) {
      std::cout << "newswatchd: SIGHUP, token file reloaded (" << *tokens
                << " tokens)" << std::endl;
    } else {
      std::cerr << "newswatchd: SIGHUP, token file not reloaded: "
                << tokens.status().message() << std::endl;
    }
  }
  std::cout << "newswatchd: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ", shutting down" << std::endl;
  (*daemon)->Shutdown();
  daemon->reset();
  std::cout << "newswatchd: stopped" << std::endl;
  return 0;
}
