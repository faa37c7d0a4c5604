// File: server/match/analyzed_article.h
//
// An article analyzed once (rule-language.md §1) and then shared read-only by
// every rule evaluation: per text field, its words by position; one dictionary
// of the article's distinct terms (title and body together) with, per term and
// field, its sorted positions in one flat array; normalized metadata (§2).
//
// Thread safety: immutable after Analyze(); share freely across threads.
#ifndef NW_SERVER_MATCH_ANALYZED_ARTICLE_H_
#define NW_SERVER_MATCH_ANALYZED_ARTICLE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "server/match/article_term_table.h"

namespace nw::match {

enum class Field { kTitle = 1, kBody = 2 };

// A word of a field: its normalized term (spec §1 steps 2-3; a view of the
// article's storage) and its bytes [begin, end) in the field's original text.
// Its position is its index in AnalyzedArticle::Words.
struct ArticleWord {
  std::string_view term;
  uint32_t begin;
  uint32_t end;
};

// The article as received. Every string must be valid UTF-8 (callers check).
// Members default to empty, so designated initializers may name only some.
struct ArticleText {
  std::string_view title = {}, body = {}, source = {}, lang = {};
  std::vector<std::string_view> tags = {};
};

class AnalyzedArticle {
 public:
  // Analyzes title and body into words (spec §1) and normalizes source and tags
  // (nfkc_cf) and lang (ASCII lower case), as spec §2 compares them. Owns
  // copies of everything it needs: `article` may die afterwards.
  static AnalyzedArticle Analyze(const ArticleText& article);

  // Movable, not copyable: the words and the term dictionary view the
  // article's buffer of term bytes.
  AnalyzedArticle(AnalyzedArticle&&) = default;
  AnalyzedArticle& operator=(AnalyzedArticle&&) = default;
  AnalyzedArticle(const AnalyzedArticle&) = delete;
  AnalyzedArticle& operator=(const AnalyzedArticle&) = delete;

  // Distinct terms have ids 0 .. TermCount()-1 (in order of first occurrence).
  static constexpr uint32_t kNoTerm = UINT32_MAX;
  // The id of `term` (normalized), or kNoTerm if it occurs in neither field.
  uint32_t FindTerm(std::string_view term) const;
  // Sorted ascending positions of term `id` in `field`; empty if none.
  absl::Span<const uint32_t> TermPositions(uint32_t id, Field field) const {
    const size_t k = 2 * size_t{id} + Slot(field);
    return absl::MakeConstSpan(positions_.data() + offsets_[k],
                               offsets_[k + 1] - offsets_[k]);
  }

  // Sorted ascending positions at which `term` (normalized) occurs in `field`;
  // empty if it does not occur there.
  absl::Span<const uint32_t> Positions(Field field,
                                       std::string_view term) const {
    const uint32_t id = FindTerm(term);
    return id == kNoTerm ? absl::Span<const uint32_t>()
                         : TermPositions(id, field);
  }

  // Calls `fn` with the positions in `field` of every distinct word that starts
  // with `prefix` (normalized; byte-wise, which for UTF-8 is by code points)
  // and occurs in `field`.
  void ForEachPrefixMatch(
      Field field, std::string_view prefix,
      absl::FunctionRef<void(absl::Span<const uint32_t>)> fn) const;

  // The words of `field` by position (word i has position i).
  absl::Span<const ArticleWord> Words(Field field) const {
    return field == Field::kTitle
               ? absl::MakeConstSpan(words_.data(), title_words_)
               : absl::MakeConstSpan(words_.data() + title_words_,
                                     words_.size() - title_words_);
  }
  // The term id of each word of `field`, by position.
  const std::vector<uint32_t>& WordTermIds(Field field) const {
    return word_ids_[Slot(field)];
  }

  // The number of distinct words of the article (title and body together), and
  // the one with id `id` (for the rule index's presearcher).
  size_t TermCount() const { return table_.size(); }
  std::string_view Term(uint32_t id) const { return table_.terms()[id]; }

  const std::string& source() const { return source_; }  // nfkc_cf
  const std::string& lang() const { return lang_; }      // ASCII lower case
  const std::vector<std::string>& tags() const { return tags_; }  // nfkc_cf

 private:
  AnalyzedArticle() = default;
  static size_t Slot(Field field) { return field == Field::kTitle ? 0 : 1; }

  // The lower-cased title and body, then the terms of non-ASCII words: every
  // term and word views it. Its capacity is over 15 bytes, so that it lives
  // on the heap and moves keep the views valid.
  std::string term_bytes_;
  std::vector<ArticleWord> words_;  // the title's, then the body's
  size_t title_words_ = 0;
  std::array<std::vector<uint32_t>, 2> word_ids_;
  ArticleTermTable table_;  // term -> id; the terms by id
  // Positions of term id t in field slot s: positions_[offsets_[2t+s],
  // offsets_[2t+s+1]).
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> positions_;
  // (term, id) in byte-wise order, for prefix lookups; sorted on first use
  // (most articles meet no rule that needs it).
  struct SortedTerms {
    absl::once_flag once;
    std::vector<std::pair<std::string_view, uint32_t>> terms;
  };
  std::unique_ptr<SortedTerms> sorted_ = std::make_unique<SortedTerms>();
  std::string source_;
  std::string lang_;
  std::vector<std::string> tags_;
};

}  // namespace nw::match

#endif  // NW_SERVER_MATCH_ANALYZED_ARTICLE_H_
