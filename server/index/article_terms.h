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

#include <cstdint>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "server/match/analyzed_article.h"

namespace nw::index {

// Views of the article's own arrays, and small inline lists: collecting costs
// no allocation.
struct ArticleTerms {
  absl::Span<const std::string_view> words;  // distinct normalized words
  absl::Span<const uint32_t>
      word_ids;  // AnalyzedArticle term id of each of `words`
  // match::TermHash()(words[i]) (the article's term table computed it); each
  // word has 16 readable bytes from its start (the article pads its terms).
  absl::Span<const uint64_t> word_hashes;
  std::string_view source;
  absl::InlinedVector<std::string_view, 4> tags;
  absl::InlinedVector<std::string_view, 4>
      langs;  // the lang and its prefixes before each '-'

  static ArticleTerms Collect(const match::AnalyzedArticle& article);
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_ARTICLE_TERMS_H_
