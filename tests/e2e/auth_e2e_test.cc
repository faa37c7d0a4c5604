// End to end: newswatchd with TLS and a token file, on 127.0.0.1, real gRPC.
// Each role is refused what it may not do with the exact code; two analysts
// never see each other's rules or alerts; TLS, mTLS and the listen policy.
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "server/auth/token_hash.h"
#include "server/auth/token_table.h"
#include "server/base/read_file.h"
#include "tests/e2e/auth_fixture.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/metrics_text.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;
namespace v1 = ::newswatch::v1;

// One stub of each service over a channel.
struct Api {
  explicit Api(std::shared_ptr<grpc::Channel> channel)
      : channel(channel),
        ingest(v1::IngestService::NewStub(channel)),
        articles(v1::ArticleService::NewStub(channel)),
        rules(v1::RuleService::NewStub(channel)),
        alerts(v1::AlertService::NewStub(channel)) {}

  static void Prepare(grpc::ClientContext& c) {
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }
  grpc::Status Submit(const v1::Article& article,
                      v1::ArticleAck* ack = nullptr) {
    grpc::ClientContext c;
    Prepare(c);
    v1::SubmitArticleRequest req;
    *req.mutable_article() = article;
    v1::ArticleAck local;
    return ingest->SubmitArticle(&c, req, ack ? ack : &local);
  }
  // Submits over the bidirectional stream; its final status.
  grpc::Status SubmitStream(const std::vector<v1::Article>& articles) {
    grpc::ClientContext c;
    Prepare(c);
    auto stream = ingest->SubmitArticles(&c);
    for (const v1::Article& a : articles) {
      v1::SubmitArticleRequest req;
      *req.mutable_article() = a;
      if (!stream->Write(req)) break;
    }
    stream->WritesDone();
    v1::ArticleAck ack;
    while (stream->Read(&ack)) {
    }
    return stream->Finish();
  }
  grpc::Status GetArticle(const std::string& id) {
    grpc::ClientContext c;
    Prepare(c);
    v1::GetArticleRequest req;
    req.set_id(id);
    v1::Article out;
    return articles->GetArticle(&c, req, &out);
  }
  grpc::Status CreateRule(const std::string& subscriber,
                          const std::string& query,
                          v1::WatchRule* out = nullptr) {
    grpc::ClientContext c;
    Prepare(c);
    v1::CreateRuleRequest req;
    req.mutable_rule()->set_subscriber(subscriber);
    req.mutable_rule()->set_query(query);
    v1::WatchRule local;
    return rules->CreateRule(&c, req, out ? out : &local);
  }
  grpc::Status GetRule(const std::string& id, v1::WatchRule* out = nullptr) {
    grpc::ClientContext c;
    Prepare(c);
    v1::GetRuleRequest req;
    req.set_id(id);
    v1::WatchRule local;
    return rules->GetRule(&c, req, out ? out : &local);
  }
  grpc::Status ListRules(const std::string& subscriber,
                         std::vector<v1::WatchRule>* out = nullptr) {
    grpc::ClientContext c;
    Prepare(c);
    v1::ListRulesRequest req;
    req.set_subscriber(subscriber);
    v1::ListRulesResponse resp;
    grpc::Status s = rules->ListRules(&c, req, &resp);
    if (out) out->assign(resp.rules().begin(), resp.rules().end());
    return s;
  }
  grpc::Status DeleteRule(const std::string& id) {
    grpc::ClientContext c;
    Prepare(c);
    v1::DeleteRuleRequest req;
    req.set_id(id);
    v1::DeleteRuleResponse resp;
    return rules->DeleteRule(&c, req, &resp);
  }
  grpc::Status ValidateRule(const std::string& query) {
    grpc::ClientContext c;
    Prepare(c);
    v1::ValidateRuleRequest req;
    req.set_query(query);
    v1::ValidateRuleResponse resp;
    return rules->ValidateRule(&c, req, &resp);
  }
  // Reads `subscriber`'s alerts from the start until a heartbeat shows the
  // log holds no more than were read (heartbeats come every 200 ms when
  // idle); returns the stream's status (CANCELLED when it stopped itself).
  grpc::Status ReadAllAlerts(const std::string& subscriber,
                             std::vector<v1::Alert>* out) {
    grpc::ClientContext c;
    Prepare(c);
    v1::SubscribeRequest req;
    req.set_subscriber(subscriber);
    auto reader = alerts->Subscribe(&c, req);
    v1::SubscribeResponse resp;
    uint64_t last = 0;
    while (reader->Read(&resp)) {
      if (resp.has_alert()) {
        out->push_back(resp.alert());
        last = resp.alert().cursor();
      } else if (resp.has_heartbeat() &&
                 resp.heartbeat().last_cursor() <= last) {
        c.TryCancel();
        break;
      }
    }
    while (reader->Read(&resp)) {
    }
    return reader->Finish();
  }

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::IngestService::Stub> ingest;
  std::unique_ptr<v1::ArticleService::Stub> articles;
  std::unique_ptr<v1::RuleService::Stub> rules;
  std::unique_ptr<v1::AlertService::Stub> alerts;
};

