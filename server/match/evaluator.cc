#include "server/match/evaluator.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>

#include "absl/container/inlined_vector.h"

namespace nw::match {
namespace {

using rules::NodeKind;
using rules::compact::NodeRef;
using rules::compact::ReadNode;
using rules::compact::ReadVarint;

constexpr Field kFields[] = {Field::kTitle, Field::kBody};

bool InMask(Field field, uint8_t mask) {
  return (static_cast<uint8_t>(field) & mask) != 0;
}

std::string_view Text(const NodeRef& n) {
  return std::string_view(n.begin, n.end - n.begin);
}

// Calls fn(child node start) for each child of a composite node whose
// children start at `p` and end at `end`, until fn returns true; returns
// whether it did.
template <typename Fn>
bool AnyChild(const char* p, const char* end, Fn&& fn) {
  while (p < end) {
    const char* next = ReadNode(p).end;
    if (fn(p)) return true;
    p = next;
  }
  return false;
}

// An occurrence of a term, prefix or phrase: the positions of its first and
// last word.
struct Span {
  uint32_t first;
  uint32_t last;
};

struct Element {
  std::string_view text;
  bool prefix;
  uint32_t term;  // article term id of an exact element (kNoTerm: absent)
};

bool StartsWith(std::string_view term, std::string_view prefix) {
  return term.size() >= prefix.size() &&
         term.compare(0, prefix.size(), prefix) == 0;
}

// Calls `fn(Span)` for each occurrence of the text leaf `leaf` in `field` until
// `fn` returns true (stop). Spans of terms and phrases come in ascending order.
template <typename Fn>
void ForEachOccurrence(const NodeRef& leaf, Field field,
                       const AnalyzedArticle& article, Fn&& fn) {
  if (leaf.kind == NodeKind::kTerm) {
    for (uint32_t p : article.Positions(field, Text(leaf))) {
      if (fn(Span{p, p})) return;
    }
    return;
  }
  if (leaf.kind == NodeKind::kPrefix) {
    bool stop = false;
    article.ForEachPrefixMatch(
        field, Text(leaf), [&](absl::Span<const uint32_t> positions) {
          for (size_t i = 0; i < positions.size() && !stop; ++i) {
            stop = fn(Span{positions[i], positions[i]});
          }
        });
    return;
  }
  // Phrase: exact elements compare by article term id; anchor on the first
  // exact element, then verify every element in place.
  absl::InlinedVector<Element, 8> elements;
  for (const char* q = leaf.begin; q < leaf.end;) {
    const uint32_t v = ReadVarint(q);
    Element e{std::string_view(q, v >> 1), (v & 1) != 0,
              AnalyzedArticle::kNoTerm};
    if (!e.prefix) {
      e.term = article.FindTerm(e.text);
      if (e.term == AnalyzedArticle::kNoTerm) return;  // no occurrence at all
    }
    elements.push_back(e);
    q += v >> 1;
  }
  const absl::Span<const ArticleWord> words = article.Words(field);
  const std::vector<uint32_t>& ids = article.WordTermIds(field);
  const uint32_t n = static_cast<uint32_t>(elements.size());
  if (words.size() < n) return;
  auto matches_at = [&](uint32_t start) {
    for (uint32_t i = 0; i < n; ++i) {
      const Element& e = elements[i];
      if (e.prefix ? !StartsWith(words[start + i].term, e.text)
                   : ids[start + i] != e.term) {
        return false;
      }
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
  for (uint32_t p : article.TermPositions(elements[anchor].term, field)) {
    if (p < anchor) continue;
    const uint32_t s = p - anchor;
    if (s + n > words.size()) break;
    if (matches_at(s) && fn(Span{s, s + n - 1})) return;
  }
}

bool LeafOccurs(const NodeRef& leaf, uint8_t mask,
                const AnalyzedArticle& article) {
  if (leaf.kind == NodeKind::kTerm) {  // the common case: one lookup
    const uint32_t id = article.FindTerm(Text(leaf));
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
// them) starting at `p`.
void CollectSpans(const char* p, Field field, uint8_t mask,
                  const AnalyzedArticle& article, std::vector<Span>* out) {
  const NodeRef node = ReadNode(p);
  if (node.kind == NodeKind::kScope) {
    CollectSpans(node.begin + 1, field, uint8_t(*node.begin), article, out);
  } else if (node.kind == NodeKind::kOr) {
    AnyChild(node.begin, node.end, [&](const char* c) {
      CollectSpans(c, field, mask, article, out);
      return false;
    });
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

bool Near(const NodeRef& node, uint8_t mask, const AnalyzedArticle& article) {
  // NEAR never nests inside a NEAR operand, so one pair of buffers per thread
  // does.
  thread_local std::vector<Span> left, right;
  const uint32_t distance = uint8_t(*node.begin);
  const char* left_node = node.begin + 1;
  const char* right_node = ReadNode(left_node).end;
  for (Field f : kFields) {
    left.clear();
    right.clear();
    CollectSpans(left_node, f, mask, article, &left);
    if (left.empty()) continue;
    CollectSpans(right_node, f, mask, article, &right);
    if (AnyPairWithin(left, right, distance)) return true;
  }
  return false;
}

bool LangMatches(const std::string& article_lang, std::string_view want) {
  if (article_lang.size() == want.size()) return article_lang == want;
  return article_lang.size() > want.size() &&
         article_lang[want.size()] == '-' &&
         std::string_view(article_lang).substr(0, want.size()) == want;
}

bool Matches(const char* p, uint8_t mask, const AnalyzedArticle& article) {
  const NodeRef node = ReadNode(p);
  switch (node.kind) {
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kPhrase:
      return LeafOccurs(node, mask, article);
    case NodeKind::kAnd:
      return !AnyChild(node.begin, node.end, [&](const char* c) {
        return !Matches(c, mask, article);
      });
    case NodeKind::kOr:
      return AnyChild(node.begin, node.end,
                      [&](const char* c) { return Matches(c, mask, article); });
    case NodeKind::kNot:
      return !Matches(node.begin, mask, article);
    case NodeKind::kNear:
      return Near(node, mask, article);
    case NodeKind::kScope:
      return Matches(node.begin + 1, uint8_t(*node.begin), article);
    case NodeKind::kSource:
      return article.source() == rules::compact::MetadataValue(node);
    case NodeKind::kTag: {
      const std::string_view value = rules::compact::MetadataValue(node);
      return std::find(article.tags().begin(), article.tags().end(), value) !=
             article.tags().end();
    }
    case NodeKind::kLang:
      return LangMatches(article.lang(), rules::compact::MetadataValue(node));
  }
  return false;
}

// Appends the highlights of every positive text leaf under the node at `p`
// (§5).
void CollectHighlights(const char* p, uint8_t mask,
                       const AnalyzedArticle& article,
                       std::vector<Highlight>* out) {
  const NodeRef node = ReadNode(p);
  switch (node.kind) {
    case NodeKind::kNot:
    case NodeKind::kSource:
    case NodeKind::kTag:
    case NodeKind::kLang:
      return;
    case NodeKind::kScope:
      CollectHighlights(node.begin + 1, uint8_t(*node.begin), article, out);
      return;
    case NodeKind::kAnd:
    case NodeKind::kOr:
      AnyChild(node.begin, node.end, [&](const char* c) {
        CollectHighlights(c, mask, article, out);
        return false;
      });
      return;
    case NodeKind::kNear:
      AnyChild(node.begin + 1, node.end, [&](const char* c) {
        CollectHighlights(c, mask, article, out);
        return false;
      });
      return;
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
    case NodeKind::kPhrase:
      break;
  }
  for (Field f : kFields) {
    if (!InMask(f, mask)) continue;
    const absl::Span<const ArticleWord> words = article.Words(f);
    ForEachOccurrence(node, f, article, [&](Span s) {
      out->push_back(Highlight{f, words[s.first].begin, words[s.last].end});
      return false;
    });
  }
}

}  // namespace

bool RuleMatches(std::string_view compact, const AnalyzedArticle& article) {
  return Matches(compact.data(), rules::kAllTextBits, article);
}

void AppendHighlights(std::string_view compact, const AnalyzedArticle& article,
                      std::vector<Highlight>* out) {
  const size_t first = out->size();
  CollectHighlights(compact.data(), rules::kAllTextBits, article, out);
  auto key = [](const Highlight& h) {
    return std::tie(h.field, h.begin, h.end);
  };
  std::sort(
      out->begin() + first, out->end(),
      [&](const Highlight& x, const Highlight& y) { return key(x) < key(y); });
  out->erase(std::unique(out->begin() + first, out->end()), out->end());
}

std::optional<std::vector<Highlight>> Evaluate(const rules::CompactRule& rule,
                                               const AnalyzedArticle& article) {
  if (!RuleMatches(rule.bytes(), article)) return std::nullopt;
  std::vector<Highlight> highlights;
  AppendHighlights(rule.bytes(), article, &highlights);
  return highlights;
}

std::optional<std::vector<Highlight>> Evaluate(const rules::CompiledRule& rule,
                                               const AnalyzedArticle& article) {
  return Evaluate(rule.compact(), article);
}

}  // namespace nw::match
