#include "storage/article_store.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::StatusOr<std::optional<uint64_t>> ArticleStore::FindSequence(
    absl::string_view id) const {
  std::string value;
  rocksdb::Status s =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kArticleIds),
                     rocksdb::Slice(id.data(), id.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksStatus(s, "ArticleStore::FindSequence");
  std::optional<uint64_t> seq = DecodeU64(value);
  if (!seq)
    return absl::DataLossError(absl::StrCat("bad dedupe key for article ", id));
  return seq;
}

absl::StatusOr<newswatch::v1::Article> ArticleStore::Get(
    absl::string_view id) const {
  NW_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, FindSequence(id));
  if (!seq.has_value())
    return absl::NotFoundError(absl::StrCat("no article with id '", id, "'"));
  std::string value;
  rocksdb::Status s = db_.raw()->Get(
      rocksdb::ReadOptions(), db_.cf(Cf::kArticles), EncodeU64(*seq), &value);
  if (!s.ok()) return FromRocksStatus(s, "ArticleStore::Get");
  newswatch::v1::Article article;
  if (!article.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("stored article ", id, " does not parse"));
  }
  return article;
}

absl::StatusOr<std::optional<newswatch::v1::Article>>
ArticleStore::GetBySequence(uint64_t sequence) const {
  std::string value;
  rocksdb::Status s =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kArticles),
                     EncodeU64(sequence), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksStatus(s, "ArticleStore::GetBySequence");
  newswatch::v1::Article article;
  if (!article.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("stored article ", sequence, " does not parse"));
  }
  return article;
}

absl::StatusOr<std::vector<newswatch::v1::Article>> ArticleStore::ScanFrom(
    uint64_t from_sequence, size_t max_articles) const {
  std::vector<newswatch::v1::Article> articles;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kArticles)));
  for (it->Seek(EncodeU64(from_sequence));
       it->Valid() && articles.size() < max_articles; it->Next()) {
    newswatch::v1::Article& article = articles.emplace_back();
    if (!article.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored article does not parse");
    }
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "ArticleStore::ScanFrom");
  return articles;
}

absl::StatusOr<uint64_t> ArticleStore::LastSequence() const {
  std::string value;
  rocksdb::Status s = db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kMeta),
                                     std::string(kLastSequenceKey), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocksStatus(s, "ArticleStore::LastSequence");
  std::optional<uint64_t> seq = DecodeU64(value);
  if (!seq) return absl::DataLossError("bad last_sequence record");
  return *seq;
}

}  // namespace nw::storage
