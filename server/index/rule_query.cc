#include "server/index/rule_query.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"

namespace nw::index {
namespace {

namespace compact = rules::compact;
using rules::NodeKind;

// The filter as a tree, before it is flattened to postfix.
struct FilterNode {
  enum Op { kTrue, kFeature, kAnd, kOr, kNot } op = kTrue;
  uint32_t feature = 0;
  std::vector<FilterNode> children;
};

// Whether the filter of the compact node at `p` is equivalent to it (see
// RuleQuery::exact).
bool FilterIsExact(const char* p);

// Anchor feature indexes while they are chosen: usually one or a few.
using AnchorSet = absl::InlinedVector<uint32_t, 4>;

class Builder {
 public:
  explicit Builder(const CostModel& costs) : costs_(costs) {}

  // Builds the filter of the compact node at `p` (a node's kind byte).
  FilterNode Build(const char* p) {
    const compact::NodeRef node = compact::ReadNode(p);
    switch (node.kind) {
      case NodeKind::kTerm:
      case NodeKind::kPrefix:
        return Leaf(node.kind == NodeKind::kPrefix ? FeatureKind::kPrefix
                                                   : FeatureKind::kTerm,
                    Payload(node));
      case NodeKind::kPhrase: {
        std::vector<FilterNode> words;
        for (const char* q = node.begin; q < node.end;) {
          const uint32_t v = compact::ReadVarint(q);
          words.push_back(
              Leaf((v & 1) != 0 ? FeatureKind::kPrefix : FeatureKind::kTerm,
                   std::string_view(q, v >> 1)));
          q += v >> 1;
        }
        return Combine(FilterNode::kAnd, std::move(words));
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        std::vector<FilterNode> children;
        for (const char* q = node.begin; q < node.end;
             q = compact::ReadNode(q).end) {
          children.push_back(Build(q));
        }
        return Combine(
            node.kind == NodeKind::kAnd ? FilterNode::kAnd : FilterNode::kOr,
            std::move(children));
      }
      case NodeKind::kNear: {
        const char* left = node.begin + 1;  // after the distance byte
        const char* right = compact::ReadNode(left).end;
        std::vector<FilterNode> children;
        children.push_back(Build(left));
        children.push_back(Build(right));
        return Combine(FilterNode::kAnd, std::move(children));
      }
      case NodeKind::kScope: {
        ++scopes_;  // features are looked up in every field: a superset only
        FilterNode n = Build(node.begin + 1);  // after the fields byte
        --scopes_;
        return n;
      }
      case NodeKind::kNot: {
        // Negating a superset would not give a superset: only exact filters,
        // outside field scopes, negate.
        if (scopes_ > 0 || !FilterIsExact(node.begin)) return FilterNode{};
        FilterNode n{FilterNode::kNot, 0, {}};
        n.children.push_back(Build(node.begin));
        return n;
      }
      case NodeKind::kSource:
        return Leaf(FeatureKind::kSource, compact::MetadataValue(node));
      case NodeKind::kTag:
        return Leaf(FeatureKind::kTag, compact::MetadataValue(node));
      case NodeKind::kLang:
        return Leaf(FeatureKind::kLang, compact::MetadataValue(node));
    }
    return FilterNode{};
  }

