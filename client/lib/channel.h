// File: client/lib/channel.h
//
// The one place the client builds gRPC channels to newswatchd: plaintext or
// TLS (optionally with a client certificate, for mTLS), and a bearer token
// sent with every call as "authorization: Bearer <token>" metadata.
//
// The token goes as plain metadata (added by a client interceptor) rather
// than as gRPC call credentials, because gRPC refuses call credentials on a
// plaintext channel, and newswatchd accepts tokens in plaintext on loopback.
#ifndef NW_CLIENT_LIB_CHANNEL_H_
#define NW_CLIENT_LIB_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace nw::client {

struct ChannelSecurity {
  // TLS is on when `use_tls` is set or any of the three files is given.
  // Default: off (plaintext).
  bool use_tls = false;
  // PEM CA bundle that signed newswatchd's certificate. Default: empty, the
  // system's roots.
  std::string tls_ca_file;
  // PEM client certificate chain and its key, for a daemon that verifies
  // client certificates (--tls-client-ca). Both or neither. Default: none.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Bearer token sent with every call. Default: empty, none.
  std::string token;

  bool tls() const {
    return use_tls || !tls_ca_file.empty() || !tls_cert_file.empty() ||
           !tls_key_file.empty();
  }
};

// A channel to `server` with `security` and `args` (not yet connected).
// Errors: InvalidArgument when only one of tls_cert_file/tls_key_file is
// given or a file holds no PEM data; NotFound / PermissionDenied naming the
// file when one cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(
    const std::string& server, const ChannelSecurity& security,
    const grpc::ChannelArguments& args);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_CHANNEL_H_
