#include "client/lib/article_json.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/auth/token_hash.h"
#include "server/base/closest_name.h"

namespace nw::client {
namespace {

using ::newswatch::v1::Article;
using Json = nlohmann::json;

// Reads exactly `n` ASCII digits at `pos`, advancing it.
std::optional<int> ReadDigits(absl::string_view text, size_t& pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool Expect(absl::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// The date and time at `offset_seconds` east of UTC, as a Timestamp;
// `bad(why)` for a day that does not exist.
template <typename Bad>
absl::StatusOr<google::protobuf::Timestamp> CivilToTimestamp(
    int year, int month, int day, int hour, int minute, int second,
    int32_t nanos, int offset_seconds, const Bad& bad) {
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day) {
    return bad("no such day");
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())) -
      offset_seconds);
  ts.set_nanos(nanos);
  return ts;
}

// RFC 822 zones: "+0200", "-0500", "GMT", "UT", "UTC", "Z" and the US
// names; seconds east of UTC.
std::optional<int> Rfc822ZoneOffset(absl::string_view zone) {
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    size_t pos = 1;
    auto h = ReadDigits(zone, pos, 2);
    auto m = ReadDigits(zone, pos, 2);
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    return (zone[0] == '-' ? -1 : 1) * (*h * 3600 + *m * 60);
  }
  static constexpr struct {
    absl::string_view name;
    int hours;
  } kZones[] = {{"GMT", 0},  {"UT", 0},   {"UTC", 0},  {"Z", 0},
                {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
  for (const auto& z : kZones) {
    if (absl::EqualsIgnoreCase(zone, z.name)) return z.hours * 3600;
  }
  return std::nullopt;
}

// Strips nlohmann's "[json.exception.parse_error.101] " prefix.
absl::string_view JsonErrorText(absl::string_view what) {
  if (!what.empty() && what.front() == '[') {
    const size_t close = what.find("] ");
    if (close != absl::string_view::npos) what.remove_prefix(close + 2);
  }
  return what;
}

absl::Status FieldError(absl::string_view location, absl::string_view key,
                        absl::string_view want) {
  return absl::InvalidArgumentError(
      absl::StrCat(location, ": field \"", key, "\" must be ", want));
}

// Reads an optional string field (null counts as empty).
absl::Status ReadString(const Json& object, const char* key,
                        absl::string_view location, std::string* out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return FieldError(location, key, "a string");
  *out = it->get_ref<const std::string&>();
  return absl::OkStatus();
}

// `seen`: the tags already added, so a long tag list stays linear.
absl::Status AppendTags(const Json& object, const char* key,
                        absl::string_view location, Article& article,
                        absl::flat_hash_set<std::string>& seen) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) return FieldError(location, key, "an array of strings");
  for (const Json& tag : *it) {
    if (!tag.is_string()) {
      return FieldError(location, key, "an array of strings");
    }
    const std::string& value = tag.get_ref<const std::string&>();
    if (value.empty()) continue;
    if (seen.insert(value).second) article.add_tags(value);
  }
  return absl::OkStatus();
}

absl::Status FillArticle(const Json& object, absl::string_view location,
                         Article& article) {
  struct StringField {
    const char* key;
    std::string* out;
  };
  const StringField fields[] = {
      {"id", article.mutable_id()},       {"source", article.mutable_source()},
      {"title", article.mutable_title()}, {"body", article.mutable_body()},
      {"url", article.mutable_url()},     {"lang", article.mutable_lang()},
  };
  for (const StringField& field : fields) {
    absl::Status status = ReadString(object, field.key, location, field.out);
    if (!status.ok()) return status;
  }
  absl::flat_hash_set<std::string> seen(article.tags().begin(),
                                        article.tags().end());
  for (const char* key : {"topics", "places", "tags"}) {
    absl::Status status = AppendTags(object, key, location, article, seen);
    if (!status.ok()) return status;
  }
  // "published_at" is what `newswatch get` prints.
  for (const char* key : {"published", "published_at"}) {
    std::string published;
    absl::Status status = ReadString(object, key, location, &published);
    if (!status.ok()) return status;
    if (published.empty()) continue;
    absl::StatusOr<google::protobuf::Timestamp> ts =
        ParseArticleTimestamp(published);
    if (!ts.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          location, ": field \"", key, "\": ", ts.status().message()));
    }
    *article.mutable_published_at() = *ts;
  }
  if (article.id().empty()) article.set_id(StableArticleId(article));
  return absl::OkStatus();
}

