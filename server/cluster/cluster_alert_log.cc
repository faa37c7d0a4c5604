#include "server/cluster/cluster_alert_log.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/base/log.h"
#include "server/cluster/naming.h"

namespace nw::cluster {
namespace {

// One stored alert message.
struct Stored {
  uint64_t stream_seq = 0;
  uint64_t article_seq = 0;
  newswatch::v1::Alert alert;
};

uint64_t HeaderNumber(natsMsg* msg, const char* name) {
  const char* value = nullptr;
  uint64_t n = 0;
  if (natsMsgHeader_Get(msg, name, &value) == NATS_OK && value != nullptr)
    (void)absl::SimpleAtoi(value, &n);
  return n;
}

// DirectGet; nullopt when no message matches.
absl::StatusOr<std::optional<Stored>> DirectGet(
    NatsClient& nats, jsDirectGetMsgOptions& options) {
  natsMsg* msg = nullptr;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = nats.timeout_ms();
  natsStatus s =
      js_DirectGetMsg(&msg, nats.js(), kAlertStream, &js_options, &options);
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "reading alerts");
  Stored stored;
  stored.stream_seq = HeaderNumber(msg, "Nats-Sequence");
  stored.article_seq = HeaderNumber(msg, kArticleSeqHeader);
  const bool parsed = stored.alert.ParseFromArray(natsMsg_GetData(msg),
                                                  natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
  if (!parsed || stored.stream_seq == 0) {
    return absl::DataLossError(
        absl::StrCat("alert message in ", kAlertStream, " does not parse"));
  }
  return stored;
}

absl::StatusOr<std::optional<Stored>> LastOf(NatsClient& nats,
                                             const std::string& subject) {
  jsDirectGetMsgOptions options;
  jsDirectGetMsgOptions_Init(&options);
  options.LastBySubject = subject.c_str();
  return DirectGet(nats, options);
}

// The first message of `subject` at stream sequence >= `seq`.
absl::StatusOr<std::optional<Stored>> NextFrom(NatsClient& nats,
                                               const std::string& subject,
                                               uint64_t seq) {
  jsDirectGetMsgOptions options;
  jsDirectGetMsgOptions_Init(&options);
  options.Sequence = seq;
  options.NextBySubject = subject.c_str();
  return DirectGet(nats, options);
}

}  // namespace

absl::Status EnsureAlertStream(NatsClient& nats) {
  const char* subjects[] = {"nw.alr.>"};
  jsRePublish republish;
  jsRePublish_Init(&republish);
  republish.Source = "nw.alr.>";
  republish.Destination = "nw.live.>";
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = kAlertStream;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = nats.replicas();
  config.AllowDirect = true;
  config.RePublish = &republish;
  config.Duplicates = int64_t{10} * 60 * 1000000000;  // blind retries
  return nats.EnsureStream(config);
}

absl::StatusOr<AlertAppender::Tail> AlertAppender::LoadTail(
    const std::string& subject) const {
  absl::StatusOr<std::optional<Stored>> last = LastOf(nats_, subject);
  if (!last.ok()) return last.status();
  if (!last->has_value()) return Tail{};
  return Tail{.stream_seq = (*last)->stream_seq,
              .cursor = (*last)->alert.cursor(),
              .article_seq = (*last)->article_seq};
}

absl::Status AlertAppender::AppendBatch(
    const std::vector<std::pair<newswatch::v1::Alert, uint64_t>>& alerts,
    AsyncPublisher& publisher) {
  // Per subject, its alerts in stream order (indexes into `alerts`).
  struct Queue {
    std::string subject;
    std::deque<size_t> pending;
  };
  std::vector<Queue> queues;
  absl::flat_hash_map<std::string, size_t> by_subject;
  for (size_t i = 0; i < alerts.size(); ++i) {
    const std::string subject =
        AlertSubject(partition_, alerts[i].first.subscriber());
    auto [it, added] = by_subject.try_emplace(subject, queues.size());
    if (added) queues.push_back(Queue{.subject = subject});
    queues[it->second].pending.push_back(i);
  }
  for (int round = 0; round < 64 * 1024; ++round) {
    std::vector<AsyncPublisher::Message> messages;
    std::vector<std::pair<Queue*, uint64_t>> sent;  // queue, cursor
    for (Queue& q : queues) {
      auto tail = tails_.find(q.subject);
      if (tail == tails_.end()) {
        absl::StatusOr<Tail> loaded = LoadTail(q.subject);
        if (!loaded.ok()) return loaded.status();
        tail = tails_.emplace(q.subject, *loaded).first;
      }
      // Already stored (by us before a retry, or by another owner).
      while (!q.pending.empty() &&
             alerts[q.pending.front()].second <= tail->second.article_seq) {
        q.pending.pop_front();
      }
      if (q.pending.empty()) continue;
      const auto& [alert, article_seq] = alerts[q.pending.front()];
      const uint64_t cursor = tail->second.cursor + 1;
      newswatch::v1::Alert numbered = alert;
      numbered.set_cursor(cursor);
      // The fence ("0": the subscriber must have no alert yet), and the
      // Msg-Id of the cursor, which the stream also refuses twice.
      messages.push_back(
          {.subject = q.subject,
           .data = numbered.SerializeAsString(),
           .msg_id = absl::StrCat(Hex(alert.subscriber()), ":", cursor),
           .headers = {{kArticleSeqHeader, absl::StrCat(article_seq)}},
           .expected_last_subject_seq =
               static_cast<int64_t>(tail->second.stream_seq)});
      sent.push_back({&q, cursor});
    }
    if (messages.empty()) return absl::OkStatus();
    std::vector<AsyncPublisher::Ack> acks = publisher.PublishAll(messages);
    absl::Status unavailable;
    for (size_t k = 0; k < sent.size(); ++k) {
      Queue& q = *sent[k].first;
      if (acks[k].status.ok() && !acks[k].duplicate) {
        tails_[q.subject] = {.stream_seq = acks[k].sequence,
                             .cursor = sent[k].second,
                             .article_seq = alerts[q.pending.front()].second};
        q.pending.pop_front();
        continue;
      }
      if (acks[k].status.ok() || absl::IsAborted(acks[k].status)) {
        ++fenced_;  // another writer moved this log: read its tail again
      } else {
        unavailable = acks[k].status;  // unsure what was stored
      }
      tails_.erase(q.subject);
    }
    if (!unavailable.ok()) return unavailable;
  }
  return absl::UnavailableError(
      "appending alerts: other writers kept moving the logs; retry");
}

absl::Status AlertAppender::CatchUp(BackfillView& view) const {
  while (true) {
    absl::StatusOr<std::optional<Stored>> m =
        NextFrom(nats_, view.subject, view.stream_seq + 1);
    if (!m.ok()) return m.status();
    if (!m->has_value()) return absl::OkStatus();
    view.stream_seq = (*m)->stream_seq;
    view.cursor = (*m)->alert.cursor();
    view.article_seq = (*m)->article_seq;
    view.alerted.insert((*m)->alert.article_sequence());
  }
}

absl::StatusOr<AlertAppender::BackfillView> AlertAppender::LoadBackfillView(
    absl::string_view subscriber) {
  BackfillView view;
  view.subject = AlertSubject(partition_, subscriber);
  if (absl::Status s = CatchUp(view); !s.ok()) return s;
  return view;
}

absl::StatusOr<bool> AlertAppender::AppendBackfill(newswatch::v1::Alert alert,
                                                   uint64_t article_seq,
                                                   BackfillView& view) {
  // The live appender's idea of this log is stale from here on.
  tails_.erase(view.subject);
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (view.alerted.contains(article_seq)) return false;
    const uint64_t cursor = view.cursor + 1;
    alert.set_cursor(cursor);
    const std::string data = alert.SerializeAsString();
    natsMsg* msg = nullptr;
    if (natsMsg_Create(&msg, view.subject.c_str(), nullptr, data.data(),
                       static_cast<int>(data.size())) != NATS_OK) {
      return absl::ResourceExhaustedError("alert message: out of memory");
    }
    const uint64_t watermark = std::max(view.article_seq, article_seq);
    natsMsgHeader_Set(msg, kArticleSeqHeader, absl::StrCat(watermark).c_str());
    natsMsgHeader_Set(msg, kExpectedSubjectSeqHeader,
                      absl::StrCat(view.stream_seq).c_str());
    const std::string msg_id =
        absl::StrCat(Hex(alert.subscriber()), ":", cursor);
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = msg_id.c_str();
    options.MaxWait = nats_.timeout_ms();
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_PublishMsg(&ack, nats_.js(), msg, &options, &jerr);
    natsMsg_Destroy(msg);
    if (s == NATS_OK && !ack->Duplicate) {
      view.stream_seq = ack->Sequence;
      view.cursor = cursor;
      view.article_seq = watermark;
      view.alerted.insert(article_seq);
      jsPubAck_Destroy(ack);
      return true;
    }
    if (ack != nullptr) jsPubAck_Destroy(ack);
    absl::Status status = FromNats(s, jerr, "appending a backfill alert");
    if (s == NATS_OK || absl::IsAborted(status)) ++fenced_;
    // Refused or unsure: what is in the log now decides.
    if (absl::Status c = CatchUp(view); !c.ok()) return c;
    if (s != NATS_OK && !absl::IsAborted(status) &&
        !view.alerted.contains(article_seq)) {
      return status;
    }
  }
  return absl::UnavailableError(
      absl::StrCat("appending a backfill alert to ", view.subject,
                   ": other writers kept moving the log; retry"));
}

