// NewswatchClient against a small fake server on a loopback port.
#include "client/lib/newswatch_client.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "client/lib/status_convert.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace nw::client {
namespace {

using ::testing::ElementsAre;

class FakeIngest final : public v1::IngestService::Service {
 public:
  grpc::Status SubmitArticle(grpc::ServerContext*,
                             const v1::SubmitArticleRequest* request,
                             v1::ArticleAck* ack) override {
    if (request->article().body().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty body");
    }
    ack->set_article_id(request->article().id());
    ack->set_sequence(1);
    return grpc::Status::OK;
  }
  // Acks each article slowly; "dup" ids are duplicates, empty bodies errors.
  grpc::Status SubmitArticles(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::ArticleAck, v1::SubmitArticleRequest>*
          stream) override {
    v1::SubmitArticleRequest request;
    uint64_t sequence = 0;
    while (stream->Read(&request)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      v1::ArticleAck ack;
      ack.set_article_id(request.article().id());
      if (request.article().body().empty()) {
        ack.set_error_code(3);
        ack.set_error_message("empty body");
      } else {
        ack.set_sequence(++sequence);
        ack.set_duplicate(request.article().id() == "dup");
      }
      if (!stream->Write(ack)) break;
      if (request.article().id() == "kill") {
        return grpc::Status(grpc::StatusCode::INTERNAL, "server gave up");
      }
    }
    return grpc::Status::OK;
  }
};

class FakeRules final : public v1::RuleService::Service {
 public:
  grpc::Status CreateRule(grpc::ServerContext*,
                          const v1::CreateRuleRequest* request,
                          v1::WatchRule* rule) override {
    if (request->rule().query() == "crude AND") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "missing operand at offset 9");
    }
    *rule = request->rule();
    rule->set_id("r-1");
    rule->set_canonical("crude AND opec");
    return grpc::Status::OK;
  }
  grpc::Status ListRules(grpc::ServerContext*,
                         const v1::ListRulesRequest* request,
                         v1::ListRulesResponse* response) override {
    response->add_rules()->set_id("r-1");
    response->add_rules()->set_id("r-2");
    return grpc::Status::OK;
  }
  grpc::Status DeleteRule(grpc::ServerContext*,
                          const v1::DeleteRuleRequest* request,
                          v1::DeleteRuleResponse*) override {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no rule " + request->id());
  }
  grpc::Status ValidateRule(grpc::ServerContext*,
                            const v1::ValidateRuleRequest* request,
                            v1::ValidateRuleResponse* response) override {
    response->set_valid(false);
    response->set_error("missing operand");
    response->set_error_offset(request->query().size());
    return grpc::Status::OK;
  }
};

class FakeAlerts final : public v1::AlertService::Service {
 public:
  // A heartbeat, then alerts from_cursor+1 .. 5, then OK (or forever when
  // the subscriber is "endless").
  grpc::Status Subscribe(
      grpc::ServerContext* context, const v1::SubscribeRequest* request,
      grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    if (request->subscriber().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no subscriber");
    }
    v1::SubscribeResponse response;
    response.mutable_heartbeat();
    writer->Write(response);
    const uint64_t last = request->subscriber() == "endless" ? ~0ull : 5;
    for (uint64_t c = request->from_cursor() + 1;
         c <= last && !context->IsCancelled(); ++c) {
      response.mutable_alert()->set_cursor(c);
      if (!writer->Write(response)) break;
    }
    return grpc::Status::OK;
  }
};

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&ingest_);
    builder.RegisterService(&rules_);
    builder.RegisterService(&alerts_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ClientOptions options;
    options.server = "127.0.0.1:" + std::to_string(port_);
    absl::StatusOr<std::unique_ptr<NewswatchClient>> client =
        NewswatchClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }
  void TearDown() override {
    client_.reset();
    server_->Shutdown(std::chrono::system_clock::now());
  }

  FakeIngest ingest_;
  FakeRules rules_;
  FakeAlerts alerts_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<NewswatchClient> client_;
};

v1::Article MakeArticle(std::string id, std::string body = "text") {
  v1::Article a;
  a.set_id(std::move(id));
  a.set_body(std::move(body));
  return a;
}

TEST(StatusConvertTest, KeepsCodeAndMessage) {
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  absl::Status s =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such id"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no such id");
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, ""))
                .code(),
            absl::StatusCode::kUnavailable);
}

