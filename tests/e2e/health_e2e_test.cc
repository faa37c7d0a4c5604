// End to end: the gRPC health service of the real newswatchd follows
// storage. Storage is made to fail for real: the daemon runs with a file
// size limit (RLIMIT_FSIZE), so RocksDB's write-ahead log write of a large
// article fails with EFBIG, as it would on a full disk.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/health_client.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using testing::CheckHealth;
using ::testing::HasSubstr;
using testing::ServingStatus;
namespace v1 = ::newswatch::v1;

const std::vector<std::string> kServices = {
    "", "newswatch.v1.IngestService", "newswatch.v1.ArticleService",
    "newswatch.v1.RuleService", "newswatch.v1.AlertService"};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The WAL may grow to this size; the large article below does not fit.
constexpr uint64_t kFileSizeLimit = 256 * 1024;

v1::Article LargeArticle(const std::string& id) {
  v1::Article a;
  a.set_id(id);
  a.set_title("pipeline report");
  std::string body;
  while (body.size() < kFileSizeLimit + 64 * 1024)
    body += "pipeline capacity figures ";
  a.set_body(body);
  return a;
}

// Verifies SERVING for the server and every service while writes succeed,
// NOT_SERVING for all of them once a write fails (reported to the client
// as an error, never acknowledged), with the failure logged.
TEST(HealthE2eTest, NotServingWhenStorageWritesFail) {
  testing::TempDir data_dir, log_dir;
  const std::string log_path = log_dir.path() + "/newswatchd.log";
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon =
      testing::DaemonProcess::Start(
          testing::DaemonBinary(), data_dir.path(),
          {"--log-format=json", "--metrics-listen=127.0.0.1:0"},
          {.stderr_path = log_path, .file_size_limit_bytes = kFileSizeLimit});
  ASSERT_THAT(daemon, IsOk()) << ReadFile(log_path);
  std::shared_ptr<grpc::Channel> channel = (*daemon)->Channel();
  std::smatch port;
  const std::string started_log = ReadFile(log_path);
  ASSERT_TRUE(std::regex_search(started_log, port,
                                std::regex(R"("metrics_port":(\d+))")));
  const int metrics_port = std::stoi(port[1]);
  auto healthz = [&] {
    absl::StatusOr<testing::HttpResponse> r =
        testing::HttpRequest(metrics_port, "GET", "/healthz");
    return r.ok() ? r->status : -1;
  };
  testing::Client client(channel);

  for (const std::string& service : kServices) {
    EXPECT_EQ(CheckHealth(channel, service).value_or(ServingStatus::kUnknown),
              ServingStatus::kServing)
        << "service '" << service << "'";
  }
  // A small article fits: still serving.
  v1::ArticleAck ack;
  ASSERT_TRUE(
      client.Submit(testing::PipelineArticles("small", 1)[0], &ack).ok());
  EXPECT_EQ(CheckHealth(channel, "").value_or(ServingStatus::kUnknown),
            ServingStatus::kServing);
  EXPECT_EQ(healthz(), 200);

  grpc::Status failed = client.Submit(LargeArticle("large-1"), &ack);
  ASSERT_FALSE(failed.ok()) << "the WAL write past RLIMIT_FSIZE should fail";
  EXPECT_NE(failed.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << failed.error_message();

  for (const std::string& service : kServices) {
    EXPECT_EQ(CheckHealth(channel, service).value_or(ServingStatus::kUnknown),
              ServingStatus::kNotServing)
        << "service '" << service << "'";
  }
  EXPECT_EQ(healthz(), 503);
  // The failed article was not stored.
  v1::Article stored;
  EXPECT_EQ(client.GetArticle("large-1", &stored).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(
      ReadFile(log_path),
      HasSubstr(
          R"("level":"error","component":"storage","msg":"storage cannot take writes: health NOT_SERVING")"));
}

}  // namespace
}  // namespace nw
