// File: client/lib/delivery_client.h
//
// DeliveryClient: the absl::StatusOr API over DeliveryService (webhooks and
// e-mail delivery of alerts), on a NewswatchClient's connection.
//
// Thread safety: may be used from several threads at once; must not outlive
// the NewswatchClient it was made from.
#ifndef NW_CLIENT_LIB_DELIVERY_CLIENT_H_
#define NW_CLIENT_LIB_DELIVERY_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/lib/newswatch_client.h"
#include "newswatch/v1/delivery_service.grpc.pb.h"

namespace nw::client {

class DeliveryClient {
 public:
  explicit DeliveryClient(const NewswatchClient& client);

  // `secret` empty: the daemon makes one (in generated_secret).
  absl::StatusOr<v1::AddWebhookResponse> AddWebhook(
      const std::string& subscriber, const std::string& url,
      const std::string& secret, std::optional<uint64_t> after_cursor);
  absl::StatusOr<std::vector<v1::Webhook>> ListWebhooks(
      const std::string& subscriber);
  absl::Status RemoveWebhook(const std::string& id);
  absl::StatusOr<v1::Webhook> ResumeWebhook(const std::string& id);
  absl::StatusOr<v1::EmailSettings> SetEmailSettings(
      const v1::EmailSettings& settings, std::optional<uint64_t> after_cursor);
  absl::StatusOr<v1::EmailSettings> GetEmailSettings(
      const std::string& subscriber);

 private:
  void Prepare(grpc::ClientContext& context) const;

  const absl::Duration call_timeout_;
  std::unique_ptr<v1::DeliveryService::Stub> stub_;
};

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_DELIVERY_CLIENT_H_
