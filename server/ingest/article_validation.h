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

// OK, or InvalidArgument saying what to fix: title and body both blank
// (empty or Unicode white space only), title or body not valid UTF-8 (with
// the byte offset), an id outside the alphabet of base::CheckId or over the
// limit, published_at outside protobuf's Timestamp range (years 0001-9999,
// nanos 0-999,999,999), an article over the size limit.
absl::Status ValidateArticle(const newswatch::v1::Article& article,
                             const ArticleLimits& limits);

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_ARTICLE_VALIDATION_H_
