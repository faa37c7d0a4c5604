// A gtest fixture for client tests against the real newswatchd: a daemon on
// 127.0.0.1 (free port) over a temporary data dir, and a NewswatchClient.
#ifndef NW_TESTS_CLIENT_DAEMON_FIXTURE_H_
#define NW_TESTS_CLIENT_DAEMON_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/lib/newswatch_client.h"
#include "gtest/gtest.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"

namespace nw::client {

using testing::PipelineArticles;

class DaemonTest : public ::testing::Test {
 protected:
  // (Re)starts newswatchd on data_dir_ and connects client_ to it.
  void StartDaemon(const std::vector<std::string>& flags = {}) {
    absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> d =
        testing::DaemonProcess::Start(testing::DaemonBinary(), data_dir_.path(),
                                      flags);
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = *std::move(d);
    ClientOptions options;
    options.server = daemon_->address();
    absl::StatusOr<std::unique_ptr<NewswatchClient>> c =
        NewswatchClient::Connect(options);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = *std::move(c);
  }

  void AddRule(const std::string& subscriber, const std::string& query) {
    v1::WatchRule rule;
    rule.set_subscriber(subscriber);
    rule.set_query(query);
    absl::StatusOr<v1::WatchRule> created = client_->CreateRule(rule);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  // Submits over one SubmitArticles stream; returns the alerts created.
  size_t SubmitAll(const std::vector<v1::Article>& articles) {
    size_t alerts = 0;
    auto bulk = client_->StartBulkSubmit(
        [&alerts](const v1::ArticleAck& ack, const std::string&) {
          alerts += ack.alerts();
        });
    for (const v1::Article& a : articles) {
      absl::Status s = bulk->Submit(a, a.id());
      EXPECT_TRUE(s.ok()) << s;
      if (!s.ok()) return alerts;
    }
    absl::Status s = bulk->Finish();
    EXPECT_TRUE(s.ok()) << s;
    return alerts;
  }

  testing::TempDir data_dir_;
  std::unique_ptr<testing::DaemonProcess> daemon_;
  std::unique_ptr<NewswatchClient> client_;
};

}  // namespace nw::client

#endif  // NW_TESTS_CLIENT_DAEMON_FIXTURE_H_
