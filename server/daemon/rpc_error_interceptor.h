// File: server/daemon/rpc_error_interceptor.h
//
// Sees the status of every RPC the server finishes: counts failures in
// newswatch_rpc_errors_total{method,code} and logs the ones an operator must
// look at (INTERNAL, DATA_LOSS, UNKNOWN at error; UNAVAILABLE,
// RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED at warning; client mistakes at
// debug). A call the client cancelled (CANCELLED) is not an error: not
// counted, logged at debug. Successful calls cost one status check and are
// not logged.
#ifndef NW_SERVER_DAEMON_RPC_ERROR_INTERCEPTOR_H_
#define NW_SERVER_DAEMON_RPC_ERROR_INTERCEPTOR_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "server/metrics/registry.h"

namespace nw::daemon {

// Registers the counter in `registry`, which must outlive the factory and
// every call it intercepts.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcErrorInterceptorFactory(metrics::Registry& registry);

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_RPC_ERROR_INTERCEPTOR_H_
