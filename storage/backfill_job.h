// File: storage/backfill_job.h
//
// A backfill in progress, stored in the meta family (FORMAT.md) so that a
// crash in the middle of one is completed at the next start instead of
// leaving the rule with part of its alerts. The record is written in the
// same batch as the rule, advanced in the same batch as each chunk of
// backfill alerts, and deleted with the last chunk.
//
// Thread safety: LoadBackfillJobs may run concurrently with anything.
#ifndef NW_STORAGE_BACKFILL_JOB_H_
#define NW_STORAGE_BACKFILL_JOB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/db.h"

namespace nw::storage {

struct BackfillJob {
  std::string rule_id;
  int64_t since_unix_nanos = 0;  // articles ingested at or after this
  uint64_t up_to = 0;  // last article sequence to scan; 0: not known yet
  uint64_t after = 0;  // articles up to this sequence are done
};

// The record's value (FORMAT.md), and back (nullopt when `value` is not
// one).
std::string EncodeBackfillJob(const BackfillJob& job);
std::optional<BackfillJob> DecodeBackfillJob(absl::string_view rule_id,
                                             absl::string_view value);

// Every unfinished backfill. DataLoss for a record that does not decode.
absl::StatusOr<std::vector<BackfillJob>> LoadBackfillJobs(const Db& db);

}  // namespace nw::storage

#endif  // NW_STORAGE_BACKFILL_JOB_H_
