// EmailDispatcher against a real SMTP sink on 127.0.0.1
// (tests/delivery/smtp_sink.py, python3-aiosmtpd) with an injected clock:
// hourly digests hold every alert of their hour once, also across a
// restart; a message interrupted by a crash is resent, same alerts, same
// Message-ID; immediate mode sends one message per alert.
#include "server/delivery/email_dispatcher.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "server/base/clock.h"
#include "tests/server/delivery/delivery_fixture.h"
#include "tests/testutil/status_matchers.h"

namespace nw::delivery {
namespace {

using ::nw::testing::IsOk;

using ::newswatch::v1::EmailSettings;
using ::testing::HasSubstr;
using ::testing::Not;

using Sink = ::nw::testing::SmtpSink;

// The decoded text/plain part of a message.
std::string TextPart(const std::string& message) {
  for (absl::string_view part : absl::StrSplit(message, "--=_newswatch_")) {
    if (!absl::StrContains(part, "text/plain")) continue;
    std::string b64;
    for (char c : part.substr(part.find("\r\n\r\n") + 4)) {
      if (c != '\r' && c != '\n') b64.push_back(c);
    }
    std::string out;
    absl::Base64Unescape(b64, &out);
    return out;
  }
  return "";
}

std::string Header(const std::string& message, const std::string& name) {
  const size_t at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const size_t begin = at + name.size() + 4;
  return message.substr(begin, message.find("\r\n", begin) - begin);
}

// How many times alert `cursor` is listed in a digest's text.
int Listed(const std::string& text, uint64_t cursor) {
  int n = 0;
  const std::string line = absl::StrCat("#", cursor, "  Title ");
  for (size_t at = text.find(line); at != std::string::npos;
       at = text.find(line, at + 1)) {
    ++n;
  }
  return n;
}

absl::Time At(int hour, int minute) {
  return absl::FromUnixSeconds(1'800'000'000 / 86400 * 86400 + hour * 3600 +
                               minute * 60);
}

class EmailDispatcherTest : public DeliveryTest {
 protected:
  std::unique_ptr<EmailDispatcher> Start(const std::string& relay) {
    return EmailDispatcher::Start(
        *db_, *log_, clock_,
        {.smtp = {.relay = relay, .from = "nw@example.com"},
         .retry = {.initial = absl::Seconds(1), .max = absl::Seconds(1)},
         .background = false});
  }
  void Configure(EmailDispatcher& d, EmailSettings::Mode mode) {
    EmailSettings s;
    s.set_subscriber("desk");
    s.add_recipients("analyst@example.com");
    s.set_mode(mode);
    ASSERT_THAT(d.Set(s, std::nullopt), IsOk());
  }

