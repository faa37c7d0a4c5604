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

// Bridges one gRPC stream and its AlertStream (architecture: one write in
// flight, Finish on failure, delete in OnDone, nothing blocking in reactions).
class AlertStreamReactor final
    : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
      public alerts::AlertSink {
 public:
  // REQUIRES: `stream` comes from `alerts.Open`.
  AlertStreamReactor(api::AlertApi& alerts,
                     std::shared_ptr<alerts::AlertStream> stream)
      : alerts_(alerts), stream_(std::move(stream)) {
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
    alerts_.Close(stream_);
    stream_->Detach();
    delete this;
  }

 private:
  void Write() {
    SerializeToBuffer(response_, &buffer_);
    StartWrite(&buffer_);
  }

  api::AlertApi& alerts_;
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
  absl::StatusOr<std::shared_ptr<alerts::AlertStream>> stream = alerts_.Open(
      *caller,
      {.subscriber = request->subscriber(),
       .after_cursor = request->from_cursor(),
       .live_only = request->live_only(),
       .max_batch = request->max_batch(),
       .credential = std::string(AuthorizationOf(*context).value_or(""))});
  if (!stream.ok()) return new RefusedStream(stream.status());
  return new AlertStreamReactor(alerts_, *std::move(stream));
}

}  // namespace nw::rpc
