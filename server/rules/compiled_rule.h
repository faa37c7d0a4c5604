// File: server/rules/compiled_rule.h
//
// A watch rule after parsing and checking (rule-language.md §2, §4). Made only
// by ParseRule() (server/rules/parser.h).
//
// Thread safety: immutable; share freely (e.g. as std::shared_ptr<const ...>).
#ifndef NW_SERVER_RULES_COMPILED_RULE_H_
#define NW_SERVER_RULES_COMPILED_RULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/rules/ast.h"
#include "server/rules/compact_rule.h"

namespace nw::rules {

class CompiledRule {
 public:
  // `root` is a checked tree of `text`; `word_count` its terms, prefixes and
  // phrase words. Use ParseRule() rather than calling this directly.
  CompiledRule(std::string text, std::unique_ptr<const Node> root,
               uint32_t word_count);

  CompiledRule(const CompiledRule&) = delete;
  CompiledRule& operator=(const CompiledRule&) = delete;

  // The rule text as given to ParseRule().
  const std::string& text() const { return text_; }
  // The expression tree (spec §2); never null.
  const Node& root() const { return *root_; }
  // Number of terms, prefixes and phrase words (at most 256, spec §4).
  uint32_t word_count() const { return word_count_; }

  // The tree printed back with every operator and grouping explicit and every
  // word normalized, e.g. `burma OR (myanmar AND rangoon)`, `title:"south china
  // sea"`, `myan*`, `a NEAR/5 b`, `NOT c`, `source:"reuters-21578"`. Parsing it
  // again gives the same canonical form.
  const std::string& Canonical() const { return canonical_; }

  // The tree in compact form (what the matcher keeps and evaluates).
  const CompactRule& compact() const { return compact_; }

 private:
  std::string text_;
  std::unique_ptr<const Node> root_;
  uint32_t word_count_;
  std::string canonical_;
  CompactRule compact_;
};

// Prints `node` in the canonical form described at CompiledRule::Canonical().
std::string CanonicalString(const Node& node);

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_COMPILED_RULE_H_
