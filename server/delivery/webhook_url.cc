#include "server/delivery/webhook_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace nw::delivery {
namespace {

bool IsInternalV4(uint32_t a) {  // host byte order
  const auto in = [a](uint32_t net, int bits) {
    return (a >> (32 - bits)) == (net >> (32 - bits));
  };
  return in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) ||
         in(0x7F000000, 8) || in(0xA9FE0000, 16) || in(0xAC100000, 12) ||
         in(0xC0A80000, 16) || in(0xC6120000, 15) || a >= 0xE0000000;
}

// The value of `part` of a parsed URL, empty when absent.
std::string UrlPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) {
    return "";
  }
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

bool IsInternalAddress(const sockaddr* addr) {
  if (addr->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
    return IsInternalV4(ntohl(v4->sin_addr.s_addr));
  }
  if (addr->sa_family != AF_INET6) return true;
  const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    uint32_t v4 = 0;
    for (int i = 12; i < 16; ++i) v4 = (v4 << 8) | a.s6_addr[i];
    return IsInternalV4(v4);
  }
  return IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) ||
         (a.s6_addr[0] & 0xFE) == 0xFC ||  // fc00::/7
         (a.s6_addr[0] == 0xFE &&
          (a.s6_addr[1] & 0xC0) == 0x80) ||  // fe80::/10
         a.s6_addr[0] == 0xFF;               // multicast
}

absl::Status CheckWebhookUrl(absl::string_view url, bool allow_private) {
  if (url.empty() || url.size() > 2048) {
    return absl::InvalidArgumentError(
        "webhook url: give an http:// or https:// URL of at most 2048 bytes");
  }
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(),
                                                             curl_url_cleanup);
  const std::string text(url);
  if (parsed == nullptr ||
      curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook url '", url, "' is not a valid URL"));
  }
  const std::string scheme =
      absl::AsciiStrToLower(UrlPart(parsed.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat(
        "webhook url '", url, "': only http:// and https:// are supported"));
  }
  if (!UrlPart(parsed.get(), CURLUPART_USER).empty()) {
    return absl::InvalidArgumentError(
        "webhook url: user:password@ is not accepted (authenticate the "
        "requests by their Newswatch-Signature header)");
  }
  std::string host = UrlPart(parsed.get(), CURLUPART_HOST);
  if (host.size() >= 2 && host.front() == '[') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook url '", url, "' has no host"));
  }
  if (allow_private) return absl::OkStatus();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "webhook url: host '", host, "' does not resolve: ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (IsInternalAddress(a->ai_addr)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "webhook url: host '", host,
          "' is a loopback, private or link-local address; newswatchd only "
          "posts there with --allow-private-webhooks"));
    }
  }
  return absl::OkStatus();
}

}  // namespace nw::delivery
