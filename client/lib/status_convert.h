// File: client/lib/status_convert.h
//
// FromGrpcStatus(): the client side's single grpc::Status -> absl::Status
// mapping. gRPC and Abseil share the canonical code numbering, so the code is
// kept and the message passed through unchanged.
#ifndef NW_CLIENT_LIB_STATUS_CONVERT_H_
#define NW_CLIENT_LIB_STATUS_CONVERT_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace nw::client {

absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_STATUS_CONVERT_H_
