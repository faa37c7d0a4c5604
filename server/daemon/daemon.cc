#include "server/daemon/daemon.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/base/log.h"
#include "server/base/read_file.h"
#include "server/base/status_macros.h"
#include "server/catalog/anchor_costs.h"
#include "server/daemon/config_check.h"
#include "server/daemon/start_checks.h"
#include "storage/retention.h"

namespace nw::daemon {

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(
    const DaemonConfig& config) {
  if (absl::Status s = CheckDaemonConfig(config); !s.ok()) return s;
  auto d = std::unique_ptr<Daemon>(new Daemon());
  // The log first: everything after may log, and a bad setting stops here.
  absl::StatusOr<std::unique_ptr<Observability>> obs =
      Observability::Create(config);
  if (!obs.ok()) return obs.status();
  d->obs_ = *std::move(obs);
  // Security settings first: a bad one must not touch the data dir.
  absl::StatusOr<ServerSecurity> security =
      BuildServerSecurity(config, &d->obs_->registry());
  if (!security.ok()) return security.status();
  d->security_ = *std::move(security);
  d->token_file_ = config.token_file;
  // Before the data dir is created or opened: a daemon that cannot run
  // leaves nothing behind.
  NW_RETURN_IF_ERROR(CheckDataDirNotInUse(config.data_dir));
  NW_RETURN_IF_ERROR(CheckListenAddressFree(config.listen, "--listen"));
  if (!config.metrics_listen.empty()) {
    NW_RETURN_IF_ERROR(
        CheckListenAddressFree(config.metrics_listen, "--metrics-listen"));
  }
  if (WebConsoleOn(config)) {
    NW_RETURN_IF_ERROR(
        CheckListenAddressFree(config.web_listen, "--web-listen"));
  }
  absl::StatusOr<std::unique_ptr<storage::Db>> db =
      storage::Db::Open({.path = config.data_dir,
                         .sync = config.sync,
                         .min_free_disk_bytes = static_cast<uint64_t>(
                             config.min_free_disk_bytes)});
  if (!db.ok()) return db.status();
  d->db_ = *std::move(db);
  d->articles_ = std::make_unique<storage::ArticleStore>(*d->db_);
  d->alert_log_ = std::make_unique<storage::AlertLog>(*d->db_);
  d->stories_ = std::make_unique<storage::StoryStore>(*d->db_);
  absl::StatusOr<std::unique_ptr<storage::SubscriberSettingsStore>> settings =
      storage::SubscriberSettingsStore::Open(*d->db_);
  if (!settings.ok()) return settings.status();
  d->settings_ = *std::move(settings);
  d->registry_ = std::make_unique<index::RuleRegistry>();
  // Before the rules are indexed: anchors by document frequency in recent news.
  absl::StatusOr<std::shared_ptr<const index::DocumentFrequencyCostModel>>
      costs = catalog::CostModelFromRecentArticles(*d->db_);
  if (!costs.ok()) return costs.status();
  if (*costs != nullptr) {
    base::LogInfo("daemon", "anchor costs from document frequency",
                  {{"sample_articles", (*costs)->sample_articles()},
                   {"words", (*costs)->vocabulary()}});
    d->registry_->SetCostModel(*std::move(costs));
  }
  absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> cursors =
      d->alert_log_->LoadLastCursors();
  if (!cursors.ok()) return cursors.status();
  d->hub_ =
      std::make_unique<alerts::SubscriptionHub>(*cursors, &d->obs_->registry());
  absl::StatusOr<std::unique_ptr<ingest::IngestPipeline>> pipeline =
      ingest::IngestPipeline::Create(
          *d->db_, *d->registry_, *d->hub_, *cursors,
          {.limits = config.limits,
           .match_threads = config.match_threads,
           .metrics = &d->obs_->registry(),
           .subscriber_settings = d->settings_.get()},
          d->clock_);
  if (!pipeline.ok()) return pipeline.status();
  d->pipeline_ = *std::move(pipeline);
  base::LogInfo("daemon", "story window rebuilt",
                {{"articles", absl::StrCat(d->pipeline_->story_window_size())},
                 {"ms", absl::StrCat(absl::ToDoubleMilliseconds(
                            d->pipeline_->story_rebuild_time()))}});
  absl::StatusOr<std::unique_ptr<catalog::RuleCatalog>> catalog =
      catalog::RuleCatalog::Open(
          *d->db_, *d->registry_, *d->pipeline_,
          {.max_rules_per_subscriber = config.max_rules_per_subscriber});
  if (!catalog.ok()) return catalog.status();
  d->catalog_ = *std::move(catalog);
  d->obs_->RegisterGauges(*d->db_, *d->catalog_, *d->registry_);
  d->stream_workers_ = std::make_unique<base::ThreadPool>(
      std::max(1, config.ingest_stream_threads));
  // Two replaying streams per reader thread keep the readers busy while
  // the others' writes go out; the rest wait their turn (replay_gate.h).
  d->replay_gate_ = std::make_unique<alerts::ReplayGate>(
      2 * static_cast<size_t>(std::max(1, config.reader_threads)));
  d->readers_ =
      std::make_unique<base::ThreadPool>(std::max(1, config.reader_threads));

  if (!config.cluster.servers.empty()) {
    cluster::ClusterOptions options = config.cluster;
    if (options.node_id.empty()) {
      // host:port of the listener; with port 0 that is not unique: add the pid.
      options.node_id = absl::EndsWith(config.listen, ":0")
                            ? absl::StrCat(config.listen, "-", getpid())
                            : config.listen;
    }
    absl::StatusOr<std::unique_ptr<cluster::ClusterNode>> node =
        cluster::ClusterNode::Start(options, *d->hub_, config.limits,
                                    config.max_rules_per_subscriber, d->clock_);
    if (!node.ok()) return node.status();
    d->cluster_ = *std::move(node);
    d->cluster_->RegisterMetrics(d->obs_->registry());
  }
  // Webhooks and e-mail read this node's alert log (not wired to the
  // cluster's yet).
  const delivery::RetryPolicy retry{.initial = config.delivery_retry_initial,
                                    .max = config.delivery_retry_max,
                                    .pause_after = config.webhook_pause_after};
  absl::StatusOr<std::unique_ptr<delivery::WebhookDispatcher>> webhooks =
      delivery::WebhookDispatcher::Start(
          *d->db_, *d->alert_log_, d->clock_,
          {.retry = retry,
           .request_timeout = config.webhook_timeout,
           .poll_interval = config.delivery_poll_interval,
           .allow_private = config.allow_private_webhooks,
           .ca_file = config.delivery_ca_file,
           .metrics = &d->obs_->registry()});
  if (!webhooks.ok()) return webhooks.status();
  d->webhooks_ = *std::move(webhooks);
  if (!config.smtp_relay.empty()) {
    std::string password;
    if (!config.smtp_password_file.empty()) {
      absl::StatusOr<std::string> read = base::ReadWholeFile(
          config.smtp_password_file, "--smtp-password-file");
      if (!read.ok()) return read.status();
      password = std::string(absl::StripTrailingAsciiWhitespace(*read));
    }
    d->email_ = delivery::EmailDispatcher::Start(
        *d->db_, *d->alert_log_, d->clock_,
        {.smtp = {.relay = config.smtp_relay,
                  .starttls = config.smtp_starttls,
                  .ca_file = config.delivery_ca_file,
                  .username = config.smtp_user,
                  .password = password,
                  .from = config.smtp_from},
         .retry = retry,
         .metrics = &d->obs_->registry()});
  }

  // The seams: the same services over RocksDB or over the cluster.
  ingest::ArticleIngestor& ingestor =
      d->cluster_ ? d->cluster_->ingestor() : *d->pipeline_;
  const storage::ArticleReader& article_reader =
      d->cluster_ ? d->cluster_->articles() : *d->articles_;
  catalog::RuleBook& rules = d->cluster_ ? d->cluster_->rules() : *d->catalog_;
  const storage::AlertReader& alert_reader =
      d->cluster_ ? d->cluster_->alerts() : *d->alert_log_;
  d->rule_api_ = std::make_unique<api::RuleApi>(
      rules, *d->articles_, article_reader, alert_reader, d->clock_);
  d->alert_api_ = std::make_unique<api::AlertApi>(
      *d->hub_, alert_reader, *d->readers_,
      api::StreamLimits{
          .max_streams = config.max_streams,
          .max_streams_per_subscriber = config.max_streams_per_subscriber,
          .replay_gate = d->replay_gate_.get()});
  d->ingest_service_ =
      std::make_unique<rpc::IngestServiceImpl>(ingestor, *d->stream_workers_);
  d->article_service_ =
      std::make_unique<rpc::ArticleServiceImpl>(article_reader, *d->stories_);
  rpc::AdminServiceImpl::ClusterStatusFn cluster_status;
  if (d->cluster_) {
    cluster_status = [node = d->cluster_.get()] { return node->Status(); };
  }
  d->admin_service_ =
      std::make_unique<rpc::AdminServiceImpl>(*d->db_, cluster_status);
  d->rule_service_ = std::make_unique<rpc::RuleServiceImpl>(
      *d->rule_api_, d->security_.authenticator.get());
  d->alert_service_ = std::make_unique<rpc::AlertServiceImpl>(
      *d->alert_api_, d->security_.authenticator.get());
  d->subscriber_service_ = std::make_unique<rpc::SubscriberServiceImpl>(
      *d->settings_, d->security_.authenticator.get());

  d->delivery_service_ = std::make_unique<rpc::DeliveryServiceImpl>(
      *d->webhooks_, d->email_.get(), d->security_.authenticator.get());

  // Expired data is gone before the first call is served.
  if (config.retention > absl::ZeroDuration())
    d->EnforceRetention(config.retention);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, d->security_.credentials, &d->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(MaxMessageBytes(config)));
  const int keepalive_ms =
      static_cast<int>(absl::ToInt64Milliseconds(config.keepalive_interval));
  // gRPC sets SO_REUSEPORT by default: a second daemon could bind the same
  // port and take half the connections. One port, one daemon.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Clients may ping as often as every 10 s without being disconnected.
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.RegisterService(d->ingest_service_.get());
  builder.RegisterService(d->article_service_.get());
  builder.RegisterService(d->admin_service_.get());
  builder.RegisterService(d->rule_service_.get());
  builder.RegisterService(d->alert_service_.get());
  builder.RegisterService(d->subscriber_service_.get());
  builder.RegisterService(d->delivery_service_.get());
  builder.experimental().SetInterceptorCreators(
      d->obs_->InterceptorFactories());
  d->server_ = builder.BuildAndStart();
  if (d->server_ == nullptr || d->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.listen, ": address in use or invalid",
        config.tls_cert_file.empty()
            ? ""
            : ", or --tls-cert/--tls-key rejected (see above)"));
  }
  base::LogInfo("daemon", "security", {{"mode", d->security_.summary}});
  d->obs_->ServeHealth(*d->db_, *d->server_);
  if (d->cluster_) {
    // NOT_SERVING while this node cannot reach NATS.
    grpc::HealthCheckServiceInterface* health =
        d->server_->GetHealthCheckService();
    d->cluster_->SetHealthListener([health](bool connected) {
      if (health != nullptr) health->SetServingStatus(connected);
      if (connected) {
        base::LogInfo("cluster", "NATS reachable again: health SERVING");
      } else {
        base::LogError("cluster", "NATS unreachable: health NOT_SERVING");
      }
    });
  }
  if (absl::Status s = d->obs_->StartHttp(config.metrics_listen); !s.ok())
    return s;
  if (WebConsoleOn(config)) {
    d->web_router_ = std::make_unique<web::ApiRouter>(
        *d->rule_api_, *d->alert_api_,
        d->cluster_ ? d->cluster_->articles() : *d->articles_,
        d->security_.authenticator.get());
    absl::StatusOr<std::unique_ptr<web::WebServer>> web = web::WebServer::Start(
        {.listen = config.web_listen, .max_streams = config.web_max_streams},
        *d->web_router_, *d->alert_api_);
    if (!web.ok()) return web.status();
    d->web_ = *std::move(web);
    base::LogInfo("web", "console",
                  {{"listen", config.web_listen}, {"port", d->web_->port()}});
  }
  d->StartBackgroundTasks(config);
  base::LogInfo("daemon", "started",
                {{"listen", config.listen},
                 {"port", d->port_},
                 {"data_dir", config.data_dir},
                 {"rules", d->catalog_->size()}});
  return d;
}

