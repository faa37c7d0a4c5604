#include "server/daemon/config_check.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/auth/listen_policy.h"
#include "server/base/status_macros.h"

namespace nw::daemon {
namespace {

absl::Status CheckListen(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:") ||
      absl::StartsWith(listen, "unix-abstract:")) {
    return absl::OkStatus();
  }
  const size_t colon = listen.rfind(':');
  const std::string what = absl::StrCat("--listen ", listen, ": ");
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, "give HOST:PORT, e.g. 127.0.0.1:7373 (port 0 picks a free one)"));
  }
  int port = -1;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "the port must be 0..65535 (0 picks a free one)"));
  }
  return absl::OkStatus();
}

absl::Status CheckThreads(const char* flag, int threads) {
  if (threads >= 1 && threads <= 256) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " ", threads, ": must be 1..256 threads"));
}

}  // namespace

bool WebConsoleOn(const DaemonConfig& config) {
  return !config.web_listen.empty() && config.web_listen != "off";
}

namespace {

// The console is plain HTTP: off loopback a token (in its cookie) would
// cross the network in clear text, and without tokens anyone could use it.
absl::Status CheckWebListen(const DaemonConfig& config) {
  if (!WebConsoleOn(config)) return absl::OkStatus();
  const std::string& listen = config.web_listen;
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || absl::StartsWith(listen, "[") ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web-listen ", listen,
        ": give IPv4-HOST:PORT (port 0..65535), e.g. 127.0.0.1:7380, or off"));
  }
  const auth::ListenScope scope = auth::ClassifyListen(listen);
  if (scope == auth::ListenScope::kLocalhost ||
      scope == auth::ListenScope::kOtherLoopback) {
    return absl::OkStatus();
  }
  if (config.insecure && config.token_file.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "--web-listen ", listen,
      ": the web console serves plain HTTP, so it stays on 127.0.0.1 (reach "
      "it through an SSH tunnel or a TLS proxy); only --insecure without "
      "--token-file allows another address"));
}

}  // namespace

absl::Status CheckDaemonConfig(const DaemonConfig& config) {
  NW_RETURN_IF_ERROR(CheckListen(config.listen));
  NW_RETURN_IF_ERROR(CheckThreads("match-threads", config.match_threads));
  if (absl::Status s =
          CheckThreads("ingest-stream-threads", config.ingest_stream_threads);
      !s.ok()) {
    return s;
  }
  NW_RETURN_IF_ERROR(CheckThreads("reader-threads", config.reader_threads));
  const size_t article = config.limits.max_article_bytes;
  if (article == 0 || article > kMaxArticleBytesLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-article-bytes ", static_cast<int64_t>(article),
                     ": must be 1..", kMaxArticleBytesLimit, " bytes"));
  }
  // 0 is allowed: it refuses every stream / rule (e.g. an ingest-only node).
  if (config.max_streams > (size_t{1} << 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-streams ", static_cast<int64_t>(config.max_streams),
                     ": must be 0..2^30"));
  }
  if (config.max_streams_per_subscriber > (size_t{1} << 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-streams-per-subscriber ",
                     static_cast<int64_t>(config.max_streams_per_subscriber),
                     ": must be 0..2^30"));
  }
  if (config.max_rules_per_subscriber > (size_t{1} << 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-rules-per-subscriber ",
                     static_cast<int64_t>(config.max_rules_per_subscriber),
                     ": must be 0..2^30"));
  }
  if (config.min_free_disk_bytes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--min-free-disk-bytes ", config.min_free_disk_bytes,
                     ": must be 0 (off) or more"));
  }
  if (config.heartbeat_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--heartbeat-interval: must be positive, e.g. 15s");
  }
  if (config.keepalive_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "--keepalive-interval: must be at least 1s, e.g. 60s");
  }
  NW_RETURN_IF_ERROR(CheckWebListen(config));
  if (config.web_max_streams < 1 || config.web_max_streams > 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web-max-streams ", static_cast<int64_t>(config.web_max_streams),
        ": must be 1..1024 (each holds a thread)"));
  }
  if (config.retention < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--retention: must be positive (empty: keep everything)");
  }
  for (const auto& [flag, value] :
       {std::pair{"delivery-retry-initial", config.delivery_retry_initial},
        std::pair{"delivery-retry-max", config.delivery_retry_max},
        std::pair{"webhook-pause-after", config.webhook_pause_after},
        std::pair{"webhook-timeout", config.webhook_timeout},
        std::pair{"delivery-poll-interval", config.delivery_poll_interval}}) {
    if (value < absl::Milliseconds(1) || value > absl::Hours(24 * 365)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": must be 1ms..365d, e.g. 10s"));
    }
  }
  if (config.delivery_retry_max < config.delivery_retry_initial) {
    return absl::InvalidArgumentError(
        "--delivery-retry-max: must be at least --delivery-retry-initial");
  }
  if (!config.smtp_relay.empty() &&
      config.smtp_relay.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp-relay ", config.smtp_relay,
                     ": give HOST:PORT, e.g. smtp.example.com:587"));
  }
  if (config.smtp_user.empty() != config.smtp_password_file.empty()) {
    return absl::InvalidArgumentError(
        "--smtp-user and --smtp-password-file go together");
  }
  return absl::OkStatus();
}

size_t MaxMessageBytes(const DaemonConfig& config) {
  return std::max<size_t>(size_t{16} << 20,
                          2 * config.limits.max_article_bytes + (64 << 10));
}

}  // namespace nw::daemon
