// File: server/daemon/daemon.h
//
// The composition root: opens storage, loads rules, wires the pipeline, the
// hub and the services, and serves gRPC (with the health service and server
// reflection). Members are declared in construction order; Shutdown tears
// down in reverse: stop the server (streams see OnCancel and finish), then
// the worker pools, then the database.
//
// Thread safety: Shutdown may be called from any thread, once.
#ifndef NW_SERVER_DAEMON_DAEMON_H_
#define NW_SERVER_DAEMON_DAEMON_H_

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/server.h"
#include "server/alerts/replay_gate.h"
#include "server/alerts/subscription_hub.h"
#include "server/api/alert_api.h"
#include "server/api/rule_api.h"
#include "server/base/clock.h"
#include "server/base/thread_pool.h"
#include "server/catalog/rule_catalog.h"
#include "server/cluster/cluster_node.h"
#include "server/daemon/daemon_config.h"
#include "server/daemon/observability.h"
#include "server/daemon/server_security.h"
#include "server/delivery/email_dispatcher.h"
#include "server/delivery/webhook_dispatcher.h"
#include "server/index/rule_registry.h"
#include "server/ingest/ingest_pipeline.h"
#include "server/rpc/admin_service.h"
#include "server/rpc/alert_service.h"
#include "server/rpc/article_service.h"
#include "server/rpc/delivery_service.h"
#include "server/rpc/ingest_service.h"
#include "server/rpc/rule_service.h"
#include "server/rpc/subscriber_service.h"
#include "server/web/api_router.h"
#include "server/web/session_table.h"
#include "server/web/web_server.h"
#include "storage/alert_log.h"
#include "storage/article_store.h"
#include "storage/db.h"
#include "storage/session_store.h"

namespace nw::daemon {

class Daemon {
 public:
  // Opens the data dir and starts serving. Errors: security settings refused
  // (see BuildServerSecurity: TLS or token file, listen address), the
  // database cannot be opened (e.g. Unavailable: another newswatchd holds
  // it), a stored rule no longer parses (DataLoss), or the address cannot be
  // bound (Unavailable).
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(
      const DaemonConfig& config);
  ~Daemon();

  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // The port /metrics is served on (useful with port 0); 0 when off.
  int metrics_port() const { return obs_->metrics_port(); }
  // The port the web console is served on (useful with port 0); 0 when off.
  int web_port() const { return web_ ? web_->port() : 0; }
  size_t rule_count() const {
    return cluster_ ? cluster_->rules().size() : catalog_->size();
  }

  // Re-reads the token file (--token-file) and puts it in force for every
  // later call (SIGHUP in newswatchd), returning how many tokens it holds.
  // FailedPrecondition when the daemon runs without a token file; a file
  // that cannot be read or parsed is reported (file:line) and the tokens in
  // force stay.
  absl::StatusOr<size_t> ReloadTokens();

  // Stops accepting calls, ends open streams, flushes and closes storage.
  void Shutdown();

 private:
  Daemon() = default;

  // The steps of Start, in order. Each fills the members it names; an error
  // stops the start (the members set so far are torn down with the Daemon).
  // The log and metrics registry, then the TLS and token settings.
  absl::Status StartLogAndSecurity(const DaemonConfig& config);
  // The data dir and every listen address are free; touches nothing.
  static absl::Status CheckNothingInUse(const DaemonConfig& config);
  // The database and the stores over it.
  absl::Status OpenStorage(const DaemonConfig& config);
  // Rule index, hub, ingest pipeline, rule catalog and the worker pools.
  absl::Status LoadRulesAndPipeline(const DaemonConfig& config);
  // Joins the cluster when --cluster-servers is set; otherwise does nothing.
  absl::Status StartCluster(const DaemonConfig& config);
  // Webhook dispatcher, and the e-mail one when an SMTP relay is set.
  absl::Status StartDelivery(const DaemonConfig& config);
  // The caller APIs and the gRPC services over RocksDB or the cluster.
  void BuildServices(const DaemonConfig& config);
  // Binds --listen and serves the services, health and reflection.
  absl::Status StartGrpc(const DaemonConfig& config);
  // Serves the web console when it is on; otherwise does nothing.
  absl::Status StartWebConsole(const DaemonConfig& config);
  // The heartbeat thread, and the retention thread when retention is set.
  void StartBackgroundTasks(const DaemonConfig& config);
  // Deletes what was ingested more than `retention` ago; logs failures.
  void EnforceRetention(absl::Duration retention);

  base::RealClock clock_;
  // First in, last out: the log and the metrics registry everything reports to.
  std::unique_ptr<Observability> obs_;
  ServerSecurity security_;  // before the services, which use its authenticator
  std::unique_ptr<storage::Db> db_;
  std::unique_ptr<storage::ArticleStore> articles_;
  std::unique_ptr<storage::AlertLog> alert_log_;
  std::unique_ptr<storage::StoryStore> stories_;
  std::unique_ptr<storage::SubscriberSettingsStore> settings_;
  std::unique_ptr<index::RuleRegistry> registry_;
  std::unique_ptr<alerts::SubscriptionHub> hub_;
  std::unique_ptr<ingest::IngestPipeline> pipeline_;
  std::unique_ptr<catalog::RuleCatalog> catalog_;
  // Cluster mode only: NATS-backed log, rules and alerts behind the seams.
  std::unique_ptr<cluster::ClusterNode> cluster_;
  std::unique_ptr<base::ThreadPool> stream_workers_;  // SubmitArticles batches
  // Before readers_: its queued reads hold streams that release slots.
  std::unique_ptr<alerts::ReplayGate> replay_gate_;
  std::unique_ptr<base::ThreadPool> readers_;  // alert log catch-up
  std::unique_ptr<delivery::WebhookDispatcher> webhooks_;
  std::unique_ptr<delivery::EmailDispatcher> email_;  // null without SMTP
  // Operations for a caller, shared by gRPC and the web console.
  std::unique_ptr<api::RuleApi> rule_api_;
  std::unique_ptr<api::AlertApi> alert_api_;
  std::unique_ptr<rpc::IngestServiceImpl> ingest_service_;
  std::unique_ptr<rpc::ArticleServiceImpl> article_service_;
  std::unique_ptr<rpc::AdminServiceImpl> admin_service_;
  std::unique_ptr<rpc::RuleServiceImpl> rule_service_;
  std::unique_ptr<rpc::AlertServiceImpl> alert_service_;
  std::unique_ptr<rpc::SubscriberServiceImpl> subscriber_service_;
  std::unique_ptr<rpc::DeliveryServiceImpl> delivery_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<storage::SessionStore> web_session_store_;
  std::unique_ptr<web::SessionTable> web_sessions_;
  std::unique_ptr<web::ApiRouter> web_router_;
  std::unique_ptr<web::WebServer> web_;  // stopped first in Shutdown
  absl::Notification stop_heartbeats_;
  std::thread heartbeats_;
  absl::Notification stop_retention_;
  std::thread retention_;
  int port_ = 0;
  bool shut_down_ = false;
  std::string token_file_;
};

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_DAEMON_H_
