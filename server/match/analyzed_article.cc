#include "server/match/analyzed_article.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace nw::match {

AnalyzedArticle::FieldIndex AnalyzedArticle::BuildIndex(std::string_view text) {
  FieldIndex index;
  index.words = text::AnalyzeField(text);
  index.term_ids.reserve(index.words.size());
  for (const text::Word& w : index.words) {
    auto [it, inserted] =
        index.term_ids.try_emplace(w.term, static_cast<uint32_t>(index.postings.size()));
    if (inserted) index.postings.emplace_back();
    index.postings[it->second].push_back(w.position);  // positions arrive ascending
  }
  index.sorted_terms.reserve(index.term_ids.size());
  for (const auto& [term, id] : index.term_ids) index.sorted_terms.emplace_back(term, id);
  std::sort(index.sorted_terms.begin(), index.sorted_terms.end());
  return index;
}

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  a.title_ = BuildIndex(article.title);
  a.body_ = BuildIndex(article.body);
  a.source_ = text::NormalizeMetadata(article.source);
  a.lang_ = absl::AsciiStrToLower(
      absl::string_view(article.lang.data(), article.lang.size()));
  a.tags_.reserve(article.tags.size());
  for (std::string_view tag : article.tags) {
    a.tags_.push_back(text::NormalizeMetadata(tag));
  }
  return a;
}

const std::vector<uint32_t>* AnalyzedArticle::Positions(Field field,
                                                        std::string_view term) const {
  const FieldIndex& index = Index(field);
  auto it = index.term_ids.find(absl::string_view(term.data(), term.size()));
  return it == index.term_ids.end() ? nullptr : &index.postings[it->second];
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(const std::vector<uint32_t>&)> fn) const {
  const FieldIndex& index = Index(field);
  auto it = std::lower_bound(
      index.sorted_terms.begin(), index.sorted_terms.end(), prefix,
      [](const std::pair<std::string, uint32_t>& entry, std::string_view p) {
        return std::string_view(entry.first) < p;
      });
  for (; it != index.sorted_terms.end(); ++it) {
    if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    fn(index.postings[it->second]);
  }
}

}  // namespace nw::match
