#include "server/rules/compiled_rule.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace nw::rules {
namespace {

// A word may be printed bare only if it re-lexes as the same plain WORD.
bool NeedsQuotes(std::string_view word) {
  if (word.empty() || word[0] == '-') return true;
  for (char c : word) {
    if (c == '(' || c == ')' || c == '"' || c == '*' || c == ':' ||
        static_cast<unsigned char>(c) <= ' ') {
      return true;
    }
  }
  return word == "AND" || word == "OR" || word == "NOT" ||
         word.substr(0, 5) == "NEAR/";
}

void AppendElement(const PhraseElement& e, std::string* out) {
  absl::StrAppend(out, e.text);
  // A word that still ends in 's after analysis (from a WORD like x's's: spec
  // §1 step 3 drops one 's only) would lose it when the canonical form is
  // parsed again; print one more 's so that it re-parses to the same word.
  // Found with the checks of tests/fuzz
  // (regressions/rules/canonical-double-apostrophe-s*).
  const std::string_view t = e.text;
  if (t.size() >= 2 && t.substr(t.size() - 2) == "'s") out->append("'s");
  if (e.prefix) out->push_back('*');
}

const char* FieldName(const Node& node) {
  switch (node.kind) {
    case NodeKind::kSource:
      return "source";
    case NodeKind::kTag:
      return "tag";
    case NodeKind::kLang:
      return "lang";
    default:
      return node.fields == kTitleBit ? "title" : "body";
  }
}

bool IsAtomic(const Node& node) {
  return node.IsTextLeaf() || node.IsMetadata() ||
         node.kind == NodeKind::kScope;
}

void Print(const Node& node, bool nested, std::string* out) {
  switch (node.kind) {
    case NodeKind::kTerm:
    case NodeKind::kPrefix: {
      const bool quote = NeedsQuotes(node.elements[0].text);
      if (quote) out->push_back('"');
      AppendElement(node.elements[0], out);
      if (quote) out->push_back('"');
      return;
    }
    case NodeKind::kPhrase:
      out->push_back('"');
      for (size_t i = 0; i < node.elements.size(); ++i) {
        if (i > 0) out->push_back(' ');
        AppendElement(node.elements[i], out);
      }
      out->push_back('"');
      return;
    case NodeKind::kSource:
    case NodeKind::kTag:
    case NodeKind::kLang: {
      // A value normalized into a '"' (from U+FF02) is printed as written
      // instead.
      const std::string& v = node.value.find('"') == std::string::npos
                                 ? node.value
                                 : node.raw_value;
      absl::StrAppend(out, FieldName(node), ":\"", v, "\"");
      return;
    }
    case NodeKind::kScope: {
      absl::StrAppend(out, FieldName(node), ":");
      const Node& child = *node.children[0];
      const bool group = !(child.IsTextLeaf() || child.IsMetadata());
      if (group) out->push_back('(');
      Print(child, false, out);
      if (group) out->push_back(')');
      return;
    }
    case NodeKind::kNot: {
      out->append("NOT ");
      const Node& child = *node.children[0];
      const bool group = !IsAtomic(child) && child.kind != NodeKind::kNot;
      if (group) out->push_back('(');
      Print(child, false, out);
      if (group) out->push_back(')');
      return;
    }
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNear: {
      const std::string op = node.kind == NodeKind::kAnd ? " AND "
                             : node.kind == NodeKind::kOr
                                 ? " OR "
                                 : absl::StrCat(" NEAR/", node.distance, " ");
      if (nested) out->push_back('(');
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) out->append(op);
        Print(*node.children[i], true, out);
      }
      if (nested) out->push_back(')');
      return;
    }
  }
}

}  // namespace

std::string CanonicalString(const Node& node) {
  std::string out;
  Print(node, false, &out);
  return out;
}

CompiledRule::CompiledRule(std::string text, std::unique_ptr<const Node> root,
                           uint32_t word_count)
    : text_(std::move(text)),
      root_(std::move(root)),
      word_count_(word_count),
      canonical_(CanonicalString(*root_)),
      compact_(CompactRule::FromTree(*root_)) {}

}  // namespace nw::rules
