// File: server/delivery/webhook_url.h
//
// Which webhook URLs the daemon will POST to. A webhook makes the daemon send
// requests on a caller's behalf, so a URL to loopback, private, link-local or
// otherwise internal addresses would let an analyst reach services behind
// the firewall (server-side request forgery). They are refused unless the
// operator allows them (--allow-private-webhooks, e.g. for tests or a
// receiver on the same host). The check runs when a webhook is added (on
// every address its host resolves to) and again on each connection (the
// address actually connected to), so a DNS answer that changes later cannot
// get around it.
//
// Thread safety: pure functions (CheckWebhookUrl resolves names, blocking).
#ifndef NW_SERVER_DELIVERY_WEBHOOK_URL_H_
#define NW_SERVER_DELIVERY_WEBHOOK_URL_H_

#include <sys/socket.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace nw::delivery {

// True for addresses a webhook must not reach by default: IPv4 0/8, 10/8,
// 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 198.18/15,
// 224/4 and up; IPv6 ::, ::1, fc00::/7, fe80::/10, multicast, and IPv4-mapped
// forms of the IPv4 ones. `addr` is a sockaddr_in or sockaddr_in6.
bool IsInternalAddress(const sockaddr* addr);

// OK when `url` is an http:// or https:// URL with a host, at most 2048
// bytes, without user:password, and (unless `allow_private`) its host
// resolves only to addresses that are not internal. InvalidArgument for a
// malformed or non-http(s) URL, or a host that does not resolve;
// PermissionDenied for an internal address.
absl::Status CheckWebhookUrl(absl::string_view url, bool allow_private);

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_WEBHOOK_URL_H_
