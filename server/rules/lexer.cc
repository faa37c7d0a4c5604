#include "server/rules/lexer.h"

#include <algorithm>

#include "server/base/status_macros.h"
#include "server/rules/rule_error.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace nw::rules {
namespace {

TokenKind KeywordKind(std::string_view word) {
  if (word == "AND") return TokenKind::kAnd;
  if (word == "OR") return TokenKind::kOr;
  if (word == "NOT") return TokenKind::kNot;
  if (word.substr(0, 5) == "NEAR/") return TokenKind::kNear;
  return TokenKind::kWord;
}

// N of "NEAR/N", or -1 unless it is a decimal integer in 1..100.
// N's value decides (spec §2: "N is an integer 1..100"), however it is
// written: NEAR/007 and NEAR/0100 are 7 and 100, NEAR/0 and NEAR/101 errors.
int NearDistance(std::string_view word) {
  std::string_view digits = word.substr(5);
  if (digits.empty()) return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = std::min(n * 10 + (c - '0'),
                 1000);  // saturates: no overflow on long inputs
  }
  return n >= 1 && n <= 100 ? n : -1;
}

}  // namespace

bool IsRuleSpace(char32_t c) {
  // ASCII (most rule text) without the ICU call: White_Space there is TAB..CR
  // and SPACE (tests/server/rules checks every ASCII character against ICU).
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

char32_t DecodeAt(std::string_view text, uint32_t* pos) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  if (s[*pos] < 0x80) return s[(*pos)++];
  int32_t i = static_cast<int32_t>(*pos);
  UChar32 c;
  U8_NEXT(s, i, static_cast<int32_t>(text.size()), c);
  *pos = static_cast<uint32_t>(i);
  return c < 0 ? 0xFFFD : static_cast<char32_t>(c);
}

uint32_t Lexer::SkipSpace(uint32_t pos) const {
  while (pos < text_.size()) {
    uint32_t next = pos;
    if (!IsRuleSpace(DecodeAt(text_, &next))) break;
    pos = next;
  }
  return pos;
}

// A WORD runs to white space, '(', ')', '"' or the end.
uint32_t Lexer::WordEnd(uint32_t pos) const {
  while (pos < text_.size()) {
    char c = text_[pos];
    if (c == '(' || c == ')' || c == '"') break;
    uint32_t next = pos;
    if (IsRuleSpace(DecodeAt(text_, &next))) break;
    pos = next;
  }
  return pos;
}

absl::StatusOr<Token> Lexer::Peek() {
  if (!peeked_.has_value()) {
    NW_ASSIGN_OR_RETURN(Token token, Scan());
    peeked_ = token;
  }
  return *peeked_;
}

absl::StatusOr<Token> Lexer::Next() {
  absl::StatusOr<Token> token = Peek();
  peeked_.reset();
  return token;
}

absl::StatusOr<Token> Lexer::Scan() {
  const uint32_t size = static_cast<uint32_t>(text_.size());
  pos_ = SkipSpace(pos_);
  Token token;
  token.offset = pos_;
  if (pos_ >= size) {
    token.kind = TokenKind::kEnd;
    token.end = size;
    return token;
  }
  const char c = text_[pos_];
  if (c == '(' || c == ')') {
    token.kind = c == '(' ? TokenKind::kLParen : TokenKind::kRParen;
    token.end = ++pos_;
    return token;
  }
  if (c == '"') {
    size_t close = text_.find('"', pos_ + 1);
    if (close == std::string_view::npos) {
      return RuleError(pos_, "unclosed '\"': add the closing quote");
    }
    token.kind = TokenKind::kPhrase;
    token.text = text_.substr(pos_ + 1, close - pos_ - 1);
    token.end = pos_ = static_cast<uint32_t>(close + 1);
    return token;
  }
  if (c == '-' && pos_ + 1 < size) {
    // '-' directly before an atom is NOT; before an operator word it stays part
    // of that word, and before white space or ')' it is dangling (a WORD "-").
    const char n = text_[pos_ + 1];
    uint32_t after = pos_ + 1;
    const bool space_next = IsRuleSpace(DecodeAt(text_, &after));
    const uint32_t end = WordEnd(pos_ + 1);
    const bool keyword_next =
        KeywordKind(text_.substr(pos_ + 1, end - pos_ - 1)) != TokenKind::kWord;
    if (n != ')' && !space_next && !keyword_next) {
      token.kind = TokenKind::kMinus;
      token.end = ++pos_;
      return token;
    }
  }
  const uint32_t end = WordEnd(pos_);
  token.text = text_.substr(pos_, end - pos_);
  token.end = pos_ = end;
  token.kind = KeywordKind(token.text);
  if (token.kind == TokenKind::kNear) token.distance = NearDistance(token.text);
  return token;
}

}  // namespace nw::rules
