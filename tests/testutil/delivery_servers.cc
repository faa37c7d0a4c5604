#include "tests/testutil/delivery_servers.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "server/base/read_file.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw::testing {
namespace {

std::string Script(const std::string& name) {
  return absl::StrCat(NW_DELIVERY_SCRIPTS, "/", name);
}

std::unique_ptr<DaemonProcess> StartScript(std::vector<std::string> argv) {
  absl::StatusOr<std::unique_ptr<DaemonProcess>> p =
      DaemonProcess::StartCommand(std::move(argv));
  EXPECT_THAT(p, IsOk());
  return p.ok() ? *std::move(p) : nullptr;
}

}  // namespace

std::string ReadTestFile(const std::string& path) {
  return base::ReadWholeFile(path, "test file").value_or("");
}

WebhookReceiver::WebhookReceiver(const std::string& secret,
                                 const std::string& log)
    : log_(log),
      process_(StartScript({"/usr/bin/python3", Script("webhook_receiver.py"),
                            "--secret", secret, "--log", log})) {}

std::string WebhookReceiver::url() const {
  return absl::StrCat("http://127.0.0.1:", process_ ? process_->port() : 1,
                      "/hook");
}

void WebhookReceiver::SetMode(const std::string& mode) {
  ASSERT_NE(process_, nullptr);
  absl::StatusOr<HttpResponse> r =
      HttpRequest(process_->port(), "POST", "/_mode/" + mode);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->status, 200);
}

std::vector<nlohmann::json> WebhookReceiver::Requests() const {
  std::vector<nlohmann::json> out;
  for (absl::string_view line :
       absl::StrSplit(ReadTestFile(log_), '\n', absl::SkipEmpty())) {
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::vector<uint64_t> WebhookReceiver::Accepted() const {
  std::vector<uint64_t> out;
  for (const nlohmann::json& r : Requests()) {
    if (r["status"] == 200) out.push_back(r["cursor"].get<uint64_t>());
  }
  return out;
}

SmtpSink::SmtpSink(const std::string& dir) : dir_(dir) {
  std::filesystem::create_directories(dir_);
  process_ =
      StartScript({"/usr/bin/python3", Script("smtp_sink.py"), "--dir", dir_});
}

std::string SmtpSink::relay() const {
  return absl::StrCat("127.0.0.1:", process_ ? process_->port() : 1);
}

std::vector<std::string> SmtpSink::Messages() const {
  std::vector<std::string> out;
  for (int n = 1; std::filesystem::exists(absl::StrCat(dir_, "/", n, ".eml"));
       ++n) {
    out.push_back(ReadTestFile(absl::StrCat(dir_, "/", n, ".eml")));
  }
  return out;
}

}  // namespace nw::testing
