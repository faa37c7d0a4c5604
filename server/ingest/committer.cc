#include "server/ingest/committer.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/ingest/alert_builder.h"
#include "storage/commit_batch.h"

namespace nw::ingest {

using newswatch::v1::Alert;
using newswatch::v1::Article;

Committer::Committer(storage::Db& db, alerts::SubscriptionHub& hub,
                     IngestMetrics& metrics, uint64_t last_sequence,
                     absl::flat_hash_map<std::string, uint64_t> last_cursors,
                     std::unique_ptr<StoryStage> stories)
    : db_(db),
      articles_(db),
      hub_(hub),
      metrics_(metrics),
      last_sequence_(last_sequence),
      last_cursors_(std::move(last_cursors)),
      stories_(std::move(stories)),
      publisher_([this] { PublishLoop(); }),
      committer_([this] { CommitLoop(); }) {}

Committer::~Committer() {
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

Committer::Pending::Pending(std::unique_ptr<Work> work)
    : work_(std::move(work)) {}

// Never frees work the committer still holds.
Committer::Pending::~Pending() { work_->done.WaitForNotification(); }

uint64_t Committer::Pending::Wait() {
  work_->done.WaitForNotification();
  const auto* barrier = std::get_if<BarrierWork>(&work_->item);
  return barrier == nullptr ? 0 : barrier->sequence;
}

std::unique_ptr<Committer::Pending> Committer::Queue(
    std::variant<ArticleWork, AlertWork, BarrierWork> item) {
  auto work = std::make_unique<Work>(std::move(item));
  Work* queued = work.get();
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(queued);
  }
  return std::unique_ptr<Pending>(new Pending(std::move(work)));
}

std::unique_ptr<Committer::Pending> Committer::QueueArticles(
    std::vector<std::optional<PreparedArticle>>& prepared,
    std::vector<absl::StatusOr<IngestResult>>& results) {
  return Queue(ArticleWork{.prepared = &prepared, .results = &results});
}

std::unique_ptr<Committer::Pending> Committer::QueueBarrier() {
  return Queue(BarrierWork{});
}

absl::StatusOr<size_t> Committer::CommitAlerts(std::vector<Alert> alerts,
                                               const storage::BackfillJob& job,
                                               bool job_done) {
  std::unique_ptr<Pending> pending =
      Queue(AlertWork{.alerts = &alerts, .job = &job, .job_done = job_done});
  pending->Wait();
  const Work& work = *pending->work_;
  if (const absl::Status& s = std::get<AlertWork>(work.item).status; !s.ok())
    return s;
  if (!work.written.ok()) return work.written;
  return alerts.size();  // after stories dropped the collapsed ones
}

void Committer::CommitLoop() {
  while (true) {
    std::vector<Work*> group;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](Committer* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->queue_mu_) {
            return c->stopping_ || !c->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      // Everything queued goes into one write, up to the first barrier.
      while (!queue_.empty()) {
        Work* next = queue_.front();
        const bool barrier = std::holds_alternative<BarrierWork>(next->item);
        if (barrier && !group.empty()) break;
        queue_.pop_front();
        group.push_back(next);
        if (barrier) break;
      }
    }
    if (auto* barrier = std::get_if<BarrierWork>(&group.front()->item)) {
      barrier->sequence = last_sequence_;
      group.front()->done.Notify();
      continue;
    }
    CommitGroup(group);
  }
}

