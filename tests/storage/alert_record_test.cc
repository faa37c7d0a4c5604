// The compact alert record is written by hand (no protobuf size pass): it
// must be exactly what protobuf writes, so that every reader parses it.
#include "storage/alert_record.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::storage {
namespace {

using newswatch::v1::Alert;
using newswatch::v1::Highlight;
using ::nw::testing::IsOk;

// The compact record protobuf itself would write.
std::string Reference(const Alert& alert) {
  return std::string(1, kCompactAlertMarker) + alert.SerializeAsString();
}

std::string Encoded(const Alert& alert) {
  std::string value = "left over";
  EncodeAlertRecord(alert, /*compact=*/true, &value);
  return value;
}

Alert EveryCompactField() {
  Alert alert;
  alert.set_cursor(300);
  alert.set_subscriber("desk");
  alert.set_article_id("reuters-1");
  alert.set_article_sequence(1ull << 40);
  auto* first = alert.add_matches();
  first->set_rule_id("r-1");
  first->set_label("Energy");
  auto* h = first->add_highlights();
  h->set_field(Highlight::TITLE);  // begin 0: not written
  h->set_end(5);
  h = first->add_highlights();
  h->set_field(Highlight::BODY);
  h->set_begin(300);
  h->set_end(70000);
  first->add_highlights();  // every field at its default: an empty message
  auto* second = alert.add_matches();
  second->set_rule_id(std::string(200, 'x'));  // a 2-byte length
  alert.mutable_created_at()->set_seconds(1'700'000'000);
  alert.mutable_created_at()->set_nanos(123'456'789);
  alert.set_backfill(true);
  alert.set_story_id(std::string(130, 's'));
  return alert;
}

TEST(AlertRecordTest, CompactRecordIsWhatProtobufWrites) {
  const Alert full = EveryCompactField();
  EXPECT_EQ(Encoded(full), Reference(full));

  Alert minimal;
  minimal.set_subscriber("a");
  EXPECT_EQ(Encoded(minimal), Reference(minimal));

  Alert odd = full;
  odd.mutable_created_at()->Clear();  // present, empty
  odd.mutable_matches(0)->mutable_highlights(1)->set_field(
      static_cast<Highlight::Field>(-1));  // a negative enum: 10 bytes
  odd.set_cursor(~0ull);
  EXPECT_EQ(Encoded(odd), Reference(odd));
  odd.mutable_created_at()->set_seconds(-5);  // before 1970
  odd.mutable_created_at()->set_nanos(-1);
  EXPECT_EQ(Encoded(odd), Reference(odd));

  Alert read;
  ASSERT_THAT(DecodeAlertRecord(Encoded(full), &read), IsOk());
  EXPECT_EQ(read.SerializeAsString(), full.SerializeAsString());
}

// A field the compact form does not know is written all the same (by
// protobuf): nothing the caller set is lost.
TEST(AlertRecordTest, OtherFieldsAreKeptByProtobuf) {
  Alert alert = EveryCompactField();
  alert.set_title("Oil");
  alert.add_rule_ids("r-1");
  alert.mutable_matches(0)->add_snippets()->set_text("Oil rises");
  EXPECT_EQ(Encoded(alert), Reference(alert));
}

}  // namespace
}  // namespace nw::storage
