// Snippets around highlights: boundaries, relative ranges, limits.
#include "server/ingest/snippets.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::ingest {
namespace {

namespace v1 = ::newswatch::v1;
using match::Field;

match::Highlight Body(uint32_t begin, uint32_t end) {
  return {Field::kBody, begin, end};
}

// The text of `s` covered by its `i`th highlight.
std::string Marked(const v1::Snippet& s, int i) {
  const v1::Highlight& h = s.highlights(i);
  return s.text().substr(h.begin(), h.end() - h.begin());
}

std::string LongBody() {
  std::string body;
  for (int i = 0; i < 40; ++i) body += "filler words here ";
  return body;
}

// Verifies a short title is one whole snippet with its highlight relative to
// it.
TEST(SnippetsTest, ShortTitleIsWhole) {
  const std::string title = "Myanmar faces new sanctions";
  auto s = BuildSnippets(title, "", {{Field::kTitle, 18, 27}});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].field(), v1::Highlight::TITLE);
  EXPECT_EQ(s[0].text(), title);
  EXPECT_EQ(s[0].begin(), 0u);
  EXPECT_FALSE(s[0].more_after());
  EXPECT_EQ(Marked(s[0], 0), "sanctions");
}

// Verifies a snippet of a long body starts and ends at word boundaries, is
// bounded, and its highlight ranges are relative to the snippet.
TEST(SnippetsTest, LongBodyCutAtWords) {
  std::string body = LongBody() + "the OPEC quota " + LongBody();
  const uint32_t at = static_cast<uint32_t>(body.find("OPEC"));
  auto s = BuildSnippets("", body, {Body(at, at + 4)});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(Marked(s[0], 0), "OPEC");
  EXPECT_LE(s[0].text().size(), 240u);
  EXPECT_GT(s[0].begin(), 0u);
  EXPECT_TRUE(s[0].more_after());
  EXPECT_EQ(body.substr(s[0].begin(), s[0].text().size()), s[0].text());
  // Whole words: the byte before the snippet is a space, and so is the one
  // after it.
  EXPECT_EQ(body[s[0].begin() - 1], ' ');
  EXPECT_EQ(body[s[0].begin() + s[0].text().size()], ' ');
  EXPECT_NE(s[0].text().front(), ' ');
  EXPECT_NE(s[0].text().back(), ' ');
}

// Verifies text without spaces (CJK) is cut at code point boundaries, so the
// snippet is valid UTF-8.
TEST(SnippetsTest, NoSpacesCutAtCodePoints) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += "\xE4\xB8\xAD";  // 中, 3 bytes
  const uint32_t at = 300;                               // the 101st 中
  auto s = BuildSnippets("", body, {Body(at, at + 3)});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].begin() % 3, 0u);
  EXPECT_EQ(s[0].text().size() % 3, 0u);
  EXPECT_EQ(Marked(s[0], 0), "\xE4\xB8\xAD");
}

// Verifies nearby highlights share a snippet, far ones get their own, and
// no rule gets more than max_snippets.
TEST(SnippetsTest, GroupsNearbyAndLimits) {
  std::string body = LongBody() + LongBody() + LongBody();
  std::vector<match::Highlight> hs;
  hs.push_back(Body(0, 6));   // "filler"
  hs.push_back(Body(7, 12));  // "words"
  for (uint32_t from : {400, 700, 1000, 1300}) {
    const uint32_t at = static_cast<uint32_t>(body.find("filler", from));
    hs.push_back(Body(at, at + 6));
  }
  auto s = BuildSnippets("", body, hs);
  ASSERT_EQ(s.size(), 3u);
  ASSERT_EQ(s[0].highlights_size(), 2);
  EXPECT_EQ(s[0].begin(), 0u);
  EXPECT_EQ(Marked(s[0], 0), "filler");
  EXPECT_EQ(Marked(s[0], 1), "words");
  for (const auto& snippet : s) {
    for (int i = 0; i < snippet.highlights_size(); ++i) {
      EXPECT_THAT(Marked(snippet, i), ::testing::AnyOf("filler", "words"));
    }
  }
}

// Verifies highlights outside the text are skipped, not cut out of bounds.
TEST(SnippetsTest, OutOfRangeSkipped) {
  EXPECT_TRUE(BuildSnippets("short", "", {{Field::kTitle, 3, 99}}).empty());
  EXPECT_TRUE(BuildSnippets("short", "", {}).empty());
}

}  // namespace
}  // namespace nw::ingest
