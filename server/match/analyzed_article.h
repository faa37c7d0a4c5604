// File: server/match/analyzed_article.h
//
// An article analyzed once (rule-language.md §1) and then shared read-only by every
// rule evaluation: per text field, its words by position and an index from term to
// positions (hash for exact terms, sorted for prefixes); normalized metadata.
//
// Thread safety: immutable after Analyze(); share freely across threads.
#ifndef NW_SERVER_MATCH_ANALYZED_ARTICLE_H_
#define NW_SERVER_MATCH_ANALYZED_ARTICLE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "server/text/analyzer.h"

namespace nw::match {

enum class Field { kTitle = 1, kBody = 2 };

// The article as received. Every string must be valid UTF-8 (callers check).
// Members default to empty, so designated initializers may name only some.
struct ArticleText {
  std::string_view title = {}, body = {}, source = {}, lang = {};
  std::vector<std::string_view> tags = {};
};

class AnalyzedArticle {
 public:
  // Analyzes title and body into words (spec §1) and normalizes source and tags
  // (nfkc_cf) and lang (ASCII lower case), as spec §2 compares them. Owns copies of
  // everything it needs: `article` may die afterwards.
  static AnalyzedArticle Analyze(const ArticleText& article);

  // Positions of a term in each field: [0] title, [1] body, each sorted ascending.
  using FieldPositions = std::array<std::vector<uint32_t>, 2>;

  // Sorted ascending positions at which `term` (normalized) occurs in `field`;
  // nullptr if it does not occur there.
  const std::vector<uint32_t>* Positions(Field field, std::string_view term) const;
  // The positions of `term` in both fields with one lookup; nullptr if it occurs in
  // neither.
  const FieldPositions* AllPositions(std::string_view term) const;

  // Calls `fn` with the positions of every distinct word of `field` that starts with
  // `prefix` (normalized; byte-wise, which for UTF-8 is by code points).
  void ForEachPrefixMatch(Field field, std::string_view prefix,
                          absl::FunctionRef<void(const std::vector<uint32_t>&)> fn) const;

  // The words of `field` by position (word i has position i).
  const std::vector<text::Word>& Words(Field field) const {
    return words_[Slot(field)];
  }

  // The number of distinct words of the article (title and body together), and the
  // i-th of them in byte-wise sorted order (for the rule index's presearcher).
  size_t TermCount() const { return sorted_terms_.size(); }
  std::string_view Term(size_t i) const { return sorted_terms_[i].first; }

  const std::string& source() const { return source_; }  // nfkc_cf
  const std::string& lang() const { return lang_; }      // ASCII lower case
  const std::vector<std::string>& tags() const { return tags_; }  // nfkc_cf

 private:
  static size_t Slot(Field field) { return field == Field::kTitle ? 0 : 1; }
  void AddField(Field field, std::string_view text);

  // One index over both fields, so that a term costs one hash lookup.
  std::array<std::vector<text::Word>, 2> words_;
  std::vector<FieldPositions> postings_;  // by term id
  absl::flat_hash_map<std::string, uint32_t> term_ids_;
  std::vector<std::pair<std::string, uint32_t>> sorted_terms_;  // (term, id)
  std::string source_;
  std::string lang_;
  std::vector<std::string> tags_;
};

}  // namespace nw::match

#endif  // NW_SERVER_MATCH_ANALYZED_ARTICLE_H_