// A unary call to `method` with an empty message, as bytes (for the health
// service, whose stubs the tests do not generate).
grpc::Status CallRaw(grpc::Channel& channel, const std::string& method) {
  grpc::GenericStub stub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext c;
  Api::Prepare(c);
  grpc::Slice empty(std::string(""));
  grpc::ByteBuffer request(&empty, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&c, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   status = s;
                   done = true;
                   cv.notify_all();
                 });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  return status;
}

#define EXPECT_CODE(call, code) \
  EXPECT_EQ((call).error_code(), grpc::StatusCode::code)

using AuthE2eTest = testing::AuthFixture;

// Verifies that without a token, with a malformed one or an unknown one,
// every API call is UNAUTHENTICATED and says how to pass a token.
TEST_F(AuthE2eTest, CallsWithoutAValidTokenAreUnauthenticated) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  Api none(Channel(""));
  const v1::Article article = testing::PipelineArticles("anon", 1)[0];
  grpc::Status s = none.Submit(article);
  EXPECT_CODE(s, UNAUTHENTICATED);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("missing bearer token: pass --token or set NEWSWATCH_TOKEN"));
  EXPECT_CODE(none.SubmitStream({article}), UNAUTHENTICATED);
  EXPECT_CODE(none.GetArticle("x"), UNAUTHENTICATED);
  EXPECT_CODE(none.CreateRule("desk-asia", "pipeline"), UNAUTHENTICATED);
  EXPECT_CODE(none.GetRule("r-1"), UNAUTHENTICATED);
  EXPECT_CODE(none.ListRules(""), UNAUTHENTICATED);
  EXPECT_CODE(none.DeleteRule("r-1"), UNAUTHENTICATED);
  EXPECT_CODE(none.ValidateRule("a"), UNAUTHENTICATED);
  std::vector<v1::Alert> alerts;
  EXPECT_CODE(none.ReadAllAlerts("desk-asia", &alerts), UNAUTHENTICATED);
  EXPECT_TRUE(alerts.empty());

  Api unknown(Channel(
      "nwt_0000000000000000000000000000000000000000000000000000000000000000"));
  s = unknown.ListRules("");
  EXPECT_CODE(s, UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("unknown bearer token"));
  // A token's hash (what the token file holds) is not a token.
  Api hash_as_token(Channel(std::string(64, 'a')));
  EXPECT_CODE(hash_as_token.ListRules(""), UNAUTHENTICATED);
}

// Verifies the gRPC health service answers without a token (probes), and
// reflection does not.
TEST_F(AuthE2eTest, HealthNeedsNoTokenReflectionDoes) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  std::shared_ptr<grpc::Channel> none = Channel("");
  EXPECT_TRUE(CallRaw(*none, "/grpc.health.v1.Health/Check").ok());
  EXPECT_CODE(
      CallRaw(*none,
              "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"),
      UNAUTHENTICATED);
}

