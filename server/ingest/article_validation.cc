#include "server/ingest/article_validation.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "unicode/utf8.h"

namespace nw::ingest {

std::optional<size_t> FindInvalidUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return static_cast<size_t>(start);
  }
  return std::nullopt;
}

namespace {

absl::Status CheckUtf8(absl::string_view field, absl::string_view text) {
  if (std::optional<size_t> bad = FindInvalidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "article ", field, " is not valid UTF-8 (bad byte at offset ", *bad,
        "): send text as UTF-8"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateArticle(const newswatch::v1::Article& article,
                             const ArticleLimits& limits) {
  // White space alone is no text either.
  if (absl::StripAsciiWhitespace(article.title()).empty() &&
      absl::StripAsciiWhitespace(article.body()).empty()) {
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
  if (article.id().size() > limits.max_id_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("article id is ", article.id().size(),
                     " bytes, over the limit of ", limits.max_id_bytes));
  }
  for (unsigned char c : article.id()) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "article id contains a control character");
    }
  }
  if (absl::Status s = CheckUtf8("title", article.title()); !s.ok()) return s;
  if (absl::Status s = CheckUtf8("body", article.body()); !s.ok()) return s;
  return absl::OkStatus();
}

}  // namespace nw::ingest
