#include "server/ingest/story_stage.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/status_macros.h"
#include "server/stories/shingles.h"
#include "server/stories/story_sketch.h"

namespace nw::ingest {

using newswatch::v1::Alert;
using newswatch::v1::Article;
using storage::StoryMember;

absl::StatusOr<std::unique_ptr<StoryStage>> StoryStage::Create(
    storage::Db& db, const storage::SubscriberSettingsStore* settings,
    absl::Time now, stories::StoryWindowOptions options) {
  auto stage =
      std::unique_ptr<StoryStage>(new StoryStage(db, settings, options));
  const auto start = std::chrono::steady_clock::now();
  NW_ASSIGN_OR_RETURN(
      std::vector<storage::StoredSketch> sketches,
      stage->store_.SketchesSince(absl::ToUnixNanos(now - options.window)));
  for (const storage::StoredSketch& s : sketches) {
    std::optional<stories::BandKeys> keys =
        stories::DecodeBandKeys(s.band_keys);
    if (!keys) {
      return absl::DataLossError(absl::StrCat("story sketch of article ",
                                              s.sequence, " is malformed"));
    }
    stage->window_.Add(s.sequence, absl::FromUnixNanos(s.ingested_ns), *keys);
  }
  stage->rebuild_time_ =
      absl::FromChrono(std::chrono::steady_clock::now() - start);
  return stage;
}

std::vector<uint64_t> StoryStage::ShinglesOf(const match::AnalyzedArticle& a) {
  const std::vector<uint32_t>& ids = a.WordTermIds(match::Field::kBody);
  if (ids.size() < static_cast<size_t>(stories::kShingleWords)) return {};
  std::vector<uint64_t> term_hash(a.TermCount(), 0);
  std::vector<uint64_t> words;
  words.reserve(ids.size());
  for (uint32_t id : ids) {
    if (term_hash[id] == 0) term_hash[id] = stories::WordHash(a.Term(id));
    words.push_back(term_hash[id]);
  }
  return stories::ShingleHashes(words);
}

void StoryStage::BeginGroup() {
  group_articles_.clear();
  group_members_.clear();
}

void StoryStage::AbortGroup(uint64_t last_sequence) {
  window_.Truncate(last_sequence);
  BeginGroup();
}

absl::StatusOr<stories::ShingleSet> StoryStage::LoadShingles(
    uint64_t sequence) const {
  if (auto it = group_articles_.find(sequence); it != group_articles_.end())
    return stories::ShinglesOfBody(it->second.body);
  NW_ASSIGN_OR_RETURN(Article a, store_.ArticleAt(sequence));
  return stories::ShinglesOfBody(a.body());
}

absl::StatusOr<std::vector<StoryMember>> StoryStage::Members(
    const std::string& story_id) const {
  absl::StatusOr<std::vector<StoryMember>> members = store_.Members(story_id);
  if (!members.ok()) return members.status();
  auto changed = group_members_.find(story_id);
  if (changed == group_members_.end()) return members;
  for (const auto& entry : changed->second) {
    const StoryMember& member = entry.second;
    auto it = std::find_if(
        members->begin(), members->end(),
        [&](const StoryMember& m) { return m.sequence == member.sequence; });
    if (it != members->end()) {
      *it = member;
    } else {
      members->push_back(member);
    }
  }
  return members;
}

bool StoryStage::Collapses(const std::vector<StoryMember>& members,
                           const std::string& subscriber, uint64_t sequence,
                           int64_t ingested_ns) const {
  if (settings_ != nullptr && !settings_->CollapseStories(subscriber))
    return false;
  const int64_t window_ns = absl::ToInt64Nanoseconds(options_.window);
  for (const StoryMember& m : members) {
    if (m.sequence == sequence) continue;
    if (std::llabs(m.ingested_ns - ingested_ns) > window_ns) continue;
    if (std::find(m.alerted.begin(), m.alerted.end(), subscriber) !=
        m.alerted.end())
      return true;
  }
  return false;
}

void StoryStage::Record(const std::string& story_id, const StoryMember& member,
                        std::vector<storage::StoryRecord>& records) {
  group_members_[story_id][member.sequence] = member;
  records.push_back(storage::EncodeStoryMember(story_id, member));
}

absl::Status StoryStage::AddArticle(
    Article& article, std::vector<uint64_t> shingles,
    std::vector<Alert>& alerts, std::vector<storage::StoryRecord>& records) {
  const uint64_t sequence = article.sequence();
  const int64_t ingested_ns =
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(
          article.ingested_at());
  absl::StatusOr<stories::StoryDecision> decision = window_.Process(
      sequence, absl::FromUnixNanos(ingested_ns), std::move(shingles),
      [this](uint64_t seq) { return LoadShingles(seq); });
  if (!decision.ok()) return decision.status();

  std::string story_id = article.id(), duplicate_of;
  std::vector<StoryMember> members;
  if (decision->original) {
    const uint64_t original = decision->original->sequence;
    absl::Status failed;
    if (auto it = group_articles_.find(original); it != group_articles_.end()) {
      story_id = it->second.story_id;
      duplicate_of = it->second.id;
    } else if (absl::StatusOr<Article> a = store_.ArticleAt(original); a.ok()) {
      // Stored before stories existed: the original is its own story.
      story_id = a->story_id().empty() ? a->id() : a->story_id();
      duplicate_of = a->id();
    } else {
      failed = a.status();
    }
    absl::StatusOr<std::vector<StoryMember>> m;
    if (failed.ok()) {
      m = Members(story_id);
      if (!m.ok()) failed = m.status();
    }
    if (!failed.ok()) {
      window_.Truncate(sequence - 1);
      return failed;
    }
    members = *std::move(m);
  }
  article.set_story_id(story_id);
  article.set_duplicate_of(duplicate_of);

  StoryMember self{.sequence = sequence, .ingested_ns = ingested_ns};
  auto kept = alerts.begin();
  for (Alert& alert : alerts) {
    if (!duplicate_of.empty() &&
        Collapses(members, alert.subscriber(), sequence, ingested_ns)) {
      self.collapsed.push_back(alert.subscriber());
      continue;
    }
    self.alerted.push_back(alert.subscriber());
    alert.set_story_id(story_id);
    *kept++ = std::move(alert);
  }
  alerts.erase(kept, alerts.end());
  Record(story_id, self, records);
  if (decision->added) {
    // Only what joined the window needs its band keys for the rebuild.
    records.push_back(storage::EncodeStorySketch(
        sequence, ingested_ns, stories::EncodeBandKeys(decision->keys)));
  }
  group_articles_[sequence] = {
      .id = article.id(), .story_id = story_id, .body = article.body()};
  return absl::OkStatus();
}

absl::Status StoryStage::FilterBackfill(
    std::vector<Alert>& alerts, std::vector<storage::StoryRecord>& records) {
  auto kept = alerts.begin();
  for (Alert& alert : alerts) {
    if (alert.story_id().empty()) {  // stored before stories existed
      *kept++ = std::move(alert);
      continue;
    }
    NW_ASSIGN_OR_RETURN(std::vector<StoryMember> members,
                        Members(alert.story_id()));
    auto self =
        std::find_if(members.begin(), members.end(), [&](const StoryMember& m) {
          return m.sequence == alert.article_sequence();
        });
    if (self == members.end()) {
      *kept++ = std::move(alert);
      continue;
    }
    const bool duplicate = alert.story_id() != alert.article_id();
    auto has = [&](const std::vector<std::string>& v) {
      return std::find(v.begin(), v.end(), alert.subscriber()) != v.end();
    };
    if (duplicate && Collapses(members, alert.subscriber(), self->sequence,
                               self->ingested_ns)) {
      if (!has(self->collapsed)) self->collapsed.push_back(alert.subscriber());
      Record(alert.story_id(), *self, records);
      continue;
    }
    if (!has(self->alerted)) self->alerted.push_back(alert.subscriber());
    Record(alert.story_id(), *self, records);
    *kept++ = std::move(alert);
  }
  alerts.erase(kept, alerts.end());
  return absl::OkStatus();
}

}  // namespace nw::ingest
