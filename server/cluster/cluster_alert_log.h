// File: server/cluster/cluster_alert_log.h
//
// The alert logs in cluster mode: stream NW_ALERTS, one subject per
// subscriber ("nw.alr.<partition>.<hex subscriber>"), one message per alert
// (the Alert protobuf; header Nw-Art-Seq = the article's stream sequence).
// The stream republishes every stored alert to "nw.live.>" for live
// delivery; a refused append is never republished.
//
// AlertAppender writes one partition's alerts with a fence: every append
// carries Nats-Expected-Last-Subject-Sequence = the subscriber's last
// message as this writer knows it, so a stale writer (a paused owner that
// lost its lease) is refused by the stream instead of writing a duplicate or
// a gap. Refused, or unsure, the writer re-reads the log's tail: when it
// already covers the article (Nw-Art-Seq >= this one) the alert is stored
// (articles are processed in stream order by every owner) and is dropped;
// otherwise it is re-numbered and retried. Cursors stay 1, 2, 3, ...
//
// ClusterAlertReader serves AlertStream catch-up with DirectGet: a binary
// search for the first message after a cursor, then NextBySubject reads.
//
// Thread safety: AlertAppender is used by one partition worker thread;
// ClusterAlertReader and LiveAlertFeed may be called concurrently.
#ifndef NW_SERVER_CLUSTER_CLUSTER_ALERT_LOG_H_
#define NW_SERVER_CLUSTER_CLUSTER_ALERT_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "newswatch/v1/alert.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/cluster/async_publisher.h"
#include "server/cluster/nats_client.h"
#include "storage/alert_log.h"

namespace nw::cluster {

// Creates NW_ALERTS (with its live republish) unless it exists.
absl::Status EnsureAlertStream(NatsClient& nats);

class AlertAppender {
 public:
  AlertAppender(NatsClient& nats, int partition)
      : nats_(nats), partition_(partition) {}

  // Appends the alerts of consecutive articles (each with its article's
  // stream sequence, in stream order). Each alert gets the next cursor of
  // its subscriber and goes out fenced on that subscriber's last message,
  // with the cursor as its Msg-Id; an article the subscriber's log already
  // covers is skipped. The alerts of different subscribers go out together
  // (one round trip per round, a round taking the next alert of every
  // subscriber that has one) through `publisher`. OK when all are stored
  // (by this or another writer); Unavailable when NATS cannot take them:
  // call again with the same alerts (those stored meanwhile are recognized
  // and skipped).
  absl::Status AppendBatch(
      const std::vector<std::pair<newswatch::v1::Alert, uint64_t>>& alerts,
      AsyncPublisher& publisher);

  // A subscriber's log as a backfill sees it: the article sequences it has
  // an alert for, up to `tail`.
  struct BackfillView {
    std::string subject;
    uint64_t stream_seq = 0;  // of the last message read; 0: none
    uint64_t cursor = 0;
    uint64_t article_seq = 0;  // Nw-Art-Seq of that message
    absl::flat_hash_set<uint64_t> alerted;
  };
  // Reads `subscriber`'s whole log into a view (Unavailable).
  absl::StatusOr<BackfillView> LoadBackfillView(absl::string_view subscriber);
  // Appends a backfill alert for stored article `article_seq` unless the
  // log already has an alert for that article (one alert per article per
  // subscriber, as on a single node). Fenced like AppendBatch; refused, it
  // reads what others appended meanwhile into `view` and decides again. The
  // message's Nw-Art-Seq is max(the log's, article_seq): every article up
  // to it is handled for this subscriber, because a backfill only runs for
  // articles its worker has already matched live (partition_worker.h).
  // True when this call appended it, false when the log already had an
  // alert for the article; Unavailable otherwise (retry with the same view).
  absl::StatusOr<bool> AppendBackfill(newswatch::v1::Alert alert,
                                      uint64_t article_seq, BackfillView& view);

  // Appends refused so far because another writer had written that log
  // (the fence, or the Msg-Id "<subscriber>:<cursor>" within the window).
  uint64_t fenced() const { return fenced_; }

 private:
  struct Tail {
    uint64_t stream_seq = 0;  // of the subscriber's last message; 0: none
    uint64_t cursor = 0;
    uint64_t article_seq = 0;
  };
  absl::StatusOr<Tail> LoadTail(const std::string& subject) const;
  // Reads the messages after view.stream_seq into `view`.
  absl::Status CatchUp(BackfillView& view) const;

  NatsClient& nats_;
  const int partition_;
  absl::flat_hash_map<std::string, Tail> tails_;  // by subject
  uint64_t fenced_ = 0;
};

class ClusterAlertReader final : public storage::AlertReader {
 public:
  ClusterAlertReader(NatsClient& nats, int partitions)
      : nats_(nats), partitions_(partitions) {}

  absl::StatusOr<std::vector<newswatch::v1::Alert>> ReadAfter(
      absl::string_view subscriber, uint64_t after_cursor,
      size_t max_alerts) const override;
  absl::StatusOr<uint64_t> SharedNewestCursor(
      absl::string_view subscriber) const override;

 private:
  NatsClient& nats_;
  const int partitions_;
};

// Feeds every republished alert of the cluster into `hub` (live delivery;
// streams that miss one catch up from the log).
class LiveAlertFeed {
 public:
  static absl::StatusOr<std::unique_ptr<LiveAlertFeed>> Start(
      NatsClient& nats, alerts::SubscriptionHub& hub);
  ~LiveAlertFeed();

 private:
  explicit LiveAlertFeed(alerts::SubscriptionHub& hub) : hub_(hub) {}
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                        void* self);

  alerts::SubscriptionHub& hub_;
  natsSubscription* sub_ = nullptr;
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_CLUSTER_ALERT_LOG_H_
