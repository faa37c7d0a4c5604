// Alert e-mails and digests: MIME structure, grouping, snippets, escaping.
#include "server/delivery/email_message.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::delivery {
namespace {

using ::nw::testing::IsOk;

using ::newswatch::v1::Alert;
using ::testing::HasSubstr;
using ::testing::Not;

Alert MakeAlert(uint64_t cursor, const std::string& rule,
                const std::string& label, const std::string& title) {
  Alert a;
  a.set_cursor(cursor);
  a.set_subscriber("desk");
  a.set_article_id("art-" + std::to_string(cursor));
  a.set_title(title);
  a.set_url("https://news.example/" + std::to_string(cursor));
  auto* m = a.add_matches();
  m->set_rule_id(rule);
  m->set_label(label);
  auto* s = m->add_snippets();
  s->set_text("the crude <price> rose");
  s->set_begin(4);
  s->set_more_after(true);
  auto* h = s->add_highlights();
  h->set_begin(4);
  h->set_end(9);
  return a;
}

// The decoded text of the part with `content_type`.
std::string Part(const std::string& message, const std::string& content_type) {
  for (absl::string_view part : absl::StrSplit(message, "--=_newswatch_")) {
    if (!absl::StrContains(part, content_type)) continue;
    const size_t body = part.find("\r\n\r\n");
    std::string b64;
    for (char c : part.substr(body + 4)) {
      if (c != '\r' && c != '\n') b64.push_back(c);
    }
    std::string out;
    absl::Base64Unescape(b64, &out);
    return out;
  }
  return "";
}

const EmailEnvelope kEnvelope{.from = "nw@example.com",
                              .recipients = {"a@example.com", "b@example.com"},
                              .message_id = "digest.1-3.64657363@newswatch",
                              .date = absl::FromUnixSeconds(1700000000)};

// Verifies a digest lists every alert once, grouped by its first rule (by
// label), with highlighted snippets in both parts, and the headers set.
TEST(EmailMessageTest, DigestGroupsByRule) {
  std::vector<Alert> alerts = {MakeAlert(1, "r-1", "Oil", "Crude up"),
                               MakeAlert(2, "r-2", "", "Gold down"),
                               MakeAlert(3, "r-1", "Oil", "Crude down")};
  const std::string m =
      DigestEmail(kEnvelope, "desk", absl::FromUnixSeconds(1699999200),
                  absl::FromUnixSeconds(1700002800), alerts);
  EXPECT_THAT(m, HasSubstr("To: a@example.com, b@example.com\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <digest.1-3.64657363@newswatch>\r\n"));
  EXPECT_THAT(m, HasSubstr("Subject: [newswatch] desk: 3 alerts"));
  EXPECT_THAT(m, HasSubstr("multipart/alternative"));
  const std::string text = Part(m, "text/plain");
  const std::string html = Part(m, "text/html");
  EXPECT_THAT(text, HasSubstr("== Oil (r-1): 2 =="));
  EXPECT_THAT(text, HasSubstr("== r-2: 1 =="));
  EXPECT_LT(text.find("Crude up"), text.find("Crude down"));
  EXPECT_LT(text.find("Crude down"), text.find("Gold down"));
  EXPECT_THAT(text, HasSubstr("...the [crude] <price> rose..."));
  EXPECT_THAT(html, HasSubstr("the <mark>crude</mark> &lt;price&gt; rose"));
  for (const char* title : {"Crude up", "Gold down", "Crude down"}) {
    EXPECT_EQ(std::string(text).find(title), text.rfind(title)) << title;
  }
}

// Verifies a title cannot inject a header (CR/LF become spaces) and
// non-ASCII subjects are RFC 2047 encoded.
TEST(EmailMessageTest, HeadersAreSafe) {
  const std::string m = AlertEmail(
      kEnvelope, MakeAlert(7, "r-1", "Öl", "Bad\r\nBcc: evil@example.com"));
  EXPECT_THAT(m, Not(HasSubstr("\r\nBcc:")));
  EXPECT_THAT(m, HasSubstr("Subject: =?UTF-8?B?"));
}

// Verifies only plain addresses are accepted as recipients.
TEST(EmailMessageTest, Addresses) {
  EXPECT_THAT(CheckEmailAddress("analyst@example.com"), IsOk());
  for (const char* bad : {"", "nobody", "@example.com", "a@", "a@b@c", "a b@c",
                          "a@b\r\nRCPT TO:<x@y>", "<a@b>", "a@b,c@d"}) {
    EXPECT_FALSE(CheckEmailAddress(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace nw::delivery
