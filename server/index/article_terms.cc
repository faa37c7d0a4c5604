#include "server/index/article_terms.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace nw::index {

ArticleTerms ArticleTerms::Collect(const match::AnalyzedArticle& article) {
  ArticleTerms t;
  thread_local absl::flat_hash_set<absl::string_view> seen;
  seen.clear();
  for (match::Field field : {match::Field::kTitle, match::Field::kBody}) {
    for (const text::Word& w : article.Words(field)) {
      if (seen.insert(absl::string_view(w.term.data(), w.term.size())).second) {
        t.words.push_back(w.term);
      }
    }
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
