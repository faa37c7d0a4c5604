#include "client/lib/text_render.h"

#include <string>

#include "gtest/gtest.h"

namespace nw::client {
namespace {

// True when `s` is valid UTF-8 (no cut code points).
bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    size_t n = c < 0x80           ? 1
               : (c >> 5) == 0x6  ? 2
               : (c >> 4) == 0xE  ? 3
               : (c >> 3) == 0x1E ? 4
                                  : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(OneLineTest, ControlsAndWhitespaceRuns) {
  EXPECT_EQ(OneLine("a\n\n  b\tc\x03\x7f"
                    "d"),
            "a b c d");
  EXPECT_EQ(OneLine("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(SnippetTest, ShortTextWhole) {
  EXPECT_EQ(RenderSnippet("crude oil prices", 0, 5), "[crude] oil prices");
  EXPECT_EQ(RenderSnippet("crude oil prices", 10, 16), "crude oil [prices]");
}

TEST(SnippetTest, HighlightAtStartOfLongText) {
  const std::string text = "OPEC " + std::string(100, 'x');
  EXPECT_EQ(RenderSnippet(text, 0, 4, 10), "[OPEC] xxxxxxxxx...");
}

TEST(SnippetTest, HighlightAtEndOfLongText) {
  const std::string text = std::string(100, 'x') + " OPEC";
  EXPECT_EQ(RenderSnippet(text, 101, 105, 10), "...xxxxxxxxx [OPEC]");
}

TEST(SnippetTest, ContextIsCutBothSides) {
  const std::string text =
      std::string(50, 'a') + " crude " + std::string(50, 'b');
  const std::string s = RenderSnippet(text, 51, 56);
  EXPECT_EQ(s, "..." + std::string(39, 'a') + " [crude] " +
                   std::string(39, 'b') + "...");
}

TEST(SnippetTest, NewlinesBecomeSpaces) {
  EXPECT_EQ(RenderSnippet("oil\nprices\n rose", 4, 10), "oil [prices] rose");
}

TEST(SnippetTest, NeverSplitsACodePointAtTheLeftCut) {
  // "é" (2 bytes) and "€" (3 bytes) straddle the cut 10 bytes before begin.
  for (size_t pad = 0; pad < 4; ++pad) {
    const std::string text = std::string(pad, 'p') +
                             "\xC3\xA9\xE2\x82\xAC\xE2\x82\xAC\xC3\xA9xx" +
                             "\xF0\x9F\x98\x80 crude";
    const size_t begin = text.size() - 5;
    const std::string s = RenderSnippet(text, begin, text.size(), 10);
    EXPECT_TRUE(IsValidUtf8(s)) << pad << ": " << s;
    EXPECT_NE(s.find("[crude]"), std::string::npos);
    EXPECT_LE(s.size(), 3 + 10 + 7) << s;
  }
}

TEST(SnippetTest, NeverSplitsACodePointAtTheRightCut) {
  for (size_t pad = 0; pad < 4; ++pad) {
    const std::string text = "crude " + std::string(pad, 'p') +
                             "\xE2\x82\xAC\xC3\xA9\xF0\x9F\x98\x80\xE2\x82\xAC"
                             "tail text here";
    const std::string s = RenderSnippet(text, 0, 5, 10);
    EXPECT_TRUE(IsValidUtf8(s)) << pad << ": " << s;
    EXPECT_EQ(s.rfind("[crude]", 0), 0u) << s;
    EXPECT_LE(s.size(), 7 + 10 + 3) << s;
  }
}

TEST(SnippetTest, MultiByteMatchAndOffsetsInsideACodePoint) {
  const std::string text = "x Caf\xC3\xA9 y";  // "Café" at [2, 7)
  EXPECT_EQ(RenderSnippet(text, 2, 7), "x [Caf\xC3\xA9] y");
  // An end inside "é" is widened to the whole code point.
  EXPECT_EQ(RenderSnippet(text, 2, 6), "x [Caf\xC3\xA9] y");
  // A begin inside "é" moves back to its first byte.
  EXPECT_EQ(RenderSnippet(text, 6, 7), "x Caf[\xC3\xA9] y");
}

TEST(SnippetTest, OutOfRangeIsClamped) {
  EXPECT_EQ(RenderSnippet("abc", 5, 9), "abc[]");
  EXPECT_EQ(RenderSnippet("abc", 2, 1), "a[]bc");
  EXPECT_EQ(RenderSnippet("", 0, 0), "[]");
}

TEST(CaretTest, PointsAtOffset) {
  EXPECT_EQ(RenderCaret("crude AND", 9), "  crude AND\n           ^\n");
  EXPECT_EQ(RenderCaret("(a OR b", 0, ""), "(a OR b\n^\n");
}

TEST(CaretTest, CountsCodePointsAndBlanksControls) {
  // "é" is two bytes but one column; the tab prints as a space.
  EXPECT_EQ(RenderCaret("caf\xC3\xA9\tAND", 6, ""),
            "caf\xC3\xA9 AND\n     ^\n");
}

}  // namespace
}  // namespace nw::client
