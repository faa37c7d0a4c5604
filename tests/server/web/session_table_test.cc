#include "server/web/session_table.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/session_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::web {
namespace {

using ::nw::testing::IsOk;
using ::testing::Optional;
using ::testing::StartsWith;

constexpr absl::Time kStart = absl::FromUnixSeconds(1'000'000);

// Verifies a session resolves to its token until it is ended (log out), and
// ids are fresh random secrets, never the token.
TEST(SessionTableTest, ResolvesUntilEnded) {
  base::FakeClock clock(kStart);
  std::unique_ptr<SessionTable> table = *SessionTable::Open(clock, nullptr);
  SessionTable& sessions = *table;
  absl::StatusOr<std::string> a = sessions.Create("nwt_a");
  absl::StatusOr<std::string> b = sessions.Create("nwt_a");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_THAT(*a, StartsWith("nws_"));
  EXPECT_EQ(a->size(), 4u + 64u);
  EXPECT_NE(*a, *b);
  EXPECT_THAT(sessions.Resolve(*a), Optional(std::string("nwt_a")));
  EXPECT_EQ(sessions.Resolve("nwt_a"), std::nullopt);
  EXPECT_EQ(sessions.Resolve(""), std::nullopt);
  EXPECT_THAT(sessions.End(*a), IsOk());
  EXPECT_THAT(sessions.End(*a), IsOk());
  EXPECT_EQ(sessions.Resolve(*a), std::nullopt);
  // Ending one session leaves the other of the same token running.
  EXPECT_THAT(sessions.Resolve(*b), Optional(std::string("nwt_a")));
}

// Verifies a session ends after its idle time without use, use keeps it
// alive, and no session outlives its lifetime.
TEST(SessionTableTest, IdleAndLifetimeExpiry) {
  base::FakeClock clock(kStart);
  std::unique_ptr<SessionTable> table = *SessionTable::Open(
      clock, nullptr, {.idle = absl::Hours(1), .lifetime = absl::Hours(3)});
  SessionTable& sessions = *table;
  absl::StatusOr<std::string> busy = sessions.Create("nwt_busy");
  absl::StatusOr<std::string> idle = sessions.Create("nwt_idle");
  ASSERT_THAT(busy, IsOk());
  ASSERT_THAT(idle, IsOk());
  for (int i = 0; i < 5; ++i) {  // 2.5 h of use every 30 minutes
    clock.Advance(absl::Minutes(30));
    EXPECT_TRUE(sessions.Resolve(*busy).has_value()) << i;
  }
  EXPECT_EQ(sessions.Resolve(*idle), std::nullopt);
  clock.Advance(absl::Minutes(30));  // 3 h since it was made
  EXPECT_EQ(sessions.Resolve(*busy), std::nullopt);
}

// Verifies the table is bounded: past max_sessions a new session ends the
// least recently used one, not a busy one.
TEST(SessionTableTest, FullTableEndsTheLeastRecentlyUsed) {
  base::FakeClock clock(kStart);
  std::unique_ptr<SessionTable> table =
      *SessionTable::Open(clock, nullptr, {.max_sessions = 3});
  SessionTable& sessions = *table;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> id =
        sessions.Create("nwt_" + std::to_string(i));
    ASSERT_THAT(id, IsOk());
    ids.push_back(*id);
    clock.Advance(absl::Seconds(1));
  }
  ASSERT_TRUE(sessions.Resolve(ids[0]).has_value());  // 0 used last
  ASSERT_THAT(sessions.Create("nwt_3"), IsOk());
  EXPECT_EQ(sessions.size(), 3u);
  EXPECT_TRUE(sessions.Resolve(ids[0]).has_value());
  EXPECT_EQ(sessions.Resolve(ids[1]), std::nullopt);
  EXPECT_TRUE(sessions.Resolve(ids[2]).has_value());
}

// A daemon's view of a data dir's sessions: the database, its store and
// the table loaded from it (a day's lifetime, 12 h idle).
struct OpenedDir {
  std::unique_ptr<storage::Db> db;
  std::unique_ptr<storage::SessionStore> store;
  std::unique_ptr<SessionTable> table;

  OpenedDir(const std::string& path, const base::Clock& clock) {
    db = storage::Db::Open({.path = path}).value();
    store = std::make_unique<storage::SessionStore>(*db);
    table = SessionTable::Open(
                clock, store.get(),
                {.idle = absl::Hours(12), .lifetime = absl::Hours(24)})
                .value();
  }
  size_t Stored() const { return store->LoadAll().value().size(); }
};

// Verifies sessions are kept in the data dir: after a restart (the table
// and the database reopened) a session still resolves, one logged out before
// stays ended, one past its lifetime is dropped from the store, and the store
// holds hashes only, never the id or the token.
TEST(SessionTableTest, SessionsOutliveARestartButNotLogOut) {
  nw::testing::TempDir dir;
  base::FakeClock clock(kStart);
  std::string kept, ended, old;
  {
    OpenedDir d(dir.path(), clock);
    old = d.table->Create("hash-old").value();
    clock.Advance(absl::Hours(20));
    kept = d.table->Create("hash-kept").value();
    ended = d.table->Create("hash-ended").value();
    ASSERT_THAT(d.table->End(ended), IsOk());
    const auto stored = d.store->LoadAll().value();
    ASSERT_EQ(stored.size(), 2u);
    for (const auto& [key, record] : stored) {
      EXPECT_NE(key, kept);
      EXPECT_NE(key, old);
      EXPECT_THAT(record.token_sha256, StartsWith("hash-"));
    }
  }
  clock.Advance(absl::Hours(5));  // `old` is now 25 h old: past its lifetime
  OpenedDir d(dir.path(), clock);
  EXPECT_THAT(d.table->Resolve(kept), Optional(std::string("hash-kept")));
  EXPECT_EQ(d.table->Resolve(ended), std::nullopt);
  EXPECT_EQ(d.table->Resolve(old), std::nullopt);
  EXPECT_EQ(d.Stored(), 1u);
}

}  // namespace
}  // namespace nw::web
