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
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

  // Movable, not copyable. Moves keep every view (terms, words) valid.
  AnalyzedArticle(AnalyzedArticle&&) = default;
  AnalyzedArticle& operator=(AnalyzedArticle&&) = default;
  AnalyzedArticle(const AnalyzedArticle&) = delete;
  AnalyzedArticle& operator=(const AnalyzedArticle&) = delete;

  // Distinct terms have ids 0 .. TermCount()-1 (in order of first occurrence).
  static constexpr uint32_t kNoTerm = UINT32_MAX;
  // The id of `term` (normalized), or kNoTerm if it occurs in neither field.
  uint32_t FindTerm(std::string_view term) const {
    return s_->table.Find(term);
  }
  // Sorted ascending positions of term `id` in `field`; empty if none.
  absl::Span<const uint32_t> TermPositions(uint32_t id, Field field) const {
    const size_t k = 2 * size_t{id} + Slot(field);
    return absl::MakeConstSpan(s_->positions.data() + s_->offsets[k],
                               s_->offsets[k + 1] - s_->offsets[k]);
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
    const std::vector<ArticleWord>& words = s_->words;
    return field == Field::kTitle
               ? absl::MakeConstSpan(words.data(), s_->title_words)
               : absl::MakeConstSpan(words.data() + s_->title_words,
                                     words.size() - s_->title_words);
  }
  // The term id of each word of `field`, by position.
  const std::vector<uint32_t>& WordTermIds(Field field) const {
    return s_->word_ids[Slot(field)];
  }

  // The number of distinct words of the article (title and body together), and
  // the one with id `id` (for the rule index's presearcher).
  size_t TermCount() const { return s_->table.size(); }
  std::string_view Term(uint32_t id) const { return s_->table.terms()[id]; }
  // Every distinct term by id, and their ids (0, 1, ..., TermCount() - 1).
  absl::Span<const std::string_view> Terms() const { return s_->table.terms(); }
  // TermHash()(Term(id)) by id (see ArticleTermTable::hashes).
  absl::Span<const uint64_t> TermHashes() const { return s_->table.hashes(); }
  absl::Span<const uint32_t> TermIds() const {
    return absl::MakeConstSpan(s_->term_ids.data(), TermCount());
  }

  const std::string& source() const { return s_->source; }  // nfkc_cf
  const std::string& lang() const { return s_->lang; }      // ASCII lower case
  const std::vector<std::string>& tags() const { return s_->tags; }  // nfkc_cf

 private:
  // Everything the article holds, in one heap block that never moves (views
  // into it survive moves of the article). When the article dies, its block
  // goes to a small per-thread pool, and the next article that thread
  // analyzes reuses it: no allocation per article, and memory that is still
  // in cache.
  struct Storage {
    // The lower-cased title and body, then the terms of non-ASCII words, then
    // 16 zero bytes (ArticleTermTable reads 16 bytes from a term's start):
    // every term and word views it.
    std::string term_bytes;
    std::vector<ArticleWord> words;  // the title's, then the body's
    size_t title_words = 0;
    std::array<std::vector<uint32_t>, 2> word_ids;
    ArticleTermTable table;  // term -> id; the terms by id
    // 0, 1, 2, ...: at least TermCount() of them (kept across reuse).
    std::vector<uint32_t> term_ids;
    // Positions of term id t in field slot s: positions[offsets[2t+s],
    // offsets[2t+s+1]).
    std::vector<uint32_t> offsets;
    std::vector<uint32_t> positions;
    // (term, id) in byte-wise order, for prefix lookups; sorted on first use
    // (most articles meet no rule that needs it).
    std::atomic<bool> sorted_ready{false};
    std::mutex sorted_mu;
    std::vector<std::pair<std::string_view, uint32_t>> sorted_terms;
    std::string source;
    std::string lang;
    std::vector<std::string> tags;
  };
  // Returns a Storage to the pool of the thread that destroys the article.
  struct Recycle {
    void operator()(Storage* storage) const;
  };

  AnalyzedArticle() = default;
  static size_t Slot(Field field) { return field == Field::kTitle ? 0 : 1; }

  std::unique_ptr<Storage, Recycle> s_;
};

}  // namespace nw::match

#endif  // NW_SERVER_MATCH_ANALYZED_ARTICLE_H_
