#include "server/match/analyzed_article.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace nw::match {

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  a.words_[0] = text::AnalyzeField(article.title);
  a.words_[1] = text::AnalyzeField(article.body);
  // Term ids, and per (term, field) counts; then positions by counting sort, so
  // that every posting list lives in one array (no allocation per term).
  a.term_ids_.reserve(a.words_[0].size() + a.words_[1].size());
  std::vector<uint32_t>& counts = a.offsets_;
  for (size_t slot = 0; slot < 2; ++slot) {
    a.word_ids_[slot].reserve(a.words_[slot].size());
    for (const text::Word& w : a.words_[slot]) {
      auto [it, inserted] = a.term_ids_.try_emplace(std::string_view(w.term),
                                                    static_cast<uint32_t>(counts.size() / 2));
      if (inserted) counts.resize(counts.size() + 2, 0);
      ++counts[2 * it->second + slot];
      a.word_ids_[slot].push_back(it->second);
    }
  }
  uint32_t sum = 0;
  for (uint32_t& c : counts) sum += std::exchange(c, sum);  // exclusive prefix sums
  counts.push_back(sum);
  a.positions_.resize(sum);
  std::vector<uint32_t> cursor(counts.begin(), counts.end() - 1);
  for (size_t slot = 0; slot < 2; ++slot) {
    const std::vector<uint32_t>& ids = a.word_ids_[slot];
    for (uint32_t p = 0; p < ids.size(); ++p) a.positions_[cursor[2 * ids[p] + slot]++] = p;
  }
  a.sorted_terms_.assign(a.term_ids_.begin(), a.term_ids_.end());
  std::sort(a.sorted_terms_.begin(), a.sorted_terms_.end());
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
  auto it = term_ids_.find(term);
  return it == term_ids_.end() ? kNoTerm : it->second;
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(absl::Span<const uint32_t>)> fn) const {
  auto it = std::lower_bound(
      sorted_terms_.begin(), sorted_terms_.end(), prefix,
      [](const std::pair<std::string_view, uint32_t>& entry, std::string_view p) {
        return entry.first < p;
      });
  for (; it != sorted_terms_.end(); ++it) {
    if (it->first.substr(0, prefix.size()) != prefix) break;
    const absl::Span<const uint32_t> positions = TermPositions(it->second, field);
    if (!positions.empty()) fn(positions);
  }
}

}  // namespace nw::match
