// File: tests/server/delivery/delivery_fixture.h
//
// In-process delivery tests: a real Db in a temp dir whose alert logs are
// filled through CommitArticles (as ingest does), "restarted" by reopening;
// the test servers are tests/testutil/delivery_servers.h.
#ifndef NW_TESTS_SERVER_DELIVERY_DELIVERY_FIXTURE_H_
#define NW_TESTS_SERVER_DELIVERY_DELIVERY_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "storage/alert_log.h"
#include "storage/commit_batch.h"
#include "storage/db.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/delivery_servers.h"

namespace nw::delivery {

using ::nw::testing::Eventually;

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes and reopens the database (what a restart does to storage).
  void Reopen() {
    log_.reset();
    db_.reset();
    absl::StatusOr<std::unique_ptr<storage::Db>> db =
        storage::Db::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    log_ = std::make_unique<storage::AlertLog>(*db_, nullptr);  // full alerts
  }

  // Commits one article with an alert for each of `subscribers`, created at
  // `at`, with a rule labelled "Label <subscriber>" and one snippet.
  void AddAlert(const std::vector<std::string>& subscribers, absl::Time at) {
    newswatch::v1::Article article;
    ++sequence_;
    article.set_id(absl::StrCat("a-", sequence_));
    article.set_sequence(sequence_);
    std::vector<newswatch::v1::Alert> alerts;
    for (const std::string& s : subscribers) {
      newswatch::v1::Alert& alert = alerts.emplace_back();
      alert.set_subscriber(s);
      alert.set_cursor(++cursors_[s]);
      alert.set_article_id(article.id());
      alert.set_article_sequence(sequence_);
      alert.set_title(absl::StrCat("Title ", sequence_));
      alert.set_url(absl::StrCat("https://news.example/", sequence_));
      *alert.mutable_created_at() =
          google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
              absl::ToUnixNanos(at));
      alert.add_rule_ids("r-1");
      auto* match = alert.add_matches();
      match->set_rule_id("r-1");
      match->set_label("Label " + s);
      auto* snippet = match->add_snippets();
      snippet->set_field(newswatch::v1::Highlight::BODY);
      snippet->set_text(absl::StrCat("crude oil story ", sequence_));
      auto* h = snippet->add_highlights();
      h->set_begin(0);
      h->set_end(5);
    }
    ASSERT_TRUE(storage::CommitArticles(*db_, {{&article, &alerts}}).ok());
  }

  nw::testing::TempDir dir_;
  std::unique_ptr<storage::Db> db_;
  std::unique_ptr<storage::AlertLog> log_;
  uint64_t sequence_ = 0;
  std::map<std::string, uint64_t> cursors_;
};

}  // namespace nw::delivery

#endif  // NW_TESTS_SERVER_DELIVERY_DELIVERY_FIXTURE_H_
