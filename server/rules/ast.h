// File: server/rules/ast.h
//
// The immutable expression tree of a parsed watch rule (rule-language.md §2).
// Built only by ParseRule(); read by the evaluator and the canonical printer.
#ifndef NW_SERVER_RULES_AST_H_
#define NW_SERVER_RULES_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nw::rules {

enum class NodeKind {
  kTerm,    // one analyzed word: elements.size() == 1, !elements[0].prefix
  kPrefix,  // one word ending in '*': elements.size() == 1, elements[0].prefix
  kPhrase,  // words at consecutive positions: elements.size() >= 2
  kAnd,     // children.size() >= 2
  kOr,      // children.size() >= 2
  kNot,     // children.size() == 1
  kNear,    // children.size() == 2, distance N in 1..100
  kScope,   // text scope `title:` / `body:`; children.size() == 1
  kSource,  // metadata filters: `value` holds the normalized value
  kTag,
  kLang,
};

// Text fields, as bits, so that a scope is a mask.
inline constexpr uint8_t kTitleBit = 1;
inline constexpr uint8_t kBodyBit = 2;
inline constexpr uint8_t kAllTextBits = kTitleBit | kBodyBit;

// One element of a term, prefix or phrase: a normalized word (spec §1), or the
// normalized start of words when `prefix`.
struct PhraseElement {
  std::string text;
  bool prefix = false;
};

struct Node {
  NodeKind kind = NodeKind::kTerm;
  uint32_t offset = 0;  // byte offset in the rule text where this node starts
  std::vector<PhraseElement> elements;  // kTerm, kPrefix, kPhrase
  std::string value;      // kSource/kTag: nfkc_cf; kLang: ASCII lower case
  std::string raw_value;  // metadata value as written (for printing)
  uint8_t fields = 0;     // kScope: kTitleBit or kBodyBit
  uint32_t distance = 0;  // kNear
  std::vector<std::unique_ptr<Node>> children;

  bool IsTextLeaf() const {
    return kind == NodeKind::kTerm || kind == NodeKind::kPrefix ||
           kind == NodeKind::kPhrase;
  }
  bool IsMetadata() const {
    return kind == NodeKind::kSource || kind == NodeKind::kTag ||
           kind == NodeKind::kLang;
  }
};

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_AST_H_
