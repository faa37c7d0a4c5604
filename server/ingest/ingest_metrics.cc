#include "server/ingest/ingest_metrics.h"

#include <string>

namespace nw::ingest {

IngestMetrics::IngestMetrics(metrics::Registry& r)
    : ingested(
          r.AddCounter("newswatch_articles_ingested_total",
                       "Articles stored (new ids; duplicates not included).")),
      duplicates(r.AddCounter(
          "newswatch_articles_duplicate_total",
          "Articles resubmitted with an id already stored; nothing "
          "new was written.")),
      rejected(r.AddCounterFamily(
          "newswatch_articles_rejected_total",
          "Articles refused, by gRPC status code (INVALID_ARGUMENT: "
          "a bad article; others: storage errors).",
          {"code"})),
      alerts_produced(
          r.AddCounterFamily("newswatch_alerts_produced_total",
                             "Alerts committed to subscribers' alert logs, by "
                             "source (ingest: new articles; "
                             "backfill: rules added with a backfill).",
                             {"source"})),
      // Both children exist from the start, so both series show at 0.
      alerts_ingest(alerts_produced.WithLabels({"ingest"})),
      alerts_backfill(alerts_produced.WithLabels({"backfill"})),
      match_seconds(r.AddHistogram(
          "newswatch_match_duration_seconds",
          "Time to analyze one article, match it against the rules "
          "and build its alerts.",
          metrics::Histogram::LatencyBuckets())),
      candidates(r.AddHistogram(
          "newswatch_match_candidates",
          "Rules the presearcher proposed for one article (incl. "
          "always-evaluated rules).",
          metrics::Histogram::PowersOfTwo(17))),
      commit_seconds(r.AddHistogram(
          "newswatch_commit_duration_seconds",
          "Time of one group commit: the RocksDB write and WAL sync.",
          metrics::Histogram::LatencyBuckets())),
      in_flight(r.AddGauge(
          "newswatch_ingest_queue_articles",
          "Articles submitted and not yet answered (being matched or "
          "waiting for their commit).")) {
  rejected.WithLabels(
      {"INVALID_ARGUMENT"});  // the usual code, shown from the start
}

void IngestMetrics::CountRejected(absl::StatusCode code) {
  rejected.WithLabels({absl::StatusCodeToString(code)}).Increment();
}

}  // namespace nw::ingest
