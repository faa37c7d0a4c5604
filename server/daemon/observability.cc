#include "server/daemon/observability.h"

#include <grpc/support/log.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "rocksdb/version.h"
#include "server/base/log.h"
#include "server/daemon/rpc_error_interceptor.h"

namespace nw::daemon {
namespace {

// gRPC's own diagnostics, in our format and under our level filter.
void LogFromGrpc(gpr_log_func_args* args) {
  const base::LogLevel level =
      args->severity == GPR_LOG_SEVERITY_ERROR  ? base::LogLevel::kError
      : args->severity == GPR_LOG_SEVERITY_INFO ? base::LogLevel::kInfo
                                                : base::LogLevel::kDebug;
  base::Log(level, "grpc", args->message ? args->message : "",
            {{"file", args->file ? args->file : ""}, {"line", args->line}});
}

// The names a health check may ask about: the server as a whole and each
// service.
std::vector<std::string> HealthServiceNames() {
  return {"", newswatch::v1::IngestService::service_full_name(),
          newswatch::v1::ArticleService::service_full_name(),
          newswatch::v1::RuleService::service_full_name(),
          newswatch::v1::AlertService::service_full_name()};
}

}  // namespace

absl::StatusOr<std::unique_ptr<Observability>> Observability::Create(
    const DaemonConfig& config) {
  absl::StatusOr<base::LogLevel> level = base::ParseLogLevel(config.log_level);
  if (!level.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-level: ", level.status().message()));
  }
  absl::StatusOr<base::LogFormat> format =
      base::ParseLogFormat(config.log_format);
  if (!format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-format: ", format.status().message()));
  }
  base::ConfigureLogging(*level, *format);
  gpr_set_log_function(&LogFromGrpc);
  return std::unique_ptr<Observability>(new Observability());
}

Observability::~Observability() { Stop(); }

void Observability::RegisterGauges(storage::Db& db,
                                   const catalog::RuleCatalog& catalog,
                                   const index::RuleRegistry& rules) {
  registry_.AddCallbackGauge(
      "newswatch_rules", "Watch rules loaded (all subscribers).",
      [&catalog] { return static_cast<double>(catalog.size()); });
  registry_.AddCallbackGauge(
      "newswatch_rules_always_evaluated",
      "Rules without an indexable word, evaluated for every article (e.g. "
      "NOT-only rules).",
      [&rules] {
        return static_cast<double>(rules.Current()->always_evaluated());
      });
  registry_.AddCallbackGaugeFamily(
      "newswatch_rocksdb_live_sst_bytes",
      "Bytes of live SST files, per column family.", {"cf"}, [&db] {
        metrics::Registry::LabeledValues out;
        for (const storage::CfSize& s : db.Sizes()) {
          out.push_back({{s.name}, static_cast<double>(s.live_sst_bytes)});
        }
        return out;
      });
  registry_.AddCallbackGaugeFamily(
      "newswatch_rocksdb_memtable_bytes",
      "Bytes of the memtables, per column family.", {"cf"}, [&db] {
        metrics::Registry::LabeledValues out;
        for (const storage::CfSize& s : db.Sizes()) {
          out.push_back({{s.name}, static_cast<double>(s.memtable_bytes)});
        }
        return out;
      });
  registry_.AddCallbackGauge(
      "newswatch_storage_healthy",
      "1 while storage takes writes (health SERVING), 0 after a failed write "
      "or a RocksDB "
      "background error (health NOT_SERVING).",
      [&db] { return db.health().healthy() ? 1.0 : 0.0; });
  registry_.AddCallbackCounter(
      "newswatch_storage_errors_total",
      "Failed RocksDB writes and background errors.",
      [&db] { return static_cast<double>(db.health().errors()); });
  const double start = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  registry_.AddCallbackGauge(
      "newswatch_start_time_seconds",
      "When the daemon started, in seconds since the Unix epoch.",
      [start] { return start; });
  const std::vector<std::string> build = {
      grpc::Version(),
      absl::StrCat(ROCKSDB_MAJOR, ".", ROCKSDB_MINOR, ".", ROCKSDB_PATCH)};
  registry_.AddCallbackGaugeFamily(
      "newswatch_build_info",
      "Always 1; the labels say what newswatchd was built with.",
      {"grpc_version", "rocksdb_version"}, [build] {
        return metrics::Registry::LabeledValues{{build, 1.0}};
      });
}

std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
Observability::InterceptorFactories() {
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      out;
  out.push_back(NewRpcErrorInterceptorFactory(registry_));
  return out;
}

void Observability::ServeHealth(storage::Db& db, grpc::Server& server,
                                absl::Duration probe_interval) {
  db_ = &db;
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  // Called at once with the current state, then on every change; may run
  // on a RocksDB thread or the committer: it only flips statuses and logs.
  db.health().SetListener([health](bool healthy, const absl::Status& cause) {
    for (const std::string& name : HealthServiceNames()) {
      if (health != nullptr) health->SetServingStatus(name, healthy);
    }
    if (!healthy) {
      base::LogError("storage",
                     "storage cannot take writes: health NOT_SERVING",
                     {{"error", cause.ToString()}});
    } else {
      base::LogInfo("storage", "storage takes writes: health SERVING");
    }
  });
  probe_ = std::thread([this, probe_interval] {
    while (!stop_probe_.WaitForNotificationWithTimeout(probe_interval)) {
      if (db_->health().healthy()) continue;
      // The health listener logs the way back to SERVING.
      if (absl::Status s = db_->CheckWritable(); !s.ok()) {
        base::LogDebug("storage", "write probe failed",
                       {{"error", s.ToString()}});
      }
    }
  });
}

absl::Status Observability::StartHttp(const std::string& listen) {
  if (listen.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<metrics::MetricsHttpServer>> http =
      metrics::MetricsHttpServer::Start(listen, registry_, [this] {
        return db_ == nullptr || db_->health().healthy();
      });
  if (!http.ok()) {
    return absl::Status(
        http.status().code(),
        absl::StrCat("--metrics-listen: ", http.status().message()));
  }
  http_ = *std::move(http);
  const std::string host = listen.substr(0, listen.rfind(':'));
  base::LogInfo(
      "daemon",
      absl::StrCat("metrics on http://", host, ":", http_->port(), "/metrics"),
      {{"metrics_port", http_->port()}});
  return absl::OkStatus();
}

void Observability::Stop() {
  http_.reset();  // no scrape reads the components after this
  if (!stop_probe_.HasBeenNotified()) stop_probe_.Notify();
  if (probe_.joinable()) probe_.join();
  if (db_ != nullptr) db_->health().SetListener(nullptr);
  db_ = nullptr;
}

}  // namespace nw::daemon
