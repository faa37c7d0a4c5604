#include "server/api/alert_api.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/api/subscriber.h"
#include "server/base/status_macros.h"

namespace nw::api {
namespace {

// SubscribeRequest.max_batch above this is refused (alert_service.proto).
constexpr uint32_t kMaxBatch = 1024;
constexpr uint32_t kMaxHistoryPage = 500;

}  // namespace

absl::StatusOr<std::shared_ptr<alerts::AlertStream>> AlertApi::Open(
    const auth::Principal& caller, const StreamRequest& request) {
  NW_ASSIGN_OR_RETURN(
      std::string subscriber,
      ResolveSubscriber(caller, request.subscriber, "subscribe to"));
  if (request.max_batch > kMaxBatch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_batch ", request.max_batch, " is over the limit of ", kMaxBatch));
  }
  // A cluster's log is written by other processes: learn where it ends.
  NW_ASSIGN_OR_RETURN(uint64_t newest, log_.SharedNewestCursor(subscriber));
  if (newest > 0) hub_.NoteCursor(subscriber, newest);
  auto stream = std::make_shared<alerts::AlertStream>(
      subscriber, request.after_cursor, log_, readers_,
      alerts::AlertStreamOptions{
          .max_batch = std::max<size_t>(request.max_batch, 1),
          .replay_gate = limits_.replay_gate,
          .credential = request.credential});
  if (absl::Status s =
          hub_.Register(stream, request.live_only, limits_.max_streams,
                        limits_.max_streams_per_subscriber);
      !s.ok()) {
    return s;
  }
  return stream;
}

void AlertApi::Close(const std::shared_ptr<alerts::AlertStream>& stream) {
  hub_.Unregister(stream);
}

absl::StatusOr<std::vector<newswatch::v1::Alert>> AlertApi::History(
    const auth::Principal& caller, std::string subscriber, uint64_t before,
    uint32_t limit) const {
  NW_ASSIGN_OR_RETURN(
      std::string who,
      ResolveSubscriber(caller, std::move(subscriber), "read the alerts of"));
  if (limit == 0 || limit > kMaxHistoryPage) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be 1..", kMaxHistoryPage));
  }
  const uint64_t last = hub_.LastCursor(who);
  if (before == 0 || before > last + 1) before = last + 1;
  // Cursors are dense, so the page is the range (before - 1 - limit, before).
  std::vector<newswatch::v1::Alert> page;
  const uint64_t after = before - 1 > limit ? before - 1 - limit : 0;
  absl::StatusOr<std::vector<newswatch::v1::Alert>> alerts =
      log_.ReadAfter(who, after, limit);
  if (!alerts.ok() && absl::IsOutOfRange(alerts.status())) {
    // Retention deleted the older part of the page: what is left of it.
    alerts = log_.ReadAfter(who, 0, limit);
  }
  if (!alerts.ok()) return alerts.status();
  for (auto& a : *alerts) {
    if (a.cursor() < before) page.push_back(std::move(a));
  }
  std::reverse(page.begin(), page.end());
  return page;
}

}  // namespace nw::api
