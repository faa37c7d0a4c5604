#include "server/index/rule_segment.h"

#include <algorithm>
#include <tuple>

namespace nw::index {

// Per-thread buffers: marks stamped with an epoch so they never need clearing.
struct MatchScratch {
  uint32_t epoch = 0;
  std::vector<uint32_t> feature_marks;  // feature id -> epoch it was seen
  std::vector<uint32_t> rule_marks;     // ordinal -> epoch it was a candidate
  std::vector<uint32_t> present;        // feature ids seen this epoch
  std::vector<uint32_t> passed;         // candidates whose filter passed
  std::vector<uint8_t> stack;

  void Begin(size_t features, size_t rules) {
    if (++epoch == 0) {  // wrapped: forget every stamp
      std::fill(feature_marks.begin(), feature_marks.end(), 0);
      std::fill(rule_marks.begin(), rule_marks.end(), 0);
      epoch = 1;
    }
    if (feature_marks.size() < features) feature_marks.resize(features, 0);
    if (rule_marks.size() < rules) rule_marks.resize(rules, 0);
    present.clear();
    passed.clear();
  }
};

namespace {

MatchScratch& ThreadScratch() {
  thread_local MatchScratch scratch;
  return scratch;
}

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

char MetadataTag(FeatureKind kind) {
  return kind == FeatureKind::kSource ? 's' : kind == FeatureKind::kTag ? 't' : 'l';
}

std::string MetadataKey(char tag, std::string_view value) {
  std::string key(1, tag);
  key.append(value);
  return key;
}

template <typename Map>
size_t MapBytes(const Map& map) {
  size_t bytes = map.capacity() * (sizeof(typename Map::value_type) + 1);
  for (const auto& [key, id] : map) {
    if (key.capacity() > 15) bytes += key.capacity() + 1;  // beyond the SSO buffer
  }
  return bytes;
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

}  // namespace

uint32_t RuleSegment::Intern(const Feature& feature, uint32_t* next_id) {
  absl::flat_hash_map<std::string, uint32_t>* map = &metadata_;
  std::string key;
  if (feature.kind == FeatureKind::kTerm) {
    map = &terms_;
    key = feature.text;
  } else if (feature.kind == FeatureKind::kPrefix) {
    map = &prefixes_;
    key = feature.text;
    if (key.size() < 64) prefix_lengths_ |= uint64_t{1} << key.size();
  } else {
    key = MetadataKey(MetadataTag(feature.kind), feature.text);
  }
  auto [it, inserted] = map->try_emplace(std::move(key), *next_id);
  if (inserted) ++*next_id;
  return it->second;
}

std::shared_ptr<const RuleSegment> RuleSegment::Build(
    std::vector<std::shared_ptr<const IndexedRule>> rules, const CostModel* costs) {
  static const StaticCostModel kStatic;
  if (costs == nullptr) costs = &kStatic;
  std::shared_ptr<RuleSegment> seg(new RuleSegment());
  std::sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    return std::tie(a->subscriber, a->id) < std::tie(b->subscriber, b->id);
  });
  seg->rules_ = std::move(rules);
  const uint32_t n = static_cast<uint32_t>(seg->rules_.size());
  seg->by_id_.resize(n);
  for (uint32_t i = 0; i < n; ++i) seg->by_id_[i] = i;
  std::sort(seg->by_id_.begin(), seg->by_id_.end(), [&](uint32_t a, uint32_t b) {
    return seg->rules_[a]->id < seg->rules_[b]->id;
  });

  uint32_t next_feature = 0;
  std::vector<std::pair<uint32_t, uint32_t>> anchors;  // (feature, ordinal)
  anchors.reserve(n + n / 4);
  seg->code_offsets_.reserve(n + 1);
  std::vector<uint32_t> ids;
  for (uint32_t r = 0; r < n; ++r) {
    const RuleQuery q = BuildRuleQuery(seg->rules_[r]->rule->root(), *costs);
    ids.clear();
    for (const Feature& f : q.features) ids.push_back(seg->Intern(f, &next_feature));
    for (uint32_t word : q.filter) {
      seg->code_.push_back((word & kOpMask) == kOpFeature ? (kOpFeature | ids[word]) : word);
    }
    seg->code_offsets_.push_back(static_cast<uint32_t>(seg->code_.size()));
    if (q.anchors.empty()) seg->always_.push_back(r);
    for (uint32_t a : q.anchors) anchors.emplace_back(ids[a], r);
  }
  std::sort(anchors.begin(), anchors.end());
  seg->post_offsets_.assign(next_feature + 1, 0);
  for (const auto& [feature, ordinal] : anchors) ++seg->post_offsets_[feature + 1];
  for (uint32_t f = 0; f < next_feature; ++f) {
    seg->post_offsets_[f + 1] += seg->post_offsets_[f];
  }
  seg->postings_.reserve(anchors.size());
  for (const auto& [feature, ordinal] : anchors) seg->postings_.push_back(ordinal);
  seg->code_.shrink_to_fit();
  return seg;
}