// Verifies an ingest token submits (unary and stream) and is refused
// everything else with PERMISSION_DENIED naming the allowed roles.
TEST_F(AuthE2eTest, IngestTokenMaySubmitOnly) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  Api ingest(Channel(tokens_.ingest));
  std::vector<v1::Article> articles = testing::PipelineArticles("ingest", 3);
  v1::ArticleAck ack;
  ASSERT_TRUE(ingest.Submit(articles[0], &ack).ok());
  EXPECT_EQ(ack.article_id(), "ingest-0");
  EXPECT_TRUE(ingest.SubmitStream({articles[1], articles[2]}).ok());

  grpc::Status s = ingest.GetArticle("ingest-0");
  EXPECT_CODE(s, PERMISSION_DENIED);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr(
          "token 'feed' (role ingest) may not call ArticleService/GetArticle; "
          "allowed roles: analyst, admin"));
  EXPECT_CODE(ingest.CreateRule("desk-asia", "pipeline"), PERMISSION_DENIED);
  EXPECT_CODE(ingest.GetRule("r-1"), PERMISSION_DENIED);
  EXPECT_CODE(ingest.ListRules(""), PERMISSION_DENIED);
  EXPECT_CODE(ingest.DeleteRule("r-1"), PERMISSION_DENIED);
  EXPECT_CODE(ingest.ValidateRule("pipeline"), PERMISSION_DENIED);
  std::vector<v1::Alert> alerts;
  EXPECT_CODE(ingest.ReadAllAlerts("desk-asia", &alerts), PERMISSION_DENIED);

  // What it submitted is there (read as admin).
  Api admin(Channel(tokens_.admin));
  EXPECT_TRUE(admin.GetArticle("ingest-2").ok());
}

// Verifies an analyst reads articles and validates rules, but submits
// nothing.
TEST_F(AuthE2eTest, AnalystReadsArticlesAndValidatesButDoesNotSubmit) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  Api ingest(Channel(tokens_.ingest));
  Api alice(Channel(tokens_.alice));
  const std::vector<v1::Article> articles = testing::PipelineArticles("a", 2);
  ASSERT_TRUE(ingest.Submit(articles[0]).ok());
  EXPECT_TRUE(alice.GetArticle("a-0").ok());
  EXPECT_TRUE(alice.ValidateRule("pipeline AND gas").ok());
  grpc::Status s = alice.Submit(articles[1]);
  EXPECT_CODE(s, PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("allowed roles: ingest, admin"));
  EXPECT_CODE(alice.SubmitStream({articles[1]}), PERMISSION_DENIED);
  EXPECT_CODE(alice.GetArticle("a-1"), NOT_FOUND);  // it was never stored
}