TEST(ConnectTest, NothingListeningFailsFast) {
  ClientOptions options;
  options.server = "127.0.0.1:1";
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<NewswatchClient>> client =
      NewswatchClient::Connect(options);
  EXPECT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ClientTest, UnaryCallsAndErrors) {
  absl::StatusOr<v1::ArticleAck> ack = client_->SubmitArticle(MakeArticle("a"));
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->article_id(), "a");
  EXPECT_EQ(client_->SubmitArticle(MakeArticle("a", "")).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::WatchRule rule;
  rule.set_subscriber("desk");
  rule.set_query("crude AND OPEC");
  absl::StatusOr<v1::WatchRule> created = client_->CreateRule(rule);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->id(), "r-1");
  rule.set_query("crude AND");
  EXPECT_EQ(client_->CreateRule(rule).status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::StatusOr<std::vector<v1::WatchRule>> rules = client_->ListRules("");
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[1].id(), "r-2");

  absl::Status deleted = client_->DeleteRule("r-9");
  EXPECT_EQ(deleted.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(deleted.message(), "no rule r-9");

  absl::StatusOr<v1::ValidateRuleResponse> verdict =
      client_->ValidateRule("crude AND");
  ASSERT_TRUE(verdict.ok());
  EXPECT_FALSE(verdict->valid());
  EXPECT_EQ(verdict->error_offset(), 9u);

  // ArticleService is not registered on the fake.
  EXPECT_EQ(client_->GetArticle("a").status().code(),
            absl::StatusCode::kUnimplemented);
}

TEST_F(ClientTest, BulkSubmitKeepsOrderAndWindow) {
  absl::Mutex mu;
  std::vector<std::string> tags;
  std::vector<v1::ArticleAck> acks;
  NewswatchClient::BulkOptions options;
  options.window = 4;
  auto bulk = client_->StartBulkSubmit(
      [&](const v1::ArticleAck& ack, const std::string& tag) {
        absl::MutexLock lock(&mu);
        tags.push_back(tag);
        acks.push_back(ack);
      },
      options);
  constexpr int kCount = 40;
  for (int i = 0; i < kCount; ++i) {
    const std::string id = i == 7 ? "dup" : "a" + std::to_string(i);
    ASSERT_TRUE(bulk->Submit(MakeArticle(id, i == 9 ? "" : "x"),
                             "line" + std::to_string(i))
                    .ok());
    EXPECT_LE(static_cast<size_t>(i + 1) - bulk->acked(), options.window);
  }
  ASSERT_TRUE(bulk->Finish().ok());
  EXPECT_EQ(bulk->acked(), static_cast<size_t>(kCount));
  absl::MutexLock lock(&mu);
  ASSERT_EQ(tags.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(tags[i], "line" + std::to_string(i));
  }
  EXPECT_TRUE(acks[7].duplicate());
  EXPECT_EQ(acks[9].error_code(), 3);
  EXPECT_EQ(acks[9].error_message(), "empty body");
}

TEST_F(ClientTest, BulkSubmitReportsStreamFailure) {
  auto bulk = client_->StartBulkSubmit(nullptr);
  absl::Status status;
  for (int i = 0; i < 1000 && status.ok(); ++i) {
    status = bulk->Submit(MakeArticle(i == 2 ? "kill" : "a"), "");
  }
  if (status.ok()) status = bulk->Finish();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "server gave up");
}

TEST_F(ClientTest, BulkSubmitDestroyedUnfinished) {
  auto bulk = client_->StartBulkSubmit(nullptr);
  ASSERT_TRUE(bulk->Submit(MakeArticle("a"), "").ok());
  bulk.reset();  // cancels without hanging
}

TEST_F(ClientTest, SubscribeDeliversUntilEnd) {
  v1::SubscribeRequest request;
  request.set_subscriber("desk");
  request.set_from_cursor(2);
  std::vector<uint64_t> cursors;
  int heartbeats = 0;
  absl::Status status =
      client_->Subscribe(request, [&](const v1::SubscribeResponse& r) {
        if (r.has_heartbeat()) ++heartbeats;
        if (r.has_alert()) cursors.push_back(r.alert().cursor());
        return true;
      });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(heartbeats, 1);
  EXPECT_THAT(cursors, ElementsAre(3, 4, 5));
}

TEST_F(ClientTest, SubscribeStoppedByCallback) {
  v1::SubscribeRequest request;
  request.set_subscriber("endless");
  int alerts = 0;
  absl::Status status =
      client_->Subscribe(request, [&](const v1::SubscribeResponse& r) {
        return !r.has_alert() || ++alerts < 10;
      });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(alerts, 10);
}

TEST_F(ClientTest, SubscribeError) {
  v1::SubscribeRequest request;
  absl::Status status = client_->Subscribe(
      request, [](const v1::SubscribeResponse&) { return true; });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "no subscriber");
}

}  // namespace
}  // namespace nw::client
