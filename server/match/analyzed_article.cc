#include "server/match/analyzed_article.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace nw::match {

void AnalyzedArticle::AddField(Field field, std::string_view text) {
  const size_t slot = Slot(field);
  words_[slot] = text::AnalyzeField(text);
  for (const text::Word& w : words_[slot]) {
    auto [it, inserted] =
        term_ids_.try_emplace(w.term, static_cast<uint32_t>(postings_.size()));
    if (inserted) postings_.emplace_back();
    postings_[it->second][slot].push_back(w.position);  // positions arrive ascending
  }
}

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  a.AddField(Field::kTitle, article.title);
  a.AddField(Field::kBody, article.body);
  a.sorted_terms_.reserve(a.term_ids_.size());
  for (const auto& [term, id] : a.term_ids_) a.sorted_terms_.emplace_back(term, id);
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

const AnalyzedArticle::FieldPositions* AnalyzedArticle::AllPositions(
    std::string_view term) const {
  auto it = term_ids_.find(absl::string_view(term.data(), term.size()));
  return it == term_ids_.end() ? nullptr : &postings_[it->second];
}

const std::vector<uint32_t>* AnalyzedArticle::Positions(Field field,
                                                        std::string_view term) const {
  const FieldPositions* all = AllPositions(term);
  if (all == nullptr || (*all)[Slot(field)].empty()) return nullptr;
  return &(*all)[Slot(field)];
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(const std::vector<uint32_t>&)> fn) const {
  auto it = std::lower_bound(
      sorted_terms_.begin(), sorted_terms_.end(), prefix,
      [](const std::pair<std::string, uint32_t>& entry, std::string_view p) {
        return std::string_view(entry.first) < p;
      });
  for (; it != sorted_terms_.end(); ++it) {
    if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    const std::vector<uint32_t>& positions = postings_[it->second][Slot(field)];
    if (!positions.empty()) fn(positions);
  }
}

}  // namespace nw::match
