// File: server/metrics/registry.h
//
// A Registry owns the daemon's metrics and renders them for a scrape. Metrics
// are registered once at start-up; the references it hands out stay valid for
// the registry's lifetime, and updating them takes no lock. Callback gauges
// are evaluated at scrape time, for values something else already knows
// (rules loaded, database size).
//
// Example:
//   metrics::Registry registry;
//   metrics::Counter& ingested = registry.AddCounter(
//       "newswatch_articles_ingested_total", "Articles stored.");
//   ingested.Increment();
//   std::string text = registry.Render();
//
// A name registered twice, an invalid name, or a wrong label count is a bug
// in the caller: the process aborts with a message.
//
// Thread safety: all methods may be called concurrently. Callbacks run on
// the scraping thread, without the registry's lock held.
#ifndef NW_SERVER_METRICS_REGISTRY_H_
#define NW_SERVER_METRICS_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/exposition.h"
#include "server/metrics/metric.h"

namespace nw::metrics {

// Counters that share a name and differ by label values, e.g. errors by
// code. Look up a child once and keep the reference where it is hot.
class CounterFamily {
 public:
  explicit CounterFamily(std::vector<std::string> label_names)
      : label_names_(std::move(label_names)) {}

  // The child with these label values (one per label name), created at
  // zero on first use. Takes a lock: cache the reference on hot paths.
  Counter& WithLabels(const std::vector<std::string>& values);

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Every child with its label values, in first-use order.
  std::vector<std::pair<std::vector<std::string>, uint64_t>> Values() const;

 private:
  const std::vector<std::string> label_names_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::vector<std::string>, size_t> index_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::vector<std::string>, std::unique_ptr<Counter>>>
      children_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names follow Prometheus conventions: counters end in "_total", units are
  // base units in the name ("_seconds", "_bytes").
  Counter& AddCounter(absl::string_view name, absl::string_view help);
  CounterFamily& AddCounterFamily(absl::string_view name,
                                  absl::string_view help,
                                  std::vector<std::string> label_names);
  // A counter something else keeps (it must never decrease), read at scrape
  // time.
  void AddCallbackCounter(absl::string_view name, absl::string_view help,
                          std::function<double()> read);
  Gauge& AddGauge(absl::string_view name, absl::string_view help);
  // `read` runs at every scrape; it must be cheap and must not call back
  // into the registry.
  void AddCallbackGauge(absl::string_view name, absl::string_view help,
                        std::function<double()> read);
  // One gauge per label value set, all read by one callback at scrape time.
  using LabeledValues =
      std::vector<std::pair<std::vector<std::string>, double>>;
  void AddCallbackGaugeFamily(absl::string_view name, absl::string_view help,
                              std::vector<std::string> label_names,
                              std::function<LabeledValues()> read);
  Histogram& AddHistogram(absl::string_view name, absl::string_view help,
                          std::vector<double> upper_bounds);

  // Every family in registration order, in the text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Family {
    std::string name;
    std::string help;
    std::string type;  // counter, gauge, histogram
    std::function<std::vector<Sample>()> collect;
  };
  void Add(absl::string_view name, absl::string_view help,
           absl::string_view type,
           std::function<std::vector<Sample>()> collect);

  mutable absl::Mutex mu_;
  // Shared so that Render can collect outside the lock.
  std::vector<std::shared_ptr<const Family>> families_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> names_ ABSL_GUARDED_BY(mu_);
  // Owned metrics; their addresses are stable (each behind a unique_ptr).
  std::vector<std::unique_ptr<Counter>> counters_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<CounterFamily>> counter_families_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Gauge>> gauges_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Histogram>> histograms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::metrics

#endif  // NW_SERVER_METRICS_REGISTRY_H_
