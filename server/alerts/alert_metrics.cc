#include "server/alerts/alert_metrics.h"

namespace nw::alerts {

AlertMetrics::AlertMetrics(metrics::Registry& r)
    : delivered(r.AddCounter(
          "newswatch_alerts_delivered_total",
          "Alerts sent on Subscribe streams, live or replayed from the "
          "alert log (a reconnecting client may get one again).")),
      connected(r.AddGauge("newswatch_subscribers_connected",
                           "Open Subscribe streams.")),
      refused(r.AddCounter(
          "newswatch_streams_refused_total",
          "Subscribe calls refused because --max-streams were open.")),
      queued(r.AddGauge(
          "newswatch_stream_queued_alerts",
          "Live alerts waiting in the streams' memory queues, all streams "
          "together.")),
      catching_up(
          r.AddGauge("newswatch_streams_catching_up",
                     "Streams served from the alert log: replaying after a "
                     "reconnect, or fallen behind.")) {}

}  // namespace nw::alerts
