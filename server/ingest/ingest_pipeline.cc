#include "server/ingest/ingest_pipeline.h"

#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/util/time_util.h"
#include "server/ingest/alert_builder.h"
#include "server/match/analyzed_article.h"
#include "storage/alert_log.h"
#include "storage/commit_batch.h"

namespace nw::ingest {

using newswatch::v1::Alert;
using newswatch::v1::Article;

// An article ready to commit: its alerts are built, cursors not yet assigned.
struct IngestPipeline::Prepared {
  Article article;
  std::vector<Alert> alerts;       // one per subscriber
  std::vector<uint64_t> shingles;  // of the body, for the story step
};

struct IngestPipeline::CommitRequest {
  enum class Kind { kArticles, kAlerts, kBarrier };
  Kind kind = Kind::kArticles;
  // kArticles: nullopt entries were refused earlier and keep their results.
  std::vector<std::optional<Prepared>>* prepared = nullptr;
  std::vector<absl::StatusOr<IngestResult>>* results = nullptr;
  // kAlerts (backfill): alerts of stored articles; cursors assigned here.
  std::vector<Alert>* alerts = nullptr;
  // kAlerts: the backfill job they advance (or finish), in the same write.
  const storage::BackfillJob* backfill = nullptr;
  bool backfill_done = false;
  absl::Status status;            // kAlerts: the write's outcome
  uint64_t barrier_sequence = 0;  // kBarrier: last sequence committed before it
  absl::Notification done;
};

struct IngestPipeline::PublishJob {
  std::vector<Alert>
      alerts;  // committed, for the hub; empty when the write failed
  std::vector<CommitRequest*> requests;
  absl::Status written;
};

absl::StatusOr<std::unique_ptr<IngestPipeline>> IngestPipeline::Create(
    storage::Db& db, const index::RuleRegistry& rules,
    alerts::SubscriptionHub& hub,
    absl::flat_hash_map<std::string, uint64_t> last_cursors,
    IngestOptions options, const base::Clock& clock) {
  absl::StatusOr<uint64_t> last_sequence =
      storage::ArticleStore(db).LastSequence();
  if (!last_sequence.ok()) return last_sequence.status();
  absl::StatusOr<std::unique_ptr<StoryStage>> stories = StoryStage::Create(
      db, options.subscriber_settings, clock.Now(), options.stories);
  if (!stories.ok()) return stories.status();
  return std::unique_ptr<IngestPipeline>(
      new IngestPipeline(db, rules, hub, std::move(last_cursors), options,
                         clock, *last_sequence, *std::move(stories)));
}

IngestPipeline::IngestPipeline(
    storage::Db& db, const index::RuleRegistry& rules,
    alerts::SubscriptionHub& hub,
    absl::flat_hash_map<std::string, uint64_t> last_cursors,
    IngestOptions options, const base::Clock& clock, uint64_t last_sequence,
    std::unique_ptr<StoryStage> stories)
    : db_(db),
      articles_(db),
      rules_(rules),
      hub_(hub),
      options_(options),
      clock_(clock),
      match_pool_(std::max(1, options.match_threads)),
      own_metrics_(options.metrics ? nullptr
                                   : std::make_unique<metrics::Registry>()),
      metrics_(options.metrics ? *options.metrics : *own_metrics_),
      last_sequence_(last_sequence),
      stories_(std::move(stories)),
      last_cursors_(std::move(last_cursors)),
      publisher_([this] { PublishLoop(); }),
      committer_([this] { CommitLoop(); }) {}

IngestPipeline::~IngestPipeline() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  committer_.join();
  {
    absl::MutexLock lock(&publish_mu_);
    publish_stopping_ = true;
  }
  publisher_.join();
}

