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

// Views of `terms` in one buffer, each followed by 16 bytes of padding
// (Insert reads 16 bytes from a term's start). The buffer must outlive them.
std::vector<std::string_view> PaddedViews(const std::vector<std::string>& terms,
                                          std::string* buffer) {
  std::vector<size_t> offsets;
  for (const std::string& t : terms) {
    offsets.push_back(buffer->size());
    buffer->append(t);
    buffer->append(16, '#');  // not zeros: bytes past a term are ignored
  }
  std::vector<std::string_view> views;
  for (size_t i = 0; i < terms.size(); ++i)
    views.emplace_back(buffer->data() + offsets[i], terms[i].size());
  return views;
}

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
  std::string buffer, again;
  const std::vector<std::string_view> views = PaddedViews(terms, &buffer);
  const std::vector<std::string_view> copies = PaddedViews(terms, &again);
  for (size_t i = 0; i < terms.size(); ++i) {
    ASSERT_EQ(table.Insert(views[i]), i) << "<" << terms[i] << ">";
  }
  ASSERT_EQ(table.size(), terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    EXPECT_EQ(table.Insert(copies[i]), i) << "<" << terms[i] << ">";
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
  std::string buffer;
  const auto v = PaddedViews({"oil", "gas"}, &buffer);
  EXPECT_EQ(table.Find("oil"), ArticleTermTable::kNoTerm);
  EXPECT_EQ(table.Insert(v[0]), 0u);
  EXPECT_EQ(table.Insert(v[1]), 1u);
  EXPECT_EQ(table.Insert(v[0]), 0u);
  EXPECT_EQ(table.Find("gas"), 1u);
}

TEST(ArticleTermTableTest, ResetEmpties) {
  ArticleTermTable table;
  std::string buffer;
  const auto v = PaddedViews({"oil", "gas"}, &buffer);
  table.Reset(2);
  table.Insert(v[0]);
  table.Reset(2);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find("oil"), ArticleTermTable::kNoTerm);
  EXPECT_EQ(table.Insert(v[1]), 0u);
}

TEST(ArticleTermTableTest, ManyTermsGrowFromTheSmallestSize) {
  ArticleTermTable table;
  table.Reset(0);
  std::vector<std::string> terms;
  for (int i = 0; i < 20000; ++i) terms.push_back("t" + std::to_string(i));
  std::string buffer;
  const std::vector<std::string_view> views = PaddedViews(terms, &buffer);
  for (size_t i = 0; i < terms.size(); ++i)
    ASSERT_EQ(table.Insert(views[i]), i);
  for (size_t i = 0; i < terms.size(); ++i) ASSERT_EQ(table.Find(terms[i]), i);
  EXPECT_LE(2 * table.size(), table.capacity());
}

TEST(ArticleTermTableTest, HashDependsOnEveryByteAndTheLength) {
  const TermHash hash;
  const std::vector<std::string> terms = NearTerms();
  std::string buffer;
  const std::vector<std::string_view> views = PaddedViews(terms, &buffer);
  std::vector<uint64_t> hashes;
  for (size_t i = 0; i < terms.size(); ++i) {
    hashes.push_back(hash(terms[i]));
    EXPECT_EQ(hash.Padded(views[i]), hashes.back()) << terms[i];
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
}

}  // namespace
}  // namespace nw::match
