#include "server/auth/listen_policy.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace nw::auth {

ListenScope ClassifyListen(absl::string_view listen) {
  if (absl::StartsWith(listen, "unix:") ||
      absl::StartsWith(listen, "unix-abstract:")) {
    return ListenScope::kUnixSocket;
  }
  const size_t colon = listen.rfind(':');
  absl::string_view host =
      colon == absl::string_view::npos ? listen : listen.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  if (host == "127.0.0.1" || host == "::1" ||
      absl::EqualsIgnoreCase(host, "localhost")) {
    return ListenScope::kLocalhost;
  }
  if (absl::StartsWith(host, "127.") &&
      host.find_first_not_of("0123456789.") == absl::string_view::npos) {
    return ListenScope::kOtherLoopback;
  }
  return ListenScope::kNetwork;
}

absl::Status CheckListenPolicy(absl::string_view listen,
                               const ListenSecurity& security) {
  const ListenScope scope = ClassifyListen(listen);
  if (scope == ListenScope::kNetwork && !security.insecure &&
      !(security.tls && security.tokens)) {
    std::vector<absl::string_view> missing;
    if (!security.tls) missing.push_back("--tls-cert and --tls-key");
    if (!security.tokens) missing.push_back("--token-file");
    return absl::FailedPreconditionError(
        absl::StrCat("refusing to listen on ", listen,
                     " (not loopback) without TLS and bearer tokens: add ",
                     absl::StrJoin(missing, " and "),
                     ", or pass --insecure on a trusted network"));
  }
  if (security.tokens && !security.tls && scope != ListenScope::kLocalhost &&
      scope != ListenScope::kUnixSocket) {
    return absl::FailedPreconditionError(
        absl::StrCat("--token-file without TLS works only on 127.0.0.1, [::1], "
                     "localhost or a unix: "
                     "socket, not ",
                     listen,
                     " (bearer tokens would cross the network in clear text): "
                     "add --tls-cert and "
                     "--tls-key"));
  }
  return absl::OkStatus();
}

}  // namespace nw::auth