// Verifies two analysts never see each other's rules (create, list, get,
// delete) or alerts (subscribe), while each sees its own.
TEST_F(AuthE2eTest, AnalystsNeverSeeEachOthersRulesOrAlerts) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  Api alice(Channel(tokens_.alice));
  Api bob(Channel(tokens_.bob));
  Api ingest(Channel(tokens_.ingest));
  Api admin(Channel(tokens_.admin));

  v1::WatchRule alice_rule, bob_rule, own_by_default;
  ASSERT_TRUE(alice.CreateRule("desk-asia", "pipeline", &alice_rule).ok());
  ASSERT_TRUE(bob.CreateRule("desk-energy", "pipeline", &bob_rule).ok());
  // An analyst's rule without a subscriber is its own.
  ASSERT_TRUE(alice.CreateRule("", "zanzibar", &own_by_default).ok());
  EXPECT_EQ(own_by_default.subscriber(), "desk-asia");
  grpc::Status s = alice.CreateRule("desk-energy", "pipeline");
  EXPECT_CODE(s, PERMISSION_DENIED);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr(
          "may not add rules for subscriber 'desk-energy'; it is limited to "
          "subscriber 'desk-asia'"));

  // List: only her own, with or without the filter; another's is refused.
  std::vector<v1::WatchRule> listed;
  ASSERT_TRUE(alice.ListRules("", &listed).ok());
  ASSERT_EQ(listed.size(), 2u);
  for (const v1::WatchRule& r : listed) EXPECT_EQ(r.subscriber(), "desk-asia");
  ASSERT_TRUE(alice.ListRules("desk-asia", &listed).ok());
  EXPECT_EQ(listed.size(), 2u);
  listed.clear();
  EXPECT_CODE(alice.ListRules("desk-energy", &listed), PERMISSION_DENIED);
  EXPECT_TRUE(listed.empty());
  ASSERT_TRUE(bob.ListRules("", &listed).ok());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id(), bob_rule.id());

  // Get / delete of another's rule: exactly as if it did not exist.
  grpc::Status missing = alice.GetRule("r-does-not-exist");
  EXPECT_CODE(missing, NOT_FOUND);
  s = alice.GetRule(bob_rule.id());
  EXPECT_CODE(s, NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no rule with id '" + bob_rule.id() + "'");
  EXPECT_EQ(missing.error_message(), "no rule with id 'r-does-not-exist'");
  s = alice.DeleteRule(bob_rule.id());
  EXPECT_CODE(s, NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no rule with id '" + bob_rule.id() + "'");
  EXPECT_TRUE(admin.GetRule(bob_rule.id()).ok()) << "bob's rule must survive";
  EXPECT_TRUE(alice.GetRule(alice_rule.id()).ok());

  // Alerts: both rules match every article; each analyst reads only its own
  // subscriber's alerts and may not open the other's stream.
  ASSERT_TRUE(ingest.SubmitStream(testing::PipelineArticles("iso", 3)).ok());
  std::vector<v1::Alert> alice_alerts, bob_alerts, stolen;
  alice.ReadAllAlerts("desk-asia", &alice_alerts);
  bob.ReadAllAlerts("desk-energy", &bob_alerts);
  ASSERT_EQ(alice_alerts.size(), 3u);
  ASSERT_EQ(bob_alerts.size(), 3u);
  for (const v1::Alert& a : alice_alerts) {
    EXPECT_EQ(a.subscriber(), "desk-asia");
    EXPECT_THAT(a.rule_ids(), ::testing::ElementsAre(alice_rule.id()));
  }
  for (const v1::Alert& a : bob_alerts) {
    EXPECT_EQ(a.subscriber(), "desk-energy");
    EXPECT_THAT(a.rule_ids(), ::testing::ElementsAre(bob_rule.id()));
  }
  s = alice.ReadAllAlerts("desk-energy", &stolen);
  EXPECT_CODE(s, PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("may not subscribe to subscriber 'desk-energy'"));
  EXPECT_CODE(bob.ReadAllAlerts("desk-asia", &stolen), PERMISSION_DENIED);
  EXPECT_TRUE(stolen.empty());

  // Her own rule she may delete.
  EXPECT_TRUE(alice.DeleteRule(alice_rule.id()).ok());
}

// Issue 10 item 10: CreateRule with another subscriber's rule id answered
// ALREADY_EXISTS (an existence oracle), ids could be squatted and generated
// ids were sequential. Verifies generated ids are unguessable and that an
// analyst cannot choose one, so a taken id and a free one read the same.
TEST_F(AuthE2eTest, RuleIdsAreUnguessableAndNoOracleAcrossSubscribers) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/false));
  Api alice(Channel(tokens_.alice, /*tls=*/false));
  Api bob(Channel(tokens_.bob, /*tls=*/false));
  Api admin(Channel(tokens_.admin, /*tls=*/false));
  v1::WatchRule first, second;
  ASSERT_TRUE(bob.CreateRule("desk-energy", "pipeline", &first).ok());
  ASSERT_TRUE(bob.CreateRule("desk-energy", "crude", &second).ok());
  const std::regex generated("r-[a-z2-7]{16}");
  EXPECT_TRUE(std::regex_match(first.id(), generated)) << first.id();
  EXPECT_TRUE(std::regex_match(second.id(), generated)) << second.id();
  EXPECT_NE(first.id(), second.id());

  auto create_with_id = [&](Api& api, const std::string& id) {
    grpc::ClientContext c;
    Api::Prepare(c);
    v1::CreateRuleRequest req;
    req.mutable_rule()->set_id(id);
    req.mutable_rule()->set_query("pipeline");
    v1::WatchRule out;
    return api.rules->CreateRule(&c, req, &out);
  };
  grpc::Status taken = create_with_id(alice, first.id());
  grpc::Status free_id = create_with_id(alice, "r-free");
  EXPECT_CODE(taken, INVALID_ARGUMENT);
  EXPECT_CODE(free_id, INVALID_ARGUMENT);
  EXPECT_THAT(taken.error_message(), HasSubstr("rule ids are assigned"));
  // Same answer but for the id itself: nothing tells the two apart.
  std::string taken_text = taken.error_message();
  taken_text.replace(taken_text.find(first.id()), first.id().size(), "X");
  std::string free_text = free_id.error_message();
  free_text.replace(free_text.find("r-free"), 6, "X");
  EXPECT_EQ(taken_text, free_text);
  EXPECT_TRUE(admin.GetRule(first.id()).ok());
  EXPECT_CODE(admin.GetRule("r-free"), NOT_FOUND);
  // An admin may still choose an id (provisioning).
  grpc::ClientContext c;
  Api::Prepare(c);
  v1::CreateRuleRequest req;
  req.mutable_rule()->set_id("desk-asia.pipelines");
  req.mutable_rule()->set_subscriber("desk-asia");
  req.mutable_rule()->set_query("pipeline");
  v1::WatchRule out;
  EXPECT_TRUE(admin.rules->CreateRule(&c, req, &out).ok());
}

