// File: server/index/rule_snapshot.h
//
// An immutable set of compiled watch rules that articles are matched
// against. A new snapshot is published on every rule change (RuleRegistry);
// matching threads keep whichever snapshot they took.
//
// Thread safety: immutable after construction; Match may run concurrently.
#ifndef NW_SERVER_INDEX_RULE_SNAPSHOT_H_
#define NW_SERVER_INDEX_RULE_SNAPSHOT_H_

#include <memory>
#include <string>
#include <vector>

#include "server/match/analyzed_article.h"
#include "server/match/evaluator.h"
#include "server/rules/compiled_rule.h"

namespace nw::index {

// A subscriber's rule, compiled.
struct IndexedRule {
  std::string id;
  std::string subscriber;
  std::shared_ptr<const rules::CompiledRule> rule;
};

// One matched rule and where its words were found (spec §5).
struct RuleHit {
  std::shared_ptr<const IndexedRule> rule;
  std::vector<match::Highlight> highlights;
};

class RuleSnapshot {
 public:
  RuleSnapshot() = default;
  // `rules` in any order; duplicate ids are the caller's bug.
  explicit RuleSnapshot(std::vector<std::shared_ptr<const IndexedRule>> rules);

  // Every rule that matches `article`, ordered by subscriber then rule id.
  std::vector<RuleHit> Match(const match::AnalyzedArticle& article) const;

  const std::vector<std::shared_ptr<const IndexedRule>>& rules() const { return rules_; }
  size_t size() const { return rules_.size(); }

 private:
  std::vector<std::shared_ptr<const IndexedRule>> rules_;  // by (subscriber, id)
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_RULE_SNAPSHOT_H_
