#include "server/index/rule_snapshot.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace nw::index {
namespace {

bool IsDead(const Tombstones* dead, uint32_t ordinal) {
  return dead != nullptr && ((*dead)[ordinal >> 6] >> (ordinal & 63) & 1) != 0;
}

bool RuleLess(const IndexedRule& a, const IndexedRule& b) {
  return std::tie(a.subscriber, a.id) < std::tie(b.subscriber, b.id);
}

}  // namespace

RuleSnapshot::RuleSnapshot()
    : RuleSnapshot(std::vector<std::shared_ptr<const IndexedRule>>{}) {}

RuleSnapshot::RuleSnapshot(
    std::vector<std::shared_ptr<const IndexedRule>> rules, int build_threads,
    const CostModel* costs)
    : base_(RuleSegment::Build(std::move(rules), costs, build_threads)),
      delta_(RuleSegment::Build({})) {}

RuleSnapshot::RuleSnapshot(std::shared_ptr<const RuleSegment> base,
                           std::shared_ptr<const Tombstones> dead,
                           size_t dead_count,
                           std::shared_ptr<const RuleSegment> delta)
    : base_(std::move(base)),
      dead_(dead_count == 0 ? nullptr : std::move(dead)),
      dead_count_(dead_count),
      delta_(std::move(delta)) {}

MatchResult RuleSnapshot::Match(const match::AnalyzedArticle& article) const {
  MatchResult result;
  if (size() == 0) return result;
  const ArticleTerms terms = ArticleTerms::Collect(article);
  // Reused per thread: growing fresh vectors per article costs more than
  // matching.
  thread_local std::vector<SegmentHit> base_hits, delta_hits;
  base_hits.clear();
  delta_hits.clear();
  // Highlights are gathered in a buffer kept per thread, which the result
  // then takes, leaving an empty buffer of the same capacity: growing a fresh
  // vector would copy every highlight so far at each doubling, and copying the
  // finished buffer costs as much again.
  thread_local std::vector<match::Highlight> storage;
  storage.clear();
  base_->Match(terms, article, dead_.get(), &base_hits, &storage,
               &result.stats);
  delta_->Match(terms, article, nullptr, &delta_hits, &storage, &result.stats);
  result.hits.reserve(base_hits.size() + delta_hits.size());
  // The storage is complete: the hits' views into it stay valid from here.
  result.highlight_storage.swap(storage);
  storage.reserve(result.highlight_storage.capacity());
  const match::Highlight* const hl = result.highlight_storage.data();
  // The hits' memory is fresh (not in cache): each store would wait for its
  // line; asked for a few lines ahead.
  RuleHit* const out = result.hits.data();
  const size_t n = base_hits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + 16 < n) __builtin_prefetch(out + i + 16, 1);
    const SegmentHit& h = base_hits[i];
    result.hits.push_back({h.rule, absl::MakeConstSpan(hl + h.first, h.count)});
  }
  if (!delta_hits.empty()) {
    const size_t mid = result.hits.size();
    for (const SegmentHit& h : delta_hits) {
      result.hits.push_back(
          {h.rule, absl::MakeConstSpan(hl + h.first, h.count)});
    }
    std::inplace_merge(result.hits.begin(), result.hits.begin() + mid,
                       result.hits.end(),
                       [](const RuleHit& a, const RuleHit& b) {
                         return RuleLess(*a.rule, *b.rule);
                       });
  }
  return result;
}

const std::vector<std::shared_ptr<const IndexedRule>>& RuleSnapshot::rules()
    const {
  std::call_once(rules_once_, [&] {
    rules_.reserve(size());
    for (uint32_t i = 0; i < base_->size(); ++i) {
      if (!IsDead(dead_.get(), i)) rules_.push_back(base_->rules()[i]);
    }
    const size_t mid = rules_.size();
    rules_.insert(rules_.end(), delta_->rules().begin(), delta_->rules().end());
    std::inplace_merge(
        rules_.begin(), rules_.begin() + mid, rules_.end(),
        [](const auto& a, const auto& b) { return RuleLess(*a, *b); });
  });
  return rules_;
}

std::shared_ptr<const IndexedRule> RuleSnapshot::Find(
    absl::string_view id) const {
  if (auto d = delta_->Find(id)) return delta_->rules()[*d];
  if (auto b = base_->Find(id); b && !IsDead(dead_.get(), *b))
    return base_->rules()[*b];
  return nullptr;
}

size_t RuleSnapshot::always_evaluated() const {
  return base_->always_evaluated() + delta_->always_evaluated();
}

size_t RuleSnapshot::MemoryBytes() const {
  return base_->MemoryBytes() + delta_->MemoryBytes() +
         (dead_ ? dead_->capacity() * sizeof(uint64_t) : 0);
}

}  // namespace nw::index
