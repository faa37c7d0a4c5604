#include "server/cluster/cluster_ingestor.h"

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
  return std::unique_ptr<ClusterIngestor>(
      new ClusterIngestor(nats, *ids, limits, clock));
}

absl::StatusOr<std::pair<uint64_t, bool>> ClusterIngestor::Publish(
    const newswatch::v1::Article& article) {
  const std::string data = article.SerializeAsString();
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.ExpectStream = kArticleStream;
  if (!article.id().empty()) options.MsgId = article.id().c_str();
  options.MaxWait = nats_.timeout_ms();
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, nats_.js(), kArticleSubject, data.data(),
                            static_cast<int>(data.size()), &options, &jerr);
  if (s != NATS_OK) return FromNats(s, jerr, "publishing the article");
  std::pair<uint64_t, bool> result{ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return result;
}

absl::StatusOr<ingest::IngestResult> ClusterIngestor::Ingest(
    newswatch::v1::Article article) {
  if (absl::Status s = ingest::ValidateArticle(article, limits_); !s.ok())
    return s;
  article.clear_sequence();
  *article.mutable_ingested_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(clock_.Now()));
  if (article.id().empty()) {
    absl::StatusOr<std::pair<uint64_t, bool>> ack = Publish(article);
    if (!ack.ok()) return ack.status();
    return ingest::IngestResult{.article_id = absl::StrCat("nw-", ack->first),
                                .sequence = ack->first};
  }
  const std::string key = Hex(article.id());
  uint64_t revision = 0;
  if (kvStore_CreateString(&revision, ids_, key.c_str(), kPending) != NATS_OK) {
    // Taken, or NATS is unreachable: the key tells which.
    absl::StatusOr<std::string> value = IdValue(ids_, key);
    if (!value.ok()) {
      return absl::UnavailableError(
          absl::StrCat("ingest of ", article.id(),
                       ": the NATS cluster cannot take it now; retry (",
                       value.status().message(), ")"));
    }
    uint64_t first = 0;
    if (*value != kPending && absl::SimpleAtoi(*value, &first)) {
      return ingest::IngestResult{
          .article_id = article.id(), .sequence = first, .duplicate = true};
    }
    // Pending: a submission died before publishing, or is publishing now;
    // the same Msg-Id makes the two one message.
  }
  absl::StatusOr<std::pair<uint64_t, bool>> ack = Publish(article);
  if (!ack.ok()) return ack.status();
  // Best effort: if this fails the key stays pending and a resubmission
  // within the dedupe window (24 h) still gets this sequence.
  (void)kvStore_PutString(&revision, ids_, key.c_str(),
                          absl::StrCat(ack->first).c_str());
  return ingest::IngestResult{.article_id = article.id(),
                              .sequence = ack->first,
                              .duplicate = ack->second};
}

std::vector<absl::StatusOr<ingest::IngestResult>> ClusterIngestor::IngestBatch(
    std::vector<newswatch::v1::Article> articles) {
  std::vector<absl::StatusOr<ingest::IngestResult>> results;
  results.reserve(articles.size());
  for (newswatch::v1::Article& article : articles)
    results.push_back(Ingest(std::move(article)));
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
