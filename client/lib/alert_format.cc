#include "client/lib/alert_format.h"

#include <algorithm>

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
  std::vector<std::string> rules;
  if (alert.matches_size() > 0) {
    for (const auto& match : alert.matches()) {
      rules.push_back(OneLine(RuleName(match)));
    }
  } else {
    rules.assign(alert.rule_ids().begin(), alert.rule_ids().end());
  }
  return absl::StrCat("#", alert.cursor(), "  ", published, "  ",
                      alert.source().empty() ? "-" : alert.source(), "  ",
                      alert.article_id(), "  ", title, "  [",
                      absl::StrJoin(rules, ", "), "]");
}

absl::string_view RuleName(const newswatch::v1::RuleMatch& match) {
  return match.label().empty() ? match.rule_id() : match.label();
}

bool HasSnippets(const Alert& alert) {
  for (const auto& match : alert.matches()) {
    if (match.snippets_size() > 0) return true;
  }
  return false;
}

std::vector<std::string> FormatSnippetLines(const Alert& alert,
                                            size_t max_lines) {
  std::vector<std::string> lines;
  size_t total = 0;
  for (const auto& match : alert.matches()) total += match.snippets_size();
  // Room for the "(+N more)" line when not all fit.
  const size_t shown =
      total <= max_lines ? total : (max_lines > 0 ? max_lines - 1 : 0);
  for (const auto& match : alert.matches()) {
    for (const newswatch::v1::Snippet& s : match.snippets()) {
      if (lines.size() == shown) break;
      std::string text = s.begin() > 0 ? "..." : "";
      size_t at = 0;
      for (const Highlight& h : s.highlights()) {
        const size_t begin = std::clamp<size_t>(h.begin(), at, s.text().size());
        const size_t end = std::clamp<size_t>(h.end(), begin, s.text().size());
        absl::StrAppend(&text, OneLine(s.text().substr(at, begin - at)), "[",
                        OneLine(s.text().substr(begin, end - begin)), "]");
        at = end;
      }
      absl::StrAppend(&text, OneLine(s.text().substr(at)),
                      s.more_after() ? "..." : "");
      lines.push_back(absl::StrCat("    ", OneLine(RuleName(match)), " ",
                                   HighlightFieldName(s.field()), ": ", text));
    }
  }
  if (shown < total && max_lines > 0) {
    lines.push_back(absl::StrCat("    (+", total - shown, " more snippets)"));
  }
  return lines;
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
  json["url"] = alert.url();
  json["rule_ids"] = Json::array();
  for (const std::string& id : alert.rule_ids()) json["rule_ids"].push_back(id);
  json["matches"] = Json::array();
  for (const auto& match : alert.matches()) {
    Json highlights = Json::array();
    for (const Highlight& h : match.highlights()) {
      highlights.push_back(
          Json::array({HighlightFieldName(h.field()), h.begin(), h.end()}));
    }
    Json snippets = Json::array();
    for (const newswatch::v1::Snippet& s : match.snippets()) {
      Json ranges = Json::array();
      for (const Highlight& h : s.highlights()) {
        ranges.push_back(Json::array({h.begin(), h.end()}));
      }
      Json snippet;
      snippet["field"] = HighlightFieldName(s.field());
      snippet["text"] = s.text();
      snippet["begin"] = s.begin();
      snippet["more_after"] = s.more_after();
      snippet["highlights"] = std::move(ranges);
      snippets.push_back(std::move(snippet));
    }
    Json m;
    m["rule_id"] = match.rule_id();
    m["label"] = match.label();
    m["highlights"] = std::move(highlights);
    m["snippets"] = std::move(snippets);
    json["matches"].push_back(std::move(m));
  }
  return json;
}

std::string FormatAlertJson(const Alert& alert) {
  return AlertToJson(alert).dump(-1, ' ', false,
                                 Json::error_handler_t::replace);
}

}  // namespace nw::client
