// File: server/alerts/alert_metrics.h
//
// Delivery metrics, shared by the hub and its streams; updated lock-free.
#ifndef NW_SERVER_ALERTS_ALERT_METRICS_H_
#define NW_SERVER_ALERTS_ALERT_METRICS_H_

#include "server/metrics/registry.h"

namespace nw::alerts {

struct AlertMetrics {
  // Registers newswatch_alerts_delivered_total,
  // newswatch_subscribers_connected, newswatch_streams_refused_total,
  // newswatch_stream_queued_alerts and newswatch_streams_catching_up.
  explicit AlertMetrics(metrics::Registry& registry);

  metrics::Counter& delivered;  // alerts handed to a stream's transport
  metrics::Gauge& connected;    // registered streams
  metrics::Counter& refused;    // Subscribe calls refused at the stream limit
  metrics::Gauge& queued;       // live alerts in per-stream queues, all streams
  metrics::Gauge& catching_up;  // streams reading from the alert log
};

}  // namespace nw::alerts

#endif  // NW_SERVER_ALERTS_ALERT_METRICS_H_
