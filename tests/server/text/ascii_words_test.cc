// Verifies that AnalyzeField (ASCII fast path + ICU for non-ASCII pieces) gives
// exactly the words of the ICU reference (AppendIcuWords over the whole field):
// exhaustively over short ASCII strings, on random mixed-script strings, on
// every article of the shared data and on the analyzer fuzz corpus.
#include "server/text/ascii_words.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/text/analyzer.h"
#include "server/text/icu_words.h"
#include "tests/testutil/shared_data.h"

namespace nw::text {
namespace {

std::vector<Word> Reference(std::string_view text) {
  std::vector<Word> out;
  uint32_t position = 0;
  AppendIcuWords(text, 0, &position, &out);
  return out;
}

std::string Describe(const std::vector<Word>& words) {
  std::string s;
  for (const Word& w : words) {
    s += "[" + w.term + " " + std::to_string(w.position) + " " +
         std::to_string(w.begin) + "-" + std::to_string(w.end) + "]";
  }
  return s;
}

// Returns "" when equal, else a description of both sides.
std::string Compare(std::string_view text) {
  const std::vector<Word> got = AnalyzeField(text), want = Reference(text);
  bool same = got.size() == want.size();
  for (size_t i = 0; same && i < got.size(); ++i) {
    same = got[i].term == want[i].term && got[i].position == want[i].position &&
           got[i].begin == want[i].begin && got[i].end == want[i].end;
  }
  if (same) return "";
  return "text <" + std::string(text) + ">: got " + Describe(got) + " want " +
         Describe(want);
}

// Every string of up to 5 characters over one representative of each ASCII
// class (and a few more): the segmentation rules look at most 2 characters
// ahead, so this covers every local context.
TEST(AsciiWordsTest, ExhaustiveShortStrings) {
  const std::string alphabet = "aZ1.',;:_ \"-s\t@#";
  int failures = 0;
  std::string s;
  for (size_t len = 1; len <= 5; ++len) {
    std::vector<size_t> idx(len, 0);
    for (;;) {
      s.clear();
      for (size_t k : idx) s += alphabet[k];
      if (std::string d = Compare(s); !d.empty() && ++failures <= 10)
        ADD_FAILURE() << d;
      size_t k = 0;
      while (k < len && ++idx[k] == alphabet.size()) idx[k++] = 0;
      if (k == len) break;
    }
  }
  EXPECT_EQ(failures, 0);
}

// Every ASCII character between letters, between digits, alone and doubled.
TEST(AsciiWordsTest, EveryAsciiCharacterInContext) {
  for (int c = 1; c < 128; ++c) {
    const std::string ch(1, static_cast<char>(c));
    for (const std::string& s :
         {ch, ch + ch, "a" + ch + "b", "1" + ch + "2", "a" + ch + "1",
          "1" + ch + "a", "_" + ch + "_", "x's" + ch, ch + "a's"}) {
      EXPECT_EQ(Compare(s), "") << "character " << c;
    }
  }
}

// Random strings of ASCII and non-ASCII characters that interact with word
// breaks (marks, ZWJ, format characters, apostrophes, other scripts, spaces).
TEST(AsciiWordsTest, RandomMixedStrings) {
  const std::vector<std::string> pieces = {
      "a",
      "B",
      "s",
      "1",
      "9",
      ".",
      "'",
      ",",
      ";",
      ":",
      "_",
      "-",
      "\"",
      " ",
      " ",
      "\t",
      "\n",
      "\r",
      "@",
      "#",
      "*",
      "ab",
      "U.S",
      "10,000",
      "\xCC\x81" /* U+0301 */,
      "\xE2\x80\x8D" /* ZWJ */,
      "\xC2\xAD" /* soft hyphen */,
      "\xE2\x80\x99" /* ’ */,
      "\xCA\xBC" /* ʼ */,
      "\xC2\xA0" /* nbsp */,
      "\xC3\xA9" /* é */,
      "\xEF\xAC\x81" /* ﬁ */,
      "\xEF\xBC\xA1" /* Ａ */,
      "\xE0\xB8\x9B\xE0\xB8\xA3\xE0\xB8\xB0" /* Thai */,
      "\xE4\xB8\xAD\xE5\x9B\xBD" /* 中国 */,
      "\xD7\x90" /* א */,
      "\xF0\x9F\x98\x80" /* 😀 */,
      "\xE2\x80\xA8" /* line separator */,
      "\xE3\x80\x80" /* ideographic space */,
      "\xE2\x80\xA4" /* one dot leader */,
      "\xEF\xB9\x92" /* small full stop */};
  std::mt19937 rng(20261130);
  int failures = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 16);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    if (std::string d = Compare(s); !d.empty() && ++failures <= 10)
      ADD_FAILURE() << d;
  }
  EXPECT_EQ(failures, 0);
}

// Random longer strings over every ASCII character, weighted to word
// characters.
TEST(AsciiWordsTest, RandomAsciiStrings) {
  std::mt19937 rng(4);
  int failures = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) {
      const uint32_t r = rng() % 4;
      s += r == 0   ? static_cast<char>(1 + rng() % 127)
           : r == 1 ? "a1.',_@ "[rng() % 8]
                    : static_cast<char>('a' + rng() % 3);
    }
    if (std::string d = Compare(s); !d.empty() && ++failures <= 10)
      ADD_FAILURE() << d;
  }
  EXPECT_EQ(failures, 0);
}