absl::StatusOr<std::vector<newswatch::v1::Alert>> ClusterAlertReader::ReadAfter(
    absl::string_view subscriber, uint64_t after_cursor,
    size_t max_alerts) const {
  const std::string subject =
      AlertSubject(PartitionOf(subscriber, partitions_), subscriber);
  std::vector<newswatch::v1::Alert> alerts;
  absl::StatusOr<std::optional<Stored>> last = LastOf(nats_, subject);
  if (!last.ok()) return last.status();
  if (!last->has_value() || (*last)->alert.cursor() <= after_cursor)
    return alerts;
  // The smallest stream sequence whose next message of the subject is after
  // the cursor (cursors grow with stream sequence within a subject).
  uint64_t lo = 1, hi = (*last)->stream_seq;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<std::optional<Stored>> m = NextFrom(nats_, subject, mid);
    if (!m.ok()) return m.status();
    if (m->has_value() && (*m)->alert.cursor() > after_cursor) {
      hi = mid;
    } else {
      lo = m->has_value() ? std::max(mid + 1, (*m)->stream_seq + 1) : mid + 1;
    }
  }
  uint64_t seq = lo;
  while (alerts.size() < max_alerts) {
    absl::StatusOr<std::optional<Stored>> m = NextFrom(nats_, subject, seq);
    if (!m.ok()) return m.status();
    if (!m->has_value()) break;
    seq = (*m)->stream_seq + 1;
    if ((*m)->alert.cursor() > after_cursor)
      alerts.push_back(std::move((*m)->alert));
  }
  return alerts;
}