  // Cheapest anchor set of `n`, or nullopt when any article may satisfy it.
  std::optional<std::pair<double, AnchorSet>> Anchors(const FilterNode& n) {
    switch (n.op) {
      case FilterNode::kTrue:
      case FilterNode::kNot:
        return std::nullopt;
      case FilterNode::kFeature:
        return std::make_pair(costs_.Cost(query_.features[n.feature]),
                              AnchorSet{n.feature});
      case FilterNode::kAnd: {
        std::optional<std::pair<double, AnchorSet>> best;
        for (const FilterNode& c : n.children) {
          auto a = Anchors(c);
          if (a && (!best || a->first < best->first)) best = std::move(a);
        }
        return best;
      }
      case FilterNode::kOr: {
        std::pair<double, AnchorSet> all{0.0, {}};
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
  static std::string_view Payload(const compact::NodeRef& n) {
    return std::string_view(n.begin, n.end - n.begin);
  }

  FilterNode Leaf(FeatureKind kind, std::string_view text) {
    if (kind == FeatureKind::kPrefix && text.size() > kMaxPrefixBytes) {
      // byte prefix: the lookup side is byte-wise too
      text = text.substr(0, kMaxPrefixBytes);
    }
    auto it = std::find_if(
        query_.features.begin(), query_.features.end(),
        [&](const Feature& f) { return f.kind == kind && f.text == text; });
    FilterNode n{FilterNode::kFeature,
                 static_cast<uint32_t>(it - query_.features.begin()),
                 {}};
    if (it == query_.features.end())
      query_.features.push_back(Feature{kind, std::string(text)});
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

bool FilterIsExact(const char* p) {
  const compact::NodeRef node = compact::ReadNode(p);
  switch (node.kind) {
    case NodeKind::kTerm:
    case NodeKind::kSource:
    case NodeKind::kTag:
    case NodeKind::kLang:
      return true;
    case NodeKind::kPrefix:
      return static_cast<size_t>(node.end - node.begin) <= kMaxPrefixBytes;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
      for (const char* q = node.begin; q < node.end;
           q = compact::ReadNode(q).end) {
        if (!FilterIsExact(q)) return false;
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
  return BuildRuleQuery(rules::CompactRule::FromTree(root), costs);
}

RuleQuery BuildRuleQuery(const rules::CompactRule& rule,
                         const CostModel& costs) {
  if (rule.empty()) return RuleQuery{};
  const char* const root = rule.bytes().data();
  Builder builder(costs);
  FilterNode filter = builder.Build(root);
  RuleQuery& query = builder.query();
  if (filter.op == FilterNode::kTrue) return std::move(query);
  if (auto anchors = builder.Anchors(filter)) {
    AnchorSet& a = anchors->second;
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    query.anchors.assign(a.begin(), a.end());
  }
  builder.Emit(filter, false, &query.filter);
  query.exact = FilterIsExact(root);
  return std::move(query);
}

bool FilterToClauses(const uint32_t* code, size_t size,
                     std::vector<uint32_t>* literals) {
  if (size == 0) return false;
  // Each stack value is a run of literal words (clauses) in `words`, and
  // whether it is a single clause of positive literals (a feature or an OR),
  // i.e. may be ORed or negated.
  struct Value {
    size_t begin;  // in `words`
    bool clause;
  };
  absl::InlinedVector<uint32_t, 16> words;
  absl::InlinedVector<Value, 8> stack;
  for (size_t i = 0; i < size; ++i) {
    const uint32_t op = code[i] & kOpMask, arg = code[i] & kArgMask;
    if (op == kOpFeature) {
      // kNegatedBit marks a feature under a NOT: set again by that NOT.
      stack.push_back({words.size(), true});
      words.push_back(arg & kFeatureMask);
      continue;
    }
    if (arg > stack.size() || (op == kOpNot && stack.empty())) return false;
    if (op == kOpNot) {  // NOT (a OR b) = NOT a AND NOT b
      const Value v = stack.back();
      if (!v.clause) return false;
      for (size_t k = v.begin; k < words.size(); ++k)
        words[k] = (words[k] & kFeatureMask) | kNegatedBit;
      stack.back().clause = false;
      continue;
    }
    const size_t first = stack.size() - arg;
    if (op == kOpOr) {
      for (size_t k = first; k < stack.size(); ++k) {
        if (!stack[k].clause) return false;
      }
      for (size_t k = stack[first].begin; k + 1 < words.size(); ++k)
        words[k] |= kOrNextBit;
      stack.resize(first + 1);
      continue;
    }
    // AND: the clauses side by side (no longer one clause).
    const size_t begin = stack[first].begin;
    stack.resize(first);
    stack.push_back({begin, false});
  }
  if (stack.size() != 1) return false;
  literals->insert(literals->end(), words.begin(), words.end());
  return true;
}

}  // namespace nw::index
