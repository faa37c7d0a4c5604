#include "tests/testutil/e2e_client.h"

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/lib/article_json.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::testing {

namespace v1 = ::newswatch::v1;

std::vector<v1::Article> LoadArticles(const std::string& name) {
  std::vector<v1::Article> articles;
  std::ifstream in(TestDataPath(name));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::StatusOr<v1::Article> article =
        client::ParseArticleJson(line, absl::StrCat(name, ":", number));
    EXPECT_THAT(article, IsOk());
    if (article.ok()) articles.push_back(*std::move(article));
  }
  return articles;
}

std::vector<v1::Article> PipelineArticles(const std::string& prefix, int n) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < n; ++i) {
    v1::Article& a = articles.emplace_back();
    a.set_id(absl::StrCat(prefix, "-", i));
    a.set_source("test");
    a.set_title(absl::StrCat("Pipeline report ", i));
    // A tail of its own, so that the articles are not near-duplicates of
    // each other (stories.md): each alerts even where stories collapse.
    a.set_body(absl::StrCat(
        "Gas pipeline capacity rose again this week, operators said. Report ",
        prefix, " ", i, ": week ", i, ", site ", i, ", shift ", i, "."));
  }
  return articles;
}

void E2eTest::StartDaemon(const std::vector<std::string>& flags) {
  absl::StatusOr<std::unique_ptr<DaemonProcess>> d =
      DaemonProcess::Start(DaemonBinary(), data_dir_.path(), flags);
  ASSERT_THAT(d, IsOk());
  daemon_ = *std::move(d);
  client_ = std::make_unique<Client>(daemon_->Channel());
}

Client::Client(std::shared_ptr<grpc::Channel> channel)
    : ingest_(v1::IngestService::NewStub(channel)),
      articles_(v1::ArticleService::NewStub(channel)),
      rules_(v1::RuleService::NewStub(channel)),
      alerts_(v1::AlertService::NewStub(channel)) {}

grpc::Status Client::CreateRule(const std::string& subscriber,
                                const std::string& query, v1::WatchRule* out) {
  grpc::ClientContext ctx;
  v1::CreateRuleRequest req;
  req.mutable_rule()->set_subscriber(subscriber);
  req.mutable_rule()->set_query(query);
  return rules_->CreateRule(&ctx, req, out);
}

std::vector<v1::WatchRule> Client::ListRules(const std::string& subscriber) {
  grpc::ClientContext ctx;
  v1::ListRulesRequest req;
  req.set_subscriber(subscriber);
  v1::ListRulesResponse resp;
  EXPECT_TRUE(rules_->ListRules(&ctx, req, &resp).ok());
  return {resp.rules().begin(), resp.rules().end()};
}

grpc::Status Client::Submit(const v1::Article& article, v1::ArticleAck* ack) {
  grpc::ClientContext ctx;
  v1::SubmitArticleRequest req;
  *req.mutable_article() = article;
  return ingest_->SubmitArticle(&ctx, req, ack);
}

std::vector<v1::ArticleAck> Client::SubmitAll(
    const std::vector<v1::Article>& articles, grpc::Status* status) {
  grpc::ClientContext ctx;
  auto stream = ingest_->SubmitArticles(&ctx);
  std::thread writer([&] {
    for (const v1::Article& a : articles) {
      v1::SubmitArticleRequest req;
      *req.mutable_article() = a;
      if (!stream->Write(req)) break;
    }
    stream->WritesDone();
  });
  std::vector<v1::ArticleAck> acks;
  v1::ArticleAck ack;
  while (stream->Read(&ack)) acks.push_back(ack);
  writer.join();
  grpc::Status finished = stream->Finish();
  if (status != nullptr) {
    *status = finished;
  } else {
    EXPECT_TRUE(finished.ok()) << finished.error_message();
  }
  return acks;
}

grpc::Status Client::GetArticle(const std::string& id, v1::Article* out) {
  grpc::ClientContext ctx;
  v1::GetArticleRequest req;
  req.set_id(id);
  return articles_->GetArticle(&ctx, req, out);
}

std::vector<v1::Alert> Client::ReadAlerts(
    const std::string& subscriber, uint64_t from_cursor, size_t want,
    std::chrono::milliseconds linger, const std::function<void()>& on_open) {
  grpc::ClientContext ctx;
  v1::SubscribeRequest req;
  req.set_subscriber(subscriber);
  req.set_from_cursor(from_cursor);
  std::vector<v1::Alert> got;
  auto reader = alerts_->Subscribe(&ctx, req);
  std::thread stopper;
  auto start_stopper = [&] {
    stopper = std::thread([&ctx, linger] {
      std::this_thread::sleep_for(linger);
      ctx.TryCancel();
    });
  };
  if (want == 0) start_stopper();
  v1::SubscribeResponse resp;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool first = true;
  while (reader->Read(&resp)) {
    if (first && on_open) on_open();
    first = false;
    if (resp.has_alert()) got.push_back(resp.alert());
    if (got.size() == want && !stopper.joinable()) start_stopper();
    if (std::chrono::steady_clock::now() > give_up) ctx.TryCancel();
  }
  if (!stopper.joinable()) {
    ADD_FAILURE() << "stream for " << subscriber << " ended after "
                  << got.size()
                  << " alerts: " << reader->Finish().error_message();
  } else {
    stopper.join();
  }
  return got;
}

}  // namespace nw::testing