// Keys read above, and those `newswatch get` prints that submit ignores.
constexpr absl::string_view kKnownKeys[] = {
    "id",           "source",   "title",      "body", "url",
    "lang",         "topics",   "places",     "tags", "published",
    "published_at", "sequence", "ingested_at"};

void WarnUnknownKeys(const Json& object, absl::string_view location,
                     std::vector<std::string>& warnings) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) !=
        std::end(kKnownKeys)) {
      continue;
    }
    std::vector<absl::string_view> known(std::begin(kKnownKeys),
                                         std::end(kKnownKeys));
    const std::string closest = base::ClosestName(key, known);
    warnings.push_back(absl::StrCat(
        location, ": unknown key \"", key, "\" ignored",
        closest.empty() ? ""
                        : absl::StrCat(" (did you mean \"", closest, "\"?)")));
  }
}

}  // namespace

std::string StableArticleId(const Article& article) {
  if (!article.url().empty() && article.url().size() <= 200) {
    return article.url();
  }
  std::string content = absl::StrCat(article.source(), "\n", article.title(),
                                     "\n", article.body(), "\n");
  if (article.has_published_at()) {
    absl::StrAppend(&content, article.published_at().seconds(), ".",
                    article.published_at().nanos());
  }
  return absl::StrCat("sha256-", auth::Sha256Hex(content).substr(0, 32));
}

absl::StatusOr<Article> ParseArticleJson(absl::string_view line,
                                         absl::string_view location,
                                         std::vector<std::string>* warnings) {
  Json object;
  try {
    object = Json::parse(line.begin(), line.end());
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(location, ": invalid JSON: ", JsonErrorText(e.what())));
  }
  if (!object.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        location, ": expected a JSON object, got ", object.type_name()));
  }
  Article article;
  absl::Status status = FillArticle(object, location, article);
  if (!status.ok()) return status;
  if (warnings != nullptr) WarnUnknownKeys(object, location, *warnings);
  return article;
}

absl::StatusOr<google::protobuf::Timestamp> ParseIsoTimestamp(
    absl::string_view text) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad date \"", text, "\": ", why,
                     " (want YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]])"));
  };
  size_t pos = 0;
  auto year = ReadDigits(text, pos, 4);
  if (!year || !Expect(text, pos, '-')) return bad("no year");
  auto month = ReadDigits(text, pos, 2);
  if (!month || !Expect(text, pos, '-')) return bad("no month");
  auto day = ReadDigits(text, pos, 2);
  if (!day) return bad("no day");
  int hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    auto h = ReadDigits(text, pos, 2);
    if (!h || !Expect(text, pos, ':')) return bad("no hour");
    auto m = ReadDigits(text, pos, 2);
    if (!m) return bad("no minute");
    hour = *h;
    minute = *m;
    if (Expect(text, pos, ':')) {
      auto s = ReadDigits(text, pos, 2);
      if (!s) return bad("no second");
      second = *s;
      if (Expect(text, pos, '.') || Expect(text, pos, ',')) {
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (++digits > 9) return bad("fraction longer than 9 digits");
          nanos = nanos * 10 + (text[pos++] - '0');
        }
        if (digits == 0) return bad("empty fraction");
        for (int i = digits; i < 9; ++i) nanos *= 10;
      }
    }
  }
  int offset_seconds = 0;  // east of UTC
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-') &&
             pos > 10) {
    const int sign = text[pos++] == '-' ? -1 : 1;
    auto oh = ReadDigits(text, pos, 2);
    Expect(text, pos, ':');  // "+02:00" or "+0200"
    auto om = ReadDigits(text, pos, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return bad("bad UTC offset");
    offset_seconds = sign * (*oh * 3600 + *om * 60);
  }
  if (pos != text.size()) return bad("unexpected trailing characters");
  if (hour > 23 || minute > 59 || second > 59) return bad("time out of range");
  return CivilToTimestamp(*year, *month, *day, hour, minute, second, nanos,
                          offset_seconds, bad);
}

