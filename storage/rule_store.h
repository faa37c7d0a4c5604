// File: storage/rule_store.h
//
// Stored watch rules, keyed by rule id. The daemon re-parses them at start.
//
// Thread safety: all methods may be called concurrently; callers serialize
// Create/Delete of the same id (RuleService does).
#ifndef NW_STORAGE_RULE_STORE_H_
#define NW_STORAGE_RULE_STORE_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/rule.pb.h"
#include "storage/backfill_job.h"
#include "storage/db.h"

namespace nw::storage {

class RuleStore {
 public:
  explicit RuleStore(Db& db) : db_(db) {}

  // Stores `rule` under rule.id() and records `rule_number` as the last
  // number handed out for generated ids, in one write; with `backfill`, its
  // backfill job record too (backfill_job.h), so a rule stored is never
  // left without the backfill it was created with.
  absl::Status Put(const newswatch::v1::WatchRule& rule, uint64_t rule_number,
                   const BackfillJob* backfill = nullptr);

  // Stores every rule of `rules` (bulk import) in one synced write: all of
  // them or none.
  absl::Status PutMany(const std::vector<newswatch::v1::WatchRule>& rules);

  // NotFound when absent.
  absl::StatusOr<newswatch::v1::WatchRule> Get(absl::string_view id) const;

  // NotFound when absent. Deletes an unfinished backfill job of the rule too.
  absl::Status Delete(absl::string_view id);

  // Every stored rule, ordered by id. DataLoss if a record does not parse.
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> LoadAll() const;

  // Calls `fn` with successive chunks of at most `chunk` stored rules, in id
  // order, parsed on every core; `fn` may modify the vector (it is refilled
  // for the next chunk). Stops at the first error: DataLoss naming the first
  // record of a chunk that does not parse (before `fn` sees that chunk), or
  // `fn`'s error. For reading every rule without holding them all (start).
  absl::Status ForEachChunk(
      size_t chunk,
      absl::FunctionRef<absl::Status(std::vector<newswatch::v1::WatchRule>&)>
          fn) const;

  // The last number used for a generated rule id ("r-<n>"), 0 if none.
  absl::StatusOr<uint64_t> LastRuleNumber() const;

 private:
  Db& db_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_RULE_STORE_H_
