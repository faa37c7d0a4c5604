// File: server/rpc/subscriber_service.h
//
// SubscriberService: per-subscriber settings (collapse_stories). An analyst
// may read and change only its own subscriber's; admin any.
// Thread safety: concurrent calls OK.
#ifndef NW_SERVER_RPC_SUBSCRIBER_SERVICE_H_
#define NW_SERVER_RPC_SUBSCRIBER_SERVICE_H_

#include "newswatch/v1/subscriber_service.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "storage/subscriber_settings.h"

namespace nw::rpc {

class SubscriberServiceImpl final
    : public newswatch::v1::SubscriberService::Service {
 public:
  // `authenticator` null: the daemon runs without tokens.
  SubscriberServiceImpl(storage::SubscriberSettingsStore& settings,
                        const auth::Authenticator* authenticator)
      : settings_(settings), authenticator_(authenticator) {}

  grpc::Status GetSubscriberSettings(
      grpc::ServerContext* context,
      const newswatch::v1::GetSubscriberSettingsRequest* request,
      newswatch::v1::SubscriberSettings* response) override;
  grpc::Status UpdateSubscriberSettings(
      grpc::ServerContext* context,
      const newswatch::v1::UpdateSubscriberSettingsRequest* request,
      newswatch::v1::SubscriberSettings* response) override;

 private:
  storage::SubscriberSettingsStore& settings_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_SUBSCRIBER_SERVICE_H_
