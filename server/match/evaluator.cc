#include "server/match/evaluator.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>

namespace nw::match {
namespace {

using rules::Node;
using rules::NodeKind;
using rules::PhraseElement;

constexpr Field kFields[] = {Field::kTitle, Field::kBody};

bool InMask(Field field, uint8_t mask) {
  return (static_cast<uint8_t>(field) & mask) != 0;
}

// An occurrence of a term, prefix or phrase: the positions of its first and
// last word.
struct Span {
  uint32_t first;
  uint32_t last;
};

bool ElementMatches(const PhraseElement& e, const std::string& term) {
  if (!e.prefix) return term == e.text;
  return term.size() >= e.text.size() &&
         term.compare(0, e.text.size(), e.text) == 0;
}

// Calls `fn(Span)` for each occurrence of the text leaf `leaf` in `field` until
// `fn` returns true (stop). Spans of terms and phrases come in ascending order.
template <typename Fn>
void ForEachOccurrence(const Node& leaf, Field field,
                       const AnalyzedArticle& article, Fn&& fn) {
  const std::vector<PhraseElement>& elements = leaf.elements;
  if (leaf.kind == NodeKind::kTerm) {
    for (uint32_t p : article.Positions(field, elements[0].text)) {
      if (fn(Span{p, p})) return;
    }
    return;
  }
  if (leaf.kind == NodeKind::kPrefix) {
    bool stop = false;
    article.ForEachPrefixMatch(
        field, elements[0].text, [&](absl::Span<const uint32_t> positions) {
          for (size_t i = 0; i < positions.size() && !stop; ++i) {
            stop = fn(Span{positions[i], positions[i]});
          }
        });
    return;
  }
  // Phrase: anchor on its first exact word, then verify every element in place.
  const std::vector<text::Word>& words = article.Words(field);
  const uint32_t n = static_cast<uint32_t>(elements.size());
  if (words.size() < n) return;
  auto matches_at = [&](uint32_t start) {
    for (uint32_t i = 0; i < n; ++i) {
      if (!ElementMatches(elements[i], words[start + i].term)) return false;
    }
    return true;
  };
  uint32_t anchor = 0;
  while (anchor < n && elements[anchor].prefix) ++anchor;
  if (anchor == n) {  // prefixes only: scan every start
    for (uint32_t s = 0; s + n <= words.size(); ++s) {
      if (matches_at(s) && fn(Span{s, s + n - 1})) return;
    }
    return;
  }
  for (uint32_t p : article.Positions(field, elements[anchor].text)) {
    if (p < anchor) continue;
    const uint32_t s = p - anchor;
    if (s + n > words.size()) break;
    if (matches_at(s) && fn(Span{s, s + n - 1})) return;
  }
}

bool LeafOccurs(const Node& leaf, uint8_t mask,
                const AnalyzedArticle& article) {
  if (leaf.kind ==
      NodeKind::kTerm) {  // the common case: one lookup for both fields
    const uint32_t id = article.FindTerm(leaf.elements[0].text);
    return id != AnalyzedArticle::kNoTerm &&
           (((mask & rules::kTitleBit) &&
             !article.TermPositions(id, Field::kTitle).empty()) ||
            ((mask & rules::kBodyBit) &&
             !article.TermPositions(id, Field::kBody).empty()));
  }
  for (Field f : kFields) {
    if (!InMask(f, mask)) continue;
    bool found = false;
    ForEachOccurrence(leaf, f, article, [&](Span) { return found = true; });
    if (found) return true;
  }
  return false;
}

// Appends the occurrences in `field` of a NEAR operand (leaf, scope or OR of
// them).
void CollectSpans(const Node& node, Field field, uint8_t mask,
                  const AnalyzedArticle& article, std::vector<Span>* out) {
  if (node.kind == NodeKind::kScope) {
    CollectSpans(*node.children[0], field, node.fields, article, out);
  } else if (node.kind == NodeKind::kOr) {
    for (const auto& c : node.children)
      CollectSpans(*c, field, mask, article, out);
  } else if (InMask(field, mask)) {
    ForEachOccurrence(node, field, article, [&](Span s) {
      out->push_back(s);
      return false;
    });
  }
}

// Whether some a in `left` and b in `right` do not overlap and have gap <= n
// (§3).
bool AnyPairWithin(const std::vector<Span>& left, std::vector<Span>& right,
                   uint32_t n) {
  if (left.empty() || right.empty()) return false;
  std::sort(right.begin(), right.end(),
            [](const Span& x, const Span& y) { return x.first < y.first; });
  uint32_t longest = 0;
  for (const Span& b : right) longest = std::max(longest, b.last - b.first);
  for (const Span& a : left) {
    // b before a needs b.last >= a.first - n, so b.first >= a.first - n -
    // longest.
    const int64_t low = int64_t{a.first} - n - longest;
    auto it =
        std::lower_bound(right.begin(), right.end(), low,
                         [](const Span& s, int64_t v) { return s.first < v; });
    for (; it != right.end() && it->first <= int64_t{a.last} + n; ++it) {
      const Span& b = *it;
      if (b.first > a.last) return true;  // after a, gap b.first - a.last <= n
      if (b.last < a.first && a.first - b.last <= n) return true;
    }
  }
  return false;
}

bool Near(const Node& node, uint8_t mask, const AnalyzedArticle& article) {
  // NEAR never nests inside a NEAR operand, so one pair of buffers per thread
  // does.
  thread_local std::vector<Span> left, right;
  for (Field f : kFields) {
    left.clear();
    right.clear();
    CollectSpans(*node.children[0], f, mask, article, &left);
    if (left.empty()) continue;
    CollectSpans(*node.children[1], f, mask, article, &right);
    if (AnyPairWithin(left, right, node.distance)) return true;
  }
  return false;
}

bool LangMatches(const std::string& article_lang, const std::string& want) {
  if (article_lang.size() == want.size()) return article_lang == want;
  return article_lang.size() > want.size() &&
         article_lang[want.size()] == '-' &&
         article_lang.compare(0, want.size(), want) == 0;
}

bool Matches(const Node& node, uint8_t mask, const AnalyzedArticle& article) {
  switch (node.kind) {
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kPhrase:
      return LeafOccurs(node, mask, article);
    case NodeKind::kAnd:
      for (const auto& c : node.children) {
        if (!Matches(*c, mask, article)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (const auto& c : node.children) {
        if (Matches(*c, mask, article)) return true;
      }
      return false;
    case NodeKind::kNot:
      return !Matches(*node.children[0], mask, article);
    case NodeKind::kNear:
      return Near(node, mask, article);
    case NodeKind::kScope:
      return Matches(*node.children[0], node.fields, article);
    case NodeKind::kSource:
      return article.source() == node.value;
    case NodeKind::kTag:
      return std::find(article.tags().begin(), article.tags().end(),
                       node.value) != article.tags().end();
    case NodeKind::kLang:
      return LangMatches(article.lang(), node.value);
  }
  return false;
}

// Appends the highlights of every positive text leaf under `node` (§5).
void CollectHighlights(const Node& node, uint8_t mask,
                       const AnalyzedArticle& article,
                       std::vector<Highlight>* out) {
  if (node.kind == NodeKind::kNot || node.IsMetadata()) return;
  if (node.kind == NodeKind::kScope) {
    CollectHighlights(*node.children[0], node.fields, article, out);
    return;
  }
  if (!node.IsTextLeaf()) {
    for (const auto& c : node.children)
      CollectHighlights(*c, mask, article, out);
    return;
  }
  for (Field f : kFields) {
    if (!InMask(f, mask)) continue;
    const std::vector<text::Word>& words = article.Words(f);
    ForEachOccurrence(node, f, article, [&](Span s) {
      out->push_back(Highlight{f, words[s.first].begin, words[s.last].end});
      return false;
    });
  }
}

}  // namespace

std::optional<std::vector<Highlight>> Evaluate(const rules::CompiledRule& rule,
                                               const AnalyzedArticle& article) {
  const Node& root = rule.root();
  if (!Matches(root, rules::kAllTextBits, article)) return std::nullopt;
  std::vector<Highlight> highlights;
  CollectHighlights(root, rules::kAllTextBits, article, &highlights);
  auto key = [](const Highlight& h) {
    return std::tie(h.field, h.begin, h.end);
  };
  std::sort(
      highlights.begin(), highlights.end(),
      [&](const Highlight& x, const Highlight& y) { return key(x) < key(y); });
  highlights.erase(std::unique(highlights.begin(), highlights.end()),
                   highlights.end());
  return highlights;
}

}  // namespace nw::match