// Verifies an admin token may do everything, for any subscriber.
TEST_F(AuthE2eTest, AdminMayDoEverything) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  Api admin(Channel(tokens_.admin));
  Api bob(Channel(tokens_.bob));
  v1::WatchRule asia, energy;
  ASSERT_TRUE(admin.CreateRule("desk-asia", "pipeline", &asia).ok());
  ASSERT_TRUE(bob.CreateRule("desk-energy", "pipeline", &energy).ok());
  const std::vector<v1::Article> articles = testing::PipelineArticles("adm", 2);
  EXPECT_TRUE(admin.Submit(articles[0]).ok());
  EXPECT_TRUE(admin.SubmitStream({articles[1]}).ok());
  EXPECT_TRUE(admin.GetArticle("adm-1").ok());
  std::vector<v1::WatchRule> all;
  ASSERT_TRUE(admin.ListRules("", &all).ok());
  EXPECT_EQ(all.size(), 2u);
  EXPECT_TRUE(admin.GetRule(energy.id()).ok());
  EXPECT_TRUE(admin.ValidateRule("a AND b").ok());
  std::vector<v1::Alert> alerts;
  admin.ReadAllAlerts("desk-energy", &alerts);
  EXPECT_EQ(alerts.size(), 2u);
  EXPECT_TRUE(admin.DeleteRule(energy.id()).ok());
  EXPECT_CODE(admin.GetRule(energy.id()), NOT_FOUND);
}

// Verifies a plaintext client cannot talk to the TLS daemon, even with a
// valid token.
TEST_F(AuthE2eTest, PlaintextClientCannotTalkToTlsServer) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  Api plain(Channel(tokens_.admin, /*tls=*/false));
  EXPECT_CODE(plain.ListRules(""), UNAVAILABLE);
  // And a client trusting another CA refuses the daemon's certificate.
  client::ChannelSecurity other{.tls_ca_file = certs_.other_ca,
                                .token = tokens_.admin};
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      client::NewChannel(daemon_->address(), other, args);
  ASSERT_THAT(channel, IsOk());
  EXPECT_CODE(Api(*channel).ListRules(""), UNAVAILABLE);
}

// Verifies that with --tls-client-ca a client without a certificate is
// refused at the handshake, and one with a certificate the CA signed works.
TEST_F(AuthE2eTest, MutualTlsRefusesClientsWithoutCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true, /*mtls=*/true));
  Api no_cert(Channel(tokens_.admin, /*tls=*/true, /*client_cert=*/false));
  EXPECT_CODE(no_cert.ListRules(""), UNAVAILABLE);
  Api with_cert(Channel(tokens_.admin, /*tls=*/true, /*client_cert=*/true));
  EXPECT_TRUE(with_cert.ListRules("").ok());
  // The certificate does not replace the token.
  Api cert_only(Channel("", /*tls=*/true, /*client_cert=*/true));
  EXPECT_CODE(cert_only.ListRules(""), UNAUTHENTICATED);
}

// Verifies tokens are enforced on a plaintext loopback daemon too (gRPC
// local credentials).
TEST_F(AuthE2eTest, TokensAreEnforcedOverPlaintextLoopback) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/false));
  EXPECT_CODE(Api(Channel("", /*tls=*/false)).ListRules(""), UNAUTHENTICATED);
  EXPECT_CODE(Api(Channel(tokens_.ingest, /*tls=*/false)).ListRules(""),
              PERMISSION_DENIED);
  EXPECT_TRUE(Api(Channel(tokens_.alice, /*tls=*/false)).ListRules("").ok());
}

