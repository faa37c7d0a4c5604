#include "server/stories/story_window.h"

#include <algorithm>
#include <utility>

namespace nw::stories {

StoryWindow::StoryWindow(StoryWindowOptions options) : options_(options) {}

void StoryWindow::Evict(int64_t cutoff_ns) {
  while (!entries_.empty() && entries_.front().ingested_ns < cutoff_ns) {
    const Entry& e = entries_.front();
    for (int b = 0; b < kSketchBands; ++b) {
      auto it = tables_[b].find(e.keys[b]);
      // The whole chain is older than e when e is its newest: drop it.
      if (it != tables_[b].end() && Resolve(it->second) == first_)
        tables_[b].erase(it);
    }
    entries_.pop_front();
    ++first_;
  }
}

void StoryWindow::Insert(uint64_t sequence, int64_t ingested_ns,
                         const BandKeys& keys) {
  const uint64_t logical = first_ + entries_.size();
  Entry e{.sequence = sequence, .ingested_ns = ingested_ns, .keys = keys};
  for (int b = 0; b < kSketchBands; ++b) {
    auto [it, inserted] =
        tables_[b].try_emplace(keys[b], static_cast<uint32_t>(logical));
    if (!inserted) {
      e.back[b] = static_cast<uint32_t>(logical - Resolve(it->second));
      it->second = static_cast<uint32_t>(logical);
    } else {
      e.back[b] = 0;
    }
  }
  entries_.push_back(e);
}

void StoryWindow::Cache(uint64_t sequence, std::vector<uint64_t> shingles,
                        bool is_set) {
  if (options_.recent_shingles == 0) return;
  cache_words_ += shingles.size();
  cache_[sequence] = Cached{std::move(shingles), is_set};
  cache_order_.push_back(sequence);
  while (cache_order_.size() > options_.recent_shingles) {
    auto it = cache_.find(cache_order_.front());
    cache_words_ -= it->second.shingles.size();
    cache_.erase(it);
    cache_order_.pop_front();
  }
}

absl::StatusOr<StoryDecision> StoryWindow::Process(
    uint64_t sequence, absl::Time ingested, std::vector<uint64_t> shingles,
    LoadShingles load) {
  const int64_t now_ns = absl::ToUnixNanos(ingested);
  Evict(absl::ToUnixNanos(ingested - options_.window));
  StoryDecision decision;
  if (shingles.empty()) return decision;
  const BandKeys keys = SketchOf(shingles);
  decision.keys = keys;

  // Candidates: every article sharing a band key, newest first per chain.
  std::vector<uint64_t> candidates;  // logical indexes
  for (int b = 0; b < kSketchBands; ++b) {
    auto it = tables_[b].find(keys[b]);
    if (it == tables_[b].end()) continue;
    uint64_t logical = Resolve(it->second);
    while (true) {
      candidates.push_back(logical);
      const uint32_t back = At(logical).back[b];
      if (back == 0 || logical - first_ < back) break;  // end, or evicted
      logical -= back;
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());
  const size_t max =
      static_cast<size_t>(std::max(0, options_.max_verifications));
  if (candidates.size() > max)
    candidates.erase(candidates.begin(), candidates.end() - max);

  std::optional<Original> best;
  if (!candidates.empty()) MakeSet(shingles);
  for (uint64_t logical : candidates) {
    const uint64_t seq = At(logical).sequence;
    double j;
    if (auto it = cache_.find(seq); it != cache_.end()) {
      if (!it->second.is_set) {
        cache_words_ -= it->second.shingles.size();
        MakeSet(it->second.shingles);  // drops repeats
        cache_words_ += it->second.shingles.size();
        it->second.is_set = true;
      }
      j = Jaccard(shingles, it->second.shingles);
    } else {
      absl::StatusOr<ShingleSet> loaded = load(seq);
      if (absl::IsNotFound(loaded.status())) continue;
      if (!loaded.ok()) return loaded.status();
      j = Jaccard(shingles, *loaded);
    }
    // Ascending sequence: a later candidate must be strictly better.
    if (j >= options_.threshold - 1e-12 && (!best || j > best->similarity))
      best = Original{.sequence = seq, .similarity = j};
  }
  decision.original = best;
  decision.added = !best || best->similarity < 1.0;
  if (decision.added) {
    Insert(sequence, now_ns, keys);
    const bool is_set = !candidates.empty();
    Cache(sequence, std::move(shingles), is_set);
  }
  return decision;
}

void StoryWindow::Add(uint64_t sequence, absl::Time ingested,
                      const BandKeys& keys) {
  Evict(absl::ToUnixNanos(ingested - options_.window));
  Insert(sequence, absl::ToUnixNanos(ingested), keys);
}

void StoryWindow::Truncate(uint64_t sequence) {
  while (!entries_.empty() && entries_.back().sequence > sequence) {
    const uint64_t logical = first_ + entries_.size() - 1;
    const Entry& e = entries_.back();
    for (int b = 0; b < kSketchBands; ++b) {
      auto it = tables_[b].find(e.keys[b]);
      // The newest entry heads each of its chains.
      if (e.back[b] == 0 || logical - first_ < e.back[b]) {
        tables_[b].erase(it);
      } else {
        it->second = static_cast<uint32_t>(logical - e.back[b]);
      }
    }
    entries_.pop_back();
  }
  while (!cache_order_.empty() && cache_order_.back() > sequence) {
    auto it = cache_.find(cache_order_.back());
    cache_words_ -= it->second.shingles.size();
    cache_.erase(it);
    cache_order_.pop_back();
  }
}

size_t StoryWindow::MemoryBytes() const {
  size_t bytes = entries_.size() * sizeof(Entry);
  for (const BandTable& t : tables_) {
    // flat_hash_map: one slot and one control byte per bucket.
    bytes += t.bucket_count() * (sizeof(BandTable::slot_type) + 1);
  }
  return bytes;
}

size_t StoryWindow::CacheBytes() const {
  return cache_words_ * sizeof(uint64_t) +
         cache_.bucket_count() * (sizeof(decltype(cache_)::slot_type) + 1) +
         cache_order_.size() * sizeof(uint64_t);
}

}  // namespace nw::stories
