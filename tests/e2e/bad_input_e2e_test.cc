// End to end: hostile input on every RPC (issue 10, items 1, 7, 8, 9) is
// refused with INVALID_ARGUMENT naming what to fix, changes nothing, and
// never ends a SubmitArticles stream early.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/admin_service.grpc.pb.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"

namespace nw {
namespace {

using ::testing::HasSubstr;
using testing::PipelineArticles;
namespace v1 = ::newswatch::v1;

constexpr char kBad[] = "ab\xff\xfe";  // not UTF-8

class BadInputE2eTest : public testing::E2eTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ingest_ = v1::IngestService::NewStub(daemon_->Channel());
    articles_ = v1::ArticleService::NewStub(daemon_->Channel());
    admin_ = v1::AdminService::NewStub(daemon_->Channel());
  }

  v1::Article Good(const std::string& id) {
    v1::Article a = PipelineArticles(id, 1).front();
    a.set_id(id);
    return a;
  }

  grpc::Status SubmitOne(const v1::Article& article) {
    grpc::ClientContext ctx;
    v1::SubmitArticleRequest req;
    *req.mutable_article() = article;
    v1::ArticleAck ack;
    return ingest_->SubmitArticle(&ctx, req, &ack);
  }

  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::ArticleService::Stub> articles_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

void ExpectInvalid(const grpc::Status& status, const std::string& field) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(field + " is not valid UTF-8"));
}

