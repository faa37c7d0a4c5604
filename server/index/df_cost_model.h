// File: server/index/df_cost_model.h
//
// Anchor costs from document frequency (issue 4: "the rarest term of each
// conjunction, by document frequency of recent articles"). Built from a sample
// of articles (the daemon uses the newest stored ones), it estimates a
// feature's cost as the share of sample articles that have it:
//
//   word            df(word) / N
//   prefix          min(N, sum of df of the sample's words with that prefix) /
//   N source/tag/lang df / N (a lang counts for every lang it matches, as
//                   ArticleTerms::langs lists them)
//
// A feature the sample never saw costs less than any seen one, and is ranked
// among the unseen by StaticCostModel (longer words are rarer). With an empty
// sample every cost is the static one.
//
// Thread safety: immutable after Build(); Cost may run concurrently.
#ifndef NW_SERVER_INDEX_DF_COST_MODEL_H_
#define NW_SERVER_INDEX_DF_COST_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/index/article_terms.h"
#include "server/index/rule_query.h"

namespace nw::index {

class DocumentFrequencyCostModel final : public CostModel {
 public:
  class Builder {
   public:
    // Counts the distinct words, source, tags and langs of one sample article.
    void Add(const ArticleTerms& terms);
    size_t articles() const { return articles_; }
    std::shared_ptr<const DocumentFrequencyCostModel> Build() &&;

   private:
    size_t articles_ = 0;
    absl::flat_hash_map<std::string, uint32_t> words_, metadata_;
  };

  // A share of the sample in [0, 1]; see the file comment.
  double Cost(const Feature& feature) const override;
  size_t sample_articles() const { return articles_; }
  size_t vocabulary() const { return words_.size(); }

 private:
  DocumentFrequencyCostModel() = default;
  // (kind byte + text) -> df, for words and metadata.
  static std::string Key(FeatureKind kind, std::string_view text);

  size_t articles_ = 0;
  absl::flat_hash_map<std::string, uint32_t> words_, metadata_;
  // The sample's words in byte order with the running sum of their df, so that
  // a prefix's total is two binary searches.
  std::vector<std::string> sorted_words_;
  std::vector<uint64_t>
      df_prefix_sums_;  // [i] = sum of df of sorted_words_[0..i)
  StaticCostModel static_;
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_DF_COST_MODEL_H_
