#include "server/index/article_terms.h"

namespace nw::index {

ArticleTerms ArticleTerms::Collect(const match::AnalyzedArticle& article) {
  ArticleTerms t;
  t.words.reserve(article.TermCount());
  t.word_ids.reserve(article.TermCount());
  for (uint32_t id = 0; id < article.TermCount(); ++id) {
    t.words.push_back(article.Term(id));
    t.word_ids.push_back(id);
  }
  t.source = article.source();
  for (const std::string& tag : article.tags()) t.tags.push_back(tag);
  const std::string_view lang = article.lang();
  t.langs.push_back(lang);
  for (size_t i = 0; i < lang.size(); ++i) {
    if (lang[i] == '-') t.langs.push_back(lang.substr(0, i));
  }
  return t;
}

}  // namespace nw::index
