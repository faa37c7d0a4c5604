#include "server/web/segments.h"

#include <string>

#include "gtest/gtest.h"

namespace nw::web {
namespace {

std::string Marked(const std::vector<Segment>& segments) {
  std::string out;
  for (const Segment& s : segments) out += s.mark ? "[" + s.text + "]" : s.text;
  return out;
}

// Verifies byte ranges after multi-byte characters mark exactly the word.
TEST(SegmentsTest, MarksTheWordAfterMultibyteText) {
  const std::string title = "Kraków — 東京: Myanmar faces sanctions";
  const size_t at = title.find("Myanmar");
  const size_t s = title.find("sanctions");
  const auto segments = Segments(
      title, {{static_cast<uint32_t>(s), static_cast<uint32_t>(s + 9)},
              {static_cast<uint32_t>(at), static_cast<uint32_t>(at + 7)}});
  EXPECT_EQ(Marked(segments), "Kraków — 東京: [Myanmar] faces [sanctions]");
  ASSERT_EQ(segments.size(), 4u);
  EXPECT_TRUE(segments[1].mark);
  EXPECT_EQ(segments[1].text, "Myanmar");
}

// Verifies overlapping and touching ranges merge, and the pieces always
// concatenate back to the text.
TEST(SegmentsTest, MergesOverlappingAndAdjacentRanges) {
  const std::string text = "crude oil prices";
  EXPECT_EQ(Marked(Segments(text, {{0, 5}, {3, 9}})), "[crude oil] prices");
  EXPECT_EQ(Marked(Segments(text, {{0, 5}, {5, 9}})), "[crude oil] prices");
  EXPECT_EQ(Marked(Segments(text, {})), text);
}

// Verifies a range at the very end, past the end, empty, or splitting a
// multi-byte character is handled without cutting a character.
TEST(SegmentsTest, ClampsAndWidensToWholeCharacters) {
  const std::string text = "in 東京";  // 東 is bytes 3..5, 京 6..8
  EXPECT_EQ(Marked(Segments(text, {{3, 9}})), "in [東京]");
  EXPECT_EQ(Marked(Segments(text, {{3, 100}})), "in [東京]");
  EXPECT_EQ(Marked(Segments(text, {{4, 5}})), "in [東]京");
  EXPECT_EQ(Marked(Segments(text, {{5, 5}})), text);
}

// Verifies snippets are windows around the matches, cut at spaces (no
// broken word or character), flagged when text was left out.
TEST(SegmentsTest, SnippetsCutAtWordBoundaries) {
  std::string body;
  for (int i = 0; i < 40; ++i) body += "filler—word ";
  const size_t at = body.size();
  body += "OPEC agreed";
  for (int i = 0; i < 40; ++i) body += " more—text";
  const auto snippets = Snippets(
      body, {{static_cast<uint32_t>(at), static_cast<uint32_t>(at + 4)}}, 3,
      40);
  ASSERT_EQ(snippets.size(), 1u);
  EXPECT_TRUE(snippets[0].cut_before);
  EXPECT_TRUE(snippets[0].cut_after);
  const std::string shown = Marked(snippets[0].segments);
  EXPECT_NE(shown.find("[OPEC] agreed"), std::string::npos);
  EXPECT_EQ(shown.rfind("filler", 0), 0u) << shown;  // starts on a word
  EXPECT_EQ(shown.back(), 't') << shown;             // ends on a word
}

// Verifies nearby matches share one snippet and at most `max` are made.
TEST(SegmentsTest, SnippetsJoinAndAreBounded) {
  const std::string body = "a b c OPEC d e f quota g h";
  const auto joined = Snippets(body, {{6, 10}, {17, 22}}, 3, 120);
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_FALSE(joined[0].cut_before);
  EXPECT_EQ(Marked(joined[0].segments), "a b c [OPEC] d e f [quota] g h");
  std::string longer;
  for (int i = 0; i < 10; ++i) longer += std::string(300, 'x') + " hit ";
  std::vector<ByteRange> hits;
  for (size_t p = longer.find("hit"); p != std::string::npos;
       p = longer.find("hit", p + 1))
    hits.emplace_back(p, p + 3);
  EXPECT_EQ(Snippets(longer, hits, 3, 20).size(), 3u);
}

}  // namespace
}  // namespace nw::web
