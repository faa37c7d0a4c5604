#include "server/rpc/alert_service.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/auth/policy.h"
#include "server/catalog/rule_catalog.h"
#include "server/rpc/caller.h"
#include "server/rpc/request_parse.h"
#include "server/rpc/status_convert.h"

namespace nw::rpc {
namespace {

using newswatch::v1::SubscribeResponse;

// SubscribeRequest.max_batch above this is refused (alert_service.proto).
constexpr uint32_t kMaxBatch = 1024;

// Bridges one gRPC stream and its AlertStream (architecture: one write in
// flight, Finish on failure, delete in OnDone, nothing blocking in reactions).
class AlertStreamReactor final
    : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
      public alerts::AlertSink {
 public:
  // REQUIRES: `stream` is registered with `hub`.
  AlertStreamReactor(alerts::SubscriptionHub& hub,
                     std::shared_ptr<alerts::AlertStream> stream)
      : hub_(hub), stream_(std::move(stream)) {
    stream_->Start(this);
  }

  // AlertSink (called with the stream's mutex held).
  void StartAlertsWrite(std::vector<newswatch::v1::Alert> alerts) override {
    if (alerts.size() == 1) {
      *response_.mutable_alert() = std::move(alerts.front());
    } else {
      auto* batch = response_.mutable_batch()->mutable_alerts();
      batch->Clear();
      batch->Reserve(static_cast<int>(alerts.size()));
      for (newswatch::v1::Alert& alert : alerts)
        *batch->Add() = std::move(alert);
    }
    Write();
  }
  void StartHeartbeatWrite(uint64_t last_cursor) override {
    response_.mutable_heartbeat()->set_last_cursor(last_cursor);
    Write();
  }
  void FinishStream(const absl::Status& status) override {
    Finish(ToGrpcStatus(status));
  }

  void OnWriteDone(bool ok) override { stream_->OnWriteDone(ok); }
  void OnCancel() override { stream_->Cancel(); }
  void OnDone() override {
    hub_.Unregister(stream_);
    stream_->Detach();
    delete this;
  }

 private:
  void Write() {
    SerializeToBuffer(response_, &buffer_);
    StartWrite(&buffer_);
  }

  alerts::SubscriptionHub& hub_;
  std::shared_ptr<alerts::AlertStream> stream_;
  SubscribeResponse response_;
  grpc::ByteBuffer buffer_;  // response_ serialized; lives until OnWriteDone
};

// A stream refused before it starts.
class RefusedStream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedStream(const absl::Status& status) {
    Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* AlertServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  newswatch::v1::SubscribeRequest parsed;
  if (absl::Status s = ParseRequest(*raw_request, &parsed); !s.ok())
    return new RefusedStream(s);
  const newswatch::v1::SubscribeRequest* request = &parsed;
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return new RefusedStream(caller.status());
  // An analyst subscribes to its own subscriber unless it names one.
  const std::string subscriber = request->subscriber().empty()
                                     ? caller->subscriber
                                     : request->subscriber();
  if (absl::Status s = catalog::ValidateSubscriber(subscriber); !s.ok()) {
    return new RefusedStream(s);
  }
  if (absl::Status s =
          auth::CheckOwnsSubscriber(*caller, subscriber, "subscribe to");
      !s.ok()) {
    return new RefusedStream(s);
  }
  if (request->max_batch() > kMaxBatch) {
    return new RefusedStream(absl::InvalidArgumentError(
        absl::StrCat("max_batch ", request->max_batch(),
                     " is over the limit of ", kMaxBatch)));
  }
  // A cluster's log is written by other processes: learn where it ends.
  absl::StatusOr<uint64_t> newest = log_.SharedNewestCursor(subscriber);
  if (!newest.ok()) return new RefusedStream(newest.status());
  if (*newest > 0) hub_.NoteCursor(subscriber, *newest);
  auto stream = std::make_shared<alerts::AlertStream>(
      subscriber, request->from_cursor(), log_, readers_,
      alerts::AlertStreamOptions{
          .max_batch = std::max<size_t>(request->max_batch(), 1),
          .replay_gate = limits_.replay_gate,
          .credential = std::string(AuthorizationOf(*context).value_or(""))});
  if (absl::Status s =
          hub_.Register(stream, request->live_only(), limits_.max_streams,
                        limits_.max_streams_per_subscriber);
      !s.ok()) {
    return new RefusedStream(s);
  }
  return new AlertStreamReactor(hub_, std::move(stream));
}

}  // namespace nw::rpc