// Issue 10 item 1: [good1, bad, good2] on one stream gave one ack and OK.
TEST_F(BadInputE2eTest, BadUtf8ArticleGetsItsOwnErrorAckAndTheStreamGoesOn) {
  std::vector<v1::Article> batch;
  batch.push_back(Good("good-1"));
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"id", "article.id"},
      {"source", "article.source"},
      {"url", "article.url"},
      {"lang", "article.lang"},
      {"tag", "article.tags[1]"}};
  for (const auto& [what, name] : fields) {
    v1::Article bad = Good("bad-" + what);
    if (what == "id") bad.set_id(kBad);
    if (what == "source") bad.set_source(kBad);
    if (what == "url") bad.set_url(kBad);
    if (what == "lang") bad.set_lang(kBad);
    if (what == "tag") {
      bad.add_tags("fine");
      bad.add_tags(kBad);
    }
    batch.push_back(bad);
  }
  batch.push_back(Good("good-2"));
  grpc::Status status;
  std::vector<v1::ArticleAck> acks = client_->SubmitAll(batch, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), batch.size());
  EXPECT_EQ(acks.front().error_code(), 0);
  EXPECT_EQ(acks.front().article_id(), "good-1");
  for (size_t i = 0; i < fields.size(); ++i) {
    const v1::ArticleAck& ack = acks[i + 1];
    EXPECT_EQ(ack.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(ack.error_message(),
                HasSubstr(fields[i].second + " is not valid UTF-8"));
    EXPECT_EQ(ack.sequence(), 0u);
  }
  EXPECT_EQ(acks.back().error_code(), 0);
  EXPECT_EQ(acks.back().article_id(), "good-2");
  v1::Article stored;
  EXPECT_TRUE(client_->GetArticle("good-2", &stored).ok());
  EXPECT_EQ(client_->GetArticle("bad-source", &stored).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(BadInputE2eTest, EveryUnaryCallAndSubscribeNamesTheBadField) {
  v1::Article bad = Good("bad-unary");
  bad.add_tags(kBad);
  ExpectInvalid(SubmitOne(bad), "article.tags[0]");
  {
    grpc::ClientContext ctx;
    v1::GetArticleRequest req;
    req.set_id(kBad);
    v1::Article out;
    ExpectInvalid(articles_->GetArticle(&ctx, req, &out), "id");
  }
  {
    grpc::ClientContext ctx;
    v1::CreateRuleRequest req;
    req.mutable_rule()->set_subscriber(kBad);
    req.mutable_rule()->set_query("pipeline");
    v1::WatchRule out;
    ExpectInvalid(client_->rules().CreateRule(&ctx, req, &out),
                  "rule.subscriber");
  }
  {
    grpc::ClientContext ctx;
    v1::GetRuleRequest req;
    req.set_id(kBad);
    v1::WatchRule out;
    ExpectInvalid(client_->rules().GetRule(&ctx, req, &out), "id");
  }
  {
    grpc::ClientContext ctx;
    v1::ListRulesRequest req;
    req.set_subscriber(kBad);
    v1::ListRulesResponse out;
    ExpectInvalid(client_->rules().ListRules(&ctx, req, &out), "subscriber");
  }
  {
    grpc::ClientContext ctx;
    v1::DeleteRuleRequest req;
    req.set_id(kBad);
    v1::DeleteRuleResponse out;
    ExpectInvalid(client_->rules().DeleteRule(&ctx, req, &out), "id");
  }
  {
    grpc::ClientContext ctx;
    v1::ValidateRuleRequest req;
    req.set_query(kBad);
    v1::ValidateRuleResponse out;
    ExpectInvalid(client_->rules().ValidateRule(&ctx, req, &out), "query");
  }
  {
    grpc::ClientContext ctx;
    v1::CreateCheckpointRequest req;
    req.set_directory(kBad);
    v1::CreateCheckpointResponse out;
    ExpectInvalid(admin_->CreateCheckpoint(&ctx, req, &out), "directory");
  }
  {
    grpc::ClientContext ctx;
    v1::SubscribeRequest req;
    req.set_subscriber(kBad);
    auto reader = client_->alerts().Subscribe(&ctx, req);
    v1::SubscribeResponse response;
    EXPECT_FALSE(reader->Read(&response));
    ExpectInvalid(reader->Finish(), "subscriber");
  }
  // Good calls still work afterwards.
  EXPECT_TRUE(SubmitOne(Good("after")).ok());
}

// Issue 10 item 7: backfill_since after 2262 overflowed int64 nanoseconds
// and backfilled everything. Verifies such a time backfills nothing and
// times outside protobuf's range are INVALID_ARGUMENT.
TEST_F(BadInputE2eTest, BackfillSinceIsCheckedAndNeverOverflows) {
  EXPECT_TRUE(SubmitOne(Good("old-1")).ok());
  EXPECT_TRUE(SubmitOne(Good("old-2")).ok());
  auto create = [&](int64_t seconds, int32_t nanos, v1::WatchRule* out) {
    grpc::ClientContext ctx;
    v1::CreateRuleRequest req;
    req.mutable_rule()->set_subscriber("desk");
    req.mutable_rule()->set_query("pipeline");
    req.mutable_backfill_since()->set_seconds(seconds);
    req.mutable_backfill_since()->set_nanos(nanos);
    return client_->rules().CreateRule(&ctx, req, out);
  };
  v1::WatchRule rule;
  ASSERT_TRUE(create(10413792000, 0, &rule).ok());  // 2300-01-01
  EXPECT_EQ(rule.backfilled_alerts(), 0u);
  ASSERT_TRUE(create(0, 0, &rule).ok());  // 1970: both articles
  EXPECT_EQ(rule.backfilled_alerts(), 2u);
  for (const auto& [seconds, nanos] : std::vector<std::pair<int64_t, int32_t>>{
           {253402300800, 0}, {-62135596801, 0}, {0, -1}, {0, 1000000000}}) {
    grpc::Status s = create(seconds, nanos, &rule);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << seconds << "," << nanos;
    EXPECT_THAT(s.error_message(), HasSubstr("backfill_since"));
  }
  EXPECT_EQ(client_->ListRules("desk").size(), 2u);
}

// Issue 10 item 8: impossible published_at values were stored and passed on.
TEST_F(BadInputE2eTest, ImpossiblePublishedAtIsRefused) {
  for (const auto& [seconds, nanos] : std::vector<std::pair<int64_t, int32_t>>{
           {-62135596801, 0}, {253402300800, 0}, {0, -1}, {0, 2000000000}}) {
    v1::Article a = Good("when");
    a.mutable_published_at()->set_seconds(seconds);
    a.mutable_published_at()->set_nanos(nanos);
    grpc::Status s = SubmitOne(a);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << seconds << "," << nanos;
    EXPECT_THAT(s.error_message(), HasSubstr("published_at"));
  }
  v1::Article a = Good("when");
  a.mutable_published_at()->set_seconds(253402300799);  // 9999-12-31
  a.mutable_published_at()->set_nanos(999999999);
  EXPECT_TRUE(SubmitOne(a).ok());
}

// Issue 10 item 9: blank text in Unicode white space, ids outside a sane
// alphabet and unknown protobuf fields were all accepted and stored.
TEST_F(BadInputE2eTest, BlankTextOddIdsAndUnknownFieldsAreRefusedOrDropped) {
  v1::Article blank = Good("blank");
  blank.set_title("\xC2\xA0\xE3\x80\x80");  // NBSP, ideographic space
  blank.set_body("\xE2\x80\x8B\t");         // zero-width space, tab
  grpc::Status s = SubmitOne(blank);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("empty title and an empty body"));

  for (const std::string id : {" ", "../../etc/passwd",
                               "a\xE2\x80\xAE"
                               "b",
                               "x y", "-dash"}) {
    s = SubmitOne(Good(id));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << id;
    EXPECT_THAT(s.error_message(), HasSubstr("article id")) << id;
  }
  EXPECT_TRUE(SubmitOne(Good("reuters:2024/01/abc_1.2+x@y")).ok());

  v1::Article extra = Good("with-unknown");
  extra.GetReflection()->MutableUnknownFields(&extra)->AddVarint(99, 42);
  ASSERT_TRUE(SubmitOne(extra).ok());
  v1::Article stored;
  ASSERT_TRUE(client_->GetArticle("with-unknown", &stored).ok());
  EXPECT_TRUE(stored.GetReflection()->GetUnknownFields(stored).empty());
}

}  // namespace
}  // namespace nw
