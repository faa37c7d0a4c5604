#include "server/cluster/cluster_ingestor.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/cluster/naming.h"

namespace nw::cluster {
namespace {

constexpr char kPending[] = "-";  // id created, article not yet published

// The id's value in NW_ARTICLE_IDS: a sequence, kPending, or NotFound.
absl::StatusOr<std::string> IdValue(kvStore* ids, const std::string& key) {
  kvEntry* entry = nullptr;
  natsStatus s = kvStore_Get(&entry, ids, key.c_str());
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "reading article id");
  std::string value(kvEntry_ValueString(entry));
  kvEntry_Destroy(entry);
  return value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClusterIngestor>> ClusterIngestor::Create(
    NatsClient& nats, ingest::ArticleLimits limits, const base::Clock& clock) {
  const char* subjects[] = {kArticleSubject};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = kArticleStream;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = nats.replicas();
  config.AllowDirect = true;
  config.Duplicates = int64_t{24} * 3600 * 1000000000;  // retries within a day
  if (absl::Status s = nats.EnsureStream(config); !s.ok()) return s;
  absl::StatusOr<kvStore*> ids = nats.Bucket({.name = kArticleIdsBucket});
  if (!ids.ok()) return ids.status();
  absl::StatusOr<std::unique_ptr<AsyncPublisher>> publisher =
      AsyncPublisher::Create(nats);
  if (!publisher.ok()) return publisher.status();
  return std::unique_ptr<ClusterIngestor>(
      new ClusterIngestor(nats, *ids, *std::move(publisher), limits, clock));
}

absl::StatusOr<ingest::IngestResult> ClusterIngestor::Ingest(
    newswatch::v1::Article article) {
  std::vector<newswatch::v1::Article> one;
  one.push_back(std::move(article));
  return std::move(IngestBatch(std::move(one))[0]);
}

std::vector<absl::StatusOr<ingest::IngestResult>> ClusterIngestor::IngestBatch(
    std::vector<newswatch::v1::Article> articles) {
  const size_t n = articles.size();
  std::vector<absl::StatusOr<ingest::IngestResult>> results(
      n, absl::UnavailableError("not ingested"));
  std::vector<std::string> keys(n);  // hex id in NW_ARTICLE_IDS; "" if none
  std::vector<size_t> to_create, to_publish;
  const auto now = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(clock_.Now()));
  for (size_t i = 0; i < n; ++i) {
    newswatch::v1::Article& article = articles[i];
    if (absl::Status s = ingest::ValidateArticle(article, limits_); !s.ok()) {
      results[i] = s;
      continue;
    }
    article.clear_sequence();
    *article.mutable_ingested_at() = now;
    if (article.id().empty()) {
      to_publish.push_back(i);
    } else {
      keys[i] = Hex(article.id());
      to_create.push_back(i);
    }
  }
  // 1. Claim the ids (a create fails when the key exists).
  const std::string kv_prefix = absl::StrCat("$KV.", kArticleIdsBucket, ".");
  if (!to_create.empty()) {
    std::vector<AsyncPublisher::Message> creates;
    for (size_t i : to_create) {
      creates.push_back({.subject = kv_prefix + keys[i],
                         .data = kPending,
                         .expected_last_subject_seq = 0});
    }
    std::vector<AsyncPublisher::Ack> acks = publisher_->PublishAll(creates);
    for (size_t k = 0; k < to_create.size(); ++k) {
      const size_t i = to_create[k];
      if (acks[k].status.ok()) {
        to_publish.push_back(i);
        continue;
      }
      // Taken (Aborted), or unsure: the key tells which.
      absl::StatusOr<std::string> value = IdValue(ids_, keys[i]);
      if (!value.ok()) {
        results[i] = absl::UnavailableError(
            absl::StrCat("ingest of ", articles[i].id(),
                         ": the NATS cluster cannot take it now; retry (",
                         value.status().message(), ")"));
        continue;
      }
      uint64_t first = 0;
      if (*value != kPending && absl::SimpleAtoi(*value, &first)) {
        results[i] = ingest::IngestResult{.article_id = articles[i].id(),
                                          .sequence = first,
                                          .duplicate = true};
        continue;
      }
      // Pending: a submission died before publishing, or is publishing now
      // (maybe in this batch); the same Msg-Id makes the two one message.
      to_publish.push_back(i);
    }
  }
  if (to_publish.empty()) return results;
  // 2. The articles, in the order they came.
  std::sort(to_publish.begin(), to_publish.end());
  std::vector<AsyncPublisher::Message> publishes;
  for (size_t i : to_publish) {
    publishes.push_back({.subject = kArticleSubject,
                         .data = articles[i].SerializeAsString(),
                         .msg_id = articles[i].id(),
                         .expected_stream = kArticleStream});
  }
  std::vector<AsyncPublisher::Ack> acks = publisher_->PublishAll(publishes);
  // 3. Best effort: a key left pending still gets this sequence from a
  // resubmission within the dedupe window (24 h).
  std::vector<AsyncPublisher::Message> puts;
  for (size_t k = 0; k < to_publish.size(); ++k) {
    const size_t i = to_publish[k];
    if (!acks[k].status.ok()) {
      results[i] = absl::UnavailableError(
          absl::StrCat("publishing the article: ", acks[k].status.message()));
      continue;
    }
    const uint64_t seq = acks[k].sequence;
    if (articles[i].id().empty()) {
      results[i] = ingest::IngestResult{.article_id = absl::StrCat("nw-", seq),
                                        .sequence = seq};
      continue;
    }
    results[i] = ingest::IngestResult{.article_id = articles[i].id(),
                                      .sequence = seq,
                                      .duplicate = acks[k].duplicate};
    puts.push_back({.subject = kv_prefix + keys[i], .data = absl::StrCat(seq)});
  }
  if (!puts.empty()) (void)publisher_->PublishAll(puts);
  return results;
}

absl::StatusOr<newswatch::v1::Article> ArticleAt(NatsClient& nats,
                                                 uint64_t seq) {
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetMsg(&msg, nats.js(), kArticleStream, seq, nullptr, &jerr);
  if (s != NATS_OK)
    return FromNats(s, jerr, absl::StrCat("reading article ", seq));
  newswatch::v1::Article article;
  const bool parsed =
      article.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
  if (!parsed) {
    return absl::DataLossError(
        absl::StrCat("article at stream sequence ", seq, " does not parse"));
  }
  article.set_sequence(seq);
  if (article.id().empty()) article.set_id(absl::StrCat("nw-", seq));
  return article;
}

absl::StatusOr<newswatch::v1::Article> ClusterIngestor::Get(
    absl::string_view id) const {
  absl::StatusOr<std::string> value = IdValue(ids_, Hex(id));
  uint64_t seq = 0;
  if (!value.ok() && !absl::IsNotFound(value.status())) return value.status();
  if (value.ok()) (void)absl::SimpleAtoi(*value, &seq);
  if (seq == 0 && absl::StartsWith(id, "nw-"))
    (void)absl::SimpleAtoi(id.substr(3), &seq);
  if (seq == 0) return absl::NotFoundError(absl::StrCat("no article ", id));
  absl::StatusOr<newswatch::v1::Article> article = ArticleAt(nats_, seq);
  if (article.ok() && article->id() != id)
    return absl::NotFoundError(absl::StrCat("no article ", id));
  return article;
}

}  // namespace nw::cluster
