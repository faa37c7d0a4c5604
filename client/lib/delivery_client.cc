#include "client/lib/delivery_client.h"

#include "absl/time/clock.h"
#include "client/lib/status_convert.h"

namespace nw::client {

DeliveryClient::DeliveryClient(const NewswatchClient& client)
    : call_timeout_(client.options().call_timeout),
      stub_(v1::DeliveryService::NewStub(client.channel())) {}

void DeliveryClient::Prepare(grpc::ClientContext& context) const {
  context.set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
}

absl::StatusOr<v1::AddWebhookResponse> DeliveryClient::AddWebhook(
    const std::string& subscriber, const std::string& url,
    const std::string& secret, std::optional<uint64_t> after_cursor) {
  grpc::ClientContext context;
  Prepare(context);
  v1::AddWebhookRequest request;
  request.set_subscriber(subscriber);
  request.set_url(url);
  request.set_secret(secret);
  if (after_cursor) request.set_after_cursor(*after_cursor);
  v1::AddWebhookResponse response;
  absl::Status status =
      FromGrpcStatus(stub_->AddWebhook(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<std::vector<v1::Webhook>> DeliveryClient::ListWebhooks(
    const std::string& subscriber) {
  grpc::ClientContext context;
  Prepare(context);
  v1::ListWebhooksRequest request;
  request.set_subscriber(subscriber);
  v1::ListWebhooksResponse response;
  absl::Status status =
      FromGrpcStatus(stub_->ListWebhooks(&context, request, &response));
  if (!status.ok()) return status;
  return std::vector<v1::Webhook>(response.webhooks().begin(),
                                  response.webhooks().end());
}

absl::Status DeliveryClient::RemoveWebhook(const std::string& id) {
  grpc::ClientContext context;
  Prepare(context);
  v1::RemoveWebhookRequest request;
  request.set_id(id);
  v1::RemoveWebhookResponse response;
  return FromGrpcStatus(stub_->RemoveWebhook(&context, request, &response));
}

absl::StatusOr<v1::Webhook> DeliveryClient::ResumeWebhook(
    const std::string& id) {
  grpc::ClientContext context;
  Prepare(context);
  v1::ResumeWebhookRequest request;
  request.set_id(id);
  v1::Webhook response;
  absl::Status status =
      FromGrpcStatus(stub_->ResumeWebhook(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::EmailSettings> DeliveryClient::SetEmailSettings(
    const v1::EmailSettings& settings, std::optional<uint64_t> after_cursor) {
  grpc::ClientContext context;
  Prepare(context);
  v1::SetEmailSettingsRequest request;
  *request.mutable_settings() = settings;
  if (after_cursor) request.set_after_cursor(*after_cursor);
  v1::EmailSettings response;
  absl::Status status =
      FromGrpcStatus(stub_->SetEmailSettings(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::EmailSettings> DeliveryClient::GetEmailSettings(
    const std::string& subscriber) {
  grpc::ClientContext context;
  Prepare(context);
  v1::GetEmailSettingsRequest request;
  request.set_subscriber(subscriber);
  v1::EmailSettings response;
  absl::Status status =
      FromGrpcStatus(stub_->GetEmailSettings(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace nw::client
