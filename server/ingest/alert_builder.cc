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

std::vector<newswatch::v1::Alert> BuildAlerts(
    const newswatch::v1::Article& article,
    const std::vector<index::RuleHit>& hits) {
  std::vector<newswatch::v1::Alert> alerts;
  for (const index::RuleHit& hit : hits) {
    if (alerts.empty() || alerts.back().subscriber() != hit.rule->subscriber) {
      newswatch::v1::Alert& alert = alerts.emplace_back();
      alert.set_subscriber(hit.rule->subscriber);
      alert.set_title(article.title());
      alert.set_source(article.source());
      alert.set_url(article.url());
      if (article.has_published_at())
        *alert.mutable_published_at() = article.published_at();
      *alert.mutable_created_at() = article.ingested_at();
    }
    newswatch::v1::Alert& alert = alerts.back();
    alert.add_rule_ids(hit.rule->id);
    newswatch::v1::RuleMatch* rule_match = alert.add_matches();
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
    for (newswatch::v1::Snippet& snippet :
         BuildSnippets(article.title(), article.body(), hit.highlights)) {
      *rule_match->add_snippets() = std::move(snippet);
    }
  }
  return alerts;
}

}  // namespace nw::ingest
