// File: storage/retention.h
//
// Retention: articles ingested before a cutoff, their dedupe keys and the
// alerts about them are deleted, by range deletion where keys are ordered
// (articles by sequence, alerts by cursor within a subscriber).
//
// Thread safety: call from one thread at a time (the daemon's retention
// task). Concurrent ingest is fine: only keys below the cutoff are touched.
#ifndef NW_STORAGE_RETENTION_H_
#define NW_STORAGE_RETENTION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/db.h"

namespace nw::storage {

struct RetentionResult {
  uint64_t articles_deleted = 0;
  uint64_t alerts_deleted = 0;
  uint64_t first_kept_sequence = 0;  // articles below it are gone
};

// Deletes what was ingested before `cutoff`. After it, AlertLog::ReadAfter
// with a cursor older than what is kept gives OutOfRange. Errors: storage
// errors (what was deleted before the error stays deleted).
absl::StatusOr<RetentionResult> EnforceRetention(Db& db, absl::Time cutoff);

}  // namespace nw::storage

#endif  // NW_STORAGE_RETENTION_H_