absl::StatusOr<uint64_t> ClusterAlertReader::SharedNewestCursor(
    absl::string_view subscriber) const {
  absl::StatusOr<std::optional<Stored>> last = LastOf(
      nats_, AlertSubject(PartitionOf(subscriber, partitions_), subscriber));
  if (!last.ok()) return last.status();
  return last->has_value() ? (*last)->alert.cursor() : 0;
}

absl::StatusOr<std::unique_ptr<LiveAlertFeed>> LiveAlertFeed::Start(
    NatsClient& nats, alerts::SubscriptionHub& hub) {
  auto feed = std::unique_ptr<LiveAlertFeed>(new LiveAlertFeed(hub));
  natsStatus s =
      natsConnection_Subscribe(&feed->sub_, nats.connection(), "nw.live.>",
                               &LiveAlertFeed::OnMessage, feed.get());
  if (s == NATS_OK)
    s = natsSubscription_SetPendingLimits(feed->sub_, 1 << 20, 1 << 30);
  if (s == NATS_OK) s = natsConnection_Flush(nats.connection());
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "subscribing to live alerts");
  return feed;
}

LiveAlertFeed::~LiveAlertFeed() {
  if (sub_ != nullptr) {
    natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
  }
}

void LiveAlertFeed::OnMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                              void* self) {
  newswatch::v1::Alert alert;
  if (alert.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)) &&
      alert.cursor() > 0) {
    static_cast<LiveAlertFeed*>(self)->hub_.Publish({std::move(alert)});
  }
  natsMsg_Destroy(msg);
}

}  // namespace nw::cluster
