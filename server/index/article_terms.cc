#include "server/index/article_terms.h"

namespace nw::index {

ArticleTerms ArticleTerms::Collect(const match::AnalyzedArticle& article) {
  ArticleTerms t;
  t.words = article.Terms();
  t.word_ids = article.TermIds();
  t.word_hashes = article.TermHashes();
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