absl::StatusOr<IngestPipeline::Prepared> IngestPipeline::Prepare(
    Article article, const index::RuleSnapshot& snapshot) const {
  if (absl::Status s = ValidateArticle(article, options_.limits); !s.ok())
    return s;
  article.clear_sequence();
  article.clear_story_id();
  article.clear_duplicate_of();
  *article.mutable_ingested_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(clock_.Now()));
  const auto start = std::chrono::steady_clock::now();
  // Kept alive until the alerts are built: highlights may point into it.
  const match::AnalyzedArticle analyzed = AnalyzeArticle(article);
  index::MatchResult match = snapshot.MatchWithStats(analyzed);
  std::vector<Alert> alerts = BuildAlerts(article, match.hits);
  std::vector<uint64_t> shingles = StoryStage::ShinglesOf(analyzed);
  metrics_.match_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  metrics_.candidates.Observe(static_cast<double>(match.stats.candidates));
  return Prepared{.article = std::move(article),
                  .alerts = std::move(alerts),
                  .shingles = std::move(shingles)};
}

absl::StatusOr<IngestResult> IngestPipeline::Ingest(Article article) {
  std::vector<Article> one;
  one.push_back(std::move(article));
  return std::move(IngestBatch(std::move(one)).front());
}

std::vector<absl::StatusOr<IngestResult>> IngestPipeline::IngestBatch(
    std::vector<Article> articles) {
  const size_t n = articles.size();
  metrics_.in_flight.Add(static_cast<int64_t>(n));
  std::vector<absl::StatusOr<IngestResult>> results(n, IngestResult{});
  std::vector<std::optional<Prepared>> prepared(n);
  CommitRequest request{.prepared = &prepared, .results = &results};
  {
    // The snapshot taken here decides: a rule change that returned before
    // this call applies to these articles.
    absl::ReaderMutexLock snapshot_lock(&snapshot_mu_);
    const std::shared_ptr<const index::RuleSnapshot> snapshot =
        rules_.Current();
    auto prepare_one = [&](size_t i) {
      absl::StatusOr<Prepared> p = Prepare(std::move(articles[i]), *snapshot);
      if (p.ok()) {
        prepared[i] = *std::move(p);
      } else {
        results[i] = p.status();
      }
    };
    if (n == 1) {
      prepare_one(0);
    } else {
      // Both cores: articles of a batch are analyzed and matched in parallel.
      absl::BlockingCounter pending(static_cast<int>(n));
      for (size_t i = 0; i < n; ++i) {
        match_pool_.Schedule([&, i] {
          prepare_one(i);
          pending.DecrementCount();
        });
      }
      pending.Wait();
    }
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&request);
  }
  request.done.WaitForNotification();
  // Counted before the caller answers, so a client that has its acks sees
  // them in the metrics.
  for (const absl::StatusOr<IngestResult>& r : results) {
    if (!r.ok()) {
      metrics_.CountRejected(r.status().code());
    } else if (r->duplicate) {
      metrics_.duplicates.Increment();
    } else {
      metrics_.ingested.Increment();
      metrics_.alerts_ingest.Increment(r->alerts);
    }
  }
  metrics_.in_flight.Add(-static_cast<int64_t>(n));
  return results;
}

void IngestPipeline::CommitAndWait(CommitRequest& request) {
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&request);
  }
  request.done.WaitForNotification();
}

uint64_t IngestPipeline::PublishRuleChange(absl::FunctionRef<void()> publish) {
  CommitRequest barrier{.kind = CommitRequest::Kind::kBarrier};
  {
    // Waits for every Prepare that took the old snapshot to be queued; the
    // barrier queued behind them marks the split.
    absl::MutexLock snapshot_lock(&snapshot_mu_);
    publish();
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&barrier);
  }
  barrier.done.WaitForNotification();
  return barrier.barrier_sequence;
}

void IngestPipeline::CommitLoop() {
  while (true) {
    std::vector<CommitRequest*> group;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](IngestPipeline* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->queue_mu_) {
            return p->stopping_ || !p->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      // Everything queued goes into one write, up to the first barrier.
      while (!queue_.empty()) {
        CommitRequest* next = queue_.front();
        if (next->kind == CommitRequest::Kind::kBarrier && !group.empty())
          break;
        queue_.pop_front();
        group.push_back(next);
        if (next->kind == CommitRequest::Kind::kBarrier) break;
      }
    }
    if (group.front()->kind == CommitRequest::Kind::kBarrier) {
      group.front()->barrier_sequence = last_sequence_;
      group.front()->done.Notify();
      continue;
    }
    CommitGroup(group);
  }
}

