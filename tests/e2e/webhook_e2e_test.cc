// End to end, on the real daemon and a real receiver on 127.0.0.1
// (tests/delivery/webhook_receiver.py): exactly the subscriber's alerts
// arrive, signed, in cursor order, at least once, the same cursor on every
// retry, across a SIGKILL of the daemon; a stalled endpoint does not slow
// ingest; the CLI manages webhooks; internal URLs are refused by default.
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newswatch/v1/delivery_service.grpc.pb.h"
#include "tests/e2e/auth_fixture.h"
#include "tests/testutil/delivery_servers.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

namespace v1 = ::newswatch::v1;
using testing::Eventually;
using ::testing::HasSubstr;
using testing::PipelineArticles;
using testing::WebhookReceiver;

constexpr char kSecret[] = "e2e-secret";

class WebhookE2eTest : public testing::E2eTest {
 protected:
  void Start(bool allow_private = true) {
    std::vector<std::string> flags = {
        "--delivery-retry-initial=20ms", "--delivery-retry-max=200ms",
        "--delivery-poll-interval=20ms", "--webhook-timeout=1s"};
    if (allow_private) flags.push_back("--allow-private-webhooks");
    ASSERT_NO_FATAL_FAILURE(StartDaemon(flags));
    delivery_ = v1::DeliveryService::NewStub(daemon_->Channel());
  }
  grpc::Status AddHook(const std::string& url, v1::AddWebhookResponse* out) {
    grpc::ClientContext ctx;
    v1::AddWebhookRequest req;
    req.set_subscriber("desk");
    req.set_url(url);
    req.set_secret(kSecret);
    return delivery_->AddWebhook(&ctx, req, out);
  }
  void Submit(const std::string& prefix, int n) {
    grpc::Status status;
    EXPECT_EQ(client_->SubmitAll(PipelineArticles(prefix, n), &status).size(),
              static_cast<size_t>(n))
        << status.error_message();
  }
  std::string Log(const std::string& name) {
    return absl::StrCat(data_dir_.path(), "/", name);
  }
  static bool Has(const std::vector<uint64_t>& got, uint64_t cursor) {
    return std::find(got.begin(), got.end(), cursor) != got.end();
  }

  std::unique_ptr<v1::DeliveryService::Stub> delivery_;
};

// Verifies at-least-once delivery in cursor order across failures and a
// daemon SIGKILL: every alert of the subscriber (and no other's) arrives
// signed; each retry carries the same cursor, key and alert.
TEST_F(WebhookE2eTest, EveryAlertArrivesInOrderAcrossFailuresAndKill) {
  WebhookReceiver receiver(kSecret, Log("receiver.jsonl"));
  ASSERT_NO_FATAL_FAILURE(Start());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "pipeline", &rule).ok());
  ASSERT_TRUE(client_->CreateRule("other", "pipeline", &rule).ok());
  v1::AddWebhookResponse added;
  ASSERT_TRUE(AddHook(receiver.url(), &added).ok());

  Submit("first", 10);
  ASSERT_TRUE(Eventually([&] { return Has(receiver.Accepted(), 10); }));
  receiver.SetMode("fail");
  Submit("second", 10);
  ASSERT_TRUE(Eventually([&] { return receiver.Requests().size() >= 14; }));
  daemon_->Kill();
  receiver.SetMode("ok");
  ASSERT_NO_FATAL_FAILURE(Start());
  Submit("third", 5);
  ASSERT_TRUE(Eventually([&] { return Has(receiver.Accepted(), 25); }));

  // First arrivals are 1..25 in order; repeats are only of what was
  // already sent (at least once).
  std::vector<uint64_t> first;
  std::set<uint64_t> seen;
  std::map<uint64_t, std::string> article_of;
  for (const nlohmann::json& r : receiver.Requests()) {
    EXPECT_TRUE(r["sig_ok"].get<bool>());
    EXPECT_EQ(r["subscriber"], "desk");
    EXPECT_EQ(r["hook"], added.webhook().id());
    const uint64_t cursor = r["cursor"].get<uint64_t>();
    EXPECT_EQ(r["idempotency_key"], std::to_string(cursor));
    const std::string article = r["alert"]["article_id"];
    auto [it, fresh] = article_of.emplace(cursor, article);
    EXPECT_EQ(it->second, article) << "cursor " << cursor;
    if (r["status"] == 200 && seen.insert(cursor).second) {
      first.push_back(cursor);
    }
  }
  std::vector<uint64_t> want;
  for (uint64_t c = 1; c <= 25; ++c) want.push_back(c);
  EXPECT_EQ(first, want);
  // While failing, every attempt was for cursor 11.
  int failed = 0;
  for (const nlohmann::json& r : receiver.Requests()) {
    if (r["status"] != 200) {
      ++failed;
      EXPECT_EQ(r["cursor"], 11);
    }
  }
  EXPECT_GE(failed, 4);
}

