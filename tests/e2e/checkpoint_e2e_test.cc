// Online backup: AdminService.CreateCheckpoint writes a data dir that a new
// newswatchd serves with the rules, articles and alerts committed before
// the call, while the original keeps ingesting.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newswatch/v1/admin_service.grpc.pb.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw::testing {
namespace {

namespace v1 = ::newswatch::v1;
using ::testing::HasSubstr;

class CheckpointE2eTest : public E2eTest {
 protected:
  grpc::Status Checkpoint(const std::string& directory,
                          v1::CreateCheckpointResponse* out) {
    auto admin = v1::AdminService::NewStub(daemon_->Channel());
    grpc::ClientContext ctx;
    v1::CreateCheckpointRequest req;
    req.set_directory(directory);
    return admin->CreateCheckpoint(&ctx, req, out);
  }
};

TEST_F(CheckpointE2eTest, CheckpointServesWhatWasCommittedBeforeIt) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "pipeline", &rule).ok());
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("before", 20)).size(), 20u);

  TempDir backups;
  const std::string checkpoint = backups.path() + "/ckpt";
  v1::CreateCheckpointResponse made;
  grpc::Status s = Checkpoint(checkpoint, &made);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(made.directory(), checkpoint);
  EXPECT_EQ(made.last_sequence(), 20u);
  EXPECT_GT(made.bytes(), 0u);
  // Ingest goes on after the checkpoint; none of this is in it.
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("after", 5)).size(), 5u);
  ASSERT_EQ(*daemon_->Stop(), 0);

  // Restore: a daemon on the checkpoint.
  auto restored = DaemonProcess::Start(DaemonBinary(), checkpoint);
  ASSERT_THAT(restored, IsOk());
  Client client((*restored)->Channel());
  std::vector<v1::WatchRule> rules = client.ListRules("desk");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].id(), rule.id());
  v1::Article article;
  EXPECT_TRUE(client.GetArticle("before-19", &article).ok());
  EXPECT_EQ(client.GetArticle("after-0", &article).error_code(),
            grpc::StatusCode::NOT_FOUND);
  std::vector<v1::Alert> alerts =
      client.ReadAlerts("desk", 0, 20, std::chrono::milliseconds(300));
  ASSERT_EQ(alerts.size(), 20u);
  for (size_t i = 0; i < alerts.size(); ++i)
    EXPECT_EQ(alerts[i].cursor(), i + 1);
  // The restored daemon goes on from there: the next alert is cursor 21.
  ASSERT_EQ(client.SubmitAll(PipelineArticles("restored", 1)).size(), 1u);
  alerts = client.ReadAlerts("desk", 20, 1, std::chrono::milliseconds(300));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].cursor(), 21u);
}

TEST_F(CheckpointE2eTest, BadDirectoriesAreRefusedWithWhatToFix) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::CreateCheckpointResponse made;
  grpc::Status s = Checkpoint("relative/dir", &made);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("absolute path"));
  TempDir exists;
  s = Checkpoint(exists.path(), &made);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("name a new one"));
  s = Checkpoint(exists.path() + "/missing/ckpt", &made);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("create it first"));
}

}  // namespace
}  // namespace nw::testing
