#include "client/cli/cli_common.h"

#include <cstdlib>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace nw::client::cli {

FlagSpec ServerFlag() {
  return {"server", "HOST:PORT",
          absl::StrCat("newswatchd address (default ", kDefaultServer, ")")};
}

std::vector<FlagSpec> SecurityFlags() {
  return {
      {"tls", "", "use TLS, trusting the system's CA roots"},
      {"tls-ca", "FILE",
       "use TLS; PEM CA bundle that signed newswatchd's certificate"},
      {"tls-cert", "FILE",
       "PEM client certificate, for a daemon that verifies them (mTLS)"},
      {"tls-key", "FILE", "PEM private key of --tls-cert"},
      {"token", "TOKEN", "bearer token (default: $NEWSWATCH_TOKEN)"},
  };
}

bool IsGlobalValueFlag(absl::string_view flag) {
  return flag == "--server" || flag == "--tls-ca" || flag == "--tls-cert" ||
         flag == "--tls-key" || flag == "--token";
}

ChannelSecurity SecurityFromArgs(const ParsedArgs& args) {
  ChannelSecurity security;
  security.use_tls = args.GetBool("tls");
  security.tls_ca_file = args.Get("tls-ca");
  security.tls_cert_file = args.Get("tls-cert");
  security.tls_key_file = args.Get("tls-key");
  if (args.Has("token")) {
    security.token = args.Get("token");
  } else if (const char* env = std::getenv("NEWSWATCH_TOKEN"); env != nullptr) {
    security.token = env;
  }
  return security;
}

int Fail(absl::string_view what, const absl::Status& status) {
  std::cerr << "newswatch: " << what << ": " << status.message() << std::endl;
  return kExitFailure;
}

int UsageError(absl::string_view message, absl::string_view usage) {
  std::cerr << "newswatch: " << message << "\n" << usage;
  return kExitUsage;
}

CommandArgs ParseCommandArgs(const std::vector<std::string>& args,
                             std::vector<FlagSpec> specs,
                             absl::string_view usage) {
  specs.push_back(ServerFlag());
  for (FlagSpec& flag : SecurityFlags()) specs.push_back(std::move(flag));
  const std::string full_usage =
      absl::StrCat(usage, specs.empty() ? "" : "\nflags:\n", FlagHelp(specs));
  CommandArgs result;
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, specs);
  if (!parsed.ok()) {
    result.exit_code = UsageError(parsed.status().message(), full_usage);
    return result;
  }
  if (parsed->help) {
    std::cout << full_usage;
    result.exit_code = kExitOk;
    return result;
  }
  result.parsed = *std::move(parsed);
  return result;
}

std::unique_ptr<NewswatchClient> ConnectOrReport(const ParsedArgs& args) {
  ClientOptions options;
  options.server = args.Get("server", kDefaultServer);
  options.security = SecurityFromArgs(args);
  absl::StatusOr<std::unique_ptr<NewswatchClient>> client =
      NewswatchClient::Connect(options);
  if (!client.ok()) {
    Fail("connect", client.status());
    return nullptr;
  }
  return *std::move(client);
}

}  // namespace nw::client::cli
