// End to end: /metrics of the real newswatchd (HTTP on 127.0.0.1, port 0)
// after known rules, articles and a live subscriber, read with a strict
// exposition-format parser.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "server/base/read_file.h"
#include "tests/testutil/cli_process.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/metrics_text.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using testing::Client;
using testing::DaemonProcess;
using ::testing::HasSubstr;
using testing::ScrapedMetrics;
namespace v1 = ::newswatch::v1;

// The file's text; "" when it cannot be read (the assertions then say why).
std::string ReadFile(const std::string& path) {
  return base::ReadWholeFile(path, "file").value_or("");
}

// The daemon logs "metrics_port=N" (text) when /metrics is up, before it
// prints its "listening on" line.
int MetricsPortFromLog(const std::string& log_path) {
  std::smatch m;
  const std::string log = ReadFile(log_path);
  if (!std::regex_search(log, m, std::regex(R"(metrics_port=(\d+))"))) return 0;
  return std::stoi(m[1]);
}

class MetricsE2eTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::vector<std::string>& flags) {
    absl::StatusOr<std::unique_ptr<DaemonProcess>> d =
        DaemonProcess::Start(testing::DaemonBinary(), data_dir_.path(), flags,
                             {.stderr_path = log_path_});
    ASSERT_THAT(d, IsOk()) << "\nlog:\n" << ReadFile(log_path_);
    daemon_ = *std::move(d);
    metrics_port_ = MetricsPortFromLog(log_path_);
    ASSERT_GT(metrics_port_, 0) << ReadFile(log_path_);
    client_ = std::make_unique<Client>(daemon_->Channel());
  }

  ScrapedMetrics Scrape() {
    absl::StatusOr<testing::HttpResponse> r =
        testing::HttpRequest(metrics_port_, "GET", "/metrics");
    EXPECT_THAT(r, IsOk());
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->content_type, "text/plain; version=0.0.4; charset=utf-8");
    absl::StatusOr<ScrapedMetrics> m = testing::ParseMetricsText(r->body);
    EXPECT_THAT(m, IsOk()) << "\n" << r->body;
    return m.ok() ? *m : ScrapedMetrics{};
  }

  testing::TempDir data_dir_;
  testing::TempDir log_dir_;
  const std::string log_path_ = log_dir_.path() + "/newswatchd.log";
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<Client> client_;
  int metrics_port_ = 0;
};

