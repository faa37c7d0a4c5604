// Which webhook URLs are accepted (server-side request forgery).
#include "server/delivery/webhook_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::delivery {
namespace {

using ::nw::testing::IsOk;

bool InternalV4(const char* ip) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &a.sin_addr);
  return IsInternalAddress(reinterpret_cast<sockaddr*>(&a));
}

bool InternalV6(const char* ip) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  inet_pton(AF_INET6, ip, &a.sin6_addr);
  return IsInternalAddress(reinterpret_cast<sockaddr*>(&a));
}

// Verifies loopback, private, link-local (cloud metadata), CGNAT and
// multicast addresses are internal, in IPv4, IPv6 and IPv4-mapped form.
TEST(WebhookUrlTest, InternalAddresses) {
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.1",
                         "192.168.1.1", "169.254.169.254", "100.64.0.1",
                         "0.0.0.0", "224.0.0.1", "255.255.255.255"}) {
    EXPECT_TRUE(InternalV4(ip)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "93.184.216.34"}) {
    EXPECT_FALSE(InternalV4(ip)) << ip;
  }
  for (const char* ip : {"::1", "::", "fd00::1", "fe80::1", "ff02::1",
                         "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(InternalV6(ip)) << ip;
  }
  EXPECT_FALSE(InternalV6("2001:4860:4860::8888"));
  EXPECT_FALSE(InternalV6("::ffff:8.8.8.8"));
}

// Verifies URLs to loopback/private hosts are refused unless allowed, and
// that only http(s) URLs with a host and no credentials are accepted.
TEST(WebhookUrlTest, Check) {
  EXPECT_EQ(CheckWebhookUrl("http://127.0.0.1:9/hook", false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebhookUrl("http://[::1]:9/hook", false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebhookUrl("http://localhost/hook", false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebhookUrl("https://10.0.0.8/x", false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(CheckWebhookUrl("http://127.0.0.1:9/hook", true), IsOk());
  EXPECT_THAT(CheckWebhookUrl("https://8.8.8.8/hook", false), IsOk());
  for (const char* bad :
       {"", "ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/",
        "http://user:pw@8.8.8.8/", "not a url"}) {
    EXPECT_EQ(CheckWebhookUrl(bad, true).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace nw::delivery
