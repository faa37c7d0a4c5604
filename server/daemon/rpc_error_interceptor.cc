#include "server/daemon/rpc_error_interceptor.h"

#include <string>

#include "absl/status/status.h"
#include "server/base/log.h"

namespace nw::daemon {
namespace {

using grpc::experimental::InterceptionHookPoints;

base::LogLevel LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNKNOWN:
      return base::LogLevel::kError;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return base::LogLevel::kWarning;
    default:
      return base::LogLevel::kDebug;  // the client's mistake or its choice
  }
}

class RpcErrorInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcErrorInterceptor(const char* method, metrics::CounterFamily& errors)
      : method_(method ? method : ""), errors_(errors) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      // CANCELLED is the client's choice (Ctrl-C on `newswatch watch`, a
      // closed subscription), not a failure of the call.
      if (status.error_code() == grpc::StatusCode::CANCELLED) {
        base::LogDebug("rpc", "call cancelled by the client",
                       {{"method", method_}});
      } else if (!status.ok()) {
        Record(status);
      }
    }
    methods->Proceed();
  }

 private:
  void Record(const grpc::Status& status) {
    // grpc::StatusCode and absl::StatusCode share their numbers.
    const std::string code = absl::StatusCodeToString(
        static_cast<absl::StatusCode>(status.error_code()));
    errors_.WithLabels({method_, code}).Increment();
    base::Log(LevelFor(status.error_code()), "rpc", "call failed",
              {{"method", method_},
               {"code", code},
               {"error", status.error_message()}});
  }

  const char* const
      method_;  // owned by the call's ServerRpcInfo, which outlives us
  metrics::CounterFamily& errors_;
};

class Factory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(metrics::Registry& registry)
      : errors_(registry.AddCounterFamily(
            "newswatch_rpc_errors_total",
            "RPCs that ended with a status other than OK, by method and code.",
            {"method", "code"})) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcErrorInterceptor(info->method(), errors_);
  }

 private:
  metrics::CounterFamily& errors_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcErrorInterceptorFactory(metrics::Registry& registry) {
  return std::make_unique<Factory>(registry);
}

}  // namespace nw::daemon
