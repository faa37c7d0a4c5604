#include "server/delivery/smtp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace nw::delivery {
namespace {

struct Upload {
  const std::string* data;
  size_t at = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  Upload& upload = *static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload.data->size() - upload.at);
  std::memcpy(buffer, upload.data->data() + upload.at, n);
  upload.at += n;
  return n;
}

}  // namespace

absl::Status SendMail(const SmtpOptions& options,
                      const std::vector<std::string>& recipients,
                      const std::string& message) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(),
                                                           curl_easy_cleanup);
  if (easy == nullptr) return absl::InternalError("SendMail: curl_easy_init");
  curl_slist* rcpt = nullptr;
  for (const std::string& r : recipients) {
    rcpt = curl_slist_append(rcpt, absl::StrCat("<", r, ">").c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_list(
      rcpt, curl_slist_free_all);
  const std::string url = absl::StrCat("smtp://", options.relay);
  const std::string from = absl::StrCat("<", options.from, ">");
  Upload upload{.data = &message};
  char error[CURL_ERROR_SIZE] = {};
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(e, CURLOPT_READDATA, &upload);
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(
      e, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  if (options.starttls) {
    curl_easy_setopt(e, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) {
      curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
    }
  }
  if (!options.username.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, options.password.c_str());
  }
  const CURLcode rc = curl_easy_perform(e);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("sending mail via ", options.relay, ": ",
                     curl_easy_strerror(rc), error[0] ? ": " : "", error));
  }
  return absl::OkStatus();
}

}  // namespace nw::delivery
