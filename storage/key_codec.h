// File: storage/key_codec.h
// The only code that knows the key layout (see storage/FORMAT.md).
#ifndef NW_STORAGE_KEY_CODEC_H_
#define NW_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace nw::storage {

// 8 bytes, big-endian, so that keys sort numerically.
inline std::string EncodeU64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// Reads 8 big-endian bytes; nullopt if `bytes` is not 8 bytes long.
inline std::optional<uint64_t> DecodeU64(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}

// alerts CF: subscriber '\0' cursor(8). Subscriber names hold no NUL (checked
// at the API edge), so one subscriber's alerts are one contiguous range.
inline std::string AlertKey(absl::string_view subscriber, uint64_t cursor) {
  std::string key(subscriber);
  key.push_back('\0');
  key += EncodeU64(cursor);
  return key;
}
// AlertKey appended to `key`.
inline void AppendAlertKey(absl::string_view subscriber, uint64_t cursor,
                           std::string* key) {
  key->append(subscriber.data(), subscriber.size());
  key->push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8)
    key->push_back(static_cast<char>(cursor >> shift));
}
inline std::string AlertPrefix(absl::string_view subscriber) {
  std::string key(subscriber);
  key.push_back('\0');
  return key;
}

// meta CF keys.
inline constexpr absl::string_view kLastSequenceKey = "last_sequence";
inline constexpr absl::string_view kLastRuleNumberKey = "last_rule_number";
// The data dir's format (see storage/format_version.h), 8 bytes.
inline constexpr absl::string_view kFormatVersionKey = "format_version";
// A subscriber's last cursor, written with every ingest up to format 2 only;
// read as a floor since (storage/last_cursor.h).
inline std::string CursorKey(absl::string_view subscriber) {
  return "cursor/" + std::string(subscriber);
}
inline constexpr absl::string_view kCursorKeyPrefix = "cursor/";
// A rule's backfill not finished yet (storage/backfill_job.h).
inline std::string BackfillJobKey(absl::string_view rule_id) {
  return "backfill/" + std::string(rule_id);
}
inline constexpr absl::string_view kBackfillJobKeyPrefix = "backfill/";
// The first cursor still stored after retention deleted older alerts.
inline std::string OldestCursorKey(absl::string_view subscriber) {
  return "oldest/" + std::string(subscriber);
}
inline constexpr absl::string_view kOldestCursorKeyPrefix = "oldest/";

// stories CF (storage/story_store.h). A story's member articles:
// 'm' story_id '\0' sequence(8); story ids are article ids, which hold no NUL.
inline std::string StoryMemberPrefix(absl::string_view story_id) {
  std::string key = "m";
  key.append(story_id.data(), story_id.size());
  key.push_back('\0');
  return key;
}
inline std::string StoryMemberKey(absl::string_view story_id,
                                  uint64_t sequence) {
  return StoryMemberPrefix(story_id) + EncodeU64(sequence);
}
// The band keys of an article in the story window: 'k' sequence(8).
inline constexpr absl::string_view kStorySketchPrefix = "k";
inline std::string StorySketchKey(uint64_t sequence) {
  return std::string(kStorySketchPrefix) + EncodeU64(sequence);
}
// meta CF: a subscriber's settings (SubscriberSettings).
inline constexpr absl::string_view kSettingsKeyPrefix = "settings/";
inline std::string SettingsKey(absl::string_view subscriber) {
  return std::string(kSettingsKeyPrefix) + std::string(subscriber);
}
// Delivery (server/delivery/): webhooks and e-mail settings, each with its
// own delivery cursor key so that acknowledging an alert rewrites 8 bytes.
inline constexpr absl::string_view kLastHookNumberKey = "last_hook_number";
inline constexpr absl::string_view kHookKeyPrefix = "hook/";
inline std::string HookKey(absl::string_view id) {
  return "hook/" + std::string(id);
}
inline std::string HookCursorKey(absl::string_view id) {
  return "hook_cursor/" + std::string(id);
}
inline constexpr absl::string_view kEmailKeyPrefix = "email/";
inline std::string EmailKey(absl::string_view subscriber) {
  return "email/" + std::string(subscriber);
}
inline std::string EmailCursorKey(absl::string_view subscriber) {
  return "email_cursor/" + std::string(subscriber);
}
inline std::string EmailPendingKey(absl::string_view subscriber) {
  return "email_pending/" + std::string(subscriber);
}
inline constexpr absl::string_view kSessionKeyPrefix = "session/";
inline std::string SessionKey(absl::string_view id_sha256) {
  return "session/" + std::string(id_sha256);
}

}  // namespace nw::storage

#endif  // NW_STORAGE_KEY_CODEC_H_
