#include "server/web/csv.h"

#include "gtest/gtest.h"

namespace nw::web {
namespace {

// Verifies RFC 4180 quoting: commas, quotes (doubled) and line breaks.
TEST(CsvTest, QuotesWhatNeedsQuoting) {
  EXPECT_EQ(CsvCell("plain"), "plain");
  EXPECT_EQ(CsvCell("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvCell(""), "");
  EXPECT_EQ(CsvCell("Kraków — 東京"), "Kraków — 東京");
}

// Verifies cells a spreadsheet would run as formulas are made text.
TEST(CsvTest, FormulaPrefixesBecomeText) {
  EXPECT_EQ(CsvCell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvCell("+1"), "'+1");
  EXPECT_EQ(CsvCell("-2+3"), "'-2+3");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("\tx"), "'\tx");
  EXPECT_EQ(CsvCell("a=b"), "a=b");  // only a leading sign matters
}

TEST(CsvTest, RowEndsWithCrlf) {
  EXPECT_EQ(CsvRow({"1", "a,b", "=x"}), "1,\"a,b\",'=x\r\n");
}

}  // namespace
}  // namespace nw::web
