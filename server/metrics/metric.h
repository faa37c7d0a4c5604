// File: server/metrics/metric.h
//
// The three metric kinds, updated on hot paths with relaxed atomics (no lock,
// no allocation): Counter, Gauge and Histogram. They are created by and
// owned by a Registry (registry.h), which renders them at scrape time.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_SERVER_METRICS_METRIC_H_
#define NW_SERVER_METRICS_METRIC_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace nw::metrics {

// A monotonically increasing count (Prometheus counter).
class Counter {
 public:
  void Increment(uint64_t n = 1) {
    value_.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (Prometheus gauge), in integer units.
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations counted into fixed buckets (Prometheus histogram).
class Histogram {
 public:
  // `upper_bounds`: strictly increasing, finite; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> upper_bounds);

  // Counts `value` into the first bucket whose bound is >= value. Lock-free.
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;  // without +Inf
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    uint64_t count = 0;
    double sum = 0;
  };
  // Reads the buckets. `count` is derived from the buckets, so it always
  // equals the +Inf bucket; `sum` may miss an observation in flight.
  Snapshot Read() const;

  // Common bucket layouts.
  // 100 us .. ~100 s, factor ~2.5: request and match latencies in seconds.
  static std::vector<double> LatencyBuckets();
  // 0, 1, 2, 4, ... 2^(n-1): counts such as candidates per article.
  static std::vector<double> PowersOfTwo(int n);

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]>
      buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

}  // namespace nw::metrics

#endif  // NW_SERVER_METRICS_METRIC_H_