void Committer::CommitGroup(const std::vector<Work*>& group) {
  uint64_t sequence = last_sequence_;
  absl::flat_hash_map<std::string, uint64_t> cursors;  // advanced in this group
  absl::flat_hash_map<std::string, uint64_t> new_ids;  // dedupe in the group
  std::vector<storage::ArticleCommit> commits;
  // The alert vectors of `commits`, in the same order, each with its article
  // when the alerts are compact: moved to the hub once written.
  std::vector<std::pair<std::vector<Alert>*, const Article*>> alerts_of_commits;
  std::vector<std::pair<ArticleWork*, size_t>> committed;  // (work, index)
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

  for (Work* work : group) {
    if (auto* backfill = std::get_if<AlertWork>(&work->item)) {
      // Stories first: a collapsed alert takes no cursor.
      const size_t records_before = story_records.size();
      if (absl::Status s =
              stories_->FilterBackfill(*backfill->alerts, story_records);
          !s.ok()) {
        // Nothing of this work is written, its backfill progress neither.
        story_records.resize(records_before);
        backfill->status = s;
        continue;
      }
      for (Alert& alert : *backfill->alerts) assign_cursor(alert);
      commits.push_back({.article = nullptr,
                         .alerts = backfill->alerts,
                         .backfill = backfill->job,
                         .backfill_done = backfill->job_done});
      // Backfill alerts are stored full: their article may be older than
      // what retention keeps while they are not.
      alerts_of_commits.emplace_back(backfill->alerts, nullptr);
      continue;
    }
    ArticleWork& articles = std::get<ArticleWork>(work->item);
    for (size_t i = 0; i < articles.prepared->size(); ++i) {
      std::optional<PreparedArticle>& p = (*articles.prepared)[i];
      if (!p) continue;
      Article& article = p->article;
      IngestResult& result = *(*articles.results)[i];
      if (!article.id().empty()) {
        std::optional<uint64_t> first;
        if (auto it = new_ids.find(article.id()); it != new_ids.end()) {
          first = it->second;
        } else {
          absl::StatusOr<std::optional<uint64_t>> stored =
              articles_.FindSequence(article.id());
          if (!stored.ok()) {
            (*articles.results)[i] = stored.status();
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
        (*articles.results)[i] = s;
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
      commits.push_back(
          {.article = &article, .alerts = &p->alerts, .compact_alerts = true});
      alerts_of_commits.emplace_back(&p->alerts, &article);
      committed.emplace_back(&articles, i);
    }
  }

  static const std::vector<Alert> kNoAlerts;
  if (!story_records.empty()) {
    commits.push_back({.alerts = &kNoAlerts, .story_records = &story_records});
  }
  const auto start = std::chrono::steady_clock::now();
  const absl::Status written = commits.empty()
                                   ? absl::OkStatus()
                                   : storage::CommitArticles(db_, commits);
  if (!commits.empty()) {
    metrics_.commit_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  Published published{.work = group};
  for (Work* work : group) work->written = written;
  if (written.ok()) {
    last_sequence_ = sequence;
    for (const auto& [subscriber, cursor] : cursors)
      last_cursors_[subscriber] = cursor;
    // The callers read only their results (and the count of their alerts),
    // so the hub may take the alerts from their vectors.
    published.alerts = std::move(alerts_of_commits);
  } else {
    // Nothing was written: the counters and the story window stay where
    // they were.
    stories_->AbortGroup(last_sequence_);
    for (const auto& [articles, i] : committed)
      (*articles->results)[i] = written;
  }
  absl::MutexLock lock(&publish_mu_);
  publish_queue_.push_back(std::move(published));
}

void Committer::PublishLoop() {
  while (true) {
    std::deque<Published> groups;
    {
      absl::MutexLock lock(&publish_mu_);
      publish_mu_.Await(absl::Condition(
          +[](Committer* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->publish_mu_) {
            return c->publish_stopping_ || !c->publish_queue_.empty();
          },
          this));
      if (publish_queue_.empty()) return;  // stopping, and nothing left
      groups.swap(publish_queue_);
    }
    // In commit order; work completes only once its alerts are offered to
    // the streams, so an acknowledged article's alerts are live.
    for (Published& group : groups) {
      // Only alerts going to a stream are completed (title, snippets...):
      // most subscribers have none open, and their alerts are read, complete,
      // from the log when they ask.
      for (const auto& [alerts, article] : group.alerts) {
        if (alerts->empty()) continue;
        hub_.Publish(*alerts, [of = article](Alert& alert) {
          if (of != nullptr) CompleteAlert(*of, alert);
        });
      }
      for (Work* work : group.work) work->done.Notify();
    }
  }
}

}  // namespace nw::ingest
