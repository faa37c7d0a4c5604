// File: server/rpc/alert_service.h
#ifndef NW_SERVER_RPC_ALERT_SERVICE_H_
#define NW_SERVER_RPC_ALERT_SERVICE_H_

#include "newswatch/v1/alert_service.grpc.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/auth/authenticator.h"
#include "server/base/thread_pool.h"
#include "storage/alert_log.h"

namespace nw::rpc {

// Subscribe on the callback API: a stream costs no thread. Each stream is an
// AlertStreamReactor driving an alerts::AlertStream registered with the hub.
class AlertServiceImpl final
    : public newswatch::v1::AlertService::CallbackService {
 public:
  // More than `max_streams` concurrent Subscribe calls get RESOURCE_EXHAUSTED.
  // With an `authenticator` (may be null; must outlive the service), an
  // analyst may subscribe only to its own subscriber (else PERMISSION_DENIED).
  AlertServiceImpl(alerts::SubscriptionHub& hub,
                   const storage::AlertReader& log, base::ThreadPool& readers,
                   size_t max_streams,
                   const auth::Authenticator* authenticator = nullptr)
      : hub_(hub),
        log_(log),
        readers_(readers),
        max_streams_(max_streams),
        authenticator_(authenticator) {}

  grpc::ServerWriteReactor<newswatch::v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context,
      const newswatch::v1::SubscribeRequest* request) override;

 private:
  alerts::SubscriptionHub& hub_;
  const storage::AlertReader& log_;
  base::ThreadPool& readers_;
  const size_t max_streams_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_ALERT_SERVICE_H_
