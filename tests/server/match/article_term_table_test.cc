// The article's term table (article_term_table.h): dense ids in order of first
// insertion, exact byte-wise equality under every kind of hash collision, and
// growth past the size it was reset for.
#include "server/match/article_term_table.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace nw::match {
namespace {

// Every term collides completely (same slot, same 32-bit tag): only the byte
// comparison tells terms apart.
struct ConstantHash {
  uint64_t operator()(std::string_view) const { return 0x5151515100000007; }
};
// Same slot for every term, but tags that differ with the length.
struct SameSlotHash {
  uint64_t operator()(std::string_view s) const {
    return uint64_t{s.size()} << 32 | 3;
  }
};

// Terms of 0 to 40 bytes that differ from a base term in one byte each (at
// every position), so that a comparison skipping any byte would merge two.
std::vector<std::string> NearTerms() {
  std::vector<std::string> terms;
  for (size_t len = 0; len <= 40; ++len) {
    const std::string base(len, 'a');
    terms.push_back(base);
    for (size_t k = 0; k < len; ++k) {
      std::string t = base;
      t[k] = 'b';
      terms.push_back(t);
    }
  }
  return terms;
}

template <typename Table>
void ExpectDenseIdsAndExactLookups(Table& table) {
  const std::vector<std::string> terms = NearTerms();
  for (size_t i = 0; i < terms.size(); ++i) {
    ASSERT_EQ(table.Insert(terms[i]), i) << "<" << terms[i] << ">";
  }
  ASSERT_EQ(table.size(), terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    EXPECT_EQ(table.Insert(terms[i]), i) << "<" << terms[i] << ">";
    EXPECT_EQ(table.Find(terms[i]), i) << "<" << terms[i] << ">";
    EXPECT_EQ(table.terms()[i], terms[i]);
  }
  EXPECT_EQ(table.size(), terms.size());  // re-inserting added nothing
  EXPECT_EQ(table.Find("c"), Table::kNoTerm);
  EXPECT_EQ(table.Find(std::string(41, 'a')), Table::kNoTerm);
  EXPECT_EQ(table.Find("aaaaaaaaac"), Table::kNoTerm);
  EXPECT_LE(2 * table.size(), table.capacity());  // at most half full
}

TEST(ArticleTermTableTest, RealHash) {
  ArticleTermTable table;
  table.Reset(4);  // grows many times
  ExpectDenseIdsAndExactLookups(table);
}

TEST(ArticleTermTableTest, EveryTermCollides) {
  BasicTermTable<ConstantHash> table;
  table.Reset(1000);  // no growth: one long probe sequence
  ExpectDenseIdsAndExactLookups(table);
}

TEST(ArticleTermTableTest, EveryTermCollidesWhileGrowing) {
  BasicTermTable<ConstantHash> table;
  table.Reset(0);
  ExpectDenseIdsAndExactLookups(table);
}

TEST(ArticleTermTableTest, SameSlotDifferentTags) {
  BasicTermTable<SameSlotHash> table;
  table.Reset(2);
  ExpectDenseIdsAndExactLookups(table);
}

TEST(ArticleTermTableTest, UsableWithoutReset) {
  ArticleTermTable table;
  EXPECT_EQ(table.Find("oil"), ArticleTermTable::kNoTerm);
  EXPECT_EQ(table.Insert("oil"), 0u);
  EXPECT_EQ(table.Insert("gas"), 1u);
  EXPECT_EQ(table.Insert("oil"), 0u);
  EXPECT_EQ(table.Find("gas"), 1u);
}

TEST(ArticleTermTableTest, ResetEmpties) {
  ArticleTermTable table;
  table.Reset(2);
  table.Insert("oil");
  table.Reset(2);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find("oil"), ArticleTermTable::kNoTerm);
  EXPECT_EQ(table.Insert("gas"), 0u);
}

TEST(ArticleTermTableTest, ManyTermsGrowFromTheSmallestSize) {
  ArticleTermTable table;
  table.Reset(0);
  std::vector<std::string> terms;
  for (int i = 0; i < 20000; ++i) terms.push_back("t" + std::to_string(i));
  for (size_t i = 0; i < terms.size(); ++i)
    ASSERT_EQ(table.Insert(terms[i]), i);
  for (size_t i = 0; i < terms.size(); ++i) ASSERT_EQ(table.Find(terms[i]), i);
  EXPECT_LE(2 * table.size(), table.capacity());
}

TEST(ArticleTermTableTest, HashDependsOnEveryByteAndTheLength) {
  const TermHash hash;
  const std::vector<std::string> terms = NearTerms();
  std::vector<uint64_t> hashes;
  for (const std::string& t : terms) hashes.push_back(hash(t));
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
}

}  // namespace
}  // namespace nw::match
