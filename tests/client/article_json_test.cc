#include "client/lib/article_json.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kLine[] =
    R"({"id": "reuters-21578-10", "source": "reuters-21578", )"
    R"("title": "COMPUTER TERMINAL <CPML>", "body": "Computer Terminal\n Reuter\u0003", )"
    R"("published": "1987-02-26T15:18:06.67", "topics": ["acq"], )"
    R"("places": ["usa", "switzerland"], "lang": "en"})";

TEST(ArticleJsonTest, ReadsEveryField) {
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(kLine, "x:1");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->id(), "reuters-21578-10");
  EXPECT_EQ(a->source(), "reuters-21578");
  EXPECT_EQ(a->title(), "COMPUTER TERMINAL <CPML>");
  EXPECT_EQ(a->body(), std::string("Computer Terminal\n Reuter\x03"));
  EXPECT_EQ(a->lang(), "en");
  EXPECT_EQ(a->url(), "");
  EXPECT_THAT(a->tags(), ElementsAre("acq", "usa", "switzerland"));
  ASSERT_TRUE(a->has_published_at());
  // 1987-02-26T15:18:06Z is 541351086 s after the epoch.
  EXPECT_EQ(a->published_at().seconds(), 541351086);
  EXPECT_EQ(a->published_at().nanos(), 670000000);
}

TEST(ArticleJsonTest, OptionalUrlAndTagsAndDuplicatesDropped) {
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(
      R"({"title": "t", "body": "b", "url": "https://e.com/a", )"
      R"("topics": ["oil"], "places": ["oil", "iran"], "tags": ["x", "iran"]})",
      "x:2");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->url(), "https://e.com/a");
  EXPECT_THAT(a->tags(), ElementsAre("oil", "iran", "x"));
  EXPECT_EQ(a->id(), "https://e.com/a");  // no id: the url is one
}

TEST(ArticleJsonTest, EmptyPublishedLeavesTimestampUnset) {
  absl::StatusOr<newswatch::v1::Article> a =
      ParseArticleJson(R"({"body": "b", "published": ""})", "x:3");
  ASSERT_THAT(a, IsOk());
  EXPECT_FALSE(a->has_published_at());
  a = ParseArticleJson(R"({"body": "b"})", "x:3");
  ASSERT_THAT(a, IsOk());
  EXPECT_FALSE(a->has_published_at());
}

TEST(ArticleJsonTest, DateFormats) {
  struct Case {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  };
  const Case cases[] = {
      {"2021-02-23", 1614038400, 0},
      {"1970-01-01T00:00", 0, 0},
      {"1987-02-26T15:01:01.79", 541350061, 790000000},
      {"1987-02-26T15:01:01.7", 541350061, 700000000},
      {"1987-02-26T15:01:01", 541350061, 0},
      {"1987-02-26 15:01:01.123456789", 541350061, 123456789},
      {"1987-02-26T15:01:01Z", 541350061, 0},
      {"2024-02-29", 1709164800, 0},
      // RFC 3339 offsets: the same instant as 1987-02-26T15:01:01Z.
      {"1987-02-26T17:01:01+02:00", 541350061, 0},
      {"1987-02-26T10:01:01.5-0500", 541350061, 500000000},
  };
  for (const Case& c : cases) {
    absl::StatusOr<google::protobuf::Timestamp> ts = ParseIsoTimestamp(c.text);
    ASSERT_THAT(ts, IsOk()) << c.text << ": " << ts.status();
    EXPECT_EQ(ts->seconds(), c.seconds) << c.text;
    EXPECT_EQ(ts->nanos(), c.nanos) << c.text;
  }
}

TEST(ArticleJsonTest, BadDates) {
  for (const char* text :
       {"", "1987", "1987-02", "1987-2-26", "1987-02-30", "2023-02-29",
        "1987-13-01", "1987-02-26T25:00", "1987-02-26T15",
        "1987-02-26T15:01:", "1987-02-26T15:01:01.",
        "1987-02-26T15:01:01.1234567890", "1987-02-26T15:01:01+25:00",
        "2021-02-23+02:00", "26-FEB-1987", "1987-02-26x"}) {
    EXPECT_FALSE(ParseIsoTimestamp(text).ok()) << text;
  }
}

TEST(ArticleJsonTest, Rfc822Dates) {
  struct Case {
    const char* text;
    int64_t seconds;
  };
  // All 1987-02-26T15:01:01Z (541350061), as RSS feeds write it.
  const Case cases[] = {
      {"Thu, 26 Feb 1987 15:01:01 GMT", 541350061},
      {"Thu, 26 Feb 1987 10:01:01 EST", 541350061},
      {"26 Feb 1987 17:01:01 +0200", 541350061},
      {"Thu,26 Feb 87 15:01:01 Z", 541350061},
      {"Thu, 26 February 1987 15:01 UT", 541350060},
  };
  for (const Case& c : cases) {
    absl::StatusOr<google::protobuf::Timestamp> ts =
        ParseArticleTimestamp(c.text);
    ASSERT_THAT(ts, IsOk()) << c.text << ": " << ts.status();
    EXPECT_EQ(ts->seconds(), c.seconds) << c.text;
  }
  for (const char* text :
       {"Thu, 26 Feb 1987 15:01:01",
        "Thu, 30 Feb 1987 "
        "15:01:01 GMT",
        "26 Fob 1987 15:01 GMT", "26 Feb 1987 15:01 XYZ", "yesterday"}) {
    EXPECT_FALSE(ParseArticleTimestamp(text).ok()) << text;
  }
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(
      R"({"body": "b", "published": "Thu, 26 Feb 1987 15:01:01 GMT"})", "x:1");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->published_at().seconds(), 541350061);
}

