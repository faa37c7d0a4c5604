#include "server/rpc/subscriber_service.h"

#include "server/auth/policy.h"
#include "server/rpc/caller.h"
#include "server/rpc/status_convert.h"

namespace nw::rpc {

grpc::Status SubscriberServiceImpl::GetSubscriberSettings(
    grpc::ServerContext* context,
    const newswatch::v1::GetSubscriberSettingsRequest* request,
    newswatch::v1::SubscriberSettings* response) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::string subscriber = request->subscriber();
  if (subscriber.empty()) subscriber = caller->subscriber;
  if (subscriber.empty()) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("settings: subscriber is required"));
  }
  if (absl::Status s = auth::CheckOwnsSubscriber(*caller, subscriber,
                                                 "read the settings of");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = settings_.Get(subscriber);
  return grpc::Status::OK;
}

grpc::Status SubscriberServiceImpl::UpdateSubscriberSettings(
    grpc::ServerContext* context,
    const newswatch::v1::UpdateSubscriberSettingsRequest* request,
    newswatch::v1::SubscriberSettings* response) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  newswatch::v1::SubscriberSettings update = request->settings();
  if (update.subscriber().empty()) update.set_subscriber(caller->subscriber);
  if (absl::Status s = auth::CheckOwnsSubscriber(*caller, update.subscriber(),
                                                 "change the settings of");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<newswatch::v1::SubscriberSettings> result =
      settings_.Update(update);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace nw::rpc
