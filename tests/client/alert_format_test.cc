#include "client/lib/alert_format.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::client {
namespace {

using ::newswatch::v1::Alert;
using ::newswatch::v1::Article;
using ::newswatch::v1::Highlight;
using ::testing::ElementsAre;
using Json = nlohmann::ordered_json;

Alert SampleAlert() {
  Alert alert;
  alert.set_cursor(12);
  alert.set_subscriber("desk");
  alert.set_article_id("reuters-21578-127");
  alert.set_article_sequence(5);
  alert.set_title("OPEC SAYS\nCRUDE OUTPUT STEADY");
  alert.set_source("reuters-21578");
  alert.mutable_published_at()->set_seconds(541350061);
  alert.mutable_published_at()->set_nanos(790000000);
  alert.add_rule_ids("r-1");
  alert.add_rule_ids("r-3");
  auto* m1 = alert.add_matches();
  m1->set_rule_id("r-1");
  auto* h = m1->add_highlights();
  h->set_field(Highlight::TITLE);
  h->set_begin(0);
  h->set_end(4);
  h = m1->add_highlights();
  h->set_field(Highlight::BODY);
  h->set_begin(10);
  h->set_end(15);
  auto* m3 = alert.add_matches();
  m3->set_rule_id("r-3");
  m3->set_label("Oil, Gulf");
  return alert;
}

// SampleAlert() with snippets, as the daemon stores them since issue 14.
Alert AlertWithSnippets() {
  Alert alert = SampleAlert();
  auto* s = alert.mutable_matches(0)->add_snippets();
  s->set_field(Highlight::TITLE);
  s->set_text("OPEC SAYS\nCRUDE OUTPUT STEADY");
  auto* h = s->add_highlights();
  h->set_begin(0);
  h->set_end(4);
  s = alert.mutable_matches(0)->add_snippets();
  s->set_field(Highlight::BODY);
  s->set_text("crude oil output and crude prices");
  s->set_begin(10);
  s->set_more_after(true);
  h = s->add_highlights();
  h->set_begin(0);
  h->set_end(5);
  h = s->add_highlights();
  h->set_begin(21);
  h->set_end(26);
  for (int i = 0; i < 3; ++i) {
    s = alert.mutable_matches(1)->add_snippets();
    s->set_field(Highlight::BODY);
    s->set_text("Gulf");
    s->set_begin(100 + i);
    h = s->add_highlights();
    h->set_begin(0);
    h->set_end(4);
  }
  return alert;
}

TEST(AlertFormatTest, HumanLine) {
  EXPECT_EQ(FormatAlertLine(SampleAlert()),
            "#12  1987-02-26T15:01:01.79Z  reuters-21578  reuters-21578-127  "
            "OPEC SAYS CRUDE OUTPUT STEADY  [r-1, Oil, Gulf]");
  Alert bare;
  bare.set_cursor(1);
  bare.set_article_id("a");
  EXPECT_EQ(FormatAlertLine(bare), "#1  -  -  a  (no title)  []");
}

TEST(AlertFormatTest, JsonShape) {
  const Json j = AlertToJson(SampleAlert());
  EXPECT_EQ(j["cursor"], 12);
  EXPECT_EQ(j["subscriber"], "desk");
  EXPECT_EQ(j["article_id"], "reuters-21578-127");
  EXPECT_EQ(j["article_sequence"], 5);
  EXPECT_EQ(j["title"], "OPEC SAYS\nCRUDE OUTPUT STEADY");
  EXPECT_EQ(j["source"], "reuters-21578");
  EXPECT_EQ(j["published_at"], "1987-02-26T15:01:01.79Z");
  EXPECT_TRUE(j["created_at"].is_null());
  EXPECT_EQ(j["backfill"], false);
  EXPECT_EQ(j["rule_ids"], Json::array({"r-1", "r-3"}));
  ASSERT_EQ(j["matches"].size(), 2u);
  EXPECT_EQ(j["matches"][0]["rule_id"], "r-1");
  EXPECT_EQ(j["matches"][0]["highlights"],
            Json::parse(R"([["title", 0, 4], ["body", 10, 15]])"));
  EXPECT_EQ(j["matches"][1]["rule_id"], "r-3");
  EXPECT_EQ(j["matches"][1]["label"], "Oil, Gulf");
  EXPECT_EQ(j["matches"][1]["highlights"], Json::array());
  EXPECT_EQ(j["matches"][1]["snippets"], Json::array());
}

// Verifies --json carries the url and every snippet with ranges relative to
// the snippet text.
TEST(AlertFormatTest, JsonSnippets) {
  Alert alert = AlertWithSnippets();
  alert.set_url("https://example.com/opec");
  const Json j = AlertToJson(alert);
  EXPECT_EQ(j["url"], "https://example.com/opec");
  ASSERT_EQ(j["matches"][0]["snippets"].size(), 2u);
  EXPECT_EQ(j["matches"][0]["snippets"][1],
            Json::parse(R"({"field": "body", "text":
              "crude oil output and crude prices", "begin": 10,
              "more_after": true, "highlights": [[0, 5], [21, 26]]})"));
  EXPECT_EQ(j["matches"][1]["snippets"].size(), 3u);
}

// Verifies watch's snippet lines: rule labels, brackets around the
// highlights, "..." where cut, at most max_lines with a "more" line.
TEST(AlertFormatTest, SnippetLines) {
  const Alert alert = AlertWithSnippets();
  EXPECT_TRUE(HasSnippets(alert));
  EXPECT_FALSE(HasSnippets(SampleAlert()));
  EXPECT_THAT(
      FormatSnippetLines(alert, 3),
      ElementsAre("    r-1 title: [OPEC] SAYS CRUDE OUTPUT STEADY",
                  "    r-1 body: ...[crude] oil output and [crude] prices...",
                  "    (+3 more snippets)"));
  EXPECT_EQ(FormatSnippetLines(alert, 5).size(), 5u);
  EXPECT_EQ(FormatSnippetLines(alert, 5)[4], "    Oil, Gulf body: ...[Gulf]");
}

TEST(AlertFormatTest, JsonIsOneParsableLine) {
  const std::string line = FormatAlertJson(SampleAlert());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const Json back = Json::parse(line);
  EXPECT_EQ(back, AlertToJson(SampleAlert()));
}

TEST(AlertFormatTest, JsonReplacesInvalidUtf8InTitle) {
  Alert alert = SampleAlert();
  alert.set_title("bad \xff byte");
  const std::string line = FormatAlertJson(alert);
  EXPECT_EQ(Json::parse(line)["title"], "bad \xEF\xBF\xBD byte");
}

TEST(AlertFormatTest, HighlightLines) {
  Article article;
  article.set_title("OPEC SAYS CRUDE OUTPUT STEADY");
  article.set_body("Ministers crude oil output was unchanged.");
  EXPECT_THAT(FormatHighlightLines(SampleAlert(), article),
              ElementsAre("    r-1 title: [OPEC] SAYS CRUDE OUTPUT STEADY",
                          "    r-1 body: Ministers [crude] oil output was "
                          "unchanged."));
}

}  // namespace
}  // namespace nw::client
