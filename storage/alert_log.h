// File: storage/alert_log.h
//
// The per-subscriber alert logs: every alert the daemon created, keyed by
// subscriber and cursor (1, 2, 3, ... without gaps per subscriber). Alerts are
// written only by CommitBatch, in the same write as their article. Live
// alerts are stored compact (storage/alert_record.h) and completed from their
// stored article on read.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_ALERT_LOG_H_
#define NW_STORAGE_ALERT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/alert.pb.h"
#include "storage/alert_record.h"
#include "storage/article_store.h"
#include "storage/db.h"

namespace nw::storage {

// What alert streams read: the local AlertLog, or a cluster's shared log.
class AlertReader {
 public:
  virtual ~AlertReader() = default;
  // AlertLog::ReadAfter's contract.
  virtual absl::StatusOr<std::vector<newswatch::v1::Alert>> ReadAfter(
      absl::string_view subscriber, uint64_t after_cursor,
      size_t max_alerts) const = 0;
  // The newest cursor of `subscriber` when the log is shared with writers in
  // other processes (the SubscriptionHub then learns it before a stream
  // starts); 0 when the hub already sees every alert (a local log).
  virtual absl::StatusOr<uint64_t> SharedNewestCursor(
      absl::string_view subscriber) const {
    (void)subscriber;
    return 0;
  }
};

class AlertLog : public AlertReader {
 public:
  // `complete` rebuilds a compact alert's article fields (pass
  // ingest::CompleteAlert); null when the caller reads only cursors,
  // sequences and matches (compact alerts then come without title, source,
  // url, published_at and snippets).
  AlertLog(Db& db, AlertCompleter complete)
      : db_(db), articles_(db), complete_(complete) {}

  // Up to `max_alerts` alerts of `subscriber` with cursor > `after_cursor`, in
  // cursor order; empty when there are none yet. Each is what the alert was
  // when published: a compact record is completed from its stored article
  // (when that article is gone, as deleted by retention, the alert keeps
  // what is stored: ids, matches with labels and highlights, times, without
  // title, source, url and snippets). OutOfRange when retention deleted
  // alerts after `after_cursor` (the message names the oldest cursor still
  // stored). DataLoss on a bad record.
  absl::StatusOr<std::vector<newswatch::v1::Alert>> ReadAfter(
      absl::string_view subscriber, uint64_t after_cursor,
      size_t max_alerts) const override;

  // The last cursor of every subscriber that ever had an alert, even when
  // retention deleted them all (read at start-up; storage/last_cursor.h).
  absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> LoadLastCursors()
      const;

 private:
  Db& db_;
  const ArticleStore articles_;
  const AlertCompleter complete_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_ALERT_LOG_H_
