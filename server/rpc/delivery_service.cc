#include "server/rpc/delivery_service.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/auth/policy.h"
#include "server/base/status_macros.h"
#include "server/rpc/caller.h"
#include "server/rpc/status_convert.h"

namespace nw::rpc {
namespace {

absl::Status NoEmail() {
  return absl::FailedPreconditionError(
      "e-mail delivery is off: start newswatchd with --smtp-relay HOST:PORT");
}

}  // namespace

absl::StatusOr<std::string> DeliveryServiceImpl::OwnSubscriber(
    const grpc::ServerContext& context, const std::string& requested,
    absl::string_view action) {
  NW_ASSIGN_OR_RETURN(auth::Principal caller,
                      CallerOf(authenticator_, context));
  std::string subscriber = requested;
  if (subscriber.empty() && caller.role != auth::Role::kAdmin) {
    subscriber = caller.subscriber;
  }
  if (caller.role != auth::Role::kAdmin) {
    NW_RETURN_IF_ERROR(auth::CheckOwnsSubscriber(caller, subscriber, action));
  }
  return subscriber;
}

absl::Status DeliveryServiceImpl::CheckOwnHook(
    const grpc::ServerContext& context, const std::string& id) {
  NW_ASSIGN_OR_RETURN(auth::Principal caller,
                      CallerOf(authenticator_, context));
  NW_ASSIGN_OR_RETURN(newswatch::v1::Webhook hook, webhooks_.Get(id));
  if (!caller.Owns(hook.subscriber())) {
    return absl::NotFoundError(absl::StrCat("no webhook with id '", id, "'"));
  }
  return absl::OkStatus();
}

grpc::Status DeliveryServiceImpl::AddWebhook(
    grpc::ServerContext* context,
    const newswatch::v1::AddWebhookRequest* request,
    newswatch::v1::AddWebhookResponse* response) {
  absl::StatusOr<std::string> subscriber =
      OwnSubscriber(*context, request->subscriber(), "add webhooks for");
  if (!subscriber.ok()) return ToGrpcStatus(subscriber.status());
  std::optional<uint64_t> after;
  if (request->has_after_cursor()) after = request->after_cursor();
  absl::StatusOr<delivery::AddedWebhook> added =
      webhooks_.Add(*subscriber, request->url(), request->secret(), after);
  if (!added.ok()) return ToGrpcStatus(added.status());
  *response->mutable_webhook() = std::move(added->webhook);
  response->set_generated_secret(std::move(added->generated_secret));
  return grpc::Status::OK;
}

grpc::Status DeliveryServiceImpl::ListWebhooks(
    grpc::ServerContext* context,
    const newswatch::v1::ListWebhooksRequest* request,
    newswatch::v1::ListWebhooksResponse* response) {
  absl::StatusOr<std::string> subscriber =
      OwnSubscriber(*context, request->subscriber(), "list the webhooks of");
  if (!subscriber.ok()) return ToGrpcStatus(subscriber.status());
  absl::StatusOr<std::vector<newswatch::v1::Webhook>> hooks =
      webhooks_.List(*subscriber);
  if (!hooks.ok()) return ToGrpcStatus(hooks.status());
  for (newswatch::v1::Webhook& hook : *hooks) {
    *response->add_webhooks() = std::move(hook);
  }
  return grpc::Status::OK;
}

grpc::Status DeliveryServiceImpl::RemoveWebhook(
    grpc::ServerContext* context,
    const newswatch::v1::RemoveWebhookRequest* request,
    newswatch::v1::RemoveWebhookResponse* response) {
  if (absl::Status s = CheckOwnHook(*context, request->id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return ToGrpcStatus(webhooks_.Remove(request->id()));
}

grpc::Status DeliveryServiceImpl::ResumeWebhook(
    grpc::ServerContext* context,
    const newswatch::v1::ResumeWebhookRequest* request,
    newswatch::v1::Webhook* response) {
  if (absl::Status s = CheckOwnHook(*context, request->id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<newswatch::v1::Webhook> hook = webhooks_.Resume(request->id());
  if (!hook.ok()) return ToGrpcStatus(hook.status());
  *response = *std::move(hook);
  return grpc::Status::OK;
}

grpc::Status DeliveryServiceImpl::SetEmailSettings(
    grpc::ServerContext* context,
    const newswatch::v1::SetEmailSettingsRequest* request,
    newswatch::v1::EmailSettings* response) {
  if (email_ == nullptr) return ToGrpcStatus(NoEmail());
  absl::StatusOr<std::string> subscriber = OwnSubscriber(
      *context, request->settings().subscriber(), "set the e-mail of");
  if (!subscriber.ok()) return ToGrpcStatus(subscriber.status());
  newswatch::v1::EmailSettings settings = request->settings();
  settings.set_subscriber(*subscriber);
  std::optional<uint64_t> after;
  if (request->has_after_cursor()) after = request->after_cursor();
  absl::StatusOr<newswatch::v1::EmailSettings> out =
      email_->Set(settings, after);
  if (!out.ok()) return ToGrpcStatus(out.status());
  *response = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status DeliveryServiceImpl::GetEmailSettings(
    grpc::ServerContext* context,
    const newswatch::v1::GetEmailSettingsRequest* request,
    newswatch::v1::EmailSettings* response) {
  if (email_ == nullptr) return ToGrpcStatus(NoEmail());
  absl::StatusOr<std::string> subscriber =
      OwnSubscriber(*context, request->subscriber(), "read the e-mail of");
  if (!subscriber.ok()) return ToGrpcStatus(subscriber.status());
  absl::StatusOr<newswatch::v1::EmailSettings> out = email_->Get(*subscriber);
  if (!out.ok()) return ToGrpcStatus(out.status());
  *response = *std::move(out);
  return grpc::Status::OK;
}

}  // namespace nw::rpc
