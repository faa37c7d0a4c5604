#include "server/index/rule_query.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace nw::index {
namespace {

using rules::Node;
using rules::NodeKind;

// The filter as a tree, before it is flattened to postfix.
struct FilterNode {
  enum Op { kTrue, kFeature, kAnd, kOr, kNot } op = kTrue;
  uint32_t feature = 0;
  std::vector<FilterNode> children;
};

bool FilterIsExact(const Node& node);

class Builder {
 public:
  explicit Builder(const CostModel& costs) : costs_(costs) {}

  FilterNode Build(const Node& node) {
    switch (node.kind) {
      case NodeKind::kTerm:
      case NodeKind::kPrefix:
      case NodeKind::kPhrase: {
        std::vector<FilterNode> words;
        for (const rules::PhraseElement& e : node.elements) {
          words.push_back(Leaf(
              e.prefix ? FeatureKind::kPrefix : FeatureKind::kTerm, e.text));
        }
        return Combine(FilterNode::kAnd, std::move(words));
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        std::vector<FilterNode> children;
        for (const auto& c : node.children) children.push_back(Build(*c));
        return Combine(
            node.kind == NodeKind::kAnd ? FilterNode::kAnd : FilterNode::kOr,
            std::move(children));
      }
      case NodeKind::kNear: {
        std::vector<FilterNode> children;
        children.push_back(Build(*node.children[0]));
        children.push_back(Build(*node.children[1]));
        return Combine(FilterNode::kAnd, std::move(children));
      }
      case NodeKind::kScope: {
        ++scopes_;  // features are looked up in every field: a superset only
        FilterNode n = Build(*node.children[0]);
        --scopes_;
        return n;
      }
      case NodeKind::kNot: {
        // Negating a superset would not give a superset: only exact filters,
        // outside field scopes, negate.
        if (scopes_ > 0 || !FilterIsExact(*node.children[0]))
          return FilterNode{};
        FilterNode n{FilterNode::kNot, 0, {}};
        n.children.push_back(Build(*node.children[0]));
        return n;
      }
      case NodeKind::kSource:
        return Leaf(FeatureKind::kSource, node.value);
      case NodeKind::kTag:
        return Leaf(FeatureKind::kTag, node.value);
      case NodeKind::kLang:
        return Leaf(FeatureKind::kLang, node.value);
    }
    return FilterNode{};
  }

  // Cheapest anchor set of `n`, or nullopt when any article may satisfy it.
  std::optional<std::pair<double, std::vector<uint32_t>>> Anchors(
      const FilterNode& n) {
    switch (n.op) {
      case FilterNode::kTrue:
      case FilterNode::kNot:
        return std::nullopt;
      case FilterNode::kFeature:
        return std::make_pair(costs_.Cost(query_.features[n.feature]),
                              std::vector<uint32_t>{n.feature});
      case FilterNode::kAnd: {
        std::optional<std::pair<double, std::vector<uint32_t>>> best;
        for (const FilterNode& c : n.children) {
          auto a = Anchors(c);
          if (a && (!best || a->first < best->first)) best = std::move(a);
        }
        return best;
      }
      case FilterNode::kOr: {
        std::pair<double, std::vector<uint32_t>> all{0.0, {}};
        for (const FilterNode& c : n.children) {
          auto a = Anchors(c);
          if (!a) return std::nullopt;
          all.first += a->first;
          all.second.insert(all.second.end(), a->second.begin(),
                            a->second.end());
        }
        return all;
      }
    }
    return std::nullopt;
  }

  void Emit(const FilterNode& n, bool negated, std::vector<uint32_t>* code) {
    if (n.op == FilterNode::kFeature) {
      code->push_back(kOpFeature | n.feature | (negated ? kNegatedBit : 0));
      return;
    }
    if (n.op == FilterNode::kNot) {
      Emit(n.children[0], true, code);
      code->push_back(kOpNot);
      return;
    }
    for (const FilterNode& c : n.children) Emit(c, negated, code);
    const uint32_t count = static_cast<uint32_t>(n.children.size());
    code->push_back((n.op == FilterNode::kAnd ? kOpAnd : kOpOr) | count);
  }

  RuleQuery& query() { return query_; }

