// File: server/rpc/delivery_service.h
#ifndef NW_SERVER_RPC_DELIVERY_SERVICE_H_
#define NW_SERVER_RPC_DELIVERY_SERVICE_H_

#include "newswatch/v1/delivery_service.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/delivery/email_dispatcher.h"
#include "server/delivery/webhook_dispatcher.h"

namespace nw::rpc {

// Thin: proto -> WebhookDispatcher / EmailDispatcher -> ToGrpcStatus.
// With an `authenticator`, analysts manage only their own subscriber's
// webhooks and e-mail (another subscriber's webhook reads as NOT_FOUND, as a
// missing one); admins any. Secrets are never returned, except a generated
// one once by AddWebhook.
class DeliveryServiceImpl final
    : public newswatch::v1::DeliveryService::Service {
 public:
  // `email` is null when newswatchd runs without --smtp-relay (e-mail calls
  // then fail FAILED_PRECONDITION). The pointers must outlive the service.
  DeliveryServiceImpl(delivery::WebhookDispatcher& webhooks,
                      delivery::EmailDispatcher* email,
                      const auth::Authenticator* authenticator = nullptr)
      : webhooks_(webhooks), email_(email), authenticator_(authenticator) {}

  grpc::Status AddWebhook(grpc::ServerContext* context,
                          const newswatch::v1::AddWebhookRequest* request,
                          newswatch::v1::AddWebhookResponse* response) override;
  grpc::Status ListWebhooks(
      grpc::ServerContext* context,
      const newswatch::v1::ListWebhooksRequest* request,
      newswatch::v1::ListWebhooksResponse* response) override;
  grpc::Status RemoveWebhook(
      grpc::ServerContext* context,
      const newswatch::v1::RemoveWebhookRequest* request,
      newswatch::v1::RemoveWebhookResponse* response) override;
  grpc::Status ResumeWebhook(grpc::ServerContext* context,
                             const newswatch::v1::ResumeWebhookRequest* request,
                             newswatch::v1::Webhook* response) override;
  grpc::Status SetEmailSettings(
      grpc::ServerContext* context,
      const newswatch::v1::SetEmailSettingsRequest* request,
      newswatch::v1::EmailSettings* response) override;
  grpc::Status GetEmailSettings(
      grpc::ServerContext* context,
      const newswatch::v1::GetEmailSettingsRequest* request,
      newswatch::v1::EmailSettings* response) override;

 private:
  // OK when the caller may manage webhook `id`; NotFound alike for a
  // missing webhook and another subscriber's.
  absl::Status CheckOwnHook(const grpc::ServerContext& context,
                            const std::string& id);
  // The subscriber a call is about: the request's, or an analyst's own when
  // empty; PermissionDenied for another's.
  absl::StatusOr<std::string> OwnSubscriber(const grpc::ServerContext& context,
                                            const std::string& requested,
                                            absl::string_view action);

  delivery::WebhookDispatcher& webhooks_;
  delivery::EmailDispatcher* const email_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_DELIVERY_SERVICE_H_
