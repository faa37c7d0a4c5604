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

namespace nw::client {

// `n` small articles "<prefix>-0".. that all match the rule "pipeline".
inline std::vector<v1::Article> PipelineArticles(const std::string& prefix,
                                                 int n) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < n; ++i) {
    v1::Article& a = articles.emplace_back();
    a.set_id(absl::StrCat(prefix, "-", i));
    a.set_source("test");
    a.set_title(absl::StrCat("Pipeline report ", i));
    a.set_body("Gas pipeline capacity rose again this week, operators said.");
  }
  return articles;
}

class DaemonTest : public ::testing::Test {
 protected:
  // (Re)starts newswatchd on data_dir_ and connects client_ to it.
  void StartDaemon(const std::vector<std::string>& flags = {}) {
    absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> d =
        testing::DaemonProcess::Start(testing::DaemonBinary(),
                                      data_dir_.path(), flags);
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
