// metrics::Registry and the exposition format, read back with the strict
// parser the end-to-end tests use.
#include "server/metrics/registry.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testutil/metrics_text.h"
#include "tests/testutil/status_matchers.h"

namespace nw::metrics {
namespace {

using ::nw::testing::IsOk;

// Verifies counters, labeled counters, gauges and callback gauges render
// with HELP/TYPE and exact values.
TEST(RegistryTest, RendersEveryKindWithExactValues) {
  Registry r;
  Counter& c = r.AddCounter("t_events_total", "Events.");
  CounterFamily& f = r.AddCounterFamily("t_errors_total", "Errors.", {"code"});
  Gauge& g = r.AddGauge("t_depth", "Depth.");
  r.AddCallbackGauge("t_answer", "Answer.", [] { return 42.5; });
  r.AddCallbackGaugeFamily("t_bytes", "Bytes.", {"cf"}, [] {
    return Registry::LabeledValues{{{"a"}, 1}, {{"b"}, 2}};
  });
  c.Increment();
  c.Increment(2);
  f.WithLabels({"INTERNAL"}).Increment();
  f.WithLabels({"INTERNAL"}).Increment();
  f.WithLabels({"NOT_FOUND"}).Increment();
  g.Add(5);
  g.Add(-2);

  absl::StatusOr<testing::ScrapedMetrics> m =
      testing::ParseMetricsText(r.Render());
  ASSERT_THAT(m, IsOk()) << r.Render();
  EXPECT_EQ(m->Get("t_events_total"), 3);
  EXPECT_EQ(m->Get(R"(t_errors_total{code="INTERNAL"})"), 2);
  EXPECT_EQ(m->Get(R"(t_errors_total{code="NOT_FOUND"})"), 1);
  EXPECT_EQ(m->Get("t_depth"), 3);
  EXPECT_EQ(m->Get("t_answer"), 42.5);
  EXPECT_EQ(m->Get(R"(t_bytes{cf="b"})"), 2);
  EXPECT_EQ(m->types["t_events_total"], "counter");
  EXPECT_EQ(m->types["t_depth"], "gauge");
}

// Verifies histogram buckets are cumulative, bounds inclusive ("le"), and
// _count equals the +Inf bucket.
TEST(RegistryTest, HistogramBucketsAreCumulative) {
  Registry r;
  Histogram& h = r.AddHistogram("t_seconds", "Latency.", {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0}) h.Observe(v);
  absl::StatusOr<testing::ScrapedMetrics> m =
      testing::ParseMetricsText(r.Render());
  ASSERT_THAT(m, IsOk()) << r.Render();
  EXPECT_EQ(m->Get(R"(t_seconds_bucket{le="0.1"})"), 2);
  EXPECT_EQ(m->Get(R"(t_seconds_bucket{le="1"})"), 3);
  EXPECT_EQ(m->Get(R"(t_seconds_bucket{le="10"})"), 4);
  EXPECT_EQ(m->Get(R"(t_seconds_bucket{le="+Inf"})"), 5);
  EXPECT_EQ(m->Get("t_seconds_count"), 5);
  EXPECT_DOUBLE_EQ(m->Get("t_seconds_sum"), 55.65);
}

// Verifies label values and help text are escaped so the text parses back.
TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.AddCounterFamily("t_total", "Line one\nback\\slash.", {"v"})
      .WithLabels({"quote\" back\\ nl\n"})
      .Increment();
  const std::string text = r.Render();
  EXPECT_NE(text.find(R"(# HELP t_total Line one\nback\\slash.)"),
            std::string::npos)
      << text;
  absl::StatusOr<testing::ScrapedMetrics> m = testing::ParseMetricsText(text);
  ASSERT_THAT(m, IsOk()) << text;
  EXPECT_EQ(m->Get(R"(t_total{v="quote\" back\\ nl\n"})"), 1);
}

// Verifies concurrent updates are all counted (relaxed atomics, no lock).
TEST(RegistryTest, ConcurrentUpdatesAreCounted) {
  Registry r;
  Counter& c = r.AddCounter("t_total", "T.");
  Histogram& h = r.AddHistogram("t_h", "H.", Histogram::PowersOfTwo(4));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        h.Observe(i % 10);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000u);
  EXPECT_EQ(h.Read().count, 40000u);
}

// Verifies registration mistakes abort (they are bugs, not runtime errors).
TEST(RegistryDeathTest, RejectsBadNamesAndDuplicates) {
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("t_total", "T.");
        r.AddCounter("t_total", "T.");
      },
      "registered twice");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("t_count", "T.");
      },
      "end in _total");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddGauge("bad-name", "T.");
      },
      "invalid metric name");
}

}  // namespace
}  // namespace nw::metrics