// Title and body of every article of every shared data set.
TEST(AsciiWordsTest, EverySharedArticle) {
  const std::filesystem::path dir =
      nw::testing::SharedDir(NW_SHARED_DIR_DEFAULT) + "/data";
  size_t fields = 0;
  int failures = 0;
  const bool found = nw::testing::ForEachJsonLine(
      dir, [&](const std::filesystem::path& file, const nlohmann::json& j) {
        for (const char* key : {"title", "body"}) {
          if (!j.contains(key) || !j[key].is_string()) continue;
          ++fields;
          if (std::string d = Compare(j[key].get<std::string>());
              !d.empty() && ++failures <= 5) {
            ADD_FAILURE() << file << ": " << d.substr(0, 2000);
          }
        }
      });
  if (!found) GTEST_SKIP() << "no shared data at " << dir;
  EXPECT_EQ(failures, 0);
  EXPECT_GT(fields, 40000u);
}

// Every file of the analyzer fuzz corpus and the saved regressions.
TEST(AsciiWordsTest, FuzzCorpus) {
  size_t files = 0;
  for (const char* sub : {"/corpus/analyzer", "/regressions"}) {
    const std::filesystem::path dir = std::string(NW_FUZZ_DIR) + sub;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string data((std::istreambuf_iterator<char>(in)), {});
      ++files;
      // The analyzer takes valid UTF-8 only (callers check).
      bool valid = true;
      for (size_t i = 0; i < data.size() && valid;) {
        const auto c = static_cast<unsigned char>(data[i]);
        const size_t len = c < 0x80         ? 1
                           : (c >> 5) == 6  ? 2
                           : (c >> 4) == 14 ? 3
                           : (c >> 3) == 30 ? 4
                                            : 0;
        valid = len != 0 && i + len <= data.size();
        for (size_t k = 1; valid && k < len; ++k)
          valid = (data[i + k] & 0xC0) == 0x80;
        i += len == 0 ? 1 : len;
      }
      if (!valid) continue;
      EXPECT_EQ(Compare(data), "") << entry.path();
    }
  }
  EXPECT_GT(files, 30u);
}

// The vectorized word-character mask against the byte-at-a-time one: every
// byte value, at every offset of texts of 0 to 200 bytes.
TEST(AsciiWordsTest, WordCharMaskMatchesScalar) {
  std::mt19937 rng(16);
  for (size_t len = 0; len <= 200; ++len) {
    for (int round = 0; round < 20; ++round) {
      std::string s(len, ' ');
      for (char& c : s) c = static_cast<char>(rng() % 256);
      if (round == 0) {  // every byte value somewhere
        for (size_t k = 0; k < len; ++k) s[k] = static_cast<char>(k * 7 % 256);
      }
      std::vector<uint64_t> got(WordCharMaskUnits(len) + 1, 0xAAAA);
      std::vector<uint64_t> want(WordCharMaskUnits(len) + 1, 0xAAAA);
      WordCharMask(s, got.data());
      WordCharMaskScalar(s, want.data());
      ASSERT_EQ(got, want) << "length " << len << " round " << round;
      for (size_t k = 0; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[k]);
        const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '@';
        ASSERT_EQ((want[k / 64] >> (k % 64) & 1) != 0, word) << int{c};
      }
    }
  }
}

// Two fields analyzed into one buffer: offsets are into the whole buffer, and
// non-ASCII terms follow the field's lower-cased copy.
TEST(AsciiWordsTest, FieldsShareOneTermBuffer) {
  std::string terms;
  std::vector<WordRef> words;
  AnalyzeFieldInto("Oil PRICES", &terms, &words);
  AnalyzeFieldInto("Caf\xC3\xA9 OPEC's", &terms, &words);
  ASSERT_EQ(words.size(), 4u);
  auto term = [&](size_t i) {
    return terms.substr(words[i].term_offset, words[i].term_size);
  };
  EXPECT_EQ(term(0), "oil");
  EXPECT_EQ(term(1), "prices");
  EXPECT_EQ(term(2), "cafe");  // diacritics removed, after the field's copy
  EXPECT_EQ(words[2].term_offset, 10u + 12u);
  EXPECT_EQ(term(3), "opec");
  EXPECT_EQ(words[1].begin, 4u);
  EXPECT_EQ(words[1].end, 10u);
  EXPECT_EQ(words[3].begin, 6u);  // bytes of the second field's text
  EXPECT_EQ(words[3].end, 12u);
  EXPECT_EQ(words[3].term_offset, 10u + 6u);
}

// nfkc_cf of ASCII is lower casing: every character, and all of them at once.
TEST(AsciiWordsTest, MetadataOfEveryAsciiCharacter) {
  std::string all;
  for (int c = 1; c < 128; ++c) {
    const std::string s(1, static_cast<char>(c));
    all += s;
    EXPECT_EQ(NormalizeMetadata(s), IcuNfkcCasefold(s)) << c;
  }
  EXPECT_EQ(NormalizeMetadata(all), IcuNfkcCasefold(all));
  EXPECT_EQ(NormalizeMetadata("Reuters-21578"),
            IcuNfkcCasefold("Reuters-21578"));
}

}  // namespace
}  // namespace nw::text