// Verifies exact counters and gauges after known traffic: rules, 71 new
// articles, one duplicate, one invalid article, one live subscriber that
// receives its 4 alerts; histograms count one observation per article
// matched; every sample belongs to a HELP/TYPE family.
TEST_F(MetricsE2eTest, CountsWhatWasSubmittedMatchedAndDelivered) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--metrics-listen=127.0.0.1:0"}));
  ScrapedMetrics before = Scrape();
  EXPECT_EQ(before.Get("newswatch_articles_ingested_total"), 0);
  EXPECT_EQ(before.Get("newswatch_rules"), 0);
  EXPECT_EQ(before.Get("newswatch_storage_healthy"), 1);
  EXPECT_EQ(before.types["newswatch_match_duration_seconds"], "histogram");

  v1::WatchRule rule;
  ASSERT_TRUE(
      client_->CreateRule("analyst-asia", "Myanmar AND sanctions", &rule).ok());
  ASSERT_TRUE(
      client_->CreateRule("analyst-energy", "crude AND OPEC", &rule).ok());

  // A live subscriber: its first message (a heartbeat) says it is registered.
  grpc::ClientContext stream_context;
  v1::SubscribeRequest request;
  request.set_subscriber("analyst-energy");
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> stream =
      client_->alerts().Subscribe(&stream_context, request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(stream->Read(&message));
  ASSERT_TRUE(message.has_heartbeat());
  EXPECT_EQ(Scrape().Get("newswatch_subscribers_connected"), 1);

  std::vector<v1::Article> articles =
      testing::LoadArticles("seed-article.jsonl");
  std::vector<v1::Article> reuters =
      testing::LoadArticles("reuters-tm-70.jsonl");
  articles.insert(articles.end(), reuters.begin(), reuters.end());
  ASSERT_EQ(articles.size(), 71u);
  std::vector<v1::ArticleAck> acks = client_->SubmitAll(articles);
  ASSERT_EQ(acks.size(), 71u);
  uint32_t alerts_expected = 0;
  for (const v1::ArticleAck& ack : acks) alerts_expected += ack.alerts();
  EXPECT_EQ(alerts_expected, 5u);  // 1 for asia, 4 for energy (daemon_e2e_test)

  v1::ArticleAck ack;
  ASSERT_TRUE(client_->Submit(articles[0], &ack).ok());
  EXPECT_TRUE(ack.duplicate());
  v1::Article empty;
  empty.set_id("empty-article");
  EXPECT_EQ(client_->Submit(empty, &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Energy's 4 alerts arrive on the open stream.
  int alerts_read = 0;
  while (alerts_read < 4 && stream->Read(&message)) {
    if (message.has_alert()) ++alerts_read;
  }
  ASSERT_EQ(alerts_read, 4);

  ScrapedMetrics m = Scrape();
  EXPECT_EQ(m.Get("newswatch_articles_ingested_total"), 71);
  EXPECT_EQ(m.Get("newswatch_articles_duplicate_total"), 1);
  EXPECT_EQ(
      m.Get(R"(newswatch_articles_rejected_total{code="INVALID_ARGUMENT"})"),
      1);
  EXPECT_EQ(m.Get(R"(newswatch_alerts_produced_total{source="ingest"})"),
            alerts_expected);
  EXPECT_EQ(m.Get(R"(newswatch_alerts_produced_total{source="backfill"})"), 0);
  EXPECT_EQ(m.Get("newswatch_alerts_delivered_total"), 4);
  EXPECT_EQ(m.Get("newswatch_subscribers_connected"), 1);
  EXPECT_EQ(m.Get("newswatch_rules"), 2);
  EXPECT_EQ(m.Get("newswatch_rules_always_evaluated"), 0);
  // 71 new + 1 duplicate were matched (a duplicate is found at commit);
  // the invalid article never was.
  EXPECT_EQ(m.Get("newswatch_match_duration_seconds_count"), 72);
  EXPECT_EQ(m.Get("newswatch_match_candidates_count"), 72);
  EXPECT_GT(m.Get("newswatch_match_duration_seconds_sum"), 0);
  EXPECT_GE(m.Get("newswatch_commit_duration_seconds_count"), 1);
  EXPECT_EQ(m.Get("newswatch_ingest_queue_articles"), 0);
  EXPECT_EQ(m.Get("newswatch_stream_queued_alerts"), 0);
  EXPECT_EQ(m.Get("newswatch_streams_catching_up"), 0);
  EXPECT_GT(m.Get(R"(newswatch_rocksdb_memtable_bytes{cf="articles"})"), 0);
  EXPECT_GE(m.Get(R"(newswatch_rocksdb_live_sst_bytes{cf="articles"})"), 0);
  EXPECT_EQ(m.Get("newswatch_storage_healthy"), 1);
  EXPECT_EQ(m.Get("newswatch_storage_errors_total"), 0);
  EXPECT_EQ(
      m.Get(
          R"(newswatch_rpc_errors_total{method="/newswatch.v1.IngestService/SubmitArticle",code="INVALID_ARGUMENT"})"),
      1);
  EXPECT_GT(m.Get("newswatch_start_time_seconds"), 1.7e9);
  EXPECT_EQ(
      m.Get(
          R"(newswatch_build_info{grpc_version="1.51.1",rocksdb_version="7.8.3"})"),
      1);

  // The stream closes: the gauge follows (unregistering is asynchronous).
  stream_context.TryCancel();
  while (stream->Read(&message)) {
  }
  (void)stream->Finish();
  double connected = -1;
  for (int i = 0; i < 200 && connected != 0; ++i) {
    connected = Scrape().Get("newswatch_subscribers_connected");
    if (connected != 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(connected, 0);
  // The client cancelled its stream (Ctrl-C on `watch`): not an RPC error.
  EXPECT_EQ(
      Scrape().Get(
          R"(newswatch_rpc_errors_total{method="/newswatch.v1.AlertService/Subscribe",code="CANCELLED"})"),
      -1);
}

// Verifies a rule added with a backfill counts its alerts as backfill, and a
// reconnecting subscriber that replays them from the log counts as delivered.
TEST_F(MetricsE2eTest, CountsBackfillAndReplay) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--metrics-listen=127.0.0.1:0"}));
  std::vector<v1::ArticleAck> acks =
      client_->SubmitAll(testing::PipelineArticles("p", 3));
  ASSERT_EQ(acks.size(), 3u);
  grpc::ClientContext context;
  v1::CreateRuleRequest create;
  create.mutable_rule()->set_subscriber("ops");
  create.mutable_rule()->set_query("pipeline");
  create.mutable_backfill_since()->set_seconds(1);  // everything stored
  v1::WatchRule created;
  grpc::Status s = client_->rules().CreateRule(&context, create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::vector<v1::Alert> replayed =
      client_->ReadAlerts("ops", 0, 3, std::chrono::milliseconds(0));
  ASSERT_EQ(replayed.size(), 3u);
  ScrapedMetrics m = Scrape();
  EXPECT_EQ(m.Get(R"(newswatch_alerts_produced_total{source="backfill"})"), 3);
  EXPECT_EQ(m.Get(R"(newswatch_alerts_produced_total{source="ingest"})"), 0);
  EXPECT_EQ(m.Get("newswatch_alerts_delivered_total"), 3);
  EXPECT_EQ(m.Get("newswatch_articles_ingested_total"), 3);
}

// Verifies that only /metrics (GET, HEAD) and /healthz are served.
TEST_F(MetricsE2eTest, ServesOnlyMetricsAndHealthz) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--metrics-listen=127.0.0.1:0"}));
  absl::StatusOr<testing::HttpResponse> other =
      testing::HttpRequest(metrics_port_, "GET", "/");
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ(other->status, 404);
  absl::StatusOr<testing::HttpResponse> post =
      testing::HttpRequest(metrics_port_, "POST", "/metrics");
  ASSERT_THAT(post, IsOk());
  EXPECT_EQ(post->status, 405);
  absl::StatusOr<testing::HttpResponse> head =
      testing::HttpRequest(metrics_port_, "HEAD", "/metrics");
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  absl::StatusOr<testing::HttpResponse> healthz =
      testing::HttpRequest(metrics_port_, "GET", "/healthz");
  ASSERT_THAT(healthz, IsOk());
  EXPECT_EQ(healthz->status, 200);
  EXPECT_EQ(healthz->body, "SERVING\n");
}

// Verifies the daemon refuses to start, saying why, when the metrics
// address is taken.
TEST_F(MetricsE2eTest, MetricsPortInUseFailsStart) {
  testing::HeldPort held;
  ASSERT_NE(held.port(), 0);
  const std::string taken = held.address();

  absl::StatusOr<std::unique_ptr<DaemonProcess>> d = DaemonProcess::Start(
      testing::DaemonBinary(), data_dir_.path(), {"--metrics-listen=" + taken},
      {.stderr_path = log_path_});
  EXPECT_FALSE(d.ok());
  // Said before the data dir is created (server/daemon/start_checks.h).
  EXPECT_THAT(ReadFile(log_path_),
              HasSubstr("cannot start: UNAVAILABLE: cannot listen on " + taken +
                        " (--metrics-listen): the port is in use"));
}

}  // namespace
}  // namespace nw
