// File: server/catalog/anchor_costs.h
//
// The presearcher's anchor costs at start-up: document frequencies over the
// newest stored articles (index/df_cost_model.h), so that each conjunction of a
// rule is indexed under its rarest word in the news the daemon actually gets.
#ifndef NW_SERVER_CATALOG_ANCHOR_COSTS_H_
#define NW_SERVER_CATALOG_ANCHOR_COSTS_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "server/index/df_cost_model.h"
#include "storage/db.h"

namespace nw::catalog {

// Default sample: the newest 2,000 articles (a few ms per 100 articles to
// analyze; the df of words that matter for anchoring is stable by then).
inline constexpr size_t kAnchorSampleArticles = 2000;

// Counts document frequencies over the newest `max_articles` stored articles.
// Returns null when fewer than `min_articles` are stored: too few to beat the
// static estimate (index::StaticCostModel). Errors: storage errors, DataLoss
// for an unreadable article record.
absl::StatusOr<std::shared_ptr<const index::DocumentFrequencyCostModel>>
CostModelFromRecentArticles(storage::Db& db,
                            size_t max_articles = kAnchorSampleArticles,
                            size_t min_articles = 100);

}  // namespace nw::catalog

#endif  // NW_SERVER_CATALOG_ANCHOR_COSTS_H_
