#include "server/auth/token_table.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/token_hash.h"
#include "tests/testutil/status_matchers.h"

namespace nw::auth {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

std::string Hash(const std::string& token) {
  return "sha256:" + Sha256Hex(token);
}

// Verifies the SHA-256 against the FIPS 180-2 test vector.
TEST(TokenHashTest, Sha256OfAbc) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Verifies new tokens are long, prefixed and different each time.
TEST(TokenHashTest, NewTokensAreRandom) {
  absl::StatusOr<std::string> a = NewToken(), b = NewToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 4u + 64u);
  EXPECT_EQ(a->substr(0, 4), "nwt_");
  EXPECT_NE(*a, *b);
}

// Verifies each role parses, comments and blank lines are skipped, and Find
// matches the token (not its hash) to the right principal.
TEST(TokenTableTest, ParsesRolesAndFindsByToken) {
  const std::string text = absl::StrCat(
      "# tokens\n\n", Hash("t-ingest"), " ingest name=feed\n", "  ",
      Hash("t-alice"), "\tanalyst  name=alice subscriber=desk-asia  \n",
      Hash("t-ops"), " admin name=ops\n");
  absl::StatusOr<TokenTable> table = TokenTable::Parse(text, "tokens");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->size(), 3u);
  const Principal* alice = table->Find("t-alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->role, Role::kAnalyst);
  EXPECT_EQ(alice->subscriber, "desk-asia");
  ASSERT_NE(table->Find("t-ingest"), nullptr);
  EXPECT_EQ(table->Find("t-ingest")->role, Role::kIngest);
  EXPECT_EQ(table->Find("t-ops")->role, Role::kAdmin);
  EXPECT_EQ(table->Find("t-unknown"), nullptr);
  EXPECT_EQ(table->Find(Sha256Hex("t-alice")),
            nullptr);  // the hash is not a token
}

// Verifies FormatLine writes what Parse reads back.
TEST(TokenTableTest, FormatLineRoundTrips) {
  const Principal bob{
      .name = "bob", .role = Role::kAnalyst, .subscriber = "desk-energy"};
  const std::string line = TokenTable::FormatLine(Sha256Hex("t-bob"), bob);
  EXPECT_EQ(line, Hash("t-bob") + " analyst name=bob subscriber=desk-energy");
  absl::StatusOr<TokenTable> table = TokenTable::Parse(line, "x");
  ASSERT_THAT(table, IsOk());
  ASSERT_NE(table->Find("t-bob"), nullptr);
  EXPECT_EQ(table->Find("t-bob")->subscriber, "desk-energy");
}

struct BadCase {
  std::string line2;    // line 2 of the file (line 1 is valid)
  std::string message;  // expected in the error after "f.tokens:2: "
};

// Verifies every kind of mistake is refused naming file:line.
TEST(TokenTableTest, RefusesMistakesNamingFileAndLine) {
  const std::string h = Hash("t-2");
  const BadCase cases[] = {
      {h, "expected 'sha256:"},
      {"sha256:abc admin name=x", "64 lowercase hex"},
      {Sha256Hex("t-2") + " admin name=x", "first field must be sha256:"},
      {h + " root name=x", "unknown role 'root'"},
      {h + " analyst name=alice", "needs subscriber="},
      {h + " ingest name=feed subscriber=desk", "only for analyst tokens"},
      {h + " admin", "name=<name> is required"},
      {h + " admin name=", "name=<name> is required"},
      {h + " admin name=a name=b", "name= given twice"},
      {h + " admin name=x colour=red", "unknown field 'colour=red'"},
      {Hash("t-1") + " admin name=again", "the same token hash is on line 1"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<TokenTable> table = TokenTable::Parse(
        Hash("t-1") + " admin name=ops\n" + c.line2 + "\n", "f.tokens");
    ASSERT_FALSE(table.ok()) << c.line2;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(table.status().message()),
                HasSubstr("f.tokens:2: "))
        << c.line2;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr(c.message))
        << c.line2;
  }
}

// Verifies a file without tokens is refused (nobody could call anything).
TEST(TokenTableTest, RefusesAnEmptyFile) {
  absl::StatusOr<TokenTable> table =
      TokenTable::Parse("# nothing\n\n", "empty.tokens");
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(std::string(table.status().message()),
              HasSubstr("empty.tokens: no tokens"));
}

// Verifies an unreadable file is NotFound naming it.
TEST(TokenTableTest, LoadNamesAMissingFile) {
  absl::StatusOr<TokenTable> table =
      TokenTable::Load("/nonexistent/newswatch.tokens");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(table.status().message()),
              HasSubstr("/nonexistent/newswatch.tokens"));
}

}  // namespace
}  // namespace nw::auth
