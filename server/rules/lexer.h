// File: server/rules/lexer.h
//
// Splits rule text into tokens on demand (rule-language.md §2). Internal to
// nw_rules. Operators are recognised only in upper case and as whole tokens.
#ifndef NW_SERVER_RULES_LEXER_H_
#define NW_SERVER_RULES_LEXER_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace nw::rules {

enum class TokenKind {
  kEnd,
  kWord,
  kPhrase,
  kLParen,
  kRParen,
  kAnd,
  kOr,
  kNot,
  kNear,
  kMinus
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  uint32_t offset = 0;  // byte offset of the token's first character
  uint32_t end = 0;     // byte offset one past its last character
  std::string_view
      text;          // kWord: the word; kPhrase: the text between the quotes
  int distance = 0;  // kNear: N, or -1 when N is not an integer in 1..100
};

// Returns true for Unicode white space (the separator between WORDs).
bool IsRuleSpace(char32_t c);

// Decodes the code point at `*pos` of valid UTF-8 `text` and advances `*pos`.
char32_t DecodeAt(std::string_view text, uint32_t* pos);

class Lexer {
 public:
  // `text` must be valid UTF-8 and outlive the lexer.
  explicit Lexer(std::string_view text) : text_(text) {}

  // Returns the next token and consumes it; kEnd (offset = text length) at the
  // end. Error: an unclosed '"' (at the quote's offset).
  absl::StatusOr<Token> Next();
  // Returns the next token without consuming it.
  absl::StatusOr<Token> Peek();

 private:
  absl::StatusOr<Token> Scan();
  uint32_t SkipSpace(uint32_t pos) const;
  uint32_t WordEnd(uint32_t pos) const;

  std::string_view text_;
  uint32_t pos_ = 0;
  std::optional<Token> peeked_;
};

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_LEXER_H_
