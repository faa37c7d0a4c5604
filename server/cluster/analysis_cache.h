// File: server/cluster/analysis_cache.h
//
// Every partition worker of a node reads every article of the stream; this
// cache makes the node parse and analyze each article once, not once per
// partition (the design note's "analyzes each article once"). Workers that
// ask for the same sequence at the same time wait for the first one's
// analysis. It keeps the newest `capacity` articles; a worker far behind
// (after a takeover) analyzes its own.
//
// Thread safety: Get may be called concurrently.
#ifndef NW_SERVER_CLUSTER_ANALYSIS_CACHE_H_
#define NW_SERVER_CLUSTER_ANALYSIS_CACHE_H_

#include <cstdint>
#include <deque>
#include <memory>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "newswatch/v1/article.pb.h"
#include "server/match/analyzed_article.h"

namespace nw::cluster {

class AnalysisCache {
 public:
  struct Entry {
    newswatch::v1::Article article;  // sequence set; id "nw-<seq>" if none
    match::AnalyzedArticle analyzed;
  };
  explicit AnalysisCache(size_t capacity = 4096) : capacity_(capacity) {}

  // Article `seq` (its stored bytes `data`) parsed and analyzed; null when
  // it does not parse.
  std::shared_ptr<const Entry> Get(uint64_t seq, const void* data, int size);

  // Analyses done (misses) and reused (hits), for tests and figures.
  uint64_t analyses() const { return analyses_.load(); }

 private:
  struct Slot {
    absl::once_flag once;
    std::shared_ptr<const Entry> entry;
  };
  const size_t capacity_;
  std::atomic<uint64_t> analyses_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, std::shared_ptr<Slot>> slots_
      ABSL_GUARDED_BY(mu_);
  std::deque<uint64_t> order_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_ANALYSIS_CACHE_H_
