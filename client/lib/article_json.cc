#include "client/lib/article_json.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

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
  std::string published;
  absl::Status status = ReadString(object, "published", location, &published);
  if (!status.ok()) return status;
  if (!published.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> ts =
        ParseIsoTimestamp(published);
    if (!ts.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          location, ": field \"published\": ", ts.status().message()));
    }
    *article.mutable_published_at() = *ts;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Article> ParseArticleJson(absl::string_view line,
                                         absl::string_view location) {
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
  if (pos < text.size() && text[pos] == 'Z') ++pos;
  if (pos != text.size()) return bad("unexpected trailing characters");
  if (hour > 23 || minute > 59 || second > 59) return bad("time out of range");
  const absl::CivilSecond civil(*year, *month, *day, hour, minute, second);
  if (civil.year() != *year || civil.month() != *month || civil.day() != *day) {
    return bad("no such day");
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())));
  ts.set_nanos(nanos);
  return ts;
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
