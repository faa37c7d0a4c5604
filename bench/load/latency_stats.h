// File: bench/load/latency_stats.h
//
// LatencyStats: collects latency samples (microseconds) from several threads
// and reports percentiles. Memory grows with the sample count (8 bytes each),
// which is fine for load runs of up to tens of millions of events.
//
// Thread safety: Add() may be called concurrently; Percentile() and count()
// too (they copy under the lock).
#ifndef NW_BENCH_LOAD_LATENCY_STATS_H_
#define NW_BENCH_LOAD_LATENCY_STATS_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace nw::bench {

class LatencyStats {
 public:
  void Add(int64_t micros);
  size_t count() const;
  // The p-th percentile (0 < p <= 100, nearest rank) in microseconds; 0 with
  // no samples.
  int64_t Percentile(double p) const;
  int64_t Max() const;

 private:
  mutable absl::Mutex mu_;
  mutable std::vector<int64_t> samples_ ABSL_GUARDED_BY(mu_);
  mutable bool sorted_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace nw::bench

#endif  // NW_BENCH_LOAD_LATENCY_STATS_H_
