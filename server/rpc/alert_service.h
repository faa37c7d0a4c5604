// File: server/rpc/alert_service.h
#ifndef NW_SERVER_RPC_ALERT_SERVICE_H_
#define NW_SERVER_RPC_ALERT_SERVICE_H_

#include "newswatch/v1/alert_service.grpc.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/auth/authenticator.h"
#include "server/base/thread_pool.h"
#include "storage/alert_log.h"

namespace nw::rpc {

// What Subscribe admits, and how replay is paced.
struct StreamLimits {
  // Streams in all; more get RESOURCE_EXHAUSTED.
  size_t max_streams = SIZE_MAX;
  // Streams of one subscriber; more get RESOURCE_EXHAUSTED.
  size_t max_streams_per_subscriber = SIZE_MAX;
  // Paces replay from the log (alerts/replay_gate.h); null: unpaced.
  alerts::ReplayGate* replay_gate = nullptr;
};

// Subscribe on the callback API: a stream costs no thread. Each stream is an
// AlertStreamReactor driving an alerts::AlertStream registered with the hub.
// The request is parsed here (request_parse.h): a subscriber name that is
// not UTF-8 gets INVALID_ARGUMENT naming the field.
class AlertServiceImpl final
    : public newswatch::v1::AlertService::WithRawCallbackMethod_Subscribe<
          newswatch::v1::AlertService::Service> {
 public:
  // Streams past `limits` get RESOURCE_EXHAUSTED.
  // With an `authenticator` (may be null; must outlive the service), an
  // analyst may subscribe only to its own subscriber (else PERMISSION_DENIED).
  AlertServiceImpl(alerts::SubscriptionHub& hub,
                   const storage::AlertReader& log, base::ThreadPool& readers,
                   StreamLimits limits,
                   const auth::Authenticator* authenticator = nullptr)
      : hub_(hub),
        log_(log),
        readers_(readers),
        limits_(limits),
        authenticator_(authenticator) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;

 private:
  alerts::SubscriptionHub& hub_;
  const storage::AlertReader& log_;
  base::ThreadPool& readers_;
  const StreamLimits limits_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_ALERT_SERVICE_H_
