#include "server/alerts/subscription_hub.h"

namespace nw::alerts {

void SubscriptionHub::Register(const std::shared_ptr<AlertStream>& stream,
                               bool live_only) {
  absl::MutexLock lock(&mu_);
  auto it = last_cursors_.find(stream->subscriber());
  stream->SetPublished(it == last_cursors_.end() ? 0 : it->second, live_only);
  streams_[stream->subscriber()].insert(stream);
}

void SubscriptionHub::Unregister(const std::shared_ptr<AlertStream>& stream) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream->subscriber());
  if (it == streams_.end()) return;
  it->second.erase(stream);
  if (it->second.empty()) streams_.erase(it);
}

void SubscriptionHub::Publish(const std::vector<newswatch::v1::Alert>& alerts) {
  absl::MutexLock lock(&mu_);
  for (const newswatch::v1::Alert& alert : alerts) {
    last_cursors_[alert.subscriber()] = alert.cursor();
    auto it = streams_.find(alert.subscriber());
    if (it == streams_.end()) continue;
    for (const auto& stream : it->second) stream->Offer(alert);
  }
}

void SubscriptionHub::SendHeartbeats(absl::Duration interval) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  for (const auto& [subscriber, streams] : streams_) {
    for (const auto& stream : streams) stream->MaybeHeartbeat(now, interval);
  }
}

size_t SubscriptionHub::ConnectedStreams() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [subscriber, streams] : streams_) n += streams.size();
  return n;
}

}  // namespace nw::alerts
