#include "server/index/rule_snapshot.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace nw::index {

RuleSnapshot::RuleSnapshot(std::vector<std::shared_ptr<const IndexedRule>> rules)
    : rules_(std::move(rules)) {
  std::sort(rules_.begin(), rules_.end(), [](const auto& a, const auto& b) {
    return std::tie(a->subscriber, a->id) < std::tie(b->subscriber, b->id);
  });
}

std::vector<RuleHit> RuleSnapshot::Match(const match::AnalyzedArticle& article) const {
  // Every rule is evaluated: the presearcher of the next milestone replaces
  // this scan with candidate retrieval.
  std::vector<RuleHit> hits;
  for (const auto& rule : rules_) {
    std::optional<std::vector<match::Highlight>> highlights =
        match::Evaluate(*rule->rule, article);
    if (highlights) hits.push_back({rule, *std::move(highlights)});
  }
  return hits;
}

}  // namespace nw::index