void Daemon::StartBackgroundTasks(const DaemonConfig& config) {
  // Heartbeats are checked a few times per interval, so none is late by
  // more than a fraction of it.
  const absl::Duration tick = std::clamp(
      config.heartbeat_interval / 4, absl::Milliseconds(10), absl::Seconds(1));
  heartbeats_ = std::thread([this, tick, interval = config.heartbeat_interval] {
    while (!stop_heartbeats_.WaitForNotificationWithTimeout(tick)) {
      hub_->SendHeartbeats(interval);
    }
  });
  if (config.retention <= absl::ZeroDuration()) return;
  retention_ = std::thread([this, config] {
    while (!stop_retention_.WaitForNotificationWithTimeout(
        config.retention_check_interval)) {
      EnforceRetention(config.retention);
    }
  });
}

void Daemon::EnforceRetention(absl::Duration retention) {
  absl::StatusOr<storage::RetentionResult> r =
      storage::EnforceRetention(*db_, clock_.Now() - retention);
  if (!r.ok()) {
    base::LogError("retention", "retention failed",
                   {{"error", r.status().ToString()}});
  } else if (r->articles_deleted > 0) {
    base::LogInfo(
        "retention", "deleted expired articles",
        {{"articles", r->articles_deleted}, {"alerts", r->alerts_deleted}});
  }
}

