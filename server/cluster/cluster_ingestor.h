// File: server/cluster/cluster_ingestor.h
//
// Ingest in cluster mode: the article goes to the replicated stream
// NW_ARTICLES and the sender is acknowledged with the stream's ack (quorum
// of replicas), its stream sequence being the article's sequence. Matching
// happens after the ack, on the partition owners (partition_worker.h), so
// IngestResult::alerts is always 0 here.
//
// Dedupe is forever, on every node: before publishing, the article id is
// created in bucket NW_ARTICLE_IDS (create fails if the key exists), then
// set to the sequence. A sender retrying after a crash between the two
// finds the key pending and publishes again with the same Nats-Msg-Id,
// which the stream's dedupe window turns into the first copy's sequence.
//
// A batch (SubmitArticles) is pipelined: the id keys of all its articles
// are created at once, then all articles published at once, then all keys
// set, each step waiting for every ack (async_publisher.h): three round
// trips per batch, not per article. An article is acknowledged only with
// its own stream ack, as before.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_SERVER_CLUSTER_CLUSTER_INGESTOR_H_
#define NW_SERVER_CLUSTER_CLUSTER_INGESTOR_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/base/clock.h"
#include "server/cluster/async_publisher.h"
#include "server/cluster/nats_client.h"
#include "server/ingest/article_ingestor.h"
#include "server/ingest/article_validation.h"
#include "storage/article_store.h"

namespace nw::cluster {

class ClusterIngestor final : public ingest::ArticleIngestor,
                              public storage::ArticleReader {
 public:
  // Creates the stream and bucket if needed. `nats` and `clock` must outlive
  // the ingestor. Unavailable when NATS cannot create them.
  static absl::StatusOr<std::unique_ptr<ClusterIngestor>> Create(
      NatsClient& nats, ingest::ArticleLimits limits, const base::Clock& clock);

  // InvalidArgument (nothing published) for a bad article; Unavailable when
  // the stream did not acknowledge (no quorum, no connection): never an ack
  // for an article the stream does not hold.
  absl::StatusOr<ingest::IngestResult> Ingest(
      newswatch::v1::Article article) override;
  std::vector<absl::StatusOr<ingest::IngestResult>> IngestBatch(
      std::vector<newswatch::v1::Article> articles) override;

  // The article from the stream, by id (NotFound, Unavailable).
  absl::StatusOr<newswatch::v1::Article> Get(
      absl::string_view id) const override;

 private:
  ClusterIngestor(NatsClient& nats, kvStore* ids,
                  std::unique_ptr<AsyncPublisher> publisher,
                  ingest::ArticleLimits limits, const base::Clock& clock)
      : nats_(nats),
        ids_(ids),
        publisher_(std::move(publisher)),
        limits_(limits),
        clock_(clock) {}

  NatsClient& nats_;
  kvStore* const ids_;
  const std::unique_ptr<AsyncPublisher> publisher_;
  const ingest::ArticleLimits limits_;
  const base::Clock& clock_;
};

// Reads the article at stream sequence `seq` (id "nw-<seq>" when it had none).
absl::StatusOr<newswatch::v1::Article> ArticleAt(NatsClient& nats,
                                                 uint64_t seq);

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_CLUSTER_INGESTOR_H_
