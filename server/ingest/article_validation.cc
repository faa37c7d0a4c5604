#include "server/ingest/article_validation.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "server/base/ids.h"
#include "server/base/status_macros.h"
#include "server/base/time_range.h"
#include "server/base/utf8.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace nw::ingest {

namespace {

absl::Status CheckUtf8(absl::string_view field, absl::string_view text) {
  if (std::optional<size_t> bad = base::FindInvalidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "article ", field, " is not valid UTF-8 (bad byte at offset ", *bad,
        "): send text as UTF-8"));
  }
  return absl::OkStatus();
}

// True when `text` has no visible character: only Unicode white space
// (NBSP, U+3000, ...), format characters (zero-width space, bidi marks) and
// controls. REQUIRES: valid UTF-8.
bool IsBlank(absl::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    const int8_t type = u_charType(c);
    if (c < 0 || (!u_isUWhiteSpace(c) && type != U_FORMAT_CHAR &&
                  type != U_CONTROL_CHAR)) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status ValidateArticle(const newswatch::v1::Article& article,
                             const ArticleLimits& limits) {
  NW_RETURN_IF_ERROR(CheckUtf8("title", article.title()));
  NW_RETURN_IF_ERROR(CheckUtf8("body", article.body()));
  // White space alone (ASCII or not) is no text either.
  if (IsBlank(article.title()) && IsBlank(article.body())) {
    return absl::InvalidArgumentError(
        "article has an empty title and an empty body: at least one must have "
        "text");
  }
  if (const size_t size = article.ByteSizeLong();
      size > limits.max_article_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("article is ", size, " bytes, over the limit of ",
                     limits.max_article_bytes, " bytes"));
  }
  // An empty id is assigned by the daemon.
  if (!article.id().empty()) {
    if (absl::Status s =
            base::CheckId("article id", article.id(), limits.max_id_bytes);
        !s.ok()) {
      return s;
    }
  }
  if (article.has_published_at()) {
    const google::protobuf::Timestamp& t = article.published_at();
    if (absl::StatusOr<absl::Time> checked =
            base::CheckedTime("article published_at", t.seconds(), t.nanos());
        !checked.ok()) {
      return checked.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace nw::ingest
