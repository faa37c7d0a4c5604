#include "storage/retention.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "server/base/status_macros.h"
#include "storage/alert_record.h"
#include "storage/key_codec.h"
#include "storage/last_cursor.h"
#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

// Deletes the articles ingested before `cutoff` (sequence order is ingest
// order); returns the first sequence kept.
absl::StatusOr<uint64_t> DeleteOldArticles(Db& db, absl::Time cutoff,
                                           uint64_t* deleted) {
  const int64_t cutoff_ns = absl::ToUnixNanos(cutoff);
  rocksdb::WriteBatch batch;
  std::optional<uint64_t> first_kept;
  uint64_t last_seen = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kArticles)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    newswatch::v1::Article article;
    if (!article.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError("retention: a stored article does not parse");
    }
    if (google::protobuf::util::TimeUtil::TimestampToNanoseconds(
            article.ingested_at()) >= cutoff_ns) {
      first_kept = article.sequence();
      break;
    }
    batch.Delete(db.cf(Cf::kArticleIds), article.id());
    if (!article.story_id().empty()) {
      batch.Delete(db.cf(Cf::kStories),
                   StoryMemberKey(article.story_id(), article.sequence()));
    }
    last_seen = article.sequence();
    ++*deleted;
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "retention: scan articles");
  const uint64_t kept = first_kept.value_or(last_seen + 1);
  if (*deleted == 0) return kept;
  batch.DeleteRange(db.cf(Cf::kArticles), EncodeU64(0), EncodeU64(kept));
  batch.DeleteRange(db.cf(Cf::kStories), StorySketchKey(0),
                    StorySketchKey(kept));
  absl::Status s = db.Write(batch, "retention: delete articles");
  if (!s.ok()) return s;
  return kept;
}

// Deletes `subscriber`'s alerts about articles below `first_kept_sequence`
// and records the first cursor kept, in the same write: when that deletes
// the subscriber's last alert, `oldest/` - 1 is its last cursor
// (storage/last_cursor.h), so no cursor is handed out twice.
absl::StatusOr<uint64_t> DeleteOldAlerts(Db& db, const std::string& subscriber,
                                         uint64_t first_kept_sequence) {
  const std::string prefix = AlertPrefix(subscriber);
  std::optional<uint64_t> last_deleted;
  uint64_t deleted = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kAlerts)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    newswatch::v1::Alert alert;  // compact or full: both have the sequence
    if (!DecodeAlertRecord(
             absl::string_view(it->value().data(), it->value().size()), &alert)
             .ok()) {
      return absl::DataLossError("retention: a stored alert does not parse");
    }
    if (alert.article_sequence() >= first_kept_sequence) break;
    last_deleted = alert.cursor();
    ++deleted;
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "retention: scan alerts");
  if (!last_deleted) return 0;
  rocksdb::WriteBatch batch;
  batch.DeleteRange(db.cf(Cf::kAlerts), AlertKey(subscriber, 0),
                    AlertKey(subscriber, *last_deleted + 1));
  batch.Put(db.cf(Cf::kMeta), OldestCursorKey(subscriber),
            EncodeU64(*last_deleted + 1));
  absl::Status s = db.Write(batch, "retention: delete alerts");
  if (!s.ok()) return s;
  return deleted;
}

}  // namespace

absl::StatusOr<RetentionResult> EnforceRetention(Db& db, absl::Time cutoff) {
  RetentionResult result;
  NW_ASSIGN_OR_RETURN(uint64_t first_kept,
                      DeleteOldArticles(db, cutoff, &result.articles_deleted));
  result.first_kept_sequence = first_kept;

  NW_ASSIGN_OR_RETURN(std::vector<std::string> subscribers,
                      SubscribersWithAlerts(db));
  for (const std::string& subscriber : subscribers) {
    NW_ASSIGN_OR_RETURN(uint64_t deleted,
                        DeleteOldAlerts(db, subscriber, first_kept));
    result.alerts_deleted += deleted;
  }
  return result;
}

}  // namespace nw::storage
