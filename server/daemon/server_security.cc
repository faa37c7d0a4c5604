#include "server/daemon/server_security.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "server/auth/listen_policy.h"
#include "server/auth/token_table.h"
#include "server/base/read_file.h"
#include "server/base/status_macros.h"
#include "server/rpc/auth_processor.h"

namespace nw::daemon {
namespace {

// The contents of the PEM file given to `flag`, with errors naming both.
absl::StatusOr<std::string> ReadPem(const std::string& path,
                                    absl::string_view flag,
                                    absl::string_view expected) {
  NW_ASSIGN_OR_RETURN(
      std::string text,
      base::ReadWholeFile(path, absl::StrCat("the ", flag, " file")));
  // gRPC would only say that the server failed to start; say which file.
  if (!absl::StrContains(text, "-----BEGIN ") ||
      !absl::StrContains(text, expected)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", flag, " file '", path, "' holds no PEM ", expected));
  }
  return text;
}

absl::Status CheckTlsFlags(const DaemonConfig& config) {
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both (TLS) or neither "
        "(plaintext)");
  }
  if (!config.tls_client_ca_file.empty() && config.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-client-ca (verify client certificates) needs --tls-cert and "
        "--tls-key");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const DaemonConfig& config) {
  NW_ASSIGN_OR_RETURN(std::string cert, ReadPem(config.tls_cert_file,
                                                "--tls-cert", "CERTIFICATE"));
  NW_ASSIGN_OR_RETURN(std::string key,
                      ReadPem(config.tls_key_file, "--tls-key", "PRIVATE KEY"));
  const bool verify_clients = !config.tls_client_ca_file.empty();
  grpc::SslServerCredentialsOptions options(
      verify_clients
          ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
          : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (verify_clients) {
    NW_ASSIGN_OR_RETURN(
        std::string ca,
        ReadPem(config.tls_client_ca_file, "--tls-client-ca", "CERTIFICATE"));
    options.pem_root_certs = std::move(ca);
  }
  options.pem_key_cert_pairs.push_back({std::move(key), std::move(cert)});
  return grpc::SslServerCredentials(options);
}

}  // namespace

absl::StatusOr<ServerSecurity> BuildServerSecurity(
    const DaemonConfig& config, metrics::Registry* registry) {
  NW_RETURN_IF_ERROR(CheckTlsFlags(config));
  const bool tls = !config.tls_cert_file.empty();
  const bool tokens = !config.token_file.empty();
  if (absl::Status s = auth::CheckListenPolicy(
          config.listen,
          {.tls = tls, .tokens = tokens, .insecure = config.insecure});
      !s.ok()) {
    return s;
  }
  ServerSecurity security;
  if (tokens) {
    absl::StatusOr<auth::TokenTable> table =
        auth::TokenTable::Load(config.token_file);
    if (!table.ok()) {
      return absl::Status(
          table.status().code(),
          absl::StrCat("--token-file: ", table.status().message()));
    }
    security.authenticator =
        std::make_shared<auth::Authenticator>(*std::move(table));
  }
  if (tls) {
    NW_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds,
                        TlsCredentials(config));
    security.credentials = std::move(creds);
    security.summary = config.tls_client_ca_file.empty()
                           ? "TLS"
                           : "TLS with client certificates";
  } else if (tokens) {
    // The auth processor needs secure credentials; local credentials are
    // plaintext on the wire and only accept loopback / unix-socket peers.
    security.credentials = grpc::experimental::LocalServerCredentials(
        auth::ClassifyListen(config.listen) == auth::ListenScope::kUnixSocket
            ? UDS
            : LOCAL_TCP);
    security.summary = "plaintext (local only)";
  } else {
    security.credentials = grpc::InsecureServerCredentials();
    security.summary = "plaintext";
  }
  if (security.authenticator != nullptr) {
    metrics::CounterFamily* refused =
        registry == nullptr
            ? nullptr
            : &registry->AddCounterFamily(
                  "newswatch_calls_refused_total",
                  "Calls refused for their bearer token (missing, unknown, or "
                  "not allowed "
                  "the method) before any service ran, by code.",
                  {"code"});
    security.credentials->SetAuthMetadataProcessor(
        std::make_shared<rpc::TokenAuthProcessor>(security.authenticator,
                                                  refused));
    absl::StrAppend(&security.summary, ", ",
                    security.authenticator->token_count(), " bearer tokens");
  } else {
    absl::StrAppend(&security.summary, ", no authentication");
  }
  return security;
}

}  // namespace nw::daemon
