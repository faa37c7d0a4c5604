#include "client/lib/channel.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"
#include "server/base/status_macros.h"

namespace nw::client {
namespace {

namespace gx = ::grpc::experimental;

// Adds the authorization metadata to every call of the channel.
class BearerInterceptor final : public gx::Interceptor {
 public:
  explicit BearerInterceptor(std::shared_ptr<const std::string> header)
      : header_(std::move(header)) {}
  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            gx::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *header_);
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<const std::string> header_;
};

class BearerInterceptorFactory final
    : public gx::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(const std::string& token)
      : header_(std::make_shared<const std::string>(
            absl::StrCat("Bearer ", token))) {}
  gx::Interceptor* CreateClientInterceptor(gx::ClientRpcInfo* info) override {
    return new BearerInterceptor(header_);
  }

 private:
  std::shared_ptr<const std::string> header_;
};

absl::StatusOr<std::string> ReadPem(const std::string& path,
                                    absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = absl::StrCat(
        "cannot read the ", what, " file '", path, "': ", strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", what, " file '", path, "' holds no PEM data"));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(
    const ChannelSecurity& security) {
  if (!security.tls()) return grpc::InsecureChannelCredentials();
  if (security.tls_cert_file.empty() != security.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "a TLS client certificate needs both --tls-cert and --tls-key");
  }
  grpc::SslCredentialsOptions options;
  if (!security.tls_ca_file.empty()) {
    NW_ASSIGN_OR_RETURN(std::string ca,
                        ReadPem(security.tls_ca_file, "TLS CA (--tls-ca)"));
    options.pem_root_certs = std::move(ca);
  }
  if (!security.tls_cert_file.empty()) {
    NW_ASSIGN_OR_RETURN(
        std::string cert,
        ReadPem(security.tls_cert_file, "TLS client certificate (--tls-cert)"));
    NW_ASSIGN_OR_RETURN(std::string key,
                        ReadPem(security.tls_key_file, "TLS key (--tls-key)"));
    options.pem_cert_chain = std::move(cert);
    options.pem_private_key = std::move(key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(
    const std::string& server, const ChannelSecurity& security,
    const grpc::ChannelArguments& args) {
  NW_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                      Credentials(security));
  std::shared_ptr<grpc::Channel> channel;
  if (security.token.empty()) {
    channel = grpc::CreateCustomChannel(server, credentials, args);
  } else {
    std::vector<std::unique_ptr<gx::ClientInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(
        std::make_unique<BearerInterceptorFactory>(security.token));
    channel = gx::CreateCustomChannelWithInterceptors(server, credentials, args,
                                                      std::move(interceptors));
  }
  if (channel == nullptr)
    return absl::InternalError("could not create a gRPC channel");
  return channel;
}

}  // namespace nw::client
