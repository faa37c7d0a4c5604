// File: server/index/article_terms.h
//
// What the presearcher looks up for one article: its distinct words (title and
// body together: field scopes are left to verification), its normalized source
// and tags, and every language a `lang:` value could match (`en-gb` gives
// `en-gb` and `en`). Collected once per article and shared by every index
// segment.
//
// Thread safety: immutable after construction. Views into the AnalyzedArticle,
// which must outlive this object.
#ifndef NW_SERVER_INDEX_ARTICLE_TERMS_H_
#define NW_SERVER_INDEX_ARTICLE_TERMS_H_

#include <string_view>
#include <vector>

#include "server/match/analyzed_article.h"

namespace nw::index {

struct ArticleTerms {
  std::vector<std::string_view> words;  // distinct normalized words
  std::vector<uint32_t> word_ids;  // AnalyzedArticle term id of each of `words`
  std::string_view source;
  std::vector<std::string_view> tags;
  std::vector<std::string_view>
      langs;  // the lang and its prefixes before each '-'

  static ArticleTerms Collect(const match::AnalyzedArticle& article);
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_ARTICLE_TERMS_H_
