#include "server/match/analyzed_article.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "server/text/analyzer.h"

namespace nw::match {

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  // Both fields' words, their terms in one buffer (text::AnalyzeFieldInto);
  // the list is kept per thread (no allocation per article).
  thread_local std::vector<text::WordRef> refs;
  refs.clear();
  a.term_bytes_.reserve(
      std::max<size_t>(32, article.title.size() + article.body.size()));
  text::AnalyzeFieldInto(article.title, &a.term_bytes_, &refs);
  const size_t title_words = refs.size();
  text::AnalyzeFieldInto(article.body, &a.term_bytes_, &refs);
  // Term ids, and per (term, field) counts; then positions by counting sort, so
  // that every posting list lives in one array (no allocation per term).
  // Arrays are sized first and written in place: a struct built on the stack
  // and copied whole would be read back before its stores retire.
  const size_t word_count = refs.size();
  a.table_.Reset(word_count);
  a.words_.resize(word_count);
  a.title_words_ = title_words;
  a.word_ids_[0].resize(title_words);
  a.word_ids_[1].resize(word_count - title_words);
  std::vector<uint32_t>& counts = a.offsets_;  // 2 per term, then 1
  counts.assign(2 * word_count + 1, 0);
  const char* const bytes = a.term_bytes_.data();
  for (size_t i = 0; i < word_count; ++i) {
    const text::WordRef& r = refs[i];
    const std::string_view term(bytes + r.term_offset, r.term_size);
    const uint32_t id = a.table_.Insert(term);
    const size_t slot = i < title_words ? 0 : 1;
    ++counts[2 * id + slot];
    a.word_ids_[slot][i - (slot == 0 ? 0 : title_words)] = id;
    ArticleWord& w = a.words_[i];
    w.term = term;
    w.begin = r.begin;
    w.end = r.end;
  }
  const size_t entries = 2 * a.table_.size();
  counts.resize(entries + 1);
  uint32_t sum = 0;
  for (size_t k = 0; k < entries; ++k)
    sum += std::exchange(counts[k], sum);  // exclusive prefix sums
  counts[entries] = sum;
  a.positions_.resize(sum);
  thread_local std::vector<uint32_t> cursor;
  cursor.assign(counts.begin(), counts.end() - 1);
  for (size_t slot = 0; slot < 2; ++slot) {
    const std::vector<uint32_t>& ids = a.word_ids_[slot];
    for (uint32_t p = 0; p < ids.size(); ++p)
      a.positions_[cursor[2 * ids[p] + slot]++] = p;
  }
  a.source_ = text::NormalizeMetadata(article.source);
  a.lang_ = absl::AsciiStrToLower(
      absl::string_view(article.lang.data(), article.lang.size()));
  a.tags_.reserve(article.tags.size());
  for (std::string_view tag : article.tags) {
    a.tags_.push_back(text::NormalizeMetadata(tag));
  }
  return a;
}

uint32_t AnalyzedArticle::FindTerm(std::string_view term) const {
  return table_.Find(term);
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(absl::Span<const uint32_t>)> fn) const {
  absl::call_once(sorted_->once, [&] {
    const std::vector<std::string_view>& terms = table_.terms();
    sorted_->terms.reserve(terms.size());
    for (uint32_t id = 0; id < terms.size(); ++id)
      sorted_->terms.emplace_back(terms[id], id);
    std::sort(sorted_->terms.begin(), sorted_->terms.end());
  });
  const auto& sorted_terms = sorted_->terms;
  auto it =
      std::lower_bound(sorted_terms.begin(), sorted_terms.end(), prefix,
                       [](const std::pair<std::string_view, uint32_t>& entry,
                          std::string_view p) { return entry.first < p; });
  for (; it != sorted_terms.end(); ++it) {
    if (it->first.substr(0, prefix.size()) != prefix) break;
    const absl::Span<const uint32_t> positions =
        TermPositions(it->second, field);
    if (!positions.empty()) fn(positions);
  }
}

}  // namespace nw::match
