#include "server/cluster/partition_worker.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

bool PartitionWorker::Process(natsMsg* msg, uint64_t seq) {
  newswatch::v1::Article article;
  if (!article.ParseFromArray(natsMsg_GetData(msg),
                              natsMsg_GetDataLength(msg))) {
    base::LogError("cluster", "article does not parse; skipped",
                   {{"sequence", absl::StrCat(seq)}});
    return true;
  }
  article.set_sequence(seq);
  if (article.id().empty()) article.set_id(absl::StrCat("nw-", seq));
  std::vector<newswatch::v1::Alert> alerts;
  {
    // Kept alive until the alerts are built: highlights may point into it.
    const match::AnalyzedArticle analyzed = ingest::AnalyzeArticle(article);
    index::MatchResult match = registry_.Current()->MatchWithStats(analyzed);
    alerts = ingest::BuildAlerts(article, match.hits);
  }
  for (newswatch::v1::Alert& alert : alerts) {
    alert.set_article_id(article.id());
    alert.set_article_sequence(seq);
    absl::Duration backoff = absl::Milliseconds(50);
    while (true) {
      absl::Status s = appender_.Append(alert, seq);
      if (appender_.fenced() != fenced_) {
        // Another owner wrote this log meanwhile (we were paused or slow).
        fenced_ = appender_.fenced();
        base::LogWarning("cluster", "stale append refused by the fence",
                         {{"partition", absl::StrCat(partition_)},
                          {"article_sequence", absl::StrCat(seq)}});
      }
      if (s.ok()) break;
      if (stop_) return false;
      base::LogWarning(
          "cluster", "alert append failed; retrying",
          {{"partition", absl::StrCat(partition_)}, {"error", s.ToString()}});
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(1));
    }
  }
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
        jsMsgMetaData* meta = nullptr;
        uint64_t seq = 0;
        if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
          seq = meta->Sequence.Stream;
          jsMsgMetaData_Destroy(meta);
        }
        const bool fresh = seq >= next;
        const bool done = !fresh || Process(msg, seq);
        natsMsg_Destroy(msg);
        if (!done) break;  // stopped mid-article: the next owner redoes it
        if (fresh) {
          next = seq + 1;
          done_ = seq;
        }
      } else if (s != NATS_TIMEOUT) {
        break;  // consumer lost (reconnect): recreate from `next`
      }
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
