// File: server/index/rule_registry.h
//
// Owns the live set of watch rules and publishes it as immutable snapshots.
// A change returns only after the new snapshot is published, so every
// article matched after CreateRule/DeleteRule returns sees the change.
//
// Changes are incremental: a snapshot is a base index, a tombstone set over it
// and a small delta index (rule_snapshot.h). Upsert/Remove rebuild only the
// delta (O(delta), bounded by RegistryOptions::max_delta) and copy the
// tombstone bits. When the delta reaches max_delta, a background thread merges
// base + delta into a new base from the snapshot of that moment; changes made
// meanwhile are logged and replayed onto the new base when it is installed.
// Matching never waits for any of this: it uses whichever snapshot it took.
//
// Thread safety: all methods may be called concurrently. Writers are
// serialized; Current() only copies a pointer under the mutex.
#ifndef NW_SERVER_INDEX_RULE_REGISTRY_H_
#define NW_SERVER_INDEX_RULE_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/index/rule_snapshot.h"

namespace nw::index {

struct RegistryOptions {
  // Delta size at which base + delta are merged into a new base.
  // Default: 2048 (a change then rebuilds at most ~2k rules: a few ms).
  size_t max_delta = 2048;
  // Merge on a background thread (true) or inline in the writer that filled the
  // delta (false: deterministic, for tests). Default: true.
  bool background_merge = true;
};

class RuleRegistry {
 public:
  RuleRegistry() : RuleRegistry(RegistryOptions{}) {}
  explicit RuleRegistry(const RegistryOptions& options);
  // Waits for a background merge in flight.
  ~RuleRegistry();

  RuleRegistry(const RuleRegistry&) = delete;
  RuleRegistry& operator=(const RuleRegistry&) = delete;

  // The snapshot to match against; never null.
  std::shared_ptr<const RuleSnapshot> Current() const;

  // Replaces every rule (start-up): builds a new base, O(rules), decomposing
  // the rules on every core.
  void Reset(std::vector<std::shared_ptr<const IndexedRule>> rules);
  // Adds `rule`, or replaces the rule with the same id.
  void Upsert(std::shared_ptr<const IndexedRule> rule);
  // Upserts every rule of `rules` and publishes one snapshot (bulk import:
  // one delta rebuild for the lot instead of one per rule).
  void UpsertMany(std::vector<std::shared_ptr<const IndexedRule>> rules);
  // Removes the rule with this id; false when there was none.
  bool Remove(absl::string_view id);

  // Indexes built from now on (the next Reset, every delta, every merge) choose
  // their anchors with `costs` (null: StaticCostModel, the default); rules
  // already in the base keep their anchors until the next merge. Anchors only
  // change which rules are candidates, never which match (rule_query.h).
  void SetCostModel(std::shared_ptr<const CostModel> costs);

  // Blocks until no background merge is running (tests, benchmarks).
  void WaitForMerge();
  // Number of base merges installed so far.
  uint64_t merges() const;

 private:
  using Change = std::variant<std::shared_ptr<const IndexedRule>, std::string>;

  bool Apply(const Change& change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void MaybeMerge() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void InstallBase(std::shared_ptr<const RuleSegment> base)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void FinishMerge(std::shared_ptr<const RuleSegment> base,
                   uint64_t generation);

  const RegistryOptions options_;

  // Serializes writers; held while a delta is built (never while matching).
  mutable absl::Mutex write_mu_;
  std::shared_ptr<const RuleSegment> base_ ABSL_GUARDED_BY(write_mu_);
  Tombstones dead_ ABSL_GUARDED_BY(write_mu_);
  size_t dead_count_ ABSL_GUARDED_BY(write_mu_) = 0;
  absl::flat_hash_map<std::string, std::shared_ptr<const IndexedRule>> delta_
      ABSL_GUARDED_BY(write_mu_);
  uint64_t generation_ ABSL_GUARDED_BY(write_mu_) = 0;  // bumped by Reset
  bool merging_ ABSL_GUARDED_BY(write_mu_) = false;
  std::vector<Change> merge_log_
      ABSL_GUARDED_BY(write_mu_);  // since merge began
  std::thread merge_thread_ ABSL_GUARDED_BY(write_mu_);
  uint64_t merges_ ABSL_GUARDED_BY(write_mu_) = 0;
  std::shared_ptr<const CostModel> costs_ ABSL_GUARDED_BY(write_mu_);

  mutable absl::Mutex mu_;  // guards only the published pointer
  std::shared_ptr<const RuleSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_RULE_REGISTRY_H_
