// File: server/index/rule_registry.h
//
// Owns the live set of watch rules and publishes it as immutable snapshots.
// A change returns only after the new snapshot is published, so every
// article submitted after CreateRule/DeleteRule returns sees the change.
//
// Thread safety: all methods may be called concurrently. Writers are
// serialized; Current() only copies a pointer under the mutex.
#ifndef NW_SERVER_INDEX_RULE_REGISTRY_H_
#define NW_SERVER_INDEX_RULE_REGISTRY_H_

#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/index/rule_snapshot.h"

namespace nw::index {

class RuleRegistry {
 public:
  RuleRegistry() : current_(std::make_shared<const RuleSnapshot>()) {}

  // The snapshot to match against; never null.
  std::shared_ptr<const RuleSnapshot> Current() const;

  // Replaces every rule (start-up).
  void Reset(std::vector<std::shared_ptr<const IndexedRule>> rules);
  // Adds `rule`, or replaces the rule with the same id.
  void Upsert(std::shared_ptr<const IndexedRule> rule);
  // Removes the rule with this id; false when there was none.
  bool Remove(absl::string_view id);

 private:
  absl::Mutex write_mu_;  // serializes writers; held while a snapshot is built
  mutable absl::Mutex mu_;
  std::shared_ptr<const RuleSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_RULE_REGISTRY_H_
