#include "server/metrics/registry.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nw::metrics {
namespace {

// Registration errors are programming errors (architecture: crash policy).
[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "metrics::Registry: %s\n", message.c_str());
  std::abort();
}

Labels Zip(const std::vector<std::string>& names,
           const std::vector<std::string>& values) {
  Labels labels;
  for (size_t i = 0; i < names.size(); ++i)
    labels.emplace_back(names[i], values[i]);
  return labels;
}

void CheckLabelNames(absl::string_view metric,
                     const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (!IsValidLabelName(n) || n == "le") {
      Die(absl::StrCat(metric, ": invalid label name '", n, "'"));
    }
  }
}

}  // namespace

Counter& CounterFamily::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size())
    Die("label value count does not match names");
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = index_.try_emplace(values, children_.size());
  if (inserted) children_.emplace_back(values, std::make_unique<Counter>());
  return *children_[it->second].second;
}

std::vector<std::pair<std::vector<std::string>, uint64_t>>
CounterFamily::Values() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::vector<std::string>, uint64_t>> out;
  out.reserve(children_.size());
  for (const auto& [values, counter] : children_)
    out.emplace_back(values, counter->Value());
  return out;
}

void Registry::Add(absl::string_view name, absl::string_view help,
                   absl::string_view type,
                   std::function<std::vector<Sample>()> collect) {
  if (!IsValidMetricName(name))
    Die(absl::StrCat("invalid metric name '", name, "'"));
  if (type == "counter" && !absl::EndsWith(name, "_total")) {
    Die(absl::StrCat(name, ": counter names end in _total"));
  }
  mu_.AssertHeld();
  if (!names_.insert(std::string(name)).second) {
    Die(absl::StrCat(name, ": registered twice"));
  }
  families_.push_back(std::make_shared<const Family>(
      Family{std::string(name), std::string(help), std::string(type),
             std::move(collect)}));
}

Counter& Registry::AddCounter(absl::string_view name, absl::string_view help) {
  absl::MutexLock lock(&mu_);
  Counter* c = counters_.emplace_back(std::make_unique<Counter>()).get();
  Add(name, help, "counter", [c] {
    return std::vector<Sample>{{.value = static_cast<double>(c->Value())}};
  });
  return *c;
}

CounterFamily& Registry::AddCounterFamily(
    absl::string_view name, absl::string_view help,
    std::vector<std::string> label_names) {
  CheckLabelNames(name, label_names);
  absl::MutexLock lock(&mu_);
  CounterFamily* f =
      counter_families_
          .emplace_back(std::make_unique<CounterFamily>(std::move(label_names)))
          .get();
  Add(name, help, "counter", [f] {
    std::vector<Sample> samples;
    for (const auto& [values, v] : f->Values()) {
      samples.push_back({.labels = Zip(f->label_names(), values),
                         .value = static_cast<double>(v)});
    }
    return samples;
  });
  return *f;
}

void Registry::AddCallbackCounter(absl::string_view name,
                                  absl::string_view help,
                                  std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  Add(name, help, "counter", [read = std::move(read)] {
    return std::vector<Sample>{{.value = read()}};
  });
}

Gauge& Registry::AddGauge(absl::string_view name, absl::string_view help) {
  absl::MutexLock lock(&mu_);
  Gauge* g = gauges_.emplace_back(std::make_unique<Gauge>()).get();
  Add(name, help, "gauge", [g] {
    return std::vector<Sample>{{.value = static_cast<double>(g->Value())}};
  });
  return *g;
}

void Registry::AddCallbackGauge(absl::string_view name, absl::string_view help,
                                std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  Add(name, help, "gauge", [read = std::move(read)] {
    return std::vector<Sample>{{.value = read()}};
  });
}

void Registry::AddCallbackGaugeFamily(absl::string_view name,
                                      absl::string_view help,
                                      std::vector<std::string> label_names,
                                      std::function<LabeledValues()> read) {
  CheckLabelNames(name, label_names);
  absl::MutexLock lock(&mu_);
  Add(name, help, "gauge",
      [names = std::move(label_names), read = std::move(read),
       metric = std::string(name)] {
        std::vector<Sample> samples;
        for (const auto& [values, v] : read()) {
          if (values.size() != names.size())
            Die(metric + ": label value count mismatch");
          samples.push_back({.labels = Zip(names, values), .value = v});
        }
        return samples;
      });
}

Histogram& Registry::AddHistogram(absl::string_view name,
                                  absl::string_view help,
                                  std::vector<double> upper_bounds) {
  absl::MutexLock lock(&mu_);
  Histogram* h =
      histograms_
          .emplace_back(std::make_unique<Histogram>(std::move(upper_bounds)))
          .get();
  Add(name, help, "histogram", [h] {
    const Histogram::Snapshot s = h->Read();
    std::vector<Sample> samples;
    for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
      samples.push_back({.suffix = "_bucket",
                         .labels = {{"le", FormatValue(s.upper_bounds[i])}},
                         .value = static_cast<double>(s.cumulative[i])});
    }
    samples.push_back({.suffix = "_bucket",
                       .labels = {{"le", "+Inf"}},
                       .value = static_cast<double>(s.count)});
    samples.push_back({.suffix = "_sum", .value = s.sum});
    samples.push_back(
        {.suffix = "_count", .value = static_cast<double>(s.count)});
    return samples;
  });
  return *h;
}

std::string Registry::Render() const {
  std::vector<std::shared_ptr<const Family>> families;
  {
    absl::MutexLock lock(&mu_);
    families = families_;
  }
  std::string out;
  for (const auto& f : families)
    AppendFamily(out, f->name, f->help, f->type, f->collect());
  return out;
}

}  // namespace nw::metrics
