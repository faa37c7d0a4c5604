// File: tests/testutil/delivery_servers.h
//
// The test servers that alert delivery talks to, run as child processes on
// 127.0.0.1 with a free port (scripts in tests/delivery/, run by
// /usr/bin/python3): a webhook receiver that checks signatures and fails,
// stalls or recovers on command, and an SMTP sink (python3-aiosmtpd).
#ifndef NW_TESTS_TESTUTIL_DELIVERY_SERVERS_H_
#define NW_TESTS_TESTUTIL_DELIVERY_SERVERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/testutil/daemon_process.h"

namespace nw::testing {

// Polls `done` every 20 ms for up to 30 s: a bound for waiting, never a
// timing assertion.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 1500; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

// The whole file; empty when it cannot be read.
std::string ReadTestFile(const std::string& path);

class WebhookReceiver {
 public:
  // Checks signatures against `secret`; logs every request to `log`.
  WebhookReceiver(const std::string& secret, const std::string& log);
  // http://127.0.0.1:PORT/hook
  std::string url() const;
  // "ok", "fail" (500), "busy" (429), "stall" (no answer until changed).
  void SetMode(const std::string& mode);
  // Every request received, in arrival order: {"cursor", "idempotency_key",
  // "hook", "subscriber", "sig_ok", "status", "alert"}.
  std::vector<nlohmann::json> Requests() const;
  // Cursors of the requests answered 200, in arrival order.
  std::vector<uint64_t> Accepted() const;

 private:
  std::string log_;
  std::unique_ptr<DaemonProcess> process_;
};

class SmtpSink {
 public:
  // Stores each message received in `dir` (created) as <n>.eml.
  explicit SmtpSink(const std::string& dir);
  // 127.0.0.1:PORT
  std::string relay() const;
  // Messages received so far, in order.
  std::vector<std::string> Messages() const;

 private:
  std::string dir_;
  std::unique_ptr<DaemonProcess> process_;
};

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_DELIVERY_SERVERS_H_