// Verifies a stalled endpoint does not slow ingest nor the subscriber's
// stream: every article is acknowledged and streamed while the webhook has
// delivered nothing; once the endpoint recovers it gets every alert.
TEST_F(WebhookE2eTest, StalledEndpointDoesNotSlowIngest) {
  WebhookReceiver receiver(kSecret, Log("receiver.jsonl"));
  receiver.SetMode("stall");
  ASSERT_NO_FATAL_FAILURE(Start());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "pipeline", &rule).ok());
  v1::AddWebhookResponse added;
  ASSERT_TRUE(AddHook(receiver.url(), &added).ok());
  constexpr int kArticles = 300;
  Submit("bulk", kArticles);
  EXPECT_EQ(
      client_->ReadAlerts("desk", 0, kArticles, std::chrono::milliseconds(0))
          .size(),
      static_cast<size_t>(kArticles));
  EXPECT_TRUE(receiver.Accepted().empty());
  receiver.SetMode("ok");
  ASSERT_TRUE(Eventually([&] { return Has(receiver.Accepted(), kArticles); }));
  std::vector<uint64_t> got = receiver.Accepted();
  EXPECT_EQ(std::set<uint64_t>(got.begin(), got.end()).size(),
            static_cast<size_t>(kArticles));
}

// Verifies the CLI: hooks add (with --secret-from-file), list (state,
// progress, no secret), rm; and that a daemon without
// --allow-private-webhooks refuses a loopback URL.
TEST_F(WebhookE2eTest, CliAndPrivateUrls) {
  WebhookReceiver receiver(kSecret, Log("receiver.jsonl"));
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string secret_file = Log("secret");
  { std::ofstream(secret_file) << kSecret << "\n"; }
  const std::string server = daemon_->address();
  testing::ExitResult r = testing::RunToExit(
      {NW_CLI_BINARY, "--server", server, "hooks", "add", "--subscriber",
       "desk", "--secret-from-file", secret_file, receiver.url()});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("h-1\t" + receiver.url()));
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "pipeline", &rule).ok());
  Submit("cli", 3);
  ASSERT_TRUE(Eventually([&] { return Has(receiver.Accepted(), 3); }));
  for (const nlohmann::json& req : receiver.Requests()) {
    EXPECT_TRUE(req["sig_ok"].get<bool>());
  }
  ASSERT_TRUE(Eventually([&] {
    r = testing::RunToExit({NW_CLI_BINARY, "--server", server, "hooks", "list",
                            "--subscriber", "desk"});
    return r.output.find("h-1\tdesk\tactive\t3/3\t") != std::string::npos;
  })) << r.output;
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr(kSecret)));
  r = testing::RunToExit(
      {NW_CLI_BINARY, "--server", server, "hooks", "rm", "h-1"});
  EXPECT_EQ(r.code, 0) << r.output;
  r = testing::RunToExit({NW_CLI_BINARY, "--server", server, "hooks", "list"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("h-1")));

  ASSERT_THAT(daemon_->Stop(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Start(/*allow_private=*/false));
  v1::AddWebhookResponse added;
  grpc::Status refused = AddHook(receiver.url(), &added);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(refused.error_message(), HasSubstr("--allow-private-webhooks"));
}

// Verifies e-mail through the daemon: `newswatch email set` with
// --smtp-relay, then one message per alert reaches the SMTP sink, with the
// rule's label, the article's url and a snippet.
TEST_F(WebhookE2eTest, EmailThroughDaemon) {
  testing::SmtpSink sink(Log("mail"));
  ASSERT_NO_FATAL_FAILURE(StartDaemon(
      {"--smtp-relay=" + sink.relay(), "--smtp-from=nw@example.com"}));
  const std::string server = daemon_->address();
  testing::ExitResult r = testing::RunToExit(
      {NW_CLI_BINARY, "--server", server, "email", "set", "--subscriber",
       "desk", "--to", "analyst@example.com", "--mode", "immediate"});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("mode:       immediate"));
  grpc::ClientContext ctx;
  v1::CreateRuleRequest req;
  req.mutable_rule()->set_subscriber("desk");
  req.mutable_rule()->set_query("pipeline");
  req.mutable_rule()->set_label("Gas lines");
  v1::WatchRule rule;
  ASSERT_TRUE(client_->rules().CreateRule(&ctx, req, &rule).ok());
  std::vector<v1::Article> articles = PipelineArticles("mail", 2);
  for (v1::Article& a : articles) a.set_url("https://news.example/" + a.id());
  grpc::Status status;
  ASSERT_EQ(client_->SubmitAll(articles, &status).size(), 2u);
  ASSERT_TRUE(Eventually([&] { return sink.Messages().size() >= 2; }));
  const std::vector<std::string> mail = sink.Messages();
  EXPECT_EQ(mail.size(), 2u);
  EXPECT_THAT(mail[0], HasSubstr("Subject: [newswatch] Gas lines: Pipeline"));
  EXPECT_THAT(mail[0], HasSubstr("To: analyst@example.com"));
  r = testing::RunToExit({NW_CLI_BINARY, "--server", server, "email", "get",
                          "--subscriber", "desk"});
  EXPECT_THAT(r.output, HasSubstr("delivered:  2 of 2"));
}

}  // namespace
}  // namespace nw
