#include "server/rules/parser.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "server/base/utf8.h"
#include "server/rules/lexer.h"
#include "server/rules/word_atoms.h"
#include "server/text/analyzer.h"

namespace nw::rules {
namespace {

using NodePtr = std::unique_ptr<Node>;
// Operands of one AND / OR level: usually one (a lone atom), rarely many.
using Operands = absl::InlinedVector<NodePtr, 4>;

// Debian's Abseil has its own string_view type; StrCat needs it.
absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

bool StartsUnary(TokenKind kind) {
  return kind == TokenKind::kWord || kind == TokenKind::kPhrase ||
         kind == TokenKind::kLParen || kind == TokenKind::kNot ||
         kind == TokenKind::kMinus;
}

// "NAME" of a WORD "NAME:REST" (ASCII letters, digits, '_', a letter first), or
// empty when the WORD is no field scope.
std::string_view FieldName(std::string_view word) {
  const size_t colon = word.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  if (!absl::ascii_isalpha(static_cast<unsigned char>(word[0]))) return {};
  for (size_t i = 1; i < colon; ++i) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    if (!absl::ascii_isalnum(c) && c != '_') return {};
  }
  return word.substr(0, colon);
}

// The first node of a NEAR operand that is not a term, prefix, phrase, OR of
// those or text scope of those; nullptr if the operand is valid (spec §2).
const Node* InvalidNearOperand(const Node& node) {
  if (node.IsTextLeaf()) return nullptr;
  if (node.kind == NodeKind::kScope)
    return InvalidNearOperand(*node.children[0]);
  if (node.kind != NodeKind::kOr) return &node;
  for (const auto& child : node.children) {
    if (const Node* bad = InvalidNearOperand(*child)) return bad;
  }
  return nullptr;
}

// Whether the rule matches an article with no words and no metadata (spec §4).
bool MatchesEmptyArticle(const Node& node) {
  switch (node.kind) {
    case NodeKind::kNot:
      return !MatchesEmptyArticle(*node.children[0]);
    case NodeKind::kScope:
      return MatchesEmptyArticle(*node.children[0]);
    case NodeKind::kAnd:
      for (const auto& c : node.children) {
        if (!MatchesEmptyArticle(*c)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (const auto& c : node.children) {
        if (MatchesEmptyArticle(*c)) return true;
      }
      return false;
    case NodeKind::kSource:
      return node.value.empty();  // empty source
    default:
      return false;
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  absl::StatusOr<NodePtr> ParseAll() {
    NW_ASSIGN_OR_RETURN(NodePtr root, ParseOr());
    NW_ASSIGN_OR_RETURN(Token t, lexer_.Next());
    if (t.kind == TokenKind::kRParen) {
      return RuleError(t.offset,
                       "unmatched ')': remove it or add a matching '('");
    }
    if (t.kind != TokenKind::kEnd) return Unexpected(t);
    return root;
  }
  uint32_t words() const { return budget_.used(); }

 private:
  absl::StatusOr<NodePtr> ParseOr() {
    Operands operands;
    NW_ASSIGN_OR_RETURN(NodePtr first, ParseAnd());
    operands.push_back(std::move(first));
    for (;;) {
      NW_ASSIGN_OR_RETURN(Token t, lexer_.Peek());
      if (t.kind != TokenKind::kOr) break;
      NW_RETURN_IF_ERROR(lexer_.Next().status());
      NW_ASSIGN_OR_RETURN(NodePtr next, ParseAnd());
      operands.push_back(std::move(next));
    }
    return Combine(NodeKind::kOr, std::move(operands));
  }

  absl::StatusOr<NodePtr> ParseAnd() {
    Operands operands;
    NW_ASSIGN_OR_RETURN(NodePtr first, ParseUnary());
    operands.push_back(std::move(first));
    for (;;) {
      NW_ASSIGN_OR_RETURN(Token t, lexer_.Peek());
      if (t.kind == TokenKind::kAnd) {
        NW_RETURN_IF_ERROR(lexer_.Next().status());
      } else if (!StartsUnary(t.kind)) {
        break;
      }
      NW_ASSIGN_OR_RETURN(NodePtr next, ParseUnary());
      operands.push_back(std::move(next));
    }
    return Combine(NodeKind::kAnd, std::move(operands));
  }

  absl::StatusOr<NodePtr> ParseUnary() {
    NW_ASSIGN_OR_RETURN(Token t, lexer_.Peek());
    if (t.kind != TokenKind::kNot && t.kind != TokenKind::kMinus)
      return ParseNear();
    NW_RETURN_IF_ERROR(lexer_.Next().status());
    NW_ASSIGN_OR_RETURN(NodePtr child, ParseUnary());
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::kNot;
    node->offset = t.offset;
    node->children.push_back(std::move(child));
    return node;
  }

  absl::StatusOr<NodePtr> ParseNear() {
    NW_ASSIGN_OR_RETURN(NodePtr left, ParseAtom());
    NW_ASSIGN_OR_RETURN(Token op, lexer_.Peek());
    if (op.kind != TokenKind::kNear) return left;
    NW_RETURN_IF_ERROR(CheckNearToken(op));
    NW_RETURN_IF_ERROR(CheckNearOperand(*left));
    NW_RETURN_IF_ERROR(lexer_.Next().status());
    NW_ASSIGN_OR_RETURN(NodePtr right, ParseAtom());
    NW_RETURN_IF_ERROR(CheckNearOperand(*right));
    NW_ASSIGN_OR_RETURN(Token after, lexer_.Peek());
    if (after.kind == TokenKind::kNear) {
      return RuleError(after.offset,
                       "NEAR/N cannot be chained: combine two NEARs "
                       "with AND instead");
    }
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::kNear;
    node->offset = left->offset;
    node->distance = static_cast<uint32_t>(op.distance);
    node->children.push_back(std::move(left));
    node->children.push_back(std::move(right));
    return node;
  }

  absl::StatusOr<NodePtr> ParseAtom() {
    NW_ASSIGN_OR_RETURN(Token t, lexer_.Next());
    switch (t.kind) {
      case TokenKind::kWord:
        return ParseWord(t.text, t.offset, t.end);
      case TokenKind::kPhrase:
        return PhraseAtom(t.text, t.offset, &budget_);
      case TokenKind::kLParen:
        return ParseGroup(t);
      default:
        return Unexpected(t);
    }
  }

  absl::StatusOr<NodePtr> ParseGroup(const Token& open) {
    if (++depth_ > kMaxRuleDepth) {
      return RuleError(open.offset, "parentheses nested deeper than 32 levels");
    }
    NW_ASSIGN_OR_RETURN(Token t, lexer_.Peek());
    if (t.kind == TokenKind::kRParen) {
      return RuleError(t.offset, "empty group '()': put a search between them");
    }
    NW_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
    NW_ASSIGN_OR_RETURN(Token close, lexer_.Next());
    if (close.kind == TokenKind::kEnd) {
      return RuleError(open.offset, "unclosed '(': add the matching ')'");
    }
    if (close.kind != TokenKind::kRParen) return Unexpected(close);
    --depth_;
    return inner;
  }

  // A WORD, possibly a field scope NAME:REST (spec §2). `end` is where it ends.
  absl::StatusOr<NodePtr> ParseWord(std::string_view word, uint32_t offset,
                                    uint32_t end) {
    std::string_view name = FieldName(word);
    if (name.empty()) return WordAtom(word, offset, &budget_);
    const std::string field =
        absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
    std::string_view rest = word.substr(name.size() + 1);
    const uint32_t rest_offset =
        offset + static_cast<uint32_t>(name.size()) + 1;
    std::optional<Token> attached;  // '(' or '"' right after an empty REST
    if (rest.empty()) {
      NW_ASSIGN_OR_RETURN(Token next, lexer_.Peek());
      if (next.offset != end || (next.kind != TokenKind::kLParen &&
                                 next.kind != TokenKind::kPhrase)) {
        return RuleError(offset, absl::StrCat("'", Sv(name),
                                              ":' needs a value right after "
                                              "the colon, as in ",
                                              field, ":word"));
      }
      attached = next;
    }
    if (field == "title" || field == "body") {
      if (in_text_scope_) {
        return RuleError(offset,
                         "a title: or body: scope cannot be nested in another");
      }
      in_text_scope_ = true;
      absl::StatusOr<NodePtr> child =
          ParseAtom(attached.has_value(), rest, rest_offset, end);
      in_text_scope_ = false;
      if (!child.ok()) return child.status();
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::kScope;
      node->offset = offset;
      node->fields = field == "title" ? kTitleBit : kBodyBit;
      node->children.push_back(*std::move(child));
      return node;
    }
    if (field == "source" || field == "tag" || field == "lang") {
      return ParseMetadata(field, rest, rest_offset, attached);
    }
    return RuleError(offset,
                     absl::StrCat("unknown field '", Sv(name),
                                  ":': use title:, body:, source:, lang: or "
                                  "tag: (to search the text, quote it)"));
  }

  // The atom of a text scope: the attached '(' or '"' token, or else REST.
  absl::StatusOr<NodePtr> ParseAtom(bool attached, std::string_view rest,
                                    uint32_t rest_offset, uint32_t end) {
    if (attached) return ParseAtom();
    return ParseWord(rest, rest_offset, end);
  }

  absl::StatusOr<NodePtr> ParseMetadata(const std::string& field,
                                        std::string_view rest,
                                        uint32_t rest_offset,
                                        const std::optional<Token>& attached) {
    std::string_view value = rest;
    if (attached.has_value()) {
      if (attached->kind != TokenKind::kPhrase) {
        return RuleError(
            attached->offset,
            absl::StrCat(field,
                         ": takes one word or quoted phrase, not a "
                         "group: write (",
                         field, ":a OR ", field, ":b)"));
      }
      NW_RETURN_IF_ERROR(lexer_.Next().status());
      value = attached->text;
      bool blank = true;
      for (uint32_t p = 0; p < value.size() && blank;) {
        blank = IsRuleSpace(DecodeAt(value, &p));
      }
      if (blank)
        return RuleError(attached->offset,
                         "empty phrase: put a value between "
                         "the quotes");
    } else if (value.back() == '*') {
      return RuleError(rest_offset, absl::StrCat(field,
                                                 ": takes a whole value, not a "
                                                 "prefix: remove the '*'"));
    }
    auto node = std::make_unique<Node>();
    node->offset = rest_offset - static_cast<uint32_t>(field.size()) - 1;
    node->raw_value = std::string(value);
    if (field == "lang") {
      node->kind = NodeKind::kLang;
      node->value =
          absl::AsciiStrToLower(absl::string_view(value.data(), value.size()));
    } else {
      node->kind = field == "source" ? NodeKind::kSource : NodeKind::kTag;
      node->value = text::NormalizeMetadata(value);
    }
    return node;
  }

  absl::Status CheckNearToken(const Token& op) {
    if (op.distance < 1) {
      return RuleError(op.offset,
                       absl::StrCat("bad '", Sv(op.text),
                                    "': write NEAR/N with "
                                    "N a whole number from 1 to 100"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckNearOperand(const Node& operand) {
    if (const Node* bad = InvalidNearOperand(operand)) {
      return RuleError(bad->offset,
                       "NEAR/N operands must be terms, prefixes, phrases "
                       "or parenthesized OR groups of them");
    }
    return absl::OkStatus();
  }

  absl::Status Unexpected(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd:
        if (IsBlank()) {
          return RuleError(t.offset,
                           "empty rule: write at least one search word");
        }
        return RuleError(t.offset,
                         "the rule ends where an operand is missing: add a "
                         "word, phrase or group");
      case TokenKind::kNear:
        if (t.distance < 1) return CheckNearToken(t);
        return RuleError(t.offset,
                         absl::StrCat("'", Sv(t.text),
                                      "' needs a term, prefix, "
                                      "phrase or group on each side"));
      case TokenKind::kRParen:
        return RuleError(t.offset,
                         "unexpected ')': an operand is missing before it");
      case TokenKind::kNot:
      case TokenKind::kMinus:
        return RuleError(t.offset, "a NEAR/N operand cannot be negated");
      default:
        return RuleError(t.offset, absl::StrCat("'", Sv(t.text),
                                                "' is missing an operand "
                                                "before it"));
    }
  }

  bool IsBlank() const {
    for (uint32_t p = 0; p < text_.size();) {
      if (!IsRuleSpace(DecodeAt(text_, &p))) return false;
    }
    return true;
  }

  // Joins operands of AND / OR, flattening nested nodes of the same kind.
  static NodePtr Combine(NodeKind kind, Operands operands) {
    if (operands.size() == 1) return std::move(operands[0]);
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->offset = operands[0]->offset;
    node->children.reserve(operands.size());
    for (NodePtr& op : operands) {
      if (op->kind == kind) {
        for (NodePtr& c : op->children) node->children.push_back(std::move(c));
      } else {
        node->children.push_back(std::move(op));
      }
    }
    return node;
  }

  std::string_view text_;
  Lexer lexer_;
  WordBudget budget_;
  int depth_ = 0;
  bool in_text_scope_ = false;
};

}  // namespace

namespace {

// Parses and checks `text` (ParseRule's checks); `words` receives the word
// count.
absl::StatusOr<NodePtr> ParseTree(std::string_view text, uint32_t* words) {
  if (text.size() > kMaxRuleBytes) {
    return RuleError(0, "rule longer than 4096 bytes: shorten it or split it");
  }
  if (std::optional<size_t> bad =
          base::FindInvalidUtf8(absl::string_view(text.data(), text.size()))) {
    return RuleError(static_cast<uint32_t>(*bad),
                     "the rule is not valid UTF-8");
  }
  Parser parser(text);
  NW_ASSIGN_OR_RETURN(NodePtr root, parser.ParseAll());
  if (MatchesEmptyArticle(*root)) {
    return RuleError(
        0,
        "the rule only excludes (it would match an empty article): "
        "add a word that must be present");
  }
  *words = parser.words();
  return root;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CompiledRule>> ParseRule(
    std::string_view text) {
  uint32_t words = 0;
  NW_ASSIGN_OR_RETURN(NodePtr root, ParseTree(text, &words));
  return std::make_shared<const CompiledRule>(std::string(text),
                                              std::move(root), words);
}

absl::StatusOr<CompactRule> ParseRuleCompact(std::string_view text) {
  uint32_t words = 0;
  NW_ASSIGN_OR_RETURN(NodePtr root, ParseTree(text, &words));
  return CompactRule::FromTree(*root);
}

}  // namespace nw::rules
