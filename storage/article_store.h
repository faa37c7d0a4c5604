// File: storage/article_store.h
//
// Reads stored articles. Articles are written only by CommitBatch, together
// with their dedupe key and alerts.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_ARTICLE_STORE_H_
#define NW_STORAGE_ARTICLE_STORE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/article.pb.h"
#include "storage/db.h"

namespace nw::storage {

// What ArticleService.Get reads: the local store or a cluster's stream.
class ArticleReader {
 public:
  virtual ~ArticleReader() = default;
  // The article with this id. NotFound when absent; DataLoss when the stored
  // record does not parse; Unavailable when a remote store is unreachable.
  virtual absl::StatusOr<newswatch::v1::Article> Get(
      absl::string_view id) const = 0;
};

class ArticleStore : public ArticleReader {
 public:
  explicit ArticleStore(Db& db) : db_(db) {}

  // The article with this (sender's or assigned) id. NotFound when absent;
  // DataLoss when the stored record does not parse.
  absl::StatusOr<newswatch::v1::Article> Get(
      absl::string_view id) const override;

  // The article with this sequence, or nullopt when none is stored (never
  // written, or deleted by retention). DataLoss when it does not parse.
  absl::StatusOr<std::optional<newswatch::v1::Article>> GetBySequence(
      uint64_t sequence) const;

  // The ingest sequence number of the article with this id (the dedupe key),
  // or nullopt when no such article is stored.
  absl::StatusOr<std::optional<uint64_t>> FindSequence(
      absl::string_view id) const;

  // Up to `max_articles` stored articles with sequence >= `from_sequence`, in
  // sequence order. DataLoss when a record does not parse.
  absl::StatusOr<std::vector<newswatch::v1::Article>> ScanFrom(
      uint64_t from_sequence, size_t max_articles) const;

  // The highest sequence number stored, 0 for an empty database.
  absl::StatusOr<uint64_t> LastSequence() const;

 private:
  Db& db_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_ARTICLE_STORE_H_
