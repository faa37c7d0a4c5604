#include "server/cluster/partition_worker.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/log.h"
#include "server/cluster/cluster_ingestor.h"
#include "server/cluster/naming.h"
#include "server/ingest/alert_builder.h"

namespace nw::cluster {

void PartitionWorker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PartitionWorker::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

uint64_t PartitionWorker::LoadCheckpoint() {
  kvEntry* entry = nullptr;
  uint64_t seq = 0;
  if (kvStore_Get(&entry, meta_, CheckpointKey(partition_).c_str()) ==
      NATS_OK) {
    (void)absl::SimpleAtoi(kvEntry_ValueString(entry), &seq);
    kvEntry_Destroy(entry);
  }
  return seq;
}

void PartitionWorker::SaveCheckpoint(uint64_t seq) {
  uint64_t revision = 0;
  (void)kvStore_PutString(&revision, meta_, CheckpointKey(partition_).c_str(),
                          absl::StrCat(seq).c_str());
}

void PartitionWorker::Prepare(
    natsMsg* msg, uint64_t seq,
    std::vector<std::pair<newswatch::v1::Alert, uint64_t>>& out) {
  const absl::Time started = absl::Now();
  // Parsed and analyzed once per node (analysis_cache.h).
  std::shared_ptr<const AnalysisCache::Entry> entry =
      cache_->Get(seq, natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  if (entry == nullptr) {
    base::LogError("cluster", "article does not parse; skipped",
                   {{"sequence", absl::StrCat(seq)}});
    return;
  }
  const newswatch::v1::Article& article = entry->article;
  // Held while the hits are used: they point into it.
  const std::shared_ptr<const index::RuleSnapshot> snapshot =
      registry_.Current();
  index::MatchResult match = snapshot->MatchWithStats(entry->analyzed);
  for (newswatch::v1::Alert& alert : ingest::BuildAlerts(article, match.hits)) {
    alert.set_article_id(article.id());
    alert.set_article_sequence(seq);
    out.emplace_back(std::move(alert), seq);
  }
  const uint64_t ns =
      static_cast<uint64_t>(absl::ToInt64Nanoseconds(absl::Now() - started));
  const uint64_t avg = stats_->match_ns.load(std::memory_order_relaxed);
  stats_->match_ns.store(avg == 0 ? ns : avg - avg / 32 + ns / 32,
                         std::memory_order_relaxed);
  stats_->articles.fetch_add(1, std::memory_order_relaxed);
}

bool PartitionWorker::Store(
    const std::vector<std::pair<newswatch::v1::Alert, uint64_t>>& alerts) {
  if (alerts.empty()) return true;
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    if (publisher_ == nullptr) {
      absl::StatusOr<std::unique_ptr<AsyncPublisher>> p =
          AsyncPublisher::Create(nats_);
      if (p.ok()) publisher_ = *std::move(p);
    }
    absl::Status s =
        publisher_ != nullptr
            ? appender_.AppendBatch(alerts, *publisher_)
            : absl::UnavailableError("no JetStream context for alerts");
    if (appender_.fenced() != fenced_) {
      // Another owner wrote these logs meanwhile (we were paused or slow).
      fenced_ = appender_.fenced();
      base::LogWarning(
          "cluster", "stale append refused by the fence",
          {{"partition", absl::StrCat(partition_)},
           {"article_sequence", absl::StrCat(alerts.front().second)}});
    }
    if (s.ok()) return true;
    if (stop_) return false;
    base::LogWarning(
        "cluster", "alert append failed; retrying",
        {{"partition", absl::StrCat(partition_)}, {"error", s.ToString()}});
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
}

bool PartitionWorker::RunBackfills() {
  for (const BackfillTask& task : rules_.PendingBackfills(partition_)) {
    if (finished_backfills_.contains(task.rule_id)) continue;
    if (!RunBackfill(task)) return false;
    finished_backfills_.insert(task.rule_id);
  }
  return true;
}

bool PartitionWorker::RunBackfill(const BackfillTask& task) {
  // Every article up to here was matched live by this worker (or a former
  // owner); the rule is in registry_, so every later one will be.
  const uint64_t up_to = done_.load();
  BackfillJob job = task.job;
  base::LogInfo("cluster", "backfill started",
                {{"partition", absl::StrCat(partition_)},
                 {"rule", task.rule_id},
                 {"after", absl::StrCat(job.after)},
                 {"up_to", absl::StrCat(up_to)}});
  absl::Duration backoff = absl::Milliseconds(50);
  auto wait = [&] {
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
    return !stop_;
  };
  absl::StatusOr<AlertAppender::BackfillView> view;
  while (!(view = appender_.LoadBackfillView(task.rule->subscriber)).ok()) {
    if (!wait()) return false;
  }
  const index::RuleSnapshot snapshot({task.rule});
  const int64_t since = job.since_unix_nanos;
  absl::Time last_save = absl::Now();
  for (uint64_t seq = job.after + 1; seq <= up_to; ++seq) {
    if (stop_) return false;
    if (view->alerted.contains(seq)) {
      job.after = seq;
      continue;
    }
    absl::StatusOr<newswatch::v1::Article> article = ArticleAt(nats_, seq);
    if (!article.ok() && !absl::IsNotFound(article.status()) &&
        !absl::IsDataLoss(article.status())) {
      if (!wait()) return false;
      --seq;  // NATS cannot serve it now: again
      continue;
    }
    if (article.ok() &&
        google::protobuf::util::TimeUtil::TimestampToNanoseconds(
            article->ingested_at()) >= since) {
      for (newswatch::v1::Alert& alert : ingest::BuildAlerts(
               *article,
               snapshot.Match(ingest::AnalyzeArticle(*article)).hits)) {
        alert.set_backfill(true);
        *alert.mutable_created_at() =
            google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
                absl::ToUnixNanos(absl::Now()));
        alert.set_article_id(article->id());
        alert.set_article_sequence(seq);
        while (true) {
          absl::StatusOr<bool> appended =
              appender_.AppendBackfill(alert, seq, *view);
          if (appended.ok()) {
            job.created += *appended;
            stats_->backfill_alerts.fetch_add(*appended);
            break;
          }
          base::LogWarning("cluster", "backfill append failed; retrying",
                           {{"partition", absl::StrCat(partition_)},
                            {"error", appended.status().ToString()}});
          if (!wait()) return false;
        }
      }
    }
    job.after = seq;
    backoff = absl::Milliseconds(50);
    if (absl::Now() - last_save > absl::Seconds(1)) {
      rules_.SaveBackfill(task.rule_id, job);
      last_save = absl::Now();
    }
  }
  job.after = std::max(job.after, up_to);
  job.done = true;
  rules_.SaveBackfill(task.rule_id, job);
  base::LogInfo("cluster", "backfill done",
                {{"partition", absl::StrCat(partition_)},
                 {"rule", task.rule_id},
                 {"alerts", absl::StrCat(job.created)}});
  return true;
}

void PartitionWorker::Run() {
  rules_.Attach(partition_, &registry_);
  uint64_t next = LoadCheckpoint() + 1;
  done_ = next - 1;
  absl::Time last_save = absl::Now();
  uint64_t saved = next - 1;
  while (!stop_) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = kArticleStream;
    options.Ordered = true;
    options.Config.DeliverPolicy = js_DeliverByStartSequence;
    options.Config.OptStartSeq = next;
    natsSubscription* sub = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (js_SubscribeSync(&sub, nats_.js(), kArticleSubject, nullptr, &options,
                         &jerr) != NATS_OK) {
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    while (!stop_) {
      natsMsg* msg = nullptr;
      natsStatus s = natsSubscription_NextMsg(&msg, sub, 200);
      if (s == NATS_OK) {
        // The articles already here too (up to kMaxBatch): their alerts go
        // out together (AlertAppender::AppendBatch).
        std::vector<natsMsg*> msgs = {msg};
        int queued = 0;
        if (natsSubscription_GetPending(sub, &queued, nullptr) != NATS_OK)
          queued = 0;
        for (int i = 0; i < std::min(queued, kMaxBatch - 1); ++i) {
          natsMsg* more = nullptr;
          if (natsSubscription_NextMsg(&more, sub, 50) != NATS_OK) break;
          msgs.push_back(more);
        }
        std::vector<std::pair<newswatch::v1::Alert, uint64_t>> alerts;
        uint64_t last = 0;
        for (natsMsg* m : msgs) {
          jsMsgMetaData* meta = nullptr;
          uint64_t seq = 0, pending = 0;
          if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
            seq = meta->Sequence.Stream;
            pending = meta->NumPending;
            jsMsgMetaData_Destroy(meta);
          }
          stats_->lag.store(pending, std::memory_order_relaxed);
          if (seq >= next && seq > last) {
            Prepare(m, seq, alerts);
            last = seq;
          }
          natsMsg_Destroy(m);
        }
        // Stopped before all were stored: the next owner redoes them.
        if (!Store(alerts)) break;
        if (last > 0) {
          next = last + 1;
          done_ = last;
        }
      } else if (s != NATS_TIMEOUT) {
        break;  // consumer lost (reconnect): recreate from `next`
      }
      if (!RunBackfills()) break;  // stopped
      if (done_ != saved && absl::Now() - last_save > absl::Seconds(1)) {
        saved = done_;
        SaveCheckpoint(saved);
        last_save = absl::Now();
      }
    }
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
  }
  if (done_ != saved) SaveCheckpoint(done_);
  rules_.Detach(partition_);
}

}  // namespace nw::cluster
