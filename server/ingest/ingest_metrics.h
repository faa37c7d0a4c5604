// File: server/ingest/ingest_metrics.h
//
// The ingest pipeline's metrics, registered once and updated lock-free.
#ifndef NW_SERVER_INGEST_INGEST_METRICS_H_
#define NW_SERVER_INGEST_INGEST_METRICS_H_

#include "absl/status/status.h"
#include "server/metrics/registry.h"

namespace nw::ingest {

struct IngestMetrics {
  // Registers the newswatch_articles_*, newswatch_alerts_produced_total,
  // newswatch_match_*, newswatch_commit_* and newswatch_ingest_* metrics.
  explicit IngestMetrics(metrics::Registry& registry);

  // Counts a refused article under its status code (e.g. INVALID_ARGUMENT).
  void CountRejected(absl::StatusCode code);

  metrics::Counter& ingested;               // new articles stored
  metrics::Counter& duplicates;             // resubmitted ids: nothing stored
  metrics::CounterFamily& rejected;         // by code
  metrics::CounterFamily& alerts_produced;  // by source
  metrics::Counter& alerts_ingest;          // alerts committed for new articles
  metrics::Counter& alerts_backfill;        // alerts committed by backfill
  metrics::Histogram&
      match_seconds;  // analyze + match + build alerts, per article
  metrics::Histogram& candidates;      // presearch candidates per article
  metrics::Histogram& commit_seconds;  // one group commit (write + WAL sync)
  metrics::Gauge& in_flight;           // articles submitted, not yet answered
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_INGEST_METRICS_H_
