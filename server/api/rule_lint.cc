#include "server/api/rule_lint.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace nw::api {
namespace {

// English function words that occur in nearly every article.
constexpr absl::string_view kStopWords[] = {
    "a",   "an",  "and",  "are",   "as",    "at",   "be",   "but",
    "by",  "for", "from", "has",   "have",  "he",   "her",  "his",
    "i",   "in",  "is",   "it",    "its",   "not",  "of",   "on",
    "or",  "she", "that", "the",   "their", "they", "this", "to",
    "was", "we",  "were", "which", "will",  "with", "you"};

bool IsStopWord(absl::string_view word) {
  return std::find(std::begin(kStopWords), std::end(kStopWords), word) !=
         std::end(kStopWords);
}

bool IsLowerNear(absl::string_view token) {
  if (!absl::ConsumePrefix(&token, "near/") || token.empty()) return false;
  return std::all_of(token.begin(), token.end(),
                     [](char c) { return absl::ascii_isdigit(c); });
}

// Whitespace- and parenthesis-separated tokens of `text` outside double
// quotes; a quoted phrase is one token (quotes kept).
std::vector<absl::string_view> Tokens(absl::string_view text) {
  std::vector<absl::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '(' ||
        c == ')') {
      ++i;
      continue;
    }
    size_t end = i;
    if (c == '"') {
      end = text.find('"', i + 1);
      end = end == absl::string_view::npos ? text.size() : end + 1;
    } else {
      while (end < text.size() &&
             !absl::ascii_isspace(static_cast<unsigned char>(text[end])) &&
             text[end] != '(' && text[end] != ')')
        ++end;
    }
    out.push_back(text.substr(i, end - i));
    i = end;
  }
  return out;
}

bool IsOperator(absl::string_view token) {
  return token == "AND" || token == "OR" || token == "NOT" ||
         absl::StartsWith(token, "NEAR/") || token == "-";
}

}  // namespace

std::vector<std::string> LintRule(
    absl::string_view query, absl::string_view canonical, bool always_evaluated,
    const std::vector<std::string>& other_canonicals) {
  std::vector<std::string> warnings;
  for (absl::string_view token : Tokens(query)) {
    if (token == "and" || token == "or" || token == "not" ||
        IsLowerNear(token)) {
      warnings.push_back(absl::StrCat(
          "'", token, "' in lower case is a word to find, not an operator; ",
          "write ", absl::AsciiStrToUpper(token), " for the operator"));
    }
  }
  if (std::find(other_canonicals.begin(), other_canonicals.end(), canonical) !=
      other_canonicals.end()) {
    warnings.push_back(absl::StrCat(
        "the subscriber already has a rule that reads the same: ", canonical));
  }
  bool any_word = false, only_stop_words = true;
  for (absl::string_view token : Tokens(canonical)) {
    if (IsOperator(token) || absl::StrContains(token, ':')) continue;
    any_word = true;
    if (!absl::StartsWith(token, "\"") && !IsStopWord(token))
      only_stop_words = false;
    if (absl::StartsWith(token, "\"")) only_stop_words = false;
  }
  if (any_word && only_stop_words) {
    warnings.push_back(
        "every word of this rule is a common word (like 'the'): it will match "
        "nearly every article");
  }
  if (always_evaluated) {
    warnings.push_back(
        "this rule has no word it requires (only NOT terms or filters), so it "
        "is evaluated for every article and may match very many");
  }
  return warnings;
}

}  // namespace nw::api
