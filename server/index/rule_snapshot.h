// File: server/index/rule_snapshot.h
//
// An immutable set of compiled watch rules that articles are matched against. A
// new snapshot is published on every rule change (RuleRegistry); matching
// threads keep whichever snapshot they took.
//
// A snapshot is a large *base* segment, a tombstone set of base rules removed
// or replaced since the base was built, and a small *delta* segment of rules
// added since. Changes therefore cost O(delta), not O(rules); the registry
// folds the delta into a new base in the background when it grows
// (rule_registry.h).
//
// Matching cost follows the article, not the rule count: see rule_segment.h.
//
// Thread safety: immutable after construction; Match may run concurrently.
#ifndef NW_SERVER_INDEX_RULE_SNAPSHOT_H_
#define NW_SERVER_INDEX_RULE_SNAPSHOT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "server/index/indexed_rule.h"
#include "server/index/rule_segment.h"
#include "server/match/analyzed_article.h"
#include "server/match/evaluator.h"

namespace nw::index {

// One matched rule and where its words were found (spec §5). Views only:
// `rule` lives as long as the RuleSnapshot that matched (the caller keeps it),
// `highlights` as long as the MatchResult that holds the hit. Neither owns
// anything, so that a hit costs no reference count or allocation (at 1M rules
// an article has ~2,300 hits).
struct RuleHit {
  const IndexedRule* rule;
  absl::Span<const match::Highlight> highlights;  // sorted, no duplicates
};

// The hits of one article and the storage their highlights view. Move-only: a
// copy's hits would view the original's storage.
struct MatchResult {
  MatchResult() = default;
  MatchResult(MatchResult&&) = default;
  MatchResult& operator=(MatchResult&&) = default;
  MatchResult(const MatchResult&) = delete;
  MatchResult& operator=(const MatchResult&) = delete;

  std::vector<RuleHit> hits;  // ordered by subscriber then rule id
  MatchStats stats;
  // Every hit's highlights (hits that share a list view the same range).
  std::vector<match::Highlight> highlight_storage;
};

class RuleSnapshot {
 public:
  RuleSnapshot();
  // Indexes `rules` (any order; duplicate ids are the caller's bug) as one
  // base, decomposing rules on `build_threads` threads. `costs` chooses anchors
  // (nullptr: StaticCostModel); it is used only while building.
  explicit RuleSnapshot(std::vector<std::shared_ptr<const IndexedRule>> rules,
                        int build_threads = 1,
                        const CostModel* costs = nullptr);
  // Composes a snapshot. `base` and `delta` must not be null; `dead` (may be
  // null) has a bit per base ordinal; no live rule id may appear in both
  // segments.
  RuleSnapshot(std::shared_ptr<const RuleSegment> base,
               std::shared_ptr<const Tombstones> dead, size_t dead_count,
               std::shared_ptr<const RuleSegment> delta);

  // Every rule that matches `article`, ordered by subscriber then rule id,
  // with presearch counters. The hits' rules are valid while this snapshot
  // lives; keep it (e.g. the shared_ptr RuleRegistry::Current returned) until
  // the hits are used.
  MatchResult Match(const match::AnalyzedArticle& article) const;
  // The same (the name callers that read the counters use).
  MatchResult MatchWithStats(const match::AnalyzedArticle& article) const {
    return Match(article);
  }

  // Every live rule, ordered by (subscriber, id). Built on first call:
  // O(rules).
  const std::vector<std::shared_ptr<const IndexedRule>>& rules() const;
  size_t size() const { return base_->size() - dead_count_ + delta_->size(); }

  // The live rule with this id, or null.
  std::shared_ptr<const IndexedRule> Find(absl::string_view id) const;

  // Rules evaluated for every article (no anchor).
  size_t always_evaluated() const;
  // Index memory in bytes (RuleSegment::MemoryBytes of both segments +
  // tombstones).
  size_t MemoryBytes() const;

  const std::shared_ptr<const RuleSegment>& base() const { return base_; }
  const std::shared_ptr<const Tombstones>& dead() const { return dead_; }
  size_t dead_count() const { return dead_count_; }
  const std::shared_ptr<const RuleSegment>& delta() const { return delta_; }

 private:
  std::shared_ptr<const RuleSegment> base_;
  std::shared_ptr<const Tombstones> dead_;  // null when no tombstones
  size_t dead_count_ = 0;
  std::shared_ptr<const RuleSegment> delta_;

  mutable std::once_flag rules_once_;
  mutable std::vector<std::shared_ptr<const IndexedRule>> rules_;
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_RULE_SNAPSHOT_H_
