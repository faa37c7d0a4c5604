#include "storage/story_store.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

// Member value: ingested_ns(8), then per subscriber a tag ('a' alerted, 'c'
// collapsed), the name and a NUL (names hold none).
absl::StatusOr<StoryMember> DecodeMember(uint64_t sequence,
                                         absl::string_view value) {
  std::optional<uint64_t> ns = DecodeU64(value.substr(0, 8));
  if (!ns) return absl::DataLossError("bad story member record");
  StoryMember m{.sequence = sequence, .ingested_ns = static_cast<int64_t>(*ns)};
  value.remove_prefix(8);
  while (!value.empty()) {
    const char tag = value[0];
    const size_t end = value.find('\0');
    if (end == absl::string_view::npos || (tag != 'a' && tag != 'c'))
      return absl::DataLossError("bad story member record");
    (tag == 'a' ? m.alerted : m.collapsed)
        .emplace_back(value.substr(1, end - 1));
    value.remove_prefix(end + 1);
  }
  return m;
}

}  // namespace

StoryRecord EncodeStoryMember(absl::string_view story_id,
                              const StoryMember& member) {
  std::string value = EncodeU64(static_cast<uint64_t>(member.ingested_ns));
  for (const std::string& s : member.alerted) {
    value.push_back('a');
    value += s;
    value.push_back('\0');
  }
  for (const std::string& s : member.collapsed) {
    value.push_back('c');
    value += s;
    value.push_back('\0');
  }
  return {StoryMemberKey(story_id, member.sequence), std::move(value)};
}

StoryRecord EncodeStorySketch(uint64_t sequence, int64_t ingested_ns,
                              absl::string_view band_keys) {
  return {
      StorySketchKey(sequence),
      EncodeU64(static_cast<uint64_t>(ingested_ns)) + std::string(band_keys)};
}

absl::StatusOr<std::vector<StoryMember>> StoryStore::Members(
    absl::string_view story_id) const {
  const std::string prefix = StoryMemberPrefix(story_id);
  std::vector<StoryMember> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kStories)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    std::optional<uint64_t> seq = DecodeU64(absl::string_view(
        it->key().data() + prefix.size(), it->key().size() - prefix.size()));
    if (!seq) return absl::DataLossError("bad story member key");
    NW_ASSIGN_OR_RETURN(
        StoryMember m,
        DecodeMember(
            *seq, absl::string_view(it->value().data(), it->value().size())));
    out.push_back(std::move(m));
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "StoryStore::Members");
  return out;
}

absl::StatusOr<std::vector<StoredSketch>> StoryStore::SketchesSince(
    int64_t since_ns) const {
  std::vector<StoredSketch> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kStories)));
  const std::string prefix(kStorySketchPrefix);
  // From the newest back, until one older than the window.
  for (it->SeekForPrev(prefix + std::string(8, '\xff'));
       it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    std::optional<uint64_t> seq = DecodeU64(absl::string_view(
        it->key().data() + prefix.size(), it->key().size() - prefix.size()));
    const absl::string_view value(it->value().data(), it->value().size());
    std::optional<uint64_t> ns = DecodeU64(value.substr(0, 8));
    if (!seq || !ns) return absl::DataLossError("bad story sketch record");
    if (static_cast<int64_t>(*ns) < since_ns) break;
    out.push_back({.sequence = *seq,
                   .ingested_ns = static_cast<int64_t>(*ns),
                   .band_keys = std::string(value.substr(8))});
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "StoryStore::SketchesSince");
  std::reverse(out.begin(), out.end());
  return out;
}

absl::StatusOr<newswatch::v1::Article> StoryStore::ArticleAt(
    uint64_t sequence) const {
  std::string value;
  rocksdb::Status s =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kArticles),
                     EncodeU64(sequence), &value);
  if (s.IsNotFound())
    return absl::NotFoundError(absl::StrCat("no article ", sequence));
  if (!s.ok()) return FromRocksStatus(s, "StoryStore::ArticleAt");
  newswatch::v1::Article article;
  if (!article.ParseFromString(value))
    return absl::DataLossError(
        absl::StrCat("stored article ", sequence, " does not parse"));
  return article;
}

}  // namespace nw::storage
