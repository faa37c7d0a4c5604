#include "server/catalog/anchor_costs.h"

#include <algorithm>
#include <vector>

#include "server/base/status_macros.h"
#include "server/index/article_terms.h"
#include "server/ingest/alert_builder.h"
#include "storage/article_store.h"

namespace nw::catalog {

absl::StatusOr<std::shared_ptr<const index::DocumentFrequencyCostModel>>
CostModelFromRecentArticles(storage::Db& db, size_t max_articles,
                            size_t min_articles) {
  storage::ArticleStore store(db);
  absl::StatusOr<uint64_t> last = store.LastSequence();
  if (!last.ok()) return last.status();
  // Sequences may have gaps (retention, refused articles): read from a window
  // of max_articles below the last one; what it holds is the sample.
  const uint64_t from = *last > max_articles ? *last - max_articles + 1 : 1;
  NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::Article> articles,
                      store.ScanFrom(from, max_articles));
  if (articles.size() < std::max<size_t>(min_articles, 1)) return nullptr;
  index::DocumentFrequencyCostModel::Builder sample;
  for (const newswatch::v1::Article& article : articles) {
    const match::AnalyzedArticle analyzed = ingest::AnalyzeArticle(article);
    sample.Add(index::ArticleTerms::Collect(analyzed));
  }
  return std::move(sample).Build();
}

}  // namespace nw::catalog
