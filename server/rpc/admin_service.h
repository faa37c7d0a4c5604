// File: server/rpc/admin_service.h
#ifndef NW_SERVER_RPC_ADMIN_SERVICE_H_
#define NW_SERVER_RPC_ADMIN_SERVICE_H_

#include <functional>

#include "newswatch/v1/admin_service.grpc.pb.h"
#include "server/rpc/checked_unary.h"
#include "storage/db.h"

namespace nw::rpc {

// CreateCheckpoint: an online backup of the data dir (storage/checkpoint.h).
// Thread safety: concurrent calls OK (each needs its own directory).
class AdminServiceImpl final
    : public CheckedUnaryService<newswatch::v1::AdminService::Service> {
 public:
  // Answers GetClusterStatus in cluster mode (null: single node).
  using ClusterStatusFn =
      std::function<absl::StatusOr<newswatch::v1::ClusterStatus>()>;
  explicit AdminServiceImpl(storage::Db& db, ClusterStatusFn cluster = nullptr)
      : db_(db), cluster_(std::move(cluster)) {
    const std::string service =
        newswatch::v1::AdminService::service_full_name();
    ServeChecked(service, "CreateCheckpoint", this,
                 &AdminServiceImpl::CreateCheckpoint);
    ServeChecked(service, "GetClusterStatus", this,
                 &AdminServiceImpl::GetClusterStatus);
  }

  grpc::Status CreateCheckpoint(
      grpc::ServerContext* context,
      const newswatch::v1::CreateCheckpointRequest* request,
      newswatch::v1::CreateCheckpointResponse* response) override;
  grpc::Status GetClusterStatus(
      grpc::ServerContext* context,
      const newswatch::v1::GetClusterStatusRequest* request,
      newswatch::v1::ClusterStatus* response) override;

 private:
  storage::Db& db_;
  const ClusterStatusFn cluster_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_ADMIN_SERVICE_H_