// Verifies that SIGHUP puts a rewritten token file in force without a
// restart (added tokens work, removed ones are refused), and that a broken
// file is reported in the log and leaves the tokens in force.
TEST_F(AuthE2eTest, SighupReloadsTheTokenFile) {
  const std::string file = data_dir_.path() + "/reload.tokens";
  const std::string log = data_dir_.path() + "/daemon.log";
  auto line = [](const std::string& token, const auth::Principal& who) {
    return auth::TokenTable::FormatLine(auth::Sha256Hex(token), who) + "\n";
  };
  const std::string admin_line =
      line(tokens_.admin,
           {.name = "ops", .role = auth::Role::kAdmin, .subscriber = ""});
  const std::string alice_line =
      line(tokens_.alice, {.name = "alice",
                           .role = auth::Role::kAnalyst,
                           .subscriber = "desk-asia"});
  std::ofstream(file) << admin_line;
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> d =
      testing::DaemonProcess::Start(
          testing::DaemonBinary(), data_dir_.path() + "/data",
          {"--token-file=" + file}, {.stderr_path = log});
  ASSERT_THAT(d, IsOk());
  daemon_ = *std::move(d);
  auto alice_lists = [&] {
    return Api(Channel(tokens_.alice, /*tls=*/false))
        .ListRules("")
        .error_code();
  };
  auto wait_for = [&](grpc::StatusCode want) {
    for (int i = 0; i < 100 && alice_lists() != want; ++i)
      absl::SleepFor(absl::Milliseconds(100));
    return alice_lists();
  };
  EXPECT_EQ(alice_lists(), grpc::StatusCode::UNAUTHENTICATED);

  std::ofstream(file) << admin_line << alice_line;
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  EXPECT_EQ(wait_for(grpc::StatusCode::OK), grpc::StatusCode::OK);

  // A broken file: reported, and alice's token stays in force.
  std::ofstream(file) << admin_line << alice_line
                      << "sha256:nothex admin name=x\n";
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text = base::ReadWholeFile(log, "log").value_or("");
    if (text.find("token file not reloaded") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(text, HasSubstr("token file not reloaded"));
  EXPECT_THAT(text, HasSubstr("reload.tokens:3:"));
  EXPECT_EQ(alice_lists(), grpc::StatusCode::OK);

  // Removing the line revokes the token.
  std::ofstream(file) << admin_line;
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  EXPECT_EQ(wait_for(grpc::StatusCode::UNAUTHENTICATED),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Api(Channel(tokens_.admin, /*tls=*/false)).ListRules("").ok());
}

// Issue 10 item 5: a token removed from the file (SIGHUP) used to keep its
// already open Subscribe stream. Verifies the stream now ends with
// UNAUTHENTICATED right after the reload, while another token's stays open.
TEST_F(AuthE2eTest, RevokedTokenEndsItsOpenStreams) {
  const std::string file = data_dir_.path() + "/revoke.tokens";
  auto line = [](const std::string& token, const auth::Principal& who) {
    return auth::TokenTable::FormatLine(auth::Sha256Hex(token), who) + "\n";
  };
  const std::string admin_line =
      line(tokens_.admin,
           {.name = "ops", .role = auth::Role::kAdmin, .subscriber = ""});
  const std::string alice_line =
      line(tokens_.alice, {.name = "alice",
                           .role = auth::Role::kAnalyst,
                           .subscriber = "desk-asia"});
  std::ofstream(file) << admin_line << alice_line;
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> d =
      testing::DaemonProcess::Start(
          testing::DaemonBinary(), data_dir_.path() + "/data",
          {"--token-file=" + file, "--heartbeat-interval=100ms"});
  ASSERT_THAT(d, IsOk());
  daemon_ = *std::move(d);

  // Both streams are open: each gets a heartbeat first.
  auto open = [&](const std::string& token, grpc::ClientContext* ctx) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    v1::SubscribeRequest req;
    req.set_subscriber("desk-asia");
    auto reader = v1::AlertService::NewStub(Channel(token, /*tls=*/false))
                      ->Subscribe(ctx, req);
    v1::SubscribeResponse response;
    EXPECT_TRUE(reader->Read(&response));
    return reader;
  };
  grpc::ClientContext alice_ctx, admin_ctx;
  auto alice = open(tokens_.alice, &alice_ctx);
  auto admin = open(tokens_.admin, &admin_ctx);

  std::ofstream(file) << admin_line;
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  v1::SubscribeResponse response;
  int after = 0;  // heartbeats still sent after the reload (bounded)
  while (alice->Read(&response) && ++after < 1000) {
  }
  const grpc::Status ended = alice->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << ended.error_message();
  EXPECT_THAT(ended.error_message(), HasSubstr("revoked"));
  // The admin's stream goes on.
  EXPECT_TRUE(admin->Read(&response));
  admin_ctx.TryCancel();
}