std::optional<uint32_t> RuleSegment::Find(absl::string_view id) const {
  auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id, [&](uint32_t o, absl::string_view v) {
    return absl::string_view(rules_[o]->id) < v;
  });
  if (it == by_id_.end() || rules_[*it]->id != id) return std::nullopt;
  return *it;
}

void RuleSegment::MarkFeatures(const ArticleTerms& terms, MatchScratch& s) const {
  auto mark = [&](uint32_t f) {
    if (s.feature_marks[f] != s.epoch) {
      s.feature_marks[f] = s.epoch;
      s.present.push_back(f);
    }
  };
  const bool any_terms = !terms_.empty();
  for (std::string_view w : terms.words) {
    if (any_terms) {
      if (auto it = terms_.find(View(w)); it != terms_.end()) mark(it->second);
    }
    uint64_t lengths = prefix_lengths_;
    if (w.size() + 1 < 64) lengths &= (uint64_t{2} << w.size()) - 1;  // <= |w| bytes
    while (lengths != 0) {
      const int len = __builtin_ctzll(lengths);
      lengths &= lengths - 1;
      if (auto it = prefixes_.find(View(w.substr(0, len))); it != prefixes_.end()) {
        mark(it->second);
      }
    }
  }
  if (metadata_.empty()) return;
  auto mark_meta = [&](char tag, std::string_view value) {
    if (auto it = metadata_.find(MetadataKey(tag, value)); it != metadata_.end()) {
      mark(it->second);
    }
  };
  mark_meta('s', terms.source);
  for (std::string_view tag : terms.tags) mark_meta('t', tag);
  for (std::string_view lang : terms.langs) mark_meta('l', lang);
}

void RuleSegment::Match(
    const ArticleTerms& terms, const match::AnalyzedArticle& article, const Tombstones* dead,
    std::vector<std::pair<uint32_t, std::vector<match::Highlight>>>* hits,
    MatchStats* stats) const {
  if (rules_.empty()) return;
  MatchScratch& s = ThreadScratch();
  s.Begin(feature_count(), rules_.size());
  MarkFeatures(terms, s);
  const uint32_t epoch = s.epoch;
  auto present = [&](uint32_t f) { return s.feature_marks[f] == epoch; };
  auto consider = [&](uint32_t r) {
    if (s.rule_marks[r] == epoch) return;
    s.rule_marks[r] = epoch;
    if (dead != nullptr && ((*dead)[r >> 6] >> (r & 63) & 1) != 0) return;
    ++stats->candidates;
    const uint32_t begin = code_offsets_[r], end = code_offsets_[r + 1];
    if (EvalFilter(code_.data() + begin, end - begin, present, s.stack)) {
      s.passed.push_back(r);
    }
  };
  for (size_t i = 0; i < s.present.size(); ++i) {
    const uint32_t f = s.present[i];
    for (uint32_t p = post_offsets_[f]; p < post_offsets_[f + 1]; ++p) consider(postings_[p]);
  }
  for (uint32_t r : always_) consider(r);
  std::sort(s.passed.begin(), s.passed.end());
  stats->evaluated += s.passed.size();
  for (uint32_t r : s.passed) {
    std::optional<std::vector<match::Highlight>> h = match::Evaluate(*rules_[r]->rule, article);
    if (h) {
      ++stats->matches;
      hits->emplace_back(r, *std::move(h));
    }
  }
}

size_t RuleSegment::MemoryBytes() const {
  return sizeof(*this) + VectorBytes(rules_) + VectorBytes(by_id_) + MapBytes(terms_) +
         MapBytes(prefixes_) + MapBytes(metadata_) + VectorBytes(post_offsets_) +
         VectorBytes(postings_) + VectorBytes(always_) + VectorBytes(code_offsets_) +
         VectorBytes(code_);
}

}  // namespace nw::index
