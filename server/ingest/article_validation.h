// File: server/ingest/article_validation.h
// What makes a submitted article acceptable, checked before anything is stored.
#ifndef NW_SERVER_INGEST_ARTICLE_VALIDATION_H_
#define NW_SERVER_INGEST_ARTICLE_VALIDATION_H_

#include <cstddef>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/article.pb.h"

namespace nw::ingest {

struct ArticleLimits {
  // Serialized size of an article. Default: 1 MiB.
  size_t max_article_bytes = 1 << 20;
  // Length of a sender's article id. Default: 256 bytes.
  size_t max_id_bytes = 256;
};

// The byte offset of the first invalid UTF-8 sequence in `text`, or nullopt
// when it is valid UTF-8 (checked with ICU's U8_NEXT).
std::optional<size_t> FindInvalidUtf8(absl::string_view text);

// OK, or InvalidArgument saying what to fix: title and body both empty, a
// field that is not valid UTF-8 (with the byte offset), an id with control
// characters or over the limit, an article over the size limit.
absl::Status ValidateArticle(const newswatch::v1::Article& article,
                             const ArticleLimits& limits);

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_ARTICLE_VALIDATION_H_
