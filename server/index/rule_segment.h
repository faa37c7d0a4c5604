// File: server/index/rule_segment.h
//
// An immutable inverted index over a set of watch rules: feature -> rules
// anchored on it (see rule_query.h). Matching an article looks up its words,
// word prefixes and metadata in the segment's dictionaries, gathers the rules
// posted under the features found (plus the few rules that have no anchor),
// checks each candidate's filter against the article's features (cheap, no text
// access), and runs the exact evaluator (match::Evaluate) only on those that
// pass. The result is exactly the rules Evaluate accepts: the filter and the
// anchors are necessary conditions.
//
// A RuleSnapshot combines a large base segment, a tombstone set over it and a
// small delta segment (rule_snapshot.h).
//
// Thread safety: immutable after Build(); Match may run concurrently.
#ifndef NW_SERVER_INDEX_RULE_SEGMENT_H_
#define NW_SERVER_INDEX_RULE_SEGMENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "server/index/article_terms.h"
#include "server/index/huge_page_allocator.h"
#include "server/index/indexed_rule.h"
#include "server/index/rule_query.h"
#include "server/index/term_dictionary.h"
#include "server/match/evaluator.h"

namespace nw::index {

// Counters of one Match call, summed over segments.
struct MatchStats {
  uint64_t candidates =
      0;  // (rule, anchor) postings read, incl. always-evaluated
  uint64_t evaluated = 0;  // candidates whose filter passed and that Evaluate
                           // ran on (exact filters need no evaluation)
  uint64_t matches = 0;
};

// Bit set over a base segment's ordinals: rules removed or replaced since it
// was built.
using Tombstones = std::vector<uint64_t>;

struct MatchScratch;  // per-thread buffers (rule_segment.cc)

// A matched rule of a segment and its highlights (spec §5), storage[first,
// first + count) of the storage passed to Match.
struct SegmentHit {
  const IndexedRule* rule;
  uint32_t first;
  uint32_t count;
};

class RuleSegment {
 public:
  // Indexes `rules` (unique ids) in (subscriber, id) order. `costs` chooses
  // anchors; nullptr uses StaticCostModel. Rules are decomposed on `threads`
  // threads.
  static std::shared_ptr<const RuleSegment> Build(
      std::vector<std::shared_ptr<const IndexedRule>> rules,
      const CostModel* costs = nullptr, int threads = 1);

  // Rules by ordinal, ordered by (subscriber, id).
  const std::vector<std::shared_ptr<const IndexedRule>>& rules() const {
    return rules_;
  }
  size_t size() const { return rules_.size(); }

  // The ordinal of the rule with this id, if any.
  std::optional<uint32_t> Find(absl::string_view id) const;

  // Appends a hit for every rule of this segment, not in `dead` (may be
  // null), that matches `article`, in ordinal order, and their highlights to
  // `storage` (hits with the same highlights may share one range).
  void Match(const ArticleTerms& terms, const match::AnalyzedArticle& article,
             const Tombstones* dead, std::vector<SegmentHit>* hits,
             std::vector<match::Highlight>* storage, MatchStats* stats) const;

  // Rules that have no anchor and are evaluated for every article.
  size_t always_evaluated() const { return always_count_; }
  // Distinct features in the dictionaries.
  size_t feature_count() const { return block_offsets_.size() - 2; }
  // Index memory: capacity of every structure owned here, excluding the rules
  // themselves (IndexedRule and its CompactRule, shared with the registry).
  size_t MemoryBytes() const;

 private:
  RuleSegment() = default;
  uint32_t Intern(const Feature& feature, uint32_t* next_id);
  void MarkFeatures(const ArticleTerms& terms, MatchScratch& scratch) const;
  // Rule `r`, whose filter passed in its posting entry `entry` in the block
  // of `feature`, one of its anchors (MatchScratch::kNone: unknown): if
  // it matches, its highlights (spec §5) as a range [first, first + count) of
  // `storage`. An exact rule matches; the others are verified on their
  // compact form (embedded in the entry). Counts evaluations and matches.
  // REQUIRES: `scratch` holds the article's features (MarkFeatures).
  std::optional<std::pair<uint32_t, uint32_t>> Hit(
      uint32_t r, const uint32_t* entry, uint32_t feature,
      const match::AnalyzedArticle& article, MatchScratch& scratch,
      std::vector<match::Highlight>& storage, MatchStats* stats) const;
  // The highlights of an exact rule: its positive features in `code` (a
  // filter program, or literal words if `literals`), and `anchor` (one of
  // them) unless MatchScratch::kNone; as Hit.
  std::pair<uint32_t, uint32_t> ExactHighlights(
      uint32_t anchor, const uint32_t* code, uint32_t size, bool literals,
      const match::AnalyzedArticle& article, MatchScratch& scratch,
      std::vector<match::Highlight>& storage) const;

  std::vector<std::shared_ptr<const IndexedRule>> rules_;
  // rules_[i].get(): what a hit needs, at half the size and in huge pages.
  HugeVector<const IndexedRule*> rule_pointers_;
  std::vector<uint64_t> id_hashes_;    // hash of each id, sorted
  std::vector<uint32_t> id_ordinals_;  // the ordinal of each id_hashes_ entry
  // Word and prefix features (the word features looked up with the hash the
  // article computed for each word).
  TermDictionary terms_, prefixes_;
  absl::flat_hash_map<std::string, uint32_t> metadata_;
  // First three bytes of prefix features -> bit n set when one of them has n
  // bytes.
  absl::flat_hash_map<uint32_t, uint64_t> prefix_starts_;
  // Postings, one block per feature: for each rule anchored on it, the entry
  // [ordinal, header, filter program (n words), extra words], so that a lookup
  // reads one contiguous run of memory. The header holds n, the number of
  // extra words, kExactBit if RuleQuery::exact, kLiteralsBit if the n words
  // are the filter in conjunctive form (FilterToClauses; without the block's
  // feature if it is the rule's only anchor) rather than a program, and
  // kManyAnchorsBit if the rule has more than one anchor; the extra words of
  // a rule
  // that needs verification hold its compact form (byte length, bytes), so
  // that verifying it reads nothing else. The last block (feature
  // id == feature_count()) holds the rules without anchors.
  std::vector<uint32_t> block_offsets_{0, 0};
  HugeVector<uint32_t> blocks_;
  size_t always_count_ = 0;
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_RULE_SEGMENT_H_