  base::FakeClock clock_{At(10, 5)};
};

// Verifies one hourly digest holds every alert of the hour exactly once,
// with snippets, also when the daemon restarted within the hour; nothing
// is sent before the hour ends, nothing twice, and the next hour's alert
// goes in the next digest.
TEST_F(EmailDispatcherTest, HourlyDigestHasEveryAlertOnceAcrossRestart) {
  Sink sink(dir_.path() + "/mail");
  {
    auto d = Start(sink.relay());
    Configure(*d, EmailSettings::HOURLY);
    for (int m : {10, 20, 30}) AddAlert({"desk", "other"}, At(10, m));
    EXPECT_EQ(d->RunOnce(), 0);
  }
  Reopen();  // a restart in the middle of the hour
  auto d = Start(sink.relay());
  for (int m : {40, 59}) AddAlert({"desk"}, At(10, m));
  clock_.Advance(At(11, 0) - At(10, 5) + absl::Seconds(30));
  AddAlert({"desk"}, At(11, 0) + absl::Seconds(10));  // the next hour's
  EXPECT_EQ(d->RunOnce(), 1);
  EXPECT_EQ(d->RunOnce(), 0);
  std::vector<std::string> mail = sink.Messages();
  ASSERT_EQ(mail.size(), 1u);
  const std::string text = TextPart(mail[0]);
  for (uint64_t cursor = 1; cursor <= 5; ++cursor) {
    EXPECT_EQ(Listed(text, cursor), 1) << cursor << "\n" << text;
  }
  EXPECT_EQ(Listed(text, 6), 0);
  EXPECT_THAT(Header(mail[0], "Subject"), HasSubstr("desk: 5 alerts"));
  EXPECT_THAT(text, HasSubstr("== Label desk (r-1): 5 =="));
  EXPECT_THAT(text, HasSubstr("[crude] oil story"));
  EXPECT_THAT(mail[0], HasSubstr("Content-Type: text/html"));

  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(d->RunOnce(), 1);
  mail = sink.Messages();
  ASSERT_EQ(mail.size(), 2u);
  EXPECT_EQ(Listed(TextPart(mail[1]), 6), 1);
  EXPECT_EQ(Listed(TextPart(mail[1]), 5), 0);
  EXPECT_EQ(d->Get("desk")->delivered_cursor(), 6u);
}

// Verifies a digest whose send failed (relay down, as in a crash before
// it was accepted) is sent after the restart with the same alerts and
// Message-ID, and an alert committed meanwhile is not lost.
TEST_F(EmailDispatcherTest, InterruptedDigestIsResentIdentically) {
  {
    auto d = Start("127.0.0.1:1");  // nothing listens there
    Configure(*d, EmailSettings::HOURLY);
    for (int m : {10, 20}) AddAlert({"desk"}, At(10, m));
    clock_.Advance(absl::Hours(1));
    EXPECT_EQ(d->RunOnce(), 0);
    EXPECT_FALSE(d->Get("desk")->last_error().empty());
  }
  Reopen();
  // Committed after the digest was cut, though dated in its hour: it is
  // not in the resent message (which is the one cut) but not lost either.
  AddAlert({"desk"}, At(10, 50));
  Sink sink(dir_.path() + "/mail");
  auto d = Start(sink.relay());
  EXPECT_EQ(d->RunOnce(), 1);
  EXPECT_EQ(d->RunOnce(), 0);
  std::vector<std::string> mail = sink.Messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(Header(mail[0], "Message-ID"), "<digest.1-2.6465736b@newswatch>");
  EXPECT_EQ(Listed(TextPart(mail[0]), 1), 1);
  EXPECT_EQ(Listed(TextPart(mail[0]), 2), 1);
  EXPECT_EQ(Listed(TextPart(mail[0]), 3), 0);
  EXPECT_EQ(d->Get("desk")->delivered_cursor(), 2u);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(d->RunOnce(), 1);
  mail = sink.Messages();
  ASSERT_EQ(mail.size(), 2u);
  EXPECT_EQ(Listed(TextPart(mail[1]), 3), 1);
  EXPECT_EQ(d->Get("desk")->delivered_cursor(), 3u);
}

// Verifies immediate mode sends one message per alert, to the recipients,
// and only alerts after the settings were made.
TEST_F(EmailDispatcherTest, ImmediateSendsOnePerAlert) {
  Sink sink(dir_.path() + "/mail");
  auto d = Start(sink.relay());
  AddAlert({"desk"}, At(10, 1));  // before: not mailed
  Configure(*d, EmailSettings::IMMEDIATE);
  for (int m : {6, 7}) AddAlert({"desk"}, At(10, m));
  EXPECT_EQ(d->RunOnce(), 2);
  std::vector<std::string> mail = sink.Messages();
  ASSERT_EQ(mail.size(), 2u);
  EXPECT_THAT(Header(mail[0], "Subject"),
              HasSubstr("[newswatch] Label desk: Title 2"));
  EXPECT_THAT(Header(mail[1], "Subject"), HasSubstr("Title 3"));
  EXPECT_EQ(Header(mail[0], "To"), "analyst@example.com");
  EXPECT_THAT(TextPart(mail[0]), HasSubstr("https://news.example/2"));
  EXPECT_THAT(TextPart(mail[0]), Not(HasSubstr("Title 1")));
}

// Verifies bad settings are refused and change nothing.
TEST_F(EmailDispatcherTest, RefusesBadSettings) {
  auto d = Start("127.0.0.1:1");
  EmailSettings s;
  s.set_subscriber("desk");
  s.add_recipients("not an address");
  s.set_mode(EmailSettings::DAILY);
  EXPECT_EQ(d->Set(s, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
  s.set_recipients(0, "a@example.com");
  s.set_mode(EmailSettings::MODE_UNSPECIFIED);
  EXPECT_EQ(d->Set(s, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(d->Get("desk").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nw::delivery
