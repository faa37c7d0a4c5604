#include "server/rpc/admin_service.h"

#include "server/rpc/status_convert.h"
#include "storage/checkpoint.h"

namespace nw::rpc {

grpc::Status AdminServiceImpl::CreateCheckpoint(
    grpc::ServerContext* context,
    const newswatch::v1::CreateCheckpointRequest* request,
    newswatch::v1::CreateCheckpointResponse* response) {
  absl::StatusOr<storage::CheckpointInfo> info =
      storage::CreateCheckpoint(db_, request->directory());
  if (!info.ok()) return ToGrpcStatus(info.status());
  response->set_directory(info->directory);
  response->set_last_sequence(info->last_sequence);
  response->set_bytes(info->bytes);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::GetClusterStatus(
    grpc::ServerContext* context,
    const newswatch::v1::GetClusterStatusRequest* request,
    newswatch::v1::ClusterStatus* response) {
  if (!cluster_) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "this newswatchd runs as a single node (no --cluster)"));
  }
  absl::StatusOr<newswatch::v1::ClusterStatus> status = cluster_();
  if (!status.ok()) return ToGrpcStatus(status.status());
  *response = *std::move(status);
  return grpc::Status::OK;
}

}  // namespace nw::rpc