absl::StatusOr<size_t> Daemon::ReloadTokens() {
  if (security_.authenticator == nullptr) {
    return absl::FailedPreconditionError(
        "newswatchd runs without --token-file: there are no tokens to reload");
  }
  absl::StatusOr<auth::TokenTable> table = auth::TokenTable::Load(token_file_);
  if (!table.ok()) {
    base::LogError("daemon",
                   "token file not reloaded; the tokens in force stay",
                   {{"error", std::string(table.status().message())}});
    return table.status();
  }
  const size_t count = table->size();
  security_.authenticator->ReplaceTokens(*std::move(table));
  // Open streams of a removed token (or one whose subscriber changed) end
  // now, not when the client reconnects.
  const auth::Authenticator& tokens = *security_.authenticator;
  const size_t ended =
      hub_->EndStreams([&tokens](const alerts::AlertStream& stream) {
        absl::StatusOr<auth::Principal> who =
            tokens.Identify(stream.credential());
        if (!who.ok()) {
          return absl::UnauthenticatedError(
              "the token of this stream was revoked (token file reloaded)");
        }
        if (!who->Owns(stream.subscriber())) {
          return absl::PermissionDeniedError(
              absl::StrCat(who->Describe(), " may no longer read subscriber ",
                           stream.subscriber(), " (token file reloaded)"));
        }
        return absl::OkStatus();
      });
  if (ended > 0) {
    base::LogInfo("daemon", "ended the alert streams of revoked tokens",
                  {{"streams", absl::StrCat(ended)}});
  }
  base::LogInfo("daemon", "token file reloaded",
                {{"file", token_file_}, {"tokens", count}});
  return count;
}

void Daemon::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  base::LogInfo("daemon", "stopping");
  obs_->Stop();  // before what /metrics and health read goes away
  web_.reset();  // ends the console's streams before the hub and pools go
  // Open streams are cancelled at the deadline; unary calls get to finish.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
  stop_heartbeats_.Notify();
  if (heartbeats_.joinable()) heartbeats_.join();
  stop_retention_.Notify();
  if (retention_.joinable()) retention_.join();
  stream_workers_.reset();  // run what is queued, join
  readers_.reset();
  email_.reset();  // an e-mail being sent is sent again after a restart
  webhooks_.reset();
  cluster_.reset();  // hands this node's partitions over
  base::LogInfo("daemon", "stopped");
}

Daemon::~Daemon() {
  if (server_) Shutdown();
}

}  // namespace nw::daemon
