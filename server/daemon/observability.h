// File: server/daemon/observability.h
//
// What newswatchd tells operators, in one place: the log configuration, the
// metrics registry and its /metrics endpoint, the gRPC health status that
// follows storage health, and the RPC error interceptor.
//
// Order of use (Daemon::Start): Create (configures the log; before anything
// else may log), registry() to the components, RegisterGauges once they
// exist, InterceptorFactories into the ServerBuilder, then after the server
// is built ServeHealth and StartHttp. Stop before the server and storage go.
//
// Thread safety: setup and Stop from one thread; the registry and the
// health updates are thread-safe.
#ifndef NW_SERVER_DAEMON_OBSERVABILITY_H_
#define NW_SERVER_DAEMON_OBSERVABILITY_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/catalog/rule_catalog.h"
#include "server/daemon/daemon_config.h"
#include "server/index/rule_registry.h"
#include "server/metrics/http_server.h"
#include "server/metrics/registry.h"
#include "storage/db.h"

namespace nw::daemon {

class Observability {
 public:
  // Checks config.log_level and config.log_format and configures the log
  // (gRPC's own log lines included). InvalidArgument naming the setting
  // for a bad value; nothing is changed then.
  static absl::StatusOr<std::unique_ptr<Observability>> Create(
      const DaemonConfig& config);
  ~Observability();  // Stop()

  metrics::Registry& registry() { return registry_; }

  // Gauges read at scrape time: rules loaded and always evaluated, RocksDB
  // bytes per column family, storage health and errors, start time, build
  // info. The arguments must outlive Stop().
  void RegisterGauges(storage::Db& db, const catalog::RuleCatalog& catalog,
                      const index::RuleRegistry& rules);

  // Interceptors for the ServerBuilder (the RPC error counter and log).
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  InterceptorFactories();

  // Makes `server`'s health service report SERVING for "" and each
  // newswatch service while `db` is healthy, NOT_SERVING otherwise, and
  // while unhealthy retries a write every `probe_interval` (Db::CheckWritable)
  // so the status returns once the disk takes writes again.
  void ServeHealth(storage::Db& db, grpc::Server& server,
                   absl::Duration probe_interval = absl::Seconds(5));

  // Serves /metrics and /healthz (storage health, as the gRPC health
  // service reports it) on `listen` ("" does nothing). After ServeHealth.
  // Unavailable when the address cannot be bound, InvalidArgument when it is
  // malformed.
  absl::Status StartHttp(const std::string& listen);
  // The port /metrics is served on; 0 when off.
  int metrics_port() const { return http_ ? http_->port() : 0; }

  // Stops the HTTP endpoint, the health probe and health updates. Idempotent.
  void Stop();

 private:
  Observability() = default;

  metrics::Registry registry_;
  storage::Db* db_ = nullptr;  // set by ServeHealth
  std::unique_ptr<metrics::MetricsHttpServer> http_;
  absl::Notification stop_probe_;
  std::thread probe_;
};

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_OBSERVABILITY_H_
