#include "storage/alert_log.h"

#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/last_cursor.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::StatusOr<std::vector<newswatch::v1::Alert>> AlertLog::ReadAfter(
    absl::string_view subscriber, uint64_t after_cursor,
    size_t max_alerts) const {
  std::vector<newswatch::v1::Alert> alerts;
  // Alerts deleted by retention cannot be replayed: say so, and from where.
  std::string oldest_value;
  rocksdb::Status os =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kMeta),
                     OldestCursorKey(subscriber), &oldest_value);
  if (!os.ok() && !os.IsNotFound())
    return FromRocksStatus(os, "AlertLog::ReadAfter");
  // Cursor 0 asks for everything still stored, so it is never out of range.
  if (os.ok() && after_cursor > 0) {
    const uint64_t oldest = DecodeU64(oldest_value).value_or(0);
    if (after_cursor + 1 < oldest) {
      return absl::OutOfRangeError(absl::StrCat(
          "cursor ", after_cursor, " of ", subscriber,
          " is older than retention: the oldest alert still stored has cursor ",
          oldest, "; resume from ", oldest - 1));
    }
  }
  const std::string prefix = AlertPrefix(subscriber);
  // Bound the scan to this subscriber's range so RocksDB stops early.
  std::string upper = prefix;
  upper.back() = '\x01';
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(read_options, db_.cf(Cf::kAlerts)));
  // Consecutive alerts of a subscriber are rarely about the same article,
  // but backfill runs and retries are: keep the last one read.
  std::optional<newswatch::v1::Article> article;
  for (it->Seek(AlertKey(subscriber, after_cursor + 1));
       it->Valid() && alerts.size() < max_alerts; it->Next()) {
    newswatch::v1::Alert& alert = alerts.emplace_back();
    absl::StatusOr<bool> compact = DecodeAlertRecord(
        absl::string_view(it->value().data(), it->value().size()), &alert);
    if (!compact.ok()) {
      return absl::DataLossError(
          absl::StrCat("stored alert of ", subscriber, " does not parse"));
    }
    if (!*compact) continue;
    if (complete_ != nullptr &&
        (!article || article->sequence() != alert.article_sequence())) {
      NW_ASSIGN_OR_RETURN(article,
                          articles_.GetBySequence(alert.article_sequence()));
    }
    if (complete_ != nullptr && article) {
      complete_(*article, alert);
    } else {
      SetRuleIdsFromMatches(alert);
    }
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "AlertLog::ReadAfter");
  return alerts;
}

absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>>
AlertLog::LoadLastCursors() const {
  return ReadAllLastCursors(db_);
}

}  // namespace nw::storage
