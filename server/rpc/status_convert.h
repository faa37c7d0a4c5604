// File: server/rpc/status_convert.h
// The one absl::Status -> grpc::Status conversion; no other code builds a
// non-OK grpc::Status.
#ifndef NW_SERVER_RPC_STATUS_CONVERT_H_
#define NW_SERVER_RPC_STATUS_CONVERT_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace nw::rpc {

// Same code (the enums agree, checked by static_asserts), same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_STATUS_CONVERT_H_