// Verifies that calls refused for their token are counted by code on
// /metrics (they never reach a service, so the rpc error counter misses them).
TEST_F(AuthE2eTest, RefusedCallsAreCountedByCode) {
  const std::string log = data_dir_.path() + "/daemon.log";
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> d =
      testing::DaemonProcess::Start(
          testing::DaemonBinary(), data_dir_.path() + "/data",
          {"--token-file=" + token_file_, "--metrics-listen=127.0.0.1:0"},
          {.stderr_path = log});
  ASSERT_THAT(d, IsOk());
  daemon_ = *std::move(d);
  std::smatch port;
  const std::string text = base::ReadWholeFile(log, "log").value_or("");
  ASSERT_TRUE(
      std::regex_search(text, port, std::regex(R"(metrics_port=(\d+))")))
      << text;

  EXPECT_CODE(Api(Channel("", /*tls=*/false)).ListRules(""), UNAUTHENTICATED);
  EXPECT_CODE(Api(Channel("nwt_not-a-token", /*tls=*/false)).ListRules(""),
              UNAUTHENTICATED);
  EXPECT_CODE(Api(Channel(tokens_.ingest, /*tls=*/false)).ListRules(""),
              PERMISSION_DENIED);
  EXPECT_TRUE(Api(Channel(tokens_.admin, /*tls=*/false)).ListRules("").ok());

  absl::StatusOr<testing::HttpResponse> r =
      testing::HttpRequest(std::stoi(port[1]), "GET", "/metrics");
  ASSERT_THAT(r, IsOk());
  absl::StatusOr<testing::ScrapedMetrics> m =
      testing::ParseMetricsText(r->body);
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->Get(R"(newswatch_calls_refused_total{code="UNAUTHENTICATED"})"),
            2);
  EXPECT_EQ(
      m->Get(R"(newswatch_calls_refused_total{code="PERMISSION_DENIED"})"), 1);
}

using DaemonSecurityStartTest = testing::AuthFixture;

std::vector<std::string> DaemonArgs(const std::string& data_dir,
                                    const std::vector<std::string>& flags) {
  std::vector<std::string> args = {testing::DaemonBinary(),
                                   "--data-dir=" + data_dir,
                                   "--listen=127.0.0.1:0", "--web-listen=off"};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

// Verifies a non-loopback listen address without TLS and tokens is refused,
// saying what to add, and allowed with --insecure.
TEST_F(DaemonSecurityStartTest, NetworkListenNeedsTlsAndTokensOrInsecure) {
  testing::ExitResult r =
      testing::RunToExit(DaemonArgs(data_dir_.path(), {"--listen=0.0.0.0:0"}));
  ASSERT_TRUE(r.exited);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("refusing to listen on 0.0.0.0:0"));
  EXPECT_THAT(
      r.output,
      HasSubstr("add --tls-cert and --tls-key and --token-file, or pass "
                "--insecure"));
  // TLS alone is not enough.
  r = testing::RunToExit(
      DaemonArgs(data_dir_.path(),
                 {"--listen=0.0.0.0:0", "--tls-cert=" + certs_.server_cert,
                  "--tls-key=" + certs_.server_key}));
  ASSERT_TRUE(r.exited);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("add --token-file"));
  // Tokens in clear text over the network: refused even with --insecure.
  r = testing::RunToExit(DaemonArgs(
      data_dir_.path(),
      {"--listen=0.0.0.0:0", "--insecure", "--token-file=" + token_file_}));
  ASSERT_TRUE(r.exited);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("clear text"));

  // --insecure: starts, serves (0.0.0.0 includes loopback) without tokens.
  ASSERT_NO_FATAL_FAILURE(StartDaemon(
      false, false, {"--listen=0.0.0.0:0", "--insecure", "--token-file="}));
  EXPECT_TRUE(Api(Channel("", /*tls=*/false)).ListRules("").ok());
}

