#include "server/ingest/backfill.h"

#include <utility>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "server/base/status_macros.h"
#include "server/index/rule_snapshot.h"
#include "server/ingest/alert_builder.h"
#include "storage/alert_log.h"

namespace nw::ingest {

using google::protobuf::util::TimeUtil;
using newswatch::v1::Alert;
using newswatch::v1::Article;

absl::StatusOr<absl::flat_hash_set<uint64_t>> Backfiller::AlertedArticles(
    const std::string& subscriber, uint64_t up_to) const {
  // Only sequences are read: no need to complete compact alerts.
  const storage::AlertLog log(db_, nullptr);
  absl::flat_hash_set<uint64_t> alerted;
  uint64_t after_cursor = 0;  // 0: from the oldest alert retention kept
  while (true) {
    NW_ASSIGN_OR_RETURN(std::vector<Alert> alerts,
                        log.ReadAfter(subscriber, after_cursor, 4096));
    if (alerts.empty()) return alerted;
    for (const Alert& alert : alerts) {
      if (alert.article_sequence() <= up_to)
        alerted.insert(alert.article_sequence());
    }
    after_cursor = alerts.back().cursor();
  }
}

absl::StatusOr<uint32_t> Backfiller::Run(
    std::shared_ptr<const index::IndexedRule> rule, storage::BackfillJob job) {
  const index::RuleSnapshot snapshot({rule});
  NW_ASSIGN_OR_RETURN(absl::flat_hash_set<uint64_t> alerted,
                      AlertedArticles(rule->subscriber, job.up_to));
  const absl::Time since = absl::FromUnixNanos(job.since_unix_nanos);
  uint32_t created = 0;
  while (true) {
    // In chunks, so a long backfill never holds much memory or the committer.
    absl::StatusOr<std::vector<Article>> chunk =
        articles_.ScanFrom(job.after + 1, 256);
    if (!chunk.ok()) return chunk.status();
    std::vector<Alert> alerts;
    bool done = chunk->empty();
    for (const Article& article : *chunk) {
      if (article.sequence() > job.up_to) {
        done = true;
        break;
      }
      job.after = article.sequence();
      const absl::Time ingested = absl::FromUnixNanos(
          TimeUtil::TimestampToNanoseconds(article.ingested_at()));
      if (ingested < since || alerted.contains(article.sequence())) continue;
      for (Alert& alert :
           BuildAlerts(article, snapshot.Match(AnalyzeArticle(article)).hits)) {
        alert.set_backfill(true);
        *alert.mutable_created_at() =
            TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
        alert.set_article_id(article.id());
        alert.set_article_sequence(article.sequence());
        alert.set_story_id(article.story_id());
        alerts.push_back(std::move(alert));
      }
    }
    if (job.after >= job.up_to) done = true;
    // A chunk without alerts needs no write, except the last (deletes the
    // job): redoing it after a crash creates nothing.
    if (!alerts.empty() || done) {
      NW_ASSIGN_OR_RETURN(size_t appended, committer_.CommitAlerts(
                                               std::move(alerts), job, done));
      created += static_cast<uint32_t>(appended);
      metrics_.alerts_backfill.Increment(appended);
    }
    if (done) return created;
  }
}

}  // namespace nw::ingest
