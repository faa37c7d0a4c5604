#include "server/text/analyzer.h"

#include "server/text/ascii_words.h"
#include "server/text/icu_words.h"

namespace nw::text {
namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::vector<Word> AnalyzeField(std::string_view utf8_text) {
  std::vector<Word> words;
  words.reserve(utf8_text.size() / 4 + 4);  // Reuters: a word per ~6.5 bytes
  uint32_t position = 0;
  // The field splits at hard boundaries (ascii_words.h) into pieces that
  // segment independently: runs of ASCII pieces take the fast path, each piece
  // holding a non-ASCII byte goes through ICU.
  const size_t n = utf8_text.size();
  size_t pos = 0;
  while (pos < n) {
    size_t k = pos;
    while (k < n && static_cast<unsigned char>(utf8_text[k]) < 0x80) ++k;
    if (k == n) {
      AppendAsciiWords(utf8_text.substr(pos), static_cast<uint32_t>(pos),
                       &position, &words);
      break;
    }
    size_t begin = k;  // start of the piece holding byte k
    while (begin > pos && !IsHardBoundary(utf8_text, begin)) --begin;
    size_t end = k + 1;
    while (end < n && !IsHardBoundary(utf8_text, end)) ++end;
    AppendAsciiWords(utf8_text.substr(pos, begin - pos),
                     static_cast<uint32_t>(pos), &position, &words);
    AppendIcuWords(utf8_text.substr(begin, end - begin),
                   static_cast<uint32_t>(begin), &position, &words);
    pos = end;
  }
  return words;
}

std::string NormalizeMetadata(std::string_view value) {
  if (!IsAscii(value)) return IcuNfkcCasefold(value);
  // nfkc_cf maps ASCII to itself but for upper-case letters (proved by
  // tests/server/text over every ASCII character).
  std::string out(value);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace nw::text
