// The rule index's term dictionary (term_dictionary.h): exact lookups under
// every kind of hash collision, for inline (short) and arena (long) terms,
// through both lookup paths (any view, and padded with the article's hash).
#include "server/index/term_dictionary.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "server/match/analyzed_article.h"

namespace nw::index {
namespace {

// Every term collides completely (same slot, same 32-bit tag): only the byte
// comparison tells terms apart.
struct ConstantHash {
  uint64_t operator()(std::string_view) const { return 0x5151515100000007; }
};

// `term` followed by 16 bytes that are not part of it (FindPadded reads 16
// bytes from a term's start and must ignore those past its end).
struct Padded {
  explicit Padded(std::string_view term) : bytes(term) {
    bytes.append(16, '#');
  }
  std::string_view view(size_t n) const { return {bytes.data(), n}; }
  std::string bytes;
};

// Terms that differ in one byte (first, middle, last), in length only, and
// that are short (in the slot) or long (in the arena).
const std::vector<std::string> kTerms = {"a",
                                         "b",
                                         "ab",
                                         "abc",
                                         "abd",
                                         "bbc",
                                         "abcdefg",
                                         "abcdefh",
                                         "bbcdefg",
                                         "abcdefgh",
                                         "abcdefgi",
                                         "abcdefg ",
                                         "abcdefghijk",
                                         "abcdefghijl",
                                         "xbcdefghijk",
                                         "abcdefghijklmnopqrstuvwxyz",
                                         "abcdefghijklmnopqrstuvwxyZ",
                                         "zurich",
                                         "zürich"};

template <typename Dictionary>
void InsertAll(Dictionary& d) {
  for (uint32_t i = 0; i < kTerms.size(); ++i)
    ASSERT_EQ(d.FindOrInsert(kTerms[i], 100 + i), 100 + i) << kTerms[i];
}

TEST(IndexTermDictionaryTest, FindsEveryTermWithItsId) {
  TermDictionary d;
  InsertAll(d);
  EXPECT_EQ(d.size(), kTerms.size());
  const match::TermHash hash;
  for (uint32_t i = 0; i < kTerms.size(); ++i) {
    EXPECT_EQ(d.Find(kTerms[i]), 100 + i) << kTerms[i];
    const Padded p(kTerms[i]);
    EXPECT_EQ(d.FindPadded(p.view(kTerms[i].size()), hash(kTerms[i])), 100 + i)
        << kTerms[i];
    // Inserting again keeps the first id.
    EXPECT_EQ(d.FindOrInsert(kTerms[i], 7), 100 + i);
  }
  EXPECT_EQ(d.size(), kTerms.size());
}

TEST(IndexTermDictionaryTest, AbsentTermsAreNotFound) {
  TermDictionary d;
  EXPECT_EQ(d.Find("abc"), TermDictionary::kAbsent);  // empty dictionary
  InsertAll(d);
  const match::TermHash hash;
  for (std::string_view absent :
       {"", "c", "abe", "abcdef", "abcdefgj", "abcdefghij", "abcdefghijm",
        "abcdefghijklmnopqrstuvwxy", "zuerich"}) {
    EXPECT_EQ(d.Find(absent), TermDictionary::kAbsent) << absent;
    const Padded p(absent);
    EXPECT_EQ(d.FindPadded(p.view(absent.size()), hash(absent)),
              TermDictionary::kAbsent)
        << absent;
  }
}

TEST(IndexTermDictionaryTest, ExactUnderFullCollisions) {
  BasicTermDictionary<ConstantHash> d;
  InsertAll(d);
  for (uint32_t i = 0; i < kTerms.size(); ++i) {
    EXPECT_EQ(d.Find(kTerms[i]), 100 + i) << kTerms[i];
    const Padded p(kTerms[i]);
    EXPECT_EQ(d.FindPadded(p.view(kTerms[i].size()), ConstantHash()("")),
              100 + i)
        << kTerms[i];
  }
  EXPECT_EQ(d.Find("abe"), TermDictionary::kAbsent);
  EXPECT_EQ(d.Find("abcdefghijm"), TermDictionary::kAbsent);
  EXPECT_EQ(d.Find("abcdefgh "), TermDictionary::kAbsent);
}

TEST(IndexTermDictionaryTest, GrowsAndKeepsEveryTerm) {
  TermDictionary d;
  std::vector<std::string> terms;
  for (int i = 0; i < 5000; ++i) terms.push_back("t" + std::to_string(i * 7));
  for (uint32_t i = 0; i < terms.size(); ++i)
    ASSERT_EQ(d.FindOrInsert(terms[i], i), i);
  EXPECT_LE(2 * d.size(), d.capacity());
  for (uint32_t i = 0; i < terms.size(); ++i) EXPECT_EQ(d.Find(terms[i]), i);
  EXPECT_EQ(d.Find("t1"), TermDictionary::kAbsent);
}

// The article's precomputed hashes are the dictionary's: a lookup with them
// finds its words.
TEST(IndexTermDictionaryTest, ArticleHashesFindItsWords) {
  const auto article = match::AnalyzedArticle::Analyze(
      {.title = "Αθήνα grain exports",  // a non-ASCII word, stored apart
       .body = "Wheat and abcdefghijklmnopqrs"});
  TermDictionary d;
  d.FindOrInsert("wheat", 1);
  d.FindOrInsert("αθηνα", 2);  // nfkc_cf, diacritics removed
  d.FindOrInsert("abcdefghijklmnopqrs", 3);
  std::vector<uint32_t> found;
  for (uint32_t id = 0; id < article.TermCount(); ++id) {
    const uint32_t f = d.FindPadded(article.Term(id), article.TermHashes()[id]);
    if (f != TermDictionary::kAbsent) found.push_back(f);
  }
  EXPECT_EQ(found, (std::vector<uint32_t>{2, 1, 3}));
}

}  // namespace
}  // namespace nw::index
