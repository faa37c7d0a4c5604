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
#include "server/ingest/alert_builder.h"
#include "server/web/web_auth.h"
#include "storage/retention.h"

namespace nw::daemon {

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(
    const DaemonConfig& config) {
  NW_RETURN_IF_ERROR(CheckDaemonConfig(config));
  auto d = std::unique_ptr<Daemon>(new Daemon());
  NW_RETURN_IF_ERROR(d->StartLogAndSecurity(config));
  NW_RETURN_IF_ERROR(CheckNothingInUse(config));
  NW_RETURN_IF_ERROR(d->OpenStorage(config));
  NW_RETURN_IF_ERROR(d->LoadRulesAndPipeline(config));
  NW_RETURN_IF_ERROR(d->StartCluster(config));
  NW_RETURN_IF_ERROR(d->StartDelivery(config));
  d->BuildServices(config);
  // Expired data is gone before the first call is served.
  if (config.retention > absl::ZeroDuration())
    d->EnforceRetention(config.retention);
  NW_RETURN_IF_ERROR(d->StartGrpc(config));
  NW_RETURN_IF_ERROR(d->obs_->StartHttp(config.metrics_listen));
  NW_RETURN_IF_ERROR(d->StartWebConsole(config));
  d->StartBackgroundTasks(config);
  base::LogInfo("daemon", "started",
                {{"listen", config.listen},
                 {"port", d->port_},
                 {"data_dir", config.data_dir},
                 {"rules", d->catalog_->size()}});
  return d;
}

absl::Status Daemon::StartLogAndSecurity(const DaemonConfig& config) {
  // The log first: everything after may log, and a bad setting stops here.
  NW_ASSIGN_OR_RETURN(obs_, Observability::Create(config));
  // Security settings first: a bad one must not touch the data dir.
  NW_ASSIGN_OR_RETURN(security_,
                      BuildServerSecurity(config, &obs_->registry()));
  token_file_ = config.token_file;
  return absl::OkStatus();
}

absl::Status Daemon::CheckNothingInUse(const DaemonConfig& config) {
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
  return absl::OkStatus();
}

absl::Status Daemon::OpenStorage(const DaemonConfig& config) {
  NW_ASSIGN_OR_RETURN(
      db_, storage::Db::Open({.path = config.data_dir,
                              .sync = config.sync,
                              .min_free_disk_bytes = static_cast<uint64_t>(
                                  config.min_free_disk_bytes)}));
  articles_ = std::make_unique<storage::ArticleStore>(*db_);
  alert_log_ =
      std::make_unique<storage::AlertLog>(*db_, &ingest::CompleteAlert);
  stories_ = std::make_unique<storage::StoryStore>(*db_);
  NW_ASSIGN_OR_RETURN(settings_, storage::SubscriberSettingsStore::Open(*db_));
  return absl::OkStatus();
}

absl::Status Daemon::LoadRulesAndPipeline(const DaemonConfig& config) {
  registry_ = std::make_unique<index::RuleRegistry>();
  // Before the rules are indexed: anchors by document frequency in recent news.
  NW_ASSIGN_OR_RETURN(
      std::shared_ptr<const index::DocumentFrequencyCostModel> costs,
      catalog::CostModelFromRecentArticles(*db_));
  if (costs != nullptr) {
    base::LogInfo("daemon", "anchor costs from document frequency",
                  {{"sample_articles", costs->sample_articles()},
                   {"words", costs->vocabulary()}});
    registry_->SetCostModel(std::move(costs));
  }
  absl::flat_hash_map<std::string, uint64_t> cursors;
  NW_ASSIGN_OR_RETURN(cursors, alert_log_->LoadLastCursors());
  hub_ = std::make_unique<alerts::SubscriptionHub>(cursors, &obs_->registry());
  NW_ASSIGN_OR_RETURN(pipeline_, ingest::IngestPipeline::Create(
                                     *db_, *registry_, *hub_, cursors,
                                     {.limits = config.limits,
                                      .match_threads = config.match_threads,
                                      .metrics = &obs_->registry(),
                                      .subscriber_settings = settings_.get()},
                                     clock_));
  base::LogInfo("daemon", "story window rebuilt",
                {{"articles", absl::StrCat(pipeline_->story_window_size())},
                 {"ms", absl::StrCat(absl::ToDoubleMilliseconds(
                            pipeline_->story_rebuild_time()))}});
  NW_ASSIGN_OR_RETURN(catalog_, catalog::RuleCatalog::Open(
                                    *db_, *registry_, *pipeline_,
                                    {.max_rules_per_subscriber =
                                         config.max_rules_per_subscriber}));
  obs_->RegisterGauges(*db_, *catalog_, *registry_);
  stream_workers_ = std::make_unique<base::ThreadPool>(
      std::max(1, config.ingest_stream_threads));
  // Two replaying streams per reader thread keep the readers busy while
  // the others' writes go out; the rest wait their turn (replay_gate.h).
  replay_gate_ = std::make_unique<alerts::ReplayGate>(
      2 * static_cast<size_t>(std::max(1, config.reader_threads)));
  readers_ =
      std::make_unique<base::ThreadPool>(std::max(1, config.reader_threads));
  return absl::OkStatus();
}

absl::Status Daemon::StartCluster(const DaemonConfig& config) {
  if (config.cluster.servers.empty()) return absl::OkStatus();
  cluster::ClusterOptions options = config.cluster;
  if (options.node_id.empty()) {
    // host:port of the listener; with port 0 that is not unique: add the pid.
    options.node_id = absl::EndsWith(config.listen, ":0")
                          ? absl::StrCat(config.listen, "-", getpid())
                          : config.listen;
  }
  NW_ASSIGN_OR_RETURN(cluster_, cluster::ClusterNode::Start(
                                    options, *hub_, config.limits,
                                    config.max_rules_per_subscriber, clock_));
  cluster_->RegisterMetrics(obs_->registry());
  return absl::OkStatus();
}

absl::Status Daemon::StartDelivery(const DaemonConfig& config) {
  // Webhooks and e-mail read this node's alert log (not wired to the
  // cluster's yet).
  const delivery::RetryPolicy retry{.initial = config.delivery_retry_initial,
                                    .max = config.delivery_retry_max,
                                    .pause_after = config.webhook_pause_after};
  NW_ASSIGN_OR_RETURN(webhooks_,
                      delivery::WebhookDispatcher::Start(
                          *db_, *alert_log_, clock_,
                          {.retry = retry,
                           .request_timeout = config.webhook_timeout,
                           .poll_interval = config.delivery_poll_interval,
                           .allow_private = config.allow_private_webhooks,
                           .ca_file = config.delivery_ca_file,
                           .metrics = &obs_->registry()}));
  if (config.smtp_relay.empty()) return absl::OkStatus();
  std::string password;
  if (!config.smtp_password_file.empty()) {
    NW_ASSIGN_OR_RETURN(
        const std::string read,
        base::ReadWholeFile(config.smtp_password_file, "--smtp-password-file"));
    password = std::string(absl::StripTrailingAsciiWhitespace(read));
  }
  email_ = delivery::EmailDispatcher::Start(
      *db_, *alert_log_, clock_,
      {.smtp = {.relay = config.smtp_relay,
                .starttls = config.smtp_starttls,
                .ca_file = config.delivery_ca_file,
                .username = config.smtp_user,
                .password = password,
                .from = config.smtp_from},
       .retry = retry,
       .metrics = &obs_->registry()});
  return absl::OkStatus();
}

void Daemon::BuildServices(const DaemonConfig& config) {
  // The seams: the same services over RocksDB or over the cluster.
  ingest::ArticleIngestor& ingestor =
      cluster_ ? cluster_->ingestor() : *pipeline_;
  const storage::ArticleReader& article_reader =
      cluster_ ? cluster_->articles() : *articles_;
  catalog::RuleBook& rules = cluster_ ? cluster_->rules() : *catalog_;
  const storage::AlertReader& alert_reader =
      cluster_ ? cluster_->alerts() : *alert_log_;
  rule_api_ = std::make_unique<api::RuleApi>(rules, *articles_, article_reader,
                                             alert_reader, clock_);
  alert_api_ = std::make_unique<api::AlertApi>(
      *hub_, alert_reader, *readers_,
      api::StreamLimits{
          .max_streams = config.max_streams,
          .max_streams_per_subscriber = config.max_streams_per_subscriber,
          .replay_gate = replay_gate_.get()});
  ingest_service_ =
      std::make_unique<rpc::IngestServiceImpl>(ingestor, *stream_workers_);
  article_service_ =
      std::make_unique<rpc::ArticleServiceImpl>(article_reader, *stories_);
  rpc::AdminServiceImpl::ClusterStatusFn cluster_status;
  if (cluster_) {
    cluster_status = [node = cluster_.get()] { return node->Status(); };
  }
  admin_service_ =
      std::make_unique<rpc::AdminServiceImpl>(*db_, cluster_status);
  rule_service_ = std::make_unique<rpc::RuleServiceImpl>(
      *rule_api_, security_.authenticator.get());
  alert_service_ = std::make_unique<rpc::AlertServiceImpl>(
      *alert_api_, security_.authenticator.get());
  subscriber_service_ = std::make_unique<rpc::SubscriberServiceImpl>(
      *settings_, security_.authenticator.get());
  delivery_service_ = std::make_unique<rpc::DeliveryServiceImpl>(
      *webhooks_, email_.get(), security_.authenticator.get());
}

absl::Status Daemon::StartGrpc(const DaemonConfig& config) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, security_.credentials, &port_);
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
  builder.RegisterService(ingest_service_.get());
  builder.RegisterService(article_service_.get());
  builder.RegisterService(admin_service_.get());
  builder.RegisterService(rule_service_.get());
  builder.RegisterService(alert_service_.get());
  builder.RegisterService(subscriber_service_.get());
  builder.RegisterService(delivery_service_.get());
  builder.experimental().SetInterceptorCreators(obs_->InterceptorFactories());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.listen, ": address in use or invalid",
        config.tls_cert_file.empty()
            ? ""
            : ", or --tls-cert/--tls-key rejected (see above)"));
  }
  base::LogInfo("daemon", "security", {{"mode", security_.summary}});
  obs_->ServeHealth(*db_, *server_);
  if (cluster_) {
    // NOT_SERVING while this node cannot reach NATS.
    grpc::HealthCheckServiceInterface* health =
        server_->GetHealthCheckService();
    cluster_->SetHealthListener([health](bool connected) {
      if (health != nullptr) health->SetServingStatus(connected);
      if (connected) {
        base::LogInfo("cluster", "NATS reachable again: health SERVING");
      } else {
        base::LogError("cluster", "NATS unreachable: health NOT_SERVING");
      }
    });
  }
  return absl::OkStatus();
}

absl::Status Daemon::StartWebConsole(const DaemonConfig& config) {
  if (!WebConsoleOn(config)) return absl::OkStatus();
  web_session_store_ = std::make_unique<storage::SessionStore>(*db_);
  NW_ASSIGN_OR_RETURN(
      web_sessions_, web::SessionTable::Open(clock_, web_session_store_.get()));
  web_router_ = std::make_unique<web::ApiRouter>(
      *rule_api_, *alert_api_, cluster_ ? cluster_->articles() : *articles_,
      security_.authenticator.get(), *web_sessions_);
  NW_ASSIGN_OR_RETURN(
      web_, web::WebServer::Start({.listen = config.web_listen,
                                   .max_streams = config.web_max_streams},
                                  *web_router_, *alert_api_));
  base::LogInfo("web", "console",
                {{"listen", config.web_listen}, {"port", web_->port()}});
  return absl::OkStatus();
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
            web::IdentifyStreamCredential(tokens, stream.credential());
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
