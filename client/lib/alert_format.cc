#include "client/lib/alert_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/lib/article_json.h"
#include "client/lib/text_render.h"

namespace nw::client {

using ::newswatch::v1::Alert;
using ::newswatch::v1::Article;
using ::newswatch::v1::Highlight;
using Json = nlohmann::ordered_json;

absl::string_view HighlightFieldName(Highlight::Field field) {
  switch (field) {
    case Highlight::TITLE:
      return "title";
    case Highlight::BODY:
      return "body";
    default:
      return "unspecified";
  }
}

std::string FormatAlertLine(const Alert& alert) {
  const std::string published = alert.has_published_at()
                                    ? FormatTimestamp(alert.published_at())
                                    : std::string("-");
  const std::string title = alert.title().empty() ? std::string("(no title)")
                                                  : OneLine(alert.title());
  return absl::StrCat("#", alert.cursor(), "  ", published, "  ",
                      alert.source().empty() ? "-" : alert.source(), "  ",
                      alert.article_id(), "  ", title, "  [",
                      absl::StrJoin(alert.rule_ids(), " "), "]");
}

std::vector<std::string> FormatHighlightLines(const Alert& alert,
                                              const Article& article) {
  std::vector<std::string> lines;
  for (const auto& match : alert.matches()) {
    for (const Highlight& h : match.highlights()) {
      const std::string& text =
          h.field() == Highlight::TITLE ? article.title() : article.body();
      lines.push_back(absl::StrCat("    ", match.rule_id(), " ",
                                   HighlightFieldName(h.field()), ": ",
                                   RenderSnippet(text, h.begin(), h.end())));
    }
  }
  return lines;
}

Json AlertToJson(const Alert& alert) {
  const auto time_or_null = [](bool has, const auto& ts) {
    return has ? Json(FormatTimestamp(ts)) : Json(nullptr);
  };
  Json json;
  json["cursor"] = alert.cursor();
  json["subscriber"] = alert.subscriber();
  json["article_id"] = alert.article_id();
  json["article_sequence"] = alert.article_sequence();
  json["title"] = alert.title();
  json["source"] = alert.source();
  json["published_at"] =
      time_or_null(alert.has_published_at(), alert.published_at());
  json["created_at"] = time_or_null(alert.has_created_at(), alert.created_at());
  json["backfill"] = alert.backfill();
  json["rule_ids"] = Json::array();
  for (const std::string& id : alert.rule_ids()) json["rule_ids"].push_back(id);
  json["matches"] = Json::array();
  for (const auto& match : alert.matches()) {
    Json highlights = Json::array();
    for (const Highlight& h : match.highlights()) {
      highlights.push_back(
          Json::array({HighlightFieldName(h.field()), h.begin(), h.end()}));
    }
    Json m;
    m["rule_id"] = match.rule_id();
    m["highlights"] = std::move(highlights);
    json["matches"].push_back(std::move(m));
  }
  return json;
}

std::string FormatAlertJson(const Alert& alert) {
  return AlertToJson(alert).dump(-1, ' ', false,
                                 Json::error_handler_t::replace);
}

}  // namespace nw::client