// Verifies TLS + tokens on a non-loopback address starts.
TEST_F(DaemonSecurityStartTest, NetworkListenWithTlsAndTokensStarts) {
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon(/*tls=*/true, false, {"--listen=0.0.0.0:0"}));
  EXPECT_TRUE(Api(Channel(tokens_.alice)).ListRules("").ok());
}

// Verifies a bad token file stops the daemon at start, naming file:line.
TEST_F(DaemonSecurityStartTest, BadTokenFileRefusesStartNamingFileAndLine) {
  const std::string bad = dir_->path() + "/bad.tokens";
  const std::string good_line =
      std::string("sha256:") + std::string(64, 'a') + " admin name=ops";
  struct Case {
    std::string line3;
    std::string want;
  } cases[] = {
      {"sha256:" + std::string(64, 'b') + " superuser name=eve",
       "bad.tokens:3: unknown role"},
      {"sha256:" + std::string(64, 'b') + " analyst name=eve",
       "bad.tokens:3: an analyst token "
       "needs subscriber="},
      {"nwt_plaintexttoken admin name=eve",
       "bad.tokens:3: first field must be sha256:"},
  };
  for (const Case& c : cases) {
    std::ofstream(bad) << "# tokens\n" << good_line << "\n" << c.line3 << "\n";
    testing::ExitResult r = testing::RunToExit(
        DaemonArgs(data_dir_.path(), {"--token-file=" + bad}));
    ASSERT_TRUE(r.exited);
    EXPECT_NE(r.code, 0);
    EXPECT_THAT(r.output, HasSubstr("--token-file: " + bad + ":3: "));
    EXPECT_THAT(r.output, HasSubstr(c.want)) << c.line3;
  }
  testing::ExitResult r = testing::RunToExit(DaemonArgs(
      data_dir_.path(), {"--token-file=" + dir_->path() + "/no-such-file"}));
  ASSERT_TRUE(r.exited);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("cannot read token file '" + dir_->path() +
                                  "/no-such-file'"));
}

// Verifies missing or unreadable TLS files, and half a key pair, stop the
// daemon with a message naming the flag and the file.
TEST_F(DaemonSecurityStartTest, TlsFileProblemsRefuseStartNamingFlagAndFile) {
  const std::string missing = dir_->path() + "/missing.pem";
  testing::ExitResult r = testing::RunToExit(
      DaemonArgs(data_dir_.path(),
                 {"--tls-cert=" + missing, "--tls-key=" + certs_.server_key}));
  ASSERT_TRUE(r.exited);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output,
              HasSubstr("cannot read the --tls-cert file '" + missing + "'"));
  r = testing::RunToExit(
      DaemonArgs(data_dir_.path(),
                 {"--tls-cert=" + certs_.server_cert, "--tls-key=" + missing}));
  EXPECT_THAT(r.output,
              HasSubstr("cannot read the --tls-key file '" + missing + "'"));
  r = testing::RunToExit(DaemonArgs(
      data_dir_.path(),
      {"--tls-cert=" + certs_.server_cert, "--tls-key=" + certs_.server_key,
       "--tls-client-ca=" + missing}));
  EXPECT_THAT(r.output, HasSubstr("cannot read the --tls-client-ca file '" +
                                  missing + "'"));
  r = testing::RunToExit(
      DaemonArgs(data_dir_.path(), {"--tls-cert=" + certs_.server_cert}));
  ASSERT_TRUE(r.exited);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("--tls-cert and --tls-key go together"));
  // A key where the certificate should be.
  r = testing::RunToExit(DaemonArgs(
      data_dir_.path(),
      {"--tls-cert=" + certs_.server_key, "--tls-key=" + certs_.server_key}));
  EXPECT_THAT(r.output, HasSubstr("holds no PEM CERTIFICATE"));
}

}  // namespace
}  // namespace nw