 private:
  FilterNode Leaf(FeatureKind kind, const std::string& text) {
    Feature f{kind, text};
    if (kind == FeatureKind::kPrefix && f.text.size() > kMaxPrefixBytes) {
      f.text.resize(
          kMaxPrefixBytes);  // byte prefix: the lookup side is byte-wise too
    }
    auto it = std::find(query_.features.begin(), query_.features.end(), f);
    FilterNode n{FilterNode::kFeature,
                 static_cast<uint32_t>(it - query_.features.begin()),
                 {}};
    if (it == query_.features.end()) query_.features.push_back(std::move(f));
    return n;
  }

  // AND drops `true` children, OR is `true` if one is; one child stands for
  // itself.
  static FilterNode Combine(FilterNode::Op op,
                            std::vector<FilterNode> children) {
    std::vector<FilterNode> kept;
    for (FilterNode& c : children) {
      if (c.op == FilterNode::kTrue) {
        if (op == FilterNode::kOr) return FilterNode{};
        continue;
      }
      if (c.op == op) {  // flatten (a AND (b AND c))
        for (FilterNode& g : c.children) kept.push_back(std::move(g));
      } else {
        kept.push_back(std::move(c));
      }
    }
    if (kept.empty()) return FilterNode{};
    if (kept.size() == 1) return std::move(kept[0]);
    return FilterNode{op, 0, std::move(kept)};
  }

  const CostModel& costs_;
  int scopes_ = 0;  // text scopes around the node being built
  RuleQuery query_;
};

const absl::flat_hash_set<std::string>& CommonWords() {
  static const auto* words = new absl::flat_hash_set<std::string>{
      "a",       "an",      "and",    "are",  "as",    "at",     "be",
      "been",    "but",     "by",     "for",  "from",  "had",    "has",
      "have",    "he",      "his",    "i",    "in",    "is",     "it",
      "its",     "mln",     "not",    "of",   "on",    "or",     "said",
      "that",    "the",     "their",  "they", "this",  "to",     "was",
      "we",      "were",    "which",  "will", "with",  "would",  "year",
      "pct",     "dlrs",    "reuter", "u.s",  "also",  "after",  "new",
      "one",     "two",     "last",   "more", "than",  "up",     "who",
      "all",     "about",   "over",   "into", "could", "there",  "she",
      "billion", "company", "inc",    "corp", "share", "shares", "vs",
      "cts",     "net"};
  return *words;
}

// Whether the filter of `node` is equivalent to it (see RuleQuery::exact).
bool FilterIsExact(const Node& node) {
  switch (node.kind) {
    case NodeKind::kTerm:
    case NodeKind::kSource:
    case NodeKind::kTag:
    case NodeKind::kLang:
      return true;
    case NodeKind::kPrefix:
      return node.elements[0].text.size() <= kMaxPrefixBytes;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
      for (const auto& c : node.children) {
        if (!FilterIsExact(*c)) return false;
      }
      return true;
    default:  // phrases, NEAR and scopes need positions or fields
      return false;
  }
}

}  // namespace

double StaticCostModel::Cost(const Feature& feature) const {
  const double n =
      static_cast<double>(std::max<size_t>(feature.text.size(), 1));
  switch (feature.kind) {
    case FeatureKind::kTerm: {
      if (CommonWords().contains(feature.text)) return 1.0;
      const bool digits =
          std::all_of(feature.text.begin(), feature.text.end(),
                      [](char c) { return c >= '0' && c <= '9'; });
      return std::min(1.0, (digits ? 4.0 : 1.0) / (n * n));
    }
    case FeatureKind::kPrefix:
      return std::min(1.0, 8.0 / (n * n));
    case FeatureKind::kSource:
      return 0.5;
    case FeatureKind::kTag:
      return 0.1;
    case FeatureKind::kLang:
      return 1.0;
  }
  return 1.0;
}

RuleQuery BuildRuleQuery(const rules::Node& root, const CostModel& costs) {
  Builder builder(costs);
  FilterNode filter = builder.Build(root);
  RuleQuery& query = builder.query();
  if (filter.op == FilterNode::kTrue) return std::move(query);
  if (auto anchors = builder.Anchors(filter)) {
    std::vector<uint32_t>& a = anchors->second;
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    query.anchors = std::move(a);
  }
  builder.Emit(filter, false, &query.filter);
  query.exact = FilterIsExact(root);
  return std::move(query);
}

}  // namespace nw::index
