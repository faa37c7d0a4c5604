// File: tests/testutil/e2e_client.h
//
// A test client over the generated stubs (the wire, not our client library,
// so end-to-end tests check the API itself).
#ifndef NW_TESTS_TESTUTIL_E2E_CLIENT_H_
#define NW_TESTS_TESTUTIL_E2E_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "tests/testutil/daemon_process.h"

namespace nw::testing {

// Articles of a tests/data JSONL file (topics and places become tags).
std::vector<newswatch::v1::Article> LoadArticles(const std::string& name);

// `n` small articles "<prefix>-0", ... that all match the rule "pipeline"
// (and are not near-duplicates of each other: each is its own story).
std::vector<newswatch::v1::Article> PipelineArticles(const std::string& prefix,
                                                     int n);

class Client {
 public:
  explicit Client(std::shared_ptr<grpc::Channel> channel);

  grpc::Status CreateRule(const std::string& subscriber,
                          const std::string& query,
                          newswatch::v1::WatchRule* out);
  std::vector<newswatch::v1::WatchRule> ListRules(
      const std::string& subscriber);
  grpc::Status Submit(const newswatch::v1::Article& article,
                      newswatch::v1::ArticleAck* ack);
  // Over the bidirectional stream; one ack per article, in order (fewer if
  // the stream broke: `status` says why).
  std::vector<newswatch::v1::ArticleAck> SubmitAll(
      const std::vector<newswatch::v1::Article>& articles,
      grpc::Status* status = nullptr);
  grpc::Status GetArticle(const std::string& id, newswatch::v1::Article* out);

  // Reads the subscriber's alerts after `from_cursor` until `want` arrived,
  // then keeps reading for `linger` to catch any extra one. `on_open`, when
  // given, runs at the stream's first message: with nothing to replay that
  // is the heartbeat the daemon sends once the stream is open and live.
  std::vector<newswatch::v1::Alert> ReadAlerts(
      const std::string& subscriber, uint64_t from_cursor, size_t want,
      std::chrono::milliseconds linger,
      const std::function<void()>& on_open = nullptr);

  newswatch::v1::AlertService::Stub& alerts() { return *alerts_; }
  newswatch::v1::RuleService::Stub& rules() { return *rules_; }

 private:
  std::unique_ptr<newswatch::v1::IngestService::Stub> ingest_;
  std::unique_ptr<newswatch::v1::ArticleService::Stub> articles_;
  std::unique_ptr<newswatch::v1::RuleService::Stub> rules_;
  std::unique_ptr<newswatch::v1::AlertService::Stub> alerts_;
};

// A fixture with the real daemon over a temporary data dir and a Client.
class E2eTest : public ::testing::Test {
 protected:
  // (Re)starts newswatchd on data_dir_ with `flags` and connects client_.
  void StartDaemon(const std::vector<std::string>& flags = {});

  TempDir data_dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<Client> client_;
};

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_E2E_CLIENT_H_
