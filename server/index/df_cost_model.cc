#include "server/index/df_cost_model.h"

#include <algorithm>

namespace nw::index {

std::string DocumentFrequencyCostModel::Key(FeatureKind kind,
                                            std::string_view text) {
  std::string key(1, static_cast<char>(kind));
  key.append(text);
  return key;
}

void DocumentFrequencyCostModel::Builder::Add(const ArticleTerms& terms) {
  ++articles_;
  for (std::string_view word : terms.words) {  // distinct already
    ++words_[absl::string_view(word.data(), word.size())];
  }
  if (!terms.source.empty())
    ++metadata_[Key(FeatureKind::kSource, terms.source)];
  std::vector<std::string> seen;  // tags and langs may repeat
  for (std::string_view tag : terms.tags)
    seen.push_back(Key(FeatureKind::kTag, tag));
  for (std::string_view lang : terms.langs) {
    if (!lang.empty()) seen.push_back(Key(FeatureKind::kLang, lang));
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (std::string& key : seen) ++metadata_[std::move(key)];
}

std::shared_ptr<const DocumentFrequencyCostModel>
DocumentFrequencyCostModel::Builder::Build() && {
  auto model = std::shared_ptr<DocumentFrequencyCostModel>(
      new DocumentFrequencyCostModel());
  model->articles_ = articles_;
  model->sorted_words_.reserve(words_.size());
  for (const auto& [word, df] : words_) model->sorted_words_.push_back(word);
  std::sort(model->sorted_words_.begin(), model->sorted_words_.end());
  model->df_prefix_sums_.reserve(words_.size() + 1);
  uint64_t sum = 0;
  model->df_prefix_sums_.push_back(0);
  for (const std::string& word : model->sorted_words_) {
    sum += words_.at(word);
    model->df_prefix_sums_.push_back(sum);
  }
  model->words_ = std::move(words_);
  model->metadata_ = std::move(metadata_);
  return model;
}

double DocumentFrequencyCostModel::Cost(const Feature& feature) const {
  if (articles_ == 0) return static_.Cost(feature);
  uint64_t df = 0;
  switch (feature.kind) {
    case FeatureKind::kTerm: {
      auto it = words_.find(absl::string_view(feature.text));
      if (it != words_.end()) df = it->second;
      break;
    }
    case FeatureKind::kPrefix: {
      // Words with the prefix are one run from the first word >= it.
      const auto lo = std::lower_bound(sorted_words_.begin(),
                                       sorted_words_.end(), feature.text);
      const auto hi = std::partition_point(
          lo, sorted_words_.end(), [&](const std::string& w) {
            return w.compare(0, feature.text.size(), feature.text) == 0;
          });
      df = df_prefix_sums_[hi - sorted_words_.begin()] -
           df_prefix_sums_[lo - sorted_words_.begin()];
      df = std::min<uint64_t>(df, articles_);
      break;
    }
    default: {
      auto it = metadata_.find(Key(feature.kind, feature.text));
      if (it != metadata_.end()) df = it->second;
      break;
    }
  }
  const double n = static_cast<double>(articles_) + 1.0;
  // Seen: its share of the sample. Unseen: below 1/(N+1), ordered by the
  // static estimate (computed only here: it is the slower part).
  if (df > 0) return static_cast<double>(df) / n;
  return 0.5 * static_.Cost(feature) / n;
}

}  // namespace nw::index