void IngestPipeline::CommitGroup(const std::vector<CommitRequest*>& group) {
  uint64_t sequence = last_sequence_;
  absl::flat_hash_map<std::string, uint64_t> cursors;  // advanced in this group
  absl::flat_hash_map<std::string, uint64_t>
      new_ids;  // dedupe within the group
  std::vector<storage::ArticleCommit> commits;
  std::vector<std::pair<CommitRequest*, size_t>> committed;  // (request, index)
  std::vector<storage::StoryRecord> story_records;
  stories_->BeginGroup();

  auto assign_cursor = [&](Alert& alert) {
    uint64_t& cursor = cursors[alert.subscriber()];
    if (cursor == 0) {
      auto it = last_cursors_.find(alert.subscriber());
      cursor = it == last_cursors_.end() ? 0 : it->second;
    }
    alert.set_cursor(++cursor);
  };

  for (CommitRequest* request : group) {
    if (request->kind == CommitRequest::Kind::kAlerts) {
      // Stories first: a collapsed alert takes no cursor.
      const size_t records_before = story_records.size();
      if (absl::Status s =
              stories_->FilterBackfill(*request->alerts, story_records);
          !s.ok()) {
        // Nothing of this request is written, its backfill progress neither.
        story_records.resize(records_before);
        request->status = s;
        continue;
      }
      for (Alert& alert : *request->alerts) assign_cursor(alert);
      commits.push_back({.article = nullptr,
                         .alerts = request->alerts,
                         .backfill = request->backfill,
                         .backfill_done = request->backfill_done});
      continue;
    }
    for (size_t i = 0; i < request->prepared->size(); ++i) {
      std::optional<Prepared>& p = (*request->prepared)[i];
      if (!p) continue;
      Article& article = p->article;
      IngestResult& result = *(*request->results)[i];
      if (!article.id().empty()) {
        std::optional<uint64_t> first;
        if (auto it = new_ids.find(article.id()); it != new_ids.end()) {
          first = it->second;
        } else {
          absl::StatusOr<std::optional<uint64_t>> stored =
              articles_.FindSequence(article.id());
          if (!stored.ok()) {
            (*request->results)[i] = stored.status();
            continue;
          }
          first = *stored;
        }
        if (first) {
          // Idempotent: the first submission's sequence, and no alerts.
          result = {.article_id = article.id(),
                    .sequence = *first,
                    .duplicate = true};
          continue;
        }
      }
      article.set_sequence(++sequence);
      if (article.id().empty()) article.set_id(absl::StrCat("nw-", sequence));
      // Stories first: a collapsed alert takes no cursor.
      if (absl::Status s = stories_->AddArticle(article, std::move(p->shingles),
                                                p->alerts, story_records);
          !s.ok()) {
        (*request->results)[i] = s;
        --sequence;  // nothing of it is written
        continue;
      }
      new_ids[article.id()] = sequence;
      for (Alert& alert : p->alerts) {
        assign_cursor(alert);
        alert.set_article_id(article.id());
        alert.set_article_sequence(sequence);
      }
      result = {.article_id = article.id(),
                .sequence = sequence,
                .alerts = static_cast<uint32_t>(p->alerts.size())};
      commits.push_back({.article = &article, .alerts = &p->alerts});
      committed.emplace_back(request, i);
    }
  }

  static const std::vector<Alert> kNoAlerts;
  if (!story_records.empty()) {
    commits.push_back({.alerts = &kNoAlerts, .story_records = &story_records});
  }
  const auto start = std::chrono::steady_clock::now();
  absl::Status written = commits.empty()
                             ? absl::OkStatus()
                             : storage::CommitArticles(db_, commits);
  if (!commits.empty()) {
    metrics_.commit_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  PublishJob job{.requests = group, .written = written};
  if (written.ok()) {
    last_sequence_ = sequence;
    for (const auto& [subscriber, cursor] : cursors)
      last_cursors_[subscriber] = cursor;
    // Commit, then publish: streams only ever see durable alerts. The callers
    // wait on `done` and read only their results (and the count of their
    // alerts), so the alerts move to the hub instead of being copied.
    for (const storage::ArticleCommit& commit : commits) {
      auto& alerts = *const_cast<std::vector<Alert>*>(commit.alerts);
      for (Alert& alert : alerts) job.alerts.push_back(std::move(alert));
    }
  } else {
    // Nothing was written: the counters and the story window stay where
    // they were.
    stories_->AbortGroup(last_sequence_);
    for (const auto& [request, i] : committed) (*request->results)[i] = written;
  }
  absl::MutexLock lock(&publish_mu_);
  publish_queue_.push_back(std::move(job));
}

void IngestPipeline::PublishLoop() {
  while (true) {
    std::deque<PublishJob> jobs;
    {
      absl::MutexLock lock(&publish_mu_);
      publish_mu_.Await(absl::Condition(
          +[](IngestPipeline* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->publish_mu_) {
            return p->publish_stopping_ || !p->publish_queue_.empty();
          },
          this));
      if (publish_queue_.empty()) return;  // stopping, and nothing left
      jobs.swap(publish_queue_);
    }
    // In commit order; a request completes only once its alerts are offered
    // to the streams, so an acknowledged article's alerts are live.
    for (PublishJob& job : jobs) {
      if (!job.alerts.empty()) hub_.Publish(job.alerts);
      for (CommitRequest* request : job.requests) {
        if (request->kind == CommitRequest::Kind::kAlerts &&
            request->status.ok())
          request->status = job.written;
        request->done.Notify();
      }
    }
  }
}

absl::StatusOr<absl::flat_hash_set<uint64_t>> IngestPipeline::AlertedArticles(
    const std::string& subscriber, uint64_t up_to) const {
  const storage::AlertLog log(db_);
  absl::flat_hash_set<uint64_t> alerted;
  uint64_t after_cursor = 0;  // 0: from the oldest alert retention kept
  while (true) {
    absl::StatusOr<std::vector<Alert>> alerts =
        log.ReadAfter(subscriber, after_cursor, 4096);
    if (!alerts.ok()) return alerts.status();
    if (alerts->empty()) return alerted;
    for (const Alert& alert : *alerts) {
      if (alert.article_sequence() <= up_to)
        alerted.insert(alert.article_sequence());
    }
    after_cursor = alerts->back().cursor();
  }
}

absl::StatusOr<uint32_t> IngestPipeline::Backfill(
    std::shared_ptr<const index::IndexedRule> rule, storage::BackfillJob job) {
  const index::RuleSnapshot snapshot({rule});
  absl::StatusOr<absl::flat_hash_set<uint64_t>> alerted =
      AlertedArticles(rule->subscriber, job.up_to);
  if (!alerted.ok()) return alerted.status();
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
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(
              article.ingested_at()));
      if (ingested < since || alerted->contains(article.sequence())) continue;
      for (Alert& alert :
           BuildAlerts(article, snapshot.Match(AnalyzeArticle(article)))) {
        alert.set_backfill(true);
        *alert.mutable_created_at() =
            google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
                absl::ToUnixNanos(clock_.Now()));
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
      CommitRequest request{.kind = CommitRequest::Kind::kAlerts,
                            .alerts = &alerts,
                            .backfill = &job,
                            .backfill_done = done};
      CommitAndWait(request);
      if (!request.status.ok()) return request.status;
      created += static_cast<uint32_t>(alerts.size());
      metrics_.alerts_backfill.Increment(alerts.size());
    }
    if (done) return created;
  }
}

}  // namespace nw::ingest
