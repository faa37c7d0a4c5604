#include "bench/load/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace nw::bench {

void LatencyStats::Add(int64_t micros) {
  absl::MutexLock lock(&mu_);
  samples_.push_back(micros);
  sorted_ = false;
}

size_t LatencyStats::count() const {
  absl::MutexLock lock(&mu_);
  return samples_.size();
}

int64_t LatencyStats::Percentile(double p) const {
  absl::MutexLock lock(&mu_);
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  const double rank = std::ceil(p / 100.0 * samples_.size());
  const size_t index = static_cast<size_t>(std::max(1.0, rank)) - 1;
  return samples_[std::min(index, samples_.size() - 1)];
}

int64_t LatencyStats::Max() const { return Percentile(100); }

}  // namespace nw::bench
