// File: server/rpc/auth_processor.h
//
// TokenAuthProcessor: where newswatchd authenticates every call. Installed on
// the server credentials (grpc::ServerCredentials::SetAuthMetadataProcessor),
// gRPC runs it once per call, after the call's metadata arrives and before
// any service sees the call, for sync and callback methods alike. It reads
// the HTTP/2 path and the "authorization" metadata and applies
// auth::Authenticator::CheckCall; a refusal ends the call with that code
// (UNAUTHENTICATED / PERMISSION_DENIED) and message.
//
// Why a processor and not a server interceptor: gRPC 1.51 interceptors
// cannot fail a call with a status of their choosing. The processor can, but
// only on secure credentials (InsecureServerCredentials aborts on
// SetAuthMetadataProcessor), so plaintext-with-tokens uses gRPC's local
// credentials (see server/daemon/server_security.h).
//
// Thread safety: Process may run concurrently on gRPC's threads.
#ifndef NW_SERVER_RPC_AUTH_PROCESSOR_H_
#define NW_SERVER_RPC_AUTH_PROCESSOR_H_

#include <memory>

#include "grpcpp/security/auth_metadata_processor.h"
#include "server/auth/authenticator.h"
#include "server/metrics/registry.h"

namespace nw::rpc {

class TokenAuthProcessor final : public grpc::AuthMetadataProcessor {
 public:
  // Refusals are counted in `refused` (labels: code), which must outlive the
  // processor; null: not counted.
  TokenAuthProcessor(std::shared_ptr<const auth::Authenticator> authenticator,
                     metrics::CounterFamily* refused = nullptr)
      : authenticator_(std::move(authenticator)), refused_(refused) {}

  // A hash lookup: cheap enough to run inline on the call's thread.
  bool IsBlocking() const override { return false; }

  // Never consumes metadata: the services identify the caller from the same
  // "authorization" value (CallerOf). Nothing is written to `context`, which
  // gRPC shares between all calls of a connection.
  grpc::Status Process(const InputMetadata& auth_metadata,
                       grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  const std::shared_ptr<const auth::Authenticator> authenticator_;
  metrics::CounterFamily* const refused_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_AUTH_PROCESSOR_H_
