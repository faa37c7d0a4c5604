// File: storage/alert_log.h
//
// The per-subscriber alert logs: every alert the daemon created, keyed by
// subscriber and cursor (1, 2, 3, ... without gaps per subscriber). Alerts are
// written only by CommitBatch, in the same write as their article.
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
  explicit AlertLog(Db& db) : db_(db) {}

  // Up to `max_alerts` alerts of `subscriber` with cursor > `after_cursor`, in
  // cursor order; empty when there are none yet. OutOfRange when retention
  // deleted alerts after `after_cursor` (the message names the oldest cursor
  // still stored). DataLoss on a bad record.
  absl::StatusOr<std::vector<newswatch::v1::Alert>> ReadAfter(
      absl::string_view subscriber, uint64_t after_cursor,
      size_t max_alerts) const override;

  // The last cursor of every subscriber that has alerts (read at start-up).
  absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> LoadLastCursors()
      const;

 private:
  Db& db_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_ALERT_LOG_H_
