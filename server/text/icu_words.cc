#include "server/text/icu_words.h"

#include <cstdlib>
#include <memory>

#include "unicode/brkiter.h"
#include "unicode/locid.h"
#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utf16.h"
#include "unicode/utf8.h"

namespace nw::text {
namespace {

// The shared prototype; BreakIterator is not thread-safe, so each thread clones
// it.
const icu::BreakIterator* Prototype() {
  static const icu::BreakIterator* const kProto = [] {
    UErrorCode status = U_ZERO_ERROR;
    icu::BreakIterator* bi =
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status);
    if (U_FAILURE(status)) std::abort();  // ICU data missing: nothing can work.
    return bi;
  }();
  return kProto;
}

icu::BreakIterator& ThreadBreakIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> bi(Prototype()->clone());
  return *bi;
}

// Normalizer2 instances are owned by ICU and thread-safe.
struct Normalizers {
  const icu::Normalizer2* nfkc_cf;
  const icu::Normalizer2* nfd;
  const icu::Normalizer2* nfc;
};

const Normalizers& GetNormalizers() {
  static const Normalizers kNormalizers = [] {
    UErrorCode status = U_ZERO_ERROR;
    Normalizers n;
    n.nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    n.nfd = icu::Normalizer2::getNFDInstance(status);
    n.nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) std::abort();
    return n;
  }();
  return kNormalizers;
}

void StripPossessive(std::string& term) {
  if (term.size() >= 2 && term[term.size() - 2] == '\'' && term.back() == 's') {
    term.resize(term.size() - 2);
  }
}

// §1 step 2 for a segment of pure ASCII: nfkc_cf is then ASCII lower-casing and
// there are no marks.
std::string NormalizeAscii(std::string_view segment) {
  std::string out(segment);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// §1 step 2 in general.
std::string NormalizeSegment(const icu::UnicodeString& segment) {
  const Normalizers& n = GetNormalizers();
  icu::UnicodeString s(segment);
  s.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)),
                   icu::UnicodeString(static_cast<UChar32>(0x27)));
  s.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x02BC)),
                   icu::UnicodeString(static_cast<UChar32>(0x27)));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = n.nfkc_cf->normalize(s, status);
  icu::UnicodeString decomposed = n.nfd->normalize(folded, status);
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK) stripped.append(c);
    i += U16_LENGTH(c);
  }
  icu::UnicodeString composed = n.nfc->normalize(stripped, status);
  if (U_FAILURE(status)) return std::string();
  std::string out;
  composed.toUTF8String(out);
  return out;
}

}  // namespace

void AppendIcuWords(std::string_view utf8_text, uint32_t base,
                    uint32_t* next_position, std::vector<Word>* out) {
  if (utf8_text.empty()) return;
  // Decode to UTF-16 in a reused buffer and remember, for every UTF-16 index,
  // its byte offset, so that segment boundaries map back to the original bytes.
  thread_local std::vector<UChar> utf16;
  thread_local std::vector<uint32_t>
      byte_at;  // UTF-16 index -> byte offset, + end
  utf16.clear();
  byte_at.clear();
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8_text.data());
  const int32_t length = static_cast<int32_t>(utf8_text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) c = 0xFFFD;  // invalid input: callers promise it does not happen
    if (U16_LENGTH(c) == 1) {
      utf16.push_back(static_cast<UChar>(c));
      byte_at.push_back(static_cast<uint32_t>(start));
    } else {
      utf16.push_back(U16_LEAD(c));
      utf16.push_back(U16_TRAIL(c));
      byte_at.push_back(static_cast<uint32_t>(start));
      byte_at.push_back(static_cast<uint32_t>(start));
    }
  }
  byte_at.push_back(static_cast<uint32_t>(length));
  // A read-only alias of the buffer: no copy.
  const icu::UnicodeString text(false, utf16.data(),
                                static_cast<int32_t>(utf16.size()));

  icu::BreakIterator& bi = ThreadBreakIterator();
  bi.setText(text);
  int32_t start = bi.first();
  for (int32_t end = bi.next(); end != icu::BreakIterator::DONE;
       start = end, end = bi.next()) {
    if (bi.getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
    const uint32_t b = byte_at[start];
    const uint32_t e = byte_at[end];
    std::string_view raw = utf8_text.substr(b, e - b);
    bool ascii = true;
    for (char c : raw) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    std::string term =
        ascii ? NormalizeAscii(raw)
              : NormalizeSegment(text.tempSubStringBetween(start, end));
    StripPossessive(term);
    if (term.empty()) continue;
    out->push_back(
        Word{std::move(term), (*next_position)++, base + b, base + e});
  }
  // `bi` still refers to `text`, which dies now; the next call sets new text
  // first.
}

std::string IcuNfkcCasefold(std::string_view value) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(
      icu::StringPiece(value.data(), static_cast<int32_t>(value.size())));
  icu::UnicodeString folded = GetNormalizers().nfkc_cf->normalize(s, status);
  std::string out;
  if (U_FAILURE(status)) return out;
  folded.toUTF8String(out);
  return out;
}

}  // namespace nw::text