TEST(ArticleJsonTest, UnknownKeysWarnWithTheClosestName) {
  std::vector<std::string> warnings;
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(
      R"({"id": "a", "titel": "t", "body": "b", "zzz": 1, "sequence": 3})",
      "f.jsonl:4", &warnings);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->title(), "");
  EXPECT_THAT(warnings,
              ElementsAre("f.jsonl:4: unknown key \"titel\" ignored (did you "
                          "mean \"title\"?)",
                          "f.jsonl:4: unknown key \"zzz\" ignored"));
}

TEST(ArticleJsonTest, IdLessArticlesGetAStableId) {
  const char* line = R"({"title": "t", "body": "b", "source": "s"})";
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(line, "x:1");
  absl::StatusOr<newswatch::v1::Article> again = ParseArticleJson(line, "y:9");
  ASSERT_TRUE(a.ok() && again.ok());
  EXPECT_THAT(a->id(), ::testing::StartsWith("sha256-"));
  EXPECT_EQ(a->id().size(), 7u + 32u);
  EXPECT_EQ(a->id(), again->id());
  absl::StatusOr<newswatch::v1::Article> other =
      ParseArticleJson(R"({"title": "t", "body": "c", "source": "s"})", "x:2");
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->id(), a->id());
  absl::StatusOr<newswatch::v1::Article> given =
      ParseArticleJson(R"({"id": "mine", "url": "https://e.com/a"})", "x:3");
  ASSERT_THAT(given, IsOk());
  EXPECT_EQ(given->id(), "mine");
}

TEST(ArticleJsonTest, BadPublishedNamesLineAndField) {
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(
      R"({"body": "b", "published": "yesterday"})", "f.jsonl:7");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("f.jsonl:7"));
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("published"));
}

TEST(ArticleJsonTest, BadJsonNamesTheLine) {
  for (const char* line : {"{\"id\": ", "not json", "", "{\"id\": \"a\"} x"}) {
    absl::StatusOr<newswatch::v1::Article> a =
        ParseArticleJson(line, "news.jsonl:42");
    ASSERT_FALSE(a.ok()) << line;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(a.status().message()),
                HasSubstr("news.jsonl:42: invalid JSON"));
  }
}

TEST(ArticleJsonTest, InvalidUtf8IsBadJson) {
  EXPECT_FALSE(ParseArticleJson("{\"title\": \"\xff\"}", "x:1").ok());
}

TEST(ArticleJsonTest, WrongTypes) {
  for (const char* line :
       {R"([1, 2])", R"("text")", R"({"title": 5})", R"({"topics": "acq"})",
        R"({"places": [1]})", R"({"published": 1987})"}) {
    absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(line, "x:9");
    ASSERT_FALSE(a.ok()) << line;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_THAT(std::string(a.status().message()), HasSubstr("x:9")) << line;
  }
}

TEST(ArticleJsonTest, NullFieldsAreEmpty) {
  absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(
      R"({"title": null, "body": "b", "topics": null, "unknown": {"a": 1}})",
      "x:1");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->title(), "");
  EXPECT_TRUE(a->tags().empty());
}

TEST(ArticleJsonTest, EveryLineOfTheTestDataParses) {
  const char* dir = std::getenv("NW_TEST_DATA");
  if (dir == nullptr) GTEST_SKIP() << "NW_TEST_DATA not set";
  for (const char* name : {"reuters-tm-70.jsonl", "seed-article.jsonl"}) {
    std::ifstream in(std::string(dir) + "/" + name);
    ASSERT_TRUE(in) << name;
    std::string line;
    int count = 0;
    while (std::getline(in, line)) {
      absl::StatusOr<newswatch::v1::Article> a = ParseArticleJson(line, name);
      ASSERT_THAT(a, IsOk());
      EXPECT_FALSE(a->body().empty());
      EXPECT_TRUE(a->has_published_at()) << a->id();
      ++count;
    }
    EXPECT_GT(count, 0);
  }
}

TEST(ArticleJsonTest, TimestampRoundTrip) {
  absl::StatusOr<google::protobuf::Timestamp> ts =
      ParseIsoTimestamp("1987-02-26T15:01:01.79");
  ASSERT_THAT(ts, IsOk());
  EXPECT_EQ(FormatTimestamp(*ts), "1987-02-26T15:01:01.79Z");
  ts = ParseIsoTimestamp("2021-02-23");
  ASSERT_THAT(ts, IsOk());
  EXPECT_EQ(FormatTimestamp(*ts), "2021-02-23T00:00:00Z");
}

TEST(ArticleJsonTest, ArticleToJsonShape) {
  newswatch::v1::Article a;
  a.set_id("a-1");
  a.set_sequence(7);
  a.set_title("T");
  a.add_tags("oil");
  a.mutable_ingested_at()->set_seconds(0);
  nlohmann::ordered_json j = ArticleToJson(a);
  EXPECT_EQ(j["id"], "a-1");
  EXPECT_EQ(j["sequence"], 7);
  EXPECT_EQ(j["tags"], nlohmann::ordered_json::array({"oil"}));
  EXPECT_TRUE(j["published_at"].is_null());
  EXPECT_EQ(j["ingested_at"], "1970-01-01T00:00:00Z");
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  EXPECT_THAT(keys,
              ElementsAre("id", "sequence", "source", "title", "body", "url",
                          "lang", "tags", "published_at", "ingested_at"));
}

}  // namespace
}  // namespace nw::client
