#include "server/ingest/alert_builder.h"

#include <string_view>

#include "server/ingest/snippets.h"

namespace nw::ingest {

match::AnalyzedArticle AnalyzeArticle(const newswatch::v1::Article& article) {
  std::vector<std::string_view> tags(article.tags().begin(),
                                     article.tags().end());
  return match::AnalyzedArticle::Analyze({.title = article.title(),
                                          .body = article.body(),
                                          .source = article.source(),
                                          .lang = article.lang(),
                                          .tags = std::move(tags)});
}

std::vector<newswatch::v1::Alert> BuildCompactAlerts(
    const newswatch::v1::Article& article,
    const std::vector<index::RuleHit>& hits) {
  std::vector<newswatch::v1::Alert> alerts;
  for (const index::RuleHit& hit : hits) {
    if (alerts.empty() || alerts.back().subscriber() != hit.rule->subscriber) {
      newswatch::v1::Alert& alert = alerts.emplace_back();
      alert.set_subscriber(hit.rule->subscriber);
      *alert.mutable_created_at() = article.ingested_at();
    }
    newswatch::v1::RuleMatch* rule_match = alerts.back().add_matches();
    rule_match->set_rule_id(hit.rule->id);
    rule_match->set_label(hit.rule->label);
    for (const match::Highlight& h : hit.highlights) {
      newswatch::v1::Highlight* out = rule_match->add_highlights();
      out->set_field(h.field == match::Field::kTitle
                         ? newswatch::v1::Highlight::TITLE
                         : newswatch::v1::Highlight::BODY);
      out->set_begin(h.begin);
      out->set_end(h.end);
    }
  }
  return alerts;
}

void CompleteAlert(const newswatch::v1::Article& article,
                   newswatch::v1::Alert& alert) {
  alert.set_title(article.title());
  alert.set_source(article.source());
  alert.set_url(article.url());
  if (article.has_published_at()) {
    *alert.mutable_published_at() = article.published_at();
  } else {
    alert.clear_published_at();
  }
  alert.clear_rule_ids();
  std::vector<match::Highlight> highlights;
  for (newswatch::v1::RuleMatch& rule_match : *alert.mutable_matches()) {
    alert.add_rule_ids(rule_match.rule_id());
    highlights.clear();
    for (const newswatch::v1::Highlight& h : rule_match.highlights()) {
      highlights.push_back(
          {.field = h.field() == newswatch::v1::Highlight::TITLE
                        ? match::Field::kTitle
                        : match::Field::kBody,
           .begin = h.begin(),
           .end = h.end()});
    }
    rule_match.clear_snippets();
    for (newswatch::v1::Snippet& snippet :
         BuildSnippets(article.title(), article.body(), highlights)) {
      *rule_match.add_snippets() = std::move(snippet);
    }
  }
}

std::vector<newswatch::v1::Alert> BuildAlerts(
    const newswatch::v1::Article& article,
    const std::vector<index::RuleHit>& hits) {
  std::vector<newswatch::v1::Alert> alerts = BuildCompactAlerts(article, hits);
  for (newswatch::v1::Alert& alert : alerts) CompleteAlert(article, alert);
  return alerts;
}

}  // namespace nw::ingest
