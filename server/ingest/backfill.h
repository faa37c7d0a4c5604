// File: server/ingest/backfill.h
//
// Backfill: a new rule matched against stored articles, its alerts appended
// to the subscriber's log through the Committer (after the alerts already
// there, in order with live ones). Resumable: each chunk's alerts and the
// job's progress are one write (storage/backfill_job.h).
//
// Thread safety: Run may be called concurrently for different subscribers;
// backfills of one subscriber must not overlap (RuleCatalog serializes them).
#ifndef NW_SERVER_INGEST_BACKFILL_H_
#define NW_SERVER_INGEST_BACKFILL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "server/base/clock.h"
#include "server/index/indexed_rule.h"
#include "server/ingest/committer.h"
#include "server/ingest/ingest_metrics.h"
#include "storage/article_store.h"
#include "storage/backfill_job.h"
#include "storage/db.h"

namespace nw::ingest {

class Backfiller {
 public:
  // References must outlive the backfiller.
  Backfiller(storage::Db& db, Committer& committer, IngestMetrics& metrics,
             const base::Clock& clock)
      : db_(db),
        articles_(db),
        committer_(committer),
        metrics_(metrics),
        clock_(clock) {}

  // Runs `job`: matches `rule` against the stored articles with job.after <
  // sequence <= job.up_to ingested at or after job.since_unix_nanos, and
  // appends one alert per matching article, except for articles the
  // subscriber already has an alert for (one alert per article per
  // subscriber) and near-duplicates of a story it was alerted on (stories,
  // as at ingest). The last chunk deletes the job, so a crash leaves a job
  // that a later Run completes exactly. Returns the number of alerts
  // created. REQUIRES: job.up_to set (IngestPipeline::PublishRuleChange).
  // Errors: storage errors; alerts committed before an error stay.
  absl::StatusOr<uint32_t> Run(std::shared_ptr<const index::IndexedRule> rule,
                               storage::BackfillJob job);

 private:
  // The sequences of the articles <= `up_to` that `subscriber` has an alert
  // for (from its alert log).
  absl::StatusOr<absl::flat_hash_set<uint64_t>> AlertedArticles(
      const std::string& subscriber, uint64_t up_to) const;

  storage::Db& db_;
  const storage::ArticleStore articles_;
  Committer& committer_;
  IngestMetrics& metrics_;
  const base::Clock& clock_;
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_BACKFILL_H_
