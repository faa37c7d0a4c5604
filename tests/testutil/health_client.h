// File: tests/testutil/health_client.h
//
// grpc.health.v1.Health/Check, with the stubs generated from grpc-proto's
// health.proto (Debian package grpc-proto).
#ifndef NW_TESTS_TESTUTIL_HEALTH_CLIENT_H_
#define NW_TESTS_TESTUTIL_HEALTH_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace nw::testing {

// grpc.health.v1.HealthCheckResponse.ServingStatus.
enum class ServingStatus {
  kUnknown = 0,
  kServing = 1,
  kNotServing = 2,
  kServiceUnknown = 3
};

// Asks `channel` about `service` ("" for the server as a whole). Errors: the
// call's status (e.g. NOT_FOUND for a service the server never named).
absl::StatusOr<ServingStatus> CheckHealth(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_HEALTH_CLIENT_H_
