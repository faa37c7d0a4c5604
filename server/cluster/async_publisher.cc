#include "server/cluster/async_publisher.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/cluster/naming.h"

namespace nw::cluster {

absl::StatusOr<std::unique_ptr<AsyncPublisher>> AsyncPublisher::Create(
    NatsClient& nats) {
  auto publisher = std::unique_ptr<AsyncPublisher>(new AsyncPublisher(nats));
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = nats.timeout_ms();
  options.PublishAsync.MaxPending = 1 << 16;
  options.PublishAsync.StallWait = nats.timeout_ms();
  options.PublishAsync.AckHandler = &AsyncPublisher::OnAck;
  options.PublishAsync.AckHandlerClosure = publisher.get();
  if (natsConnection_JetStream(&publisher->js_, nats.connection(), &options) !=
      NATS_OK) {
    return absl::InternalError("NATS: cannot create a JetStream context");
  }
  return publisher;
}

AsyncPublisher::~AsyncPublisher() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
}

void AsyncPublisher::OnAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                           void* self) {
  auto* publisher = static_cast<AsyncPublisher*>(self);
  {
    absl::MutexLock lock(&publisher->mu_);
    auto it = publisher->inflight_.find(msg);
    if (it != publisher->inflight_.end()) {
      auto [batch, index] = it->second;
      publisher->inflight_.erase(it);
      Ack& ack = batch->acks[index];
      if (pa != nullptr) {
        ack.status = absl::OkStatus();
        ack.sequence = pa->Sequence;
        ack.duplicate = pa->Duplicate;
      } else {
        ack.status =
            FromNats(pae != nullptr ? pae->Err : NATS_ERR,
                     pae != nullptr ? pae->ErrCode : static_cast<jsErrCode>(0),
                     "publishing");
      }
      --batch->remaining;
    }
  }
  natsMsg_Destroy(msg);
}

std::vector<AsyncPublisher::Ack> AsyncPublisher::PublishAll(
    const std::vector<Message>& messages) {
  Batch batch;
  batch.acks.resize(messages.size());
  for (Ack& ack : batch.acks)
    ack.status = absl::UnavailableError("publishing: no answer from NATS");
  for (size_t i = 0; i < messages.size(); ++i) {
    const Message& m = messages[i];
    natsMsg* msg = nullptr;
    if (natsMsg_Create(&msg, m.subject.c_str(), nullptr, m.data.data(),
                       static_cast<int>(m.data.size())) != NATS_OK) {
      batch.acks[i].status =
          absl::ResourceExhaustedError("publishing: out of memory");
      continue;
    }
    for (const auto& [name, value] : m.headers)
      natsMsgHeader_Set(msg, name.c_str(), value.c_str());
    if (m.expected_last_subject_seq >= 0) {
      natsMsgHeader_Set(msg, kExpectedSubjectSeqHeader,
                        absl::StrCat(m.expected_last_subject_seq).c_str());
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    if (!m.msg_id.empty()) options.MsgId = m.msg_id.c_str();
    if (!m.expected_stream.empty())
      options.ExpectStream = m.expected_stream.c_str();
    options.MaxWait = nats_.timeout_ms();
    {
      absl::MutexLock lock(&mu_);
      inflight_[msg] = {&batch, i};
      ++batch.remaining;
    }
    natsMsg* owned = msg;
    natsStatus s = js_PublishMsgAsync(js_, &owned, &options);
    if (s != NATS_OK) {
      absl::MutexLock lock(&mu_);
      // Not sent: unless the library took the message anyway.
      if (inflight_.erase(msg) > 0) {
        --batch.remaining;
        batch.acks[i].status =
            FromNats(s, static_cast<jsErrCode>(0), "publishing");
      }
      if (owned != nullptr) natsMsg_Destroy(owned);
    }
  }
  // Every message has a MaxWait timer in the library: the handler runs for
  // each. The deadline is only a safety net.
  const absl::Time deadline =
      absl::Now() + absl::Milliseconds(nats_.timeout_ms()) + absl::Seconds(2);
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(
      absl::Condition(
          +[](Batch* b) { return b->remaining == 0; }, &batch),
      deadline);
  if (batch.remaining > 0) {
    for (auto it = inflight_.begin(); it != inflight_.end();) {
      if (it->second.first == &batch) {
        inflight_.erase(it++);
      } else {
        ++it;
      }
    }
  }
  return std::move(batch.acks);
}

}  // namespace nw::cluster
