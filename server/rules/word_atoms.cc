#include "server/rules/word_atoms.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "server/rules/lexer.h"
#include "server/rules/rule_error.h"
#include "server/text/analyzer.h"

namespace nw::rules {
namespace {

constexpr uint32_t kMinPrefixCodePoints = 3;

uint32_t CodePoints(std::string_view s) {
  uint32_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Quote(std::string_view word) {
  return absl::StrCat("'", absl::string_view(word.data(), word.size()), "'");
}

// Appends the elements WORD `word` (at byte `offset`) stands for.
absl::Status AppendWordElements(std::string_view word, uint32_t offset,
                                WordBudget* budget,
                                std::vector<PhraseElement>* out) {
  const size_t star = word.find('*');
  if (star != std::string_view::npos && star + 1 != word.size()) {
    return RuleError(offset,
                     absl::StrCat("'*' may only end a word (a prefix such as "
                                  "'sanction*'), found in ",
                                  Quote(word)));
  }
  if (star != std::string_view::npos) {
    std::vector<text::Word> base = text::AnalyzeField(word.substr(0, star));
    if (base.size() != 1 || CodePoints(base[0].term) < kMinPrefixCodePoints) {
      return RuleError(offset,
                       absl::StrCat("prefix ", Quote(word),
                                    " needs a single word of at least 3 "
                                    "letters before '*'"));
    }
    NW_RETURN_IF_ERROR(budget->Spend(1, offset));
    out->push_back(PhraseElement{std::move(base[0].term), true});
    return absl::OkStatus();
  }
  std::vector<text::Word> words = text::AnalyzeField(word);
  if (words.empty()) {
    return RuleError(offset,
                     absl::StrCat(Quote(word),
                                  " contains no searchable word: remove it "
                                  "or quote it with words"));
  }
  NW_RETURN_IF_ERROR(
      budget->Spend(static_cast<uint32_t>(words.size()), offset));
  for (text::Word& w : words)
    out->push_back(PhraseElement{std::move(w.term), false});
  return absl::OkStatus();
}

std::unique_ptr<Node> NodeOf(std::vector<PhraseElement> elements,
                             uint32_t offset) {
  auto node = std::make_unique<Node>();
  node->offset = offset;
  if (elements.size() >= 2) {
    node->kind = NodeKind::kPhrase;
  } else {
    node->kind = elements[0].prefix ? NodeKind::kPrefix : NodeKind::kTerm;
  }
  node->elements = std::move(elements);
  return node;
}

}  // namespace

absl::Status WordBudget::Spend(uint32_t n, uint32_t offset) {
  used_ += n;
  if (used_ > kMaxRuleWords) {
    return RuleError(offset,
                     "too many words: a rule may hold at most 256 terms, "
                     "prefixes and phrase words");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Node>> WordAtom(std::string_view word,
                                               uint32_t offset,
                                               WordBudget* budget) {
  if (word == "-") {
    return RuleError(offset,
                     "dangling '-': write it directly before the word or "
                     "group to exclude, as in -word");
  }
  std::vector<PhraseElement> elements;
  NW_RETURN_IF_ERROR(AppendWordElements(word, offset, budget, &elements));
  return NodeOf(std::move(elements), offset);
}

absl::StatusOr<std::unique_ptr<Node>> PhraseAtom(std::string_view content,
                                                 uint32_t quote_offset,
                                                 WordBudget* budget) {
  std::vector<PhraseElement> elements;
  const uint32_t base = quote_offset + 1;
  uint32_t pos = 0;
  while (pos < content.size()) {
    uint32_t next = pos;
    if (IsRuleSpace(DecodeAt(content, &next))) {
      pos = next;
      continue;
    }
    uint32_t end = pos;
    while (end < content.size()) {
      uint32_t after = end;
      if (IsRuleSpace(DecodeAt(content, &after))) break;
      end = after;
    }
    NW_RETURN_IF_ERROR(AppendWordElements(content.substr(pos, end - pos),
                                          base + pos, budget, &elements));
    pos = end;
  }
  if (elements.empty()) {
    return RuleError(quote_offset,
                     "empty phrase: put words between the quotes");
  }
  return NodeOf(std::move(elements), quote_offset);
}

}  // namespace nw::rules
