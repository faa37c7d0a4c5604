#include "server/text/analyzer.h"

#include <cstdint>
#include <cstring>

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

// The index of the first byte >= 0x80 of `s` at or after `pos`, or s.size().
size_t FirstNonAscii(std::string_view s, size_t pos) {
  const size_t n = s.size();
  for (; pos + 8 <= n; pos += 8) {  // 8 bytes at a time: words are mostly ASCII
    uint64_t x;
    std::memcpy(&x, s.data() + pos, 8);
    if (x & 0x8080808080808080ULL) break;
  }
  while (pos < n && static_cast<unsigned char>(s[pos]) < 0x80) ++pos;
  return pos;
}

// Per-thread buffers larger than this are freed after use.
constexpr size_t kMaxKeptBytes = size_t{1} << 20;

}  // namespace

void AnalyzeFieldInto(std::string_view utf8_text, std::string* terms,
                      std::vector<WordRef>* words) {
  const size_t n = utf8_text.size();
  const auto term_base = static_cast<uint32_t>(terms->size());
  terms->resize(term_base + n);
  LowerAsciiCopy(utf8_text.data(), n, terms->data() + term_base);
  // One mask per field, kept per thread: no allocation per field.
  thread_local std::vector<uint64_t> mask;
  if (mask.size() < WordCharMaskUnits(n)) mask.resize(WordCharMaskUnits(n));
  WordCharMask(utf8_text, mask.data());
  // The field splits at hard boundaries (ascii_words.h) into pieces that
  // segment independently: runs of ASCII pieces take the fast path, each piece
  // holding a non-ASCII byte goes through ICU.
  size_t pos = 0;
  while (pos < n) {
    const size_t k = FirstNonAscii(utf8_text, pos);
    if (k == n) {
      AppendAsciiWords(utf8_text, mask.data(), pos, n, term_base, words);
      break;
    }
    size_t begin = k;  // start of the piece holding byte k
    while (begin > pos && !IsHardBoundary(utf8_text, begin)) --begin;
    size_t end = k + 1;
    while (end < n && !IsHardBoundary(utf8_text, end)) ++end;
    AppendAsciiWords(utf8_text, mask.data(), pos, begin, term_base, words);
    thread_local std::vector<Word> icu_words;
    icu_words.clear();
    uint32_t position = 0;  // unused: positions are indices in `words`
    AppendIcuWords(utf8_text.substr(begin, end - begin),
                   static_cast<uint32_t>(begin), &position, &icu_words);
    for (const Word& w : icu_words) {
      words->push_back(WordRef{static_cast<uint32_t>(terms->size()),
                               static_cast<uint32_t>(w.term.size()), w.begin,
                               w.end});
      terms->append(w.term);
    }
    pos = end;
  }
}

std::vector<Word> AnalyzeField(std::string_view utf8_text) {
  thread_local std::string terms;
  thread_local std::vector<WordRef> refs;
  terms.clear();
  refs.clear();
  AnalyzeFieldInto(utf8_text, &terms, &refs);
  std::vector<Word> words(refs.size());
  for (uint32_t i = 0; i < refs.size(); ++i) {
    const WordRef& r = refs[i];
    words[i].term.assign(terms, r.term_offset, r.term_size);
    words[i].position = i;
    words[i].begin = r.begin;
    words[i].end = r.end;
  }
  if (terms.capacity() > kMaxKeptBytes) {  // a huge field: do not pin it
    terms = std::string();
    refs = std::vector<WordRef>();
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