absl::StatusOr<google::protobuf::Timestamp> ParseRfc822Timestamp(
    absl::string_view text) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad date \"", text, "\": ", why,
        " (want RFC 822, e.g. \"Tue, 23 Feb 2021 10:00:00 GMT\")"));
  };
  std::vector<absl::string_view> parts =
      absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  // An optional day name: "Tue," (the comma may stand apart).
  if (!parts.empty() && absl::ascii_isalpha(parts[0].front())) {
    const size_t comma = parts[0].find(',');
    if (comma != absl::string_view::npos && comma + 1 < parts[0].size()) {
      parts[0].remove_prefix(comma + 1);  // "Thu,26"
    } else {
      parts.erase(parts.begin());
      if (!parts.empty() && parts[0] == ",") parts.erase(parts.begin());
    }
  }
  if (parts.size() != 5) return bad("want [day,] DD Mon YYYY HH:MM[:SS] ZONE");
  int day = 0, year = 0;
  if (!absl::SimpleAtoi(parts[0], &day)) return bad("no day of the month");
  static constexpr absl::string_view kMonths[] = {"jan", "feb", "mar", "apr",
                                                  "may", "jun", "jul", "aug",
                                                  "sep", "oct", "nov", "dec"};
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (absl::EqualsIgnoreCase(parts[1].substr(0, 3), kMonths[m]) &&
        parts[1].size() >= 3) {
      month = m + 1;
    }
  }
  if (month == 0) return bad("no month name");
  if (!absl::SimpleAtoi(parts[2], &year)) return bad("no year");
  if (parts[2].size() == 2) year += year < 50 ? 2000 : 1900;  // RFC 822 "87"
  size_t pos = 0;
  const absl::string_view time = parts[3];
  auto h = ReadDigits(time, pos, 2);
  if (!h || !Expect(time, pos, ':')) return bad("no hour");
  auto m = ReadDigits(time, pos, 2);
  if (!m) return bad("no minute");
  int second = 0;
  if (Expect(time, pos, ':')) {
    auto sec = ReadDigits(time, pos, 2);
    if (!sec) return bad("no second");
    second = *sec;
  }
  if (pos != time.size()) return bad("bad time of day");
  if (*h > 23 || *m > 59 || second > 60) return bad("time out of range");
  std::optional<int> offset = Rfc822ZoneOffset(parts[4]);
  if (!offset) return bad("unknown time zone");
  return CivilToTimestamp(year, month, day, *h, *m, std::min(second, 59), 0,
                          *offset, bad);
}

absl::StatusOr<google::protobuf::Timestamp> ParseArticleTimestamp(
    absl::string_view text) {
  absl::StatusOr<google::protobuf::Timestamp> iso = ParseIsoTimestamp(text);
  if (iso.ok() || text.empty() ||
      (absl::ascii_isdigit(text.front()) && text.size() > 4 &&
       absl::ascii_isdigit(text[3]))) {
    return iso;  // "2021-..." is meant as ISO: keep its error
  }
  return ParseRfc822Timestamp(text);
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  const absl::Time t =
      absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

nlohmann::ordered_json ArticleToJson(const Article& article) {
  nlohmann::ordered_json json;
  json["id"] = article.id();
  json["sequence"] = article.sequence();
  json["source"] = article.source();
  json["title"] = article.title();
  json["body"] = article.body();
  json["url"] = article.url();
  json["lang"] = article.lang();
  json["tags"] = nlohmann::ordered_json::array();
  for (const std::string& tag : article.tags()) json["tags"].push_back(tag);
  json["published_at"] =
      article.has_published_at()
          ? nlohmann::ordered_json(FormatTimestamp(article.published_at()))
          : nlohmann::ordered_json(nullptr);
  json["ingested_at"] =
      article.has_ingested_at()
          ? nlohmann::ordered_json(FormatTimestamp(article.ingested_at()))
          : nlohmann::ordered_json(nullptr);
  return json;
}

}  // namespace nw::client
