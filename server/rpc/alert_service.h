// File: server/rpc/alert_service.h
#ifndef NW_SERVER_RPC_ALERT_SERVICE_H_
#define NW_SERVER_RPC_ALERT_SERVICE_H_

#include "newswatch/v1/alert_service.grpc.pb.h"
#include "server/api/alert_api.h"
#include "server/auth/authenticator.h"

namespace nw::rpc {

// Subscribe on the callback API: a stream costs no thread. Each stream is an
// AlertStreamReactor driving an alerts::AlertStream registered with the hub.
// The request is parsed here (request_parse.h): a subscriber name that is
// not UTF-8 gets INVALID_ARGUMENT naming the field.
class AlertServiceImpl final
    : public newswatch::v1::AlertService::WithRawCallbackMethod_Subscribe<
          newswatch::v1::AlertService::Service> {
 public:
  // Streams are opened by `alerts` (api::AlertApi: the stream limit, and an
  // analyst may subscribe only to its own subscriber, else
  // PERMISSION_DENIED). `authenticator` may be null (no token file); both
  // must outlive the service.
  explicit AlertServiceImpl(api::AlertApi& alerts,
                            const auth::Authenticator* authenticator = nullptr)
      : alerts_(alerts), authenticator_(authenticator) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;

 private:
  api::AlertApi& alerts_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_ALERT_SERVICE_H_
