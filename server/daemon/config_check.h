// File: server/daemon/config_check.h
//
// Range checks of a DaemonConfig, before anything is opened or bound: a
// value gRPC or the thread pools would silently bend (port 99999 becoming a
// random port, a negative size meaning "no limit", 100,000 threads) is
// refused with the setting's flag name and what it accepts.
#ifndef NW_SERVER_DAEMON_CONFIG_CHECK_H_
#define NW_SERVER_DAEMON_CONFIG_CHECK_H_

#include <cstddef>

#include "absl/status/status.h"
#include "server/daemon/daemon_config.h"

namespace nw::daemon {

// The largest --max-article-bytes: 64 MiB.
inline constexpr size_t kMaxArticleBytesLimit = size_t{64} << 20;

// OK, or InvalidArgument naming the first bad setting, e.g.
// "--listen 127.0.0.1:99999: the port must be 0..65535 (0 picks a free one)".
absl::Status CheckDaemonConfig(const DaemonConfig& config);

// The largest gRPC message the daemon accepts: room for an article well over
// the article limit, so an oversize article is refused on its own (the
// stream goes on) instead of ending the stream. Bytes.
size_t MaxMessageBytes(const DaemonConfig& config);

// True unless --web-listen is "off" or empty.
bool WebConsoleOn(const DaemonConfig& config);

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_CONFIG_CHECK_H_
