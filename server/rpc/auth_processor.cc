#include "server/rpc/auth_processor.h"

#include <optional>

#include "server/rpc/status_convert.h"

namespace nw::rpc {
namespace {

std::optional<absl::string_view> Lookup(
    const grpc::AuthMetadataProcessor::InputMetadata& md,
    absl::string_view key) {
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

grpc::Status TokenAuthProcessor::Process(const InputMetadata& auth_metadata,
                                         grpc::AuthContext* context,
                                         OutputMetadata* consumed_auth_metadata,
                                         OutputMetadata* response_metadata) {
  const std::optional<absl::string_view> path = Lookup(auth_metadata, ":path");
  const absl::Status status = authenticator_->CheckCall(
      path.value_or(""), Lookup(auth_metadata, "authorization"));
  // By code only: the path is the caller's to choose, so not a label.
  if (!status.ok() && refused_ != nullptr) {
    refused_->WithLabels({absl::StatusCodeToString(status.code())}).Increment();
  }
  return ToGrpcStatus(status);
}

}  // namespace nw::rpc
