#include "server/web/sse.h"

#include "gtest/gtest.h"

namespace nw::web {
namespace {

// Verifies an event carries its cursor as id:, its type, and its data on
// data: lines, ending with the blank line that dispatches it.
TEST(SseTest, EventHasIdTypeDataAndBlankLine) {
  EXPECT_EQ(SseEvent("alert", 42, R"({"cursor":42})"),
            "id: 42\nevent: alert\ndata: {\"cursor\":42}\n\n");
  EXPECT_EQ(SseEvent("hello", std::nullopt, "{}"),
            "event: hello\ndata: {}\n\n");
}

// Verifies a line break inside the data cannot end the event early or
// inject a field: each line becomes its own data: line.
TEST(SseTest, LineBreaksInDataStayInsideTheEvent) {
  EXPECT_EQ(SseEvent("alert", 1, "a\nid: 99\r\nb"),
            "id: 1\nevent: alert\ndata: a\ndata: id: 99\ndata: \ndata: b\n\n");
}

TEST(SseTest, CommentIsIgnoredByBrowsers) {
  EXPECT_EQ(SseComment("keepalive"), ": keepalive\n\n");
}

// Verifies the browser's Last-Event-ID wins over ?after=, and neither means
// "from the start".
TEST(SseTest, ResumeCursorPrefersLastEventId) {
  EXPECT_EQ(*ResumeCursor("7", "3"), 7u);
  EXPECT_EQ(*ResumeCursor(std::nullopt, "3"), 3u);
  EXPECT_EQ(*ResumeCursor("", "3"), 3u);
  EXPECT_EQ(*ResumeCursor(std::nullopt, std::nullopt), 0u);
  EXPECT_EQ(*ResumeCursor(" 12 ", std::nullopt), 12u);
}

// Verifies a cursor that is not a number is refused naming the field.
TEST(SseTest, ResumeCursorRefusesNonNumbers) {
  for (const char* bad : {"abc", "-1", "1.5", "99999999999999999999999"}) {
    absl::StatusOr<uint64_t> c = ResumeCursor(bad, std::nullopt);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("Last-Event-ID"),
              absl::string_view::npos);
  }
  absl::StatusOr<uint64_t> c = ResumeCursor(std::nullopt, "x1");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("after"), absl::string_view::npos);
}

}  // namespace
}  // namespace nw::web
