// File: server/ingest/ingest_pipeline.h
//
// The path of a submitted article: validate -> analyze -> match against the
// current rule snapshot -> commit (article, dedupe key and alerts in one
// WriteBatch) -> publish the alerts to connected streams.
//
// Thread safety: Ingest may be called concurrently. Analysis and matching run
// in parallel on the callers' threads; commit and publish run under
// commit_mu_, so that sequence numbers, cursors and publish order agree.
#ifndef NW_SERVER_INGEST_INGEST_PIPELINE_H_
#define NW_SERVER_INGEST_INGEST_PIPELINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/index/rule_registry.h"
#include "server/ingest/article_validation.h"
#include "storage/article_store.h"
#include "storage/db.h"

namespace nw::ingest {

struct IngestResult {
  std::string article_id;  // the sender's, or "nw-<sequence>" when it sent none
  uint64_t sequence = 0;   // for a duplicate: the first submission's
  bool duplicate = false;  // the id was stored already: nothing new was written
  uint32_t alerts = 0;     // alerts created (one per matching subscriber)
};

class IngestPipeline {
 public:
  // Reads the last sequence number from `db`; `last_cursors` are every
  // subscriber's last cursor (AlertLog::LoadLastCursors). All references
  // must outlive the pipeline.
  static absl::StatusOr<std::unique_ptr<IngestPipeline>> Create(
      storage::Db& db, const index::RuleRegistry& rules, alerts::SubscriptionHub& hub,
      absl::flat_hash_map<std::string, uint64_t> last_cursors, ArticleLimits limits);

  // Ingests one article. InvalidArgument (nothing stored) for a bad article;
  // storage errors as FromRocksStatus maps them (nothing stored either).
  absl::StatusOr<IngestResult> Ingest(newswatch::v1::Article article);

  // Ingests several articles with one synced write: one result per article,
  // in order. A bad article gets its error and does not stop the others.
  std::vector<absl::StatusOr<IngestResult>> IngestBatch(
      std::vector<newswatch::v1::Article> articles);

 private:
  struct Prepared;  // an article analyzed and matched, before commit

  IngestPipeline(storage::Db& db, const index::RuleRegistry& rules,
                 alerts::SubscriptionHub& hub,
                 absl::flat_hash_map<std::string, uint64_t> last_cursors,
                 ArticleLimits limits, uint64_t last_sequence);

  absl::StatusOr<Prepared> Prepare(newswatch::v1::Article article) const;

  // Constant after construction.
  storage::Db& db_;
  storage::ArticleStore articles_;
  const index::RuleRegistry& rules_;
  alerts::SubscriptionHub& hub_;
  const ArticleLimits limits_;

  // Held across the RocksDB write and the publish (the one lock that covers
  // I/O, as leveldb's DBImpl::Write): it makes sequence numbers, cursors and
  // publish order one order.
  absl::Mutex commit_mu_;
  uint64_t last_sequence_ ABSL_GUARDED_BY(commit_mu_);
  absl::flat_hash_map<std::string, uint64_t> last_cursors_ ABSL_GUARDED_BY(commit_mu_);
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_INGEST_PIPELINE_H_
