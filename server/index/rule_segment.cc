#include "server/index/rule_segment.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstring>
#include <thread>
#include <tuple>

#include "absl/hash/hash.h"

namespace nw::index {

// Per-thread buffers. The feature set is a bit set (a bit per feature: small
// enough to stay in cache while filters are checked), cleared after each use by
// resetting only the bits that were set. Each present word or prefix feature
// also lists the article terms that gave it, so that highlights need no text
// lookup.
struct MatchScratch {
  static constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint64_t> feature_bits;  // feature id -> present in the article
  std::vector<uint32_t>
      feature_slot;  // feature id -> index in `present` (if present)
  std::vector<uint32_t> present;  // feature ids whose bit is set
  std::vector<uint32_t>
      term_head;  // by index in `present`: first of its `links`
  std::vector<std::pair<uint32_t, uint32_t>>
      links;  // (article term id, next link)
  // Rules whose hit was built during the scan, ordinal << 32 | index in
  // `found`, and rules that passed their filter but wait for the sort,
  // ordinal << 32 | kDeferred | index in `deferred`.
  std::vector<uint64_t> passed;
  std::vector<std::pair<uint32_t, uint32_t>>
      found;                       // highlights (first, count)
  std::vector<uint32_t> deferred;  // entry offsets
  std::vector<uint64_t> sort_buffer;
  std::vector<uint64_t> keys;  // highlight keys: field slot << 32 | position
  // By index in `present`: the highlights of that feature (every position of
  // the article terms that gave it), computed on first use, in the match's
  // highlight storage: [hl_first[i], hl_first[i] + hl_count[i]), hl_first[i]
  // == kNone before. Hits of one feature view that range; no copy.
  std::vector<uint32_t> hl_first, hl_count;
  std::vector<uint32_t> slots;  // of the exact rule whose highlights are built
  // Read positions in the lists being merged.
  std::vector<std::pair<const match::Highlight*, const match::Highlight*>>
      heads;
  std::vector<uint8_t> stack;

  void Begin(size_t features) {
    if (feature_bits.size() * 64 < features)
      feature_bits.resize((features + 63) / 64, 0);
    if (feature_slot.size() < features) feature_slot.resize(features);
    present.clear();
    term_head.clear();
    hl_first.clear();
    hl_count.clear();
    links.clear();
    passed.clear();
    found.clear();
    deferred.clear();
  }
  bool Test(uint32_t f) const { return Bit(f) != 0; }
  uint32_t Bit(uint32_t f) const {
    return static_cast<uint32_t>(feature_bits[f >> 6] >> (f & 63)) & 1;
  }
  // Marks feature `f` present, given by article term `term` (kNone: metadata).
  void Mark(uint32_t f, uint32_t term) {
    if (!Test(f)) {
      feature_bits[f >> 6] |= uint64_t{1} << (f & 63);
      feature_slot[f] = static_cast<uint32_t>(present.size());
      present.push_back(f);
      term_head.push_back(kNone);
      hl_first.push_back(kNone);
      hl_count.push_back(0);
    }
    if (term != kNone) {
      uint32_t& head = term_head[feature_slot[f]];
      links.emplace_back(term, head);
      head = static_cast<uint32_t>(links.size() - 1);
    }
  }
  void End() {
    for (uint32_t f : present) feature_bits[f >> 6] = 0;
  }
};

namespace {

constexpr uint32_t kAlwaysBlock = UINT32_MAX;
// The second word of a posting entry: the filter's size in the low 16 bits,
// then the words of the embedded compact rule (0: none), then three flags.
constexpr uint32_t kExactBit = 1u << 31;
constexpr uint32_t kFilterSizeMask = 0xFFFF;
constexpr uint32_t kExtraShift = 16;
constexpr uint32_t kExtraMask = 0x1FFF;  // 13 bits of extra words
// The rule has more than one anchor: it may pass in several blocks, so its hit
// waits for the sort by ordinal (the others' hits are built during the scan,
// while their entry is in cache).
constexpr uint32_t kManyAnchorsBit = 1u << 29;
// In MatchScratch::passed: the low word indexes `deferred`, not `found`.
constexpr uint32_t kDeferred = 1u << 31;
// The filter is in conjunctive form (FilterToClauses: literal words, no
// stack machine), without the clause of the block's feature when that is its
// rule's only anchor (present whenever the block is scanned).
constexpr uint32_t kLiteralsBit = 1u << 30;
uint32_t FilterSize(uint32_t header) { return header & kFilterSizeMask; }
uint32_t ExtraWords(uint32_t header) {
  return header >> kExtraShift & kExtraMask;
}
// The compact rule embedded in the entry at `e` (extra words: [byte length],
// bytes padded to whole words); empty when none.
std::string_view EmbeddedRule(const uint32_t* e) {
  if (ExtraWords(e[1]) == 0) return {};
  const uint32_t* extra = e + 2 + FilterSize(e[1]);
  return std::string_view(reinterpret_cast<const char*>(extra + 1), extra[0]);
}

MatchScratch& ThreadScratch() {
  thread_local MatchScratch scratch;
  return scratch;
}

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Sorts `rules` by (subscriber, id) on keys copied out of the rules (their
// first 8 bytes), so that the sort does not chase a pointer per comparison.
void SortBySubscriberAndId(
    std::vector<std::shared_ptr<const IndexedRule>>& rules) {
  struct Key {
    uint64_t subscriber, id;  // first 8 bytes, big-endian, zero padded
    bool subscriber_long,
        id_long;  // 8 bytes or more: compare the strings on ties
    uint32_t index;
  };
  auto pack = [](const std::string& s) {
    uint64_t v = 0;
    for (size_t k = 0; k < 8 && k < s.size(); ++k)
      v |= uint64_t{uint8_t(s[k])} << (56 - 8 * k);
    return v;
  };
  std::vector<Key> keys(rules.size());
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const IndexedRule& r = *rules[i];
    keys[i] = {pack(r.subscriber), pack(r.id),
               r.subscriber.size() >= 8 ||
                   r.subscriber.find('\0') != std::string::npos,
               r.id.size() >= 8 || r.id.find('\0') != std::string::npos, i};
  }
  auto less = [&](const Key& a, const Key& b) {
    if (a.subscriber != b.subscriber) return a.subscriber < b.subscriber;
    if (a.subscriber_long || b.subscriber_long) {
      const int c =
          rules[a.index]->subscriber.compare(rules[b.index]->subscriber);
      if (c != 0) return c < 0;
    }
    if (a.id != b.id) return a.id < b.id;
    if (a.id_long || b.id_long) return rules[a.index]->id < rules[b.index]->id;
    return false;
  };
  std::sort(keys.begin(), keys.end(), less);
  std::vector<std::shared_ptr<const IndexedRule>> sorted;
  sorted.reserve(rules.size());
  for (const Key& k : keys) sorted.push_back(std::move(rules[k.index]));
  rules = std::move(sorted);
}

uint64_t IdHash(absl::string_view id) {
  return absl::Hash<absl::string_view>{}(id);
}

// The first three bytes of `s` (size >= 3): every prefix feature has at least 3
// code points, so at least 3 bytes.
uint32_t PrefixStart(std::string_view s) {
  return uint32_t{uint8_t(s[0])} | uint32_t{uint8_t(s[1])} << 8 |
         uint32_t{uint8_t(s[2])} << 16;
}

char MetadataTag(FeatureKind kind) {
  return kind == FeatureKind::kSource ? 's'
         : kind == FeatureKind::kTag  ? 't'
                                      : 'l';
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
    if (key.capacity() > 15)
      bytes += key.capacity() + 1;  // beyond the SSO buffer
  }
  return bytes;
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

template <typename T>
size_t VectorBytes(const HugeVector<T>& v) {
  return HugePageAllocator<T>::AllocatedBytes(v.capacity());
}

}  // namespace

uint32_t RuleSegment::Intern(const Feature& feature, uint32_t* next_id) {
  // Most features of a large rule set repeat: look up without building a key.
  auto intern = [&](absl::flat_hash_map<std::string, uint32_t>& map,
                    std::string_view key) {
    if (auto it = map.find(View(key)); it != map.end()) return it->second;
    map.emplace(std::string(key), *next_id);
    return (*next_id)++;
  };
  auto intern_term = [&](TermDictionary& dictionary, std::string_view key) {
    const uint32_t id = dictionary.FindOrInsert(key, *next_id);
    if (id == *next_id) ++*next_id;
    return id;
  };
  if (feature.kind == FeatureKind::kTerm)
    return intern_term(terms_, feature.text);
  if (feature.kind == FeatureKind::kPrefix) {
    prefix_starts_[PrefixStart(feature.text)] |=
        uint64_t{1} << feature.text.size();  // 3 <= size <= 48
    return intern_term(prefixes_, feature.text);
  }
  return intern(metadata_,
                MetadataKey(MetadataTag(feature.kind), feature.text));
}

std::shared_ptr<const RuleSegment> RuleSegment::Build(
    std::vector<std::shared_ptr<const IndexedRule>> rules,
    const CostModel* costs, int threads) {
  static const StaticCostModel kStatic;
  if (costs == nullptr) costs = &kStatic;
  std::shared_ptr<RuleSegment> seg(new RuleSegment());
  SortBySubscriberAndId(rules);
  seg->rules_ = std::move(rules);
  const uint32_t n = static_cast<uint32_t>(seg->rules_.size());
  seg->rule_pointers_.reserve(n);
  for (const auto& rule : seg->rules_)
    seg->rule_pointers_.push_back(rule.get());
  // The id lookup table depends only on the ordinals: with more than one
  // thread it is built beside the decomposition (whose serial interning
  // leaves a core free).
  auto build_ids = [&seg, n] {
    std::vector<std::pair<uint64_t, uint32_t>> by_hash(n);
    for (uint32_t i = 0; i < n; ++i)
      by_hash[i] = {IdHash(seg->rules_[i]->id), i};
    std::sort(by_hash.begin(), by_hash.end());
    seg->id_hashes_.reserve(n);
    seg->id_ordinals_.reserve(n);
    for (const auto& [hash, ordinal] : by_hash) {
      seg->id_hashes_.push_back(hash);
      seg->id_ordinals_.push_back(ordinal);
    }
  };
  std::thread ids_thread;
  if (threads > 1 && n >= 65536) {
    ids_thread = std::thread(build_ids);
  } else {
    build_ids();
  }
  // The decomposition of each rule is independent: spread it over `threads`,
  // a chunk of rules at a time, each chunk's queries then interned in order.
  // Chunks keep the queries' memory small and reused (1M queries at once
  // were ~150 MB of fresh pages: page faults were the largest cost).
  constexpr uint32_t kChunk = 16384;
  std::vector<RuleQuery> queries(std::min(n, kChunk));
  std::vector<uint16_t> rule_words(n);  // 1 + words of each compact rule
  const uint32_t t = static_cast<uint32_t>(std::clamp(threads, 1, 64));
  uint32_t next_feature = 0;
  std::vector<std::pair<uint32_t, uint32_t>> anchors;  // (feature, ordinal)
  anchors.reserve(n + n / 4);
  std::vector<uint32_t> code_offsets{0}, code;  // filter programs, by ordinal
  code_offsets.reserve(n + 1);
  std::vector<uint32_t> ids;
  // In conjunctive form in `code` (most rules), else a filter program.
  std::vector<bool> exact(n), many_anchors(n), literals(n);
  std::vector<uint32_t> clauses;
  for (uint32_t begin = 0; begin < n; begin += kChunk) {
    const uint32_t size = std::min(kChunk, n - begin);
    auto decompose = [&](uint32_t k) {
      for (uint32_t j = size * k / t; j < size * (k + 1) / t; ++j) {
        const rules::CompactRule& rule = seg->rules_[begin + j]->rule;
        rule_words[begin + j] = static_cast<uint16_t>(
            std::min<size_t>(1 + (rule.bytes().size() + 3) / 4, UINT16_MAX));
        queries[j] = BuildRuleQuery(rule, *costs);
      }
    };
    // The first slice on the calling thread: one thread needs no pool.
    std::vector<std::thread> pool;
    for (uint32_t k = 1; k < t && size >= 1024; ++k)
      pool.emplace_back(decompose, k);
    if (pool.empty()) {
      for (uint32_t k = 0; k < t; ++k) decompose(k);
    } else {
      decompose(0);
    }
    for (std::thread& th : pool) th.join();

    for (uint32_t j = 0; j < size; ++j) {
      const uint32_t r = begin + j;
      const RuleQuery& q = queries[j];
      ids.clear();
      for (const Feature& f : q.features)
        ids.push_back(seg->Intern(f, &next_feature));
      const size_t code_begin = code.size();
      for (uint32_t word : q.filter) {
        code.push_back(
            (word & kOpMask) == kOpFeature
                ? (kOpFeature | (word & kNegatedBit) | ids[word & kFeatureMask])
                : word);
      }
      clauses.clear();
      if (FilterToClauses(code.data() + code_begin, code.size() - code_begin,
                          &clauses)) {
        code.resize(code_begin);
        code.insert(code.end(), clauses.begin(), clauses.end());
        literals[r] = true;
      }
      code_offsets.push_back(static_cast<uint32_t>(code.size()));
      exact[r] = q.exact;
      many_anchors[r] = q.anchors.size() > 1;
      for (uint32_t a : q.anchors) anchors.emplace_back(ids[a], r);
      if (q.anchors.empty()) {
        anchors.emplace_back(kAlwaysBlock, r);
        ++seg->always_count_;
      }
    }
  }
  queries = {};
  if (ids_thread.joinable()) ids_thread.join();
  // Block of feature f, for f in [0, next_feature], the always block last.
  const uint32_t blocks = next_feature + 1;
  auto block_of = [&](uint32_t feature) {
    return feature == kAlwaysBlock ? next_feature : feature;
  };
  // Rules that need verification carry their compact form in each of their
  // entries, so that verifying reads no other memory than the block (issue
  // 16): a word of byte length, then the bytes.
  auto extra_words = [&](uint32_t r) -> uint32_t {
    if (exact[r]) return 0;
    return rule_words[r] <= kExtraMask ? uint32_t{rule_words[r]} : 0;
  };
  // Whether word i of a rule in conjunctive form is a clause of its own, the
  // block's feature `feature` (positive): left out of that block's entry
  // when it is the rule's only anchor.
  auto implied = [&](uint32_t feature, uint32_t r, uint32_t i) {
    const uint32_t* words = code.data() + code_offsets[r];
    return !many_anchors[r] && words[i] == feature &&
           (i == 0 || (words[i - 1] & kOrNextBit) == 0);
  };
  auto filter_words = [&](uint32_t feature, uint32_t r) -> uint32_t {
    const uint32_t size = code_offsets[r + 1] - code_offsets[r];
    if (!literals[r]) return size;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < size; ++i) kept += implied(feature, r, i) ? 0 : 1;
    return kept;
  };
  auto entry_words = [&](uint32_t feature, uint32_t r) {
    return 2 + filter_words(feature, r) + extra_words(r);
  };
  // Each block's entries in ordinal order (the order `anchors` has them in):
  // sizes, offsets, then each entry written at its block's cursor (a counting
  // sort, instead of sorting the anchors).
  seg->block_offsets_.assign(blocks + 1, 0);
  for (const auto& [feature, r] : anchors)
    seg->block_offsets_[block_of(feature) + 1] += entry_words(feature, r);
  for (uint32_t f = 0; f < blocks; ++f)
    seg->block_offsets_[f + 1] += seg->block_offsets_[f];
  seg->blocks_.resize(seg->block_offsets_[blocks], 0);
  std::vector<uint32_t> cursor(seg->block_offsets_.begin(),
                               seg->block_offsets_.end() - 1);
  for (const auto& [feature, r] : anchors) {
    uint32_t* e = seg->blocks_.data() + cursor[block_of(feature)];
    cursor[block_of(feature)] += entry_words(feature, r);
    const uint32_t filter_size = filter_words(feature, r);
    const uint32_t extra = extra_words(r);
    const uint32_t* filter = code.data() + code_offsets[r];
    e[0] = r;
    e[1] = filter_size | extra << kExtraShift | (exact[r] ? kExactBit : 0) |
           (literals[r] ? kLiteralsBit : 0) |
           (many_anchors[r] ? kManyAnchorsBit : 0);
    if (literals[r]) {
      uint32_t* out = e + 2;
      for (uint32_t i = 0; i < code_offsets[r + 1] - code_offsets[r]; ++i) {
        if (!implied(feature, r, i)) *out++ = filter[i];
      }
    } else {
      std::copy(filter, filter + filter_size, e + 2);
    }
    if (extra > 0) {
      const std::string_view bytes = seg->rules_[r]->rule.bytes();
      e[2 + filter_size] = static_cast<uint32_t>(bytes.size());
      std::memcpy(e + 3 + filter_size, bytes.data(), bytes.size());
    }
  }
#if defined(__GLIBC__)
  // The decomposition left ~200 bytes per rule of freed small blocks spread
  // over the malloc arenas (the worker threads' among them); glibc keeps those
  // pages resident unless asked. Give them back after a large build.
  if (n >= 65536) {
    code = {};
    anchors = {};
    malloc_trim(0);
  }
#endif
  return seg;
}

std::optional<uint32_t> RuleSegment::Find(absl::string_view id) const {
  const uint64_t hash = IdHash(id);
  for (auto it = std::lower_bound(id_hashes_.begin(), id_hashes_.end(), hash);
       it != id_hashes_.end() && *it == hash; ++it) {
    const uint32_t ordinal = id_ordinals_[it - id_hashes_.begin()];
    if (rules_[ordinal]->id == id) return ordinal;
  }
  return std::nullopt;
}

void RuleSegment::MarkFeatures(const ArticleTerms& terms,
                               MatchScratch& s) const {
  const bool any_terms = !terms_.empty();
  const size_t n = terms.words.size();
  const uint64_t* const hashes = terms.word_hashes.data();
  constexpr size_t kAhead = 8;
  // The dictionary is large (a miss per lookup): prefetch a few words ahead.
  if (any_terms) {
    for (size_t i = 0; i < n && i < kAhead; ++i) terms_.Prefetch(hashes[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    if (any_terms && i + kAhead < n) terms_.Prefetch(hashes[i + kAhead]);
    const std::string_view w = terms.words[i];
    const uint32_t term = terms.word_ids[i];
    if (any_terms) {
      const uint32_t f = terms_.FindPadded(w, hashes[i]);
      if (f != TermDictionary::kAbsent) s.Mark(f, term);
    }
    if (w.size() < 3 || prefix_starts_.empty()) continue;
    auto start = prefix_starts_.find(PrefixStart(w));
    if (start == prefix_starts_.end()) continue;
    uint64_t lengths = start->second;  // of the prefixes that start like w
    if (w.size() + 1 < 64)
      lengths &= (uint64_t{2} << w.size()) - 1;  // <= |w| bytes
    while (lengths != 0) {
      const int len = __builtin_ctzll(lengths);
      lengths &= lengths - 1;
      // A prefix of a padded term is padded too.
      const std::string_view prefix = w.substr(0, len);
      const uint32_t f =
          prefixes_.FindPadded(prefix, match::TermHash().Padded(prefix));
      if (f != TermDictionary::kAbsent) s.Mark(f, term);
    }
  }
  if (metadata_.empty()) return;
  auto mark_meta = [&](char tag, std::string_view value) {
    if (auto it = metadata_.find(MetadataKey(tag, value));
        it != metadata_.end()) {
      s.Mark(it->second, MatchScratch::kNone);
    }
  };
  mark_meta('s', terms.source);
  for (std::string_view tag : terms.tags) mark_meta('t', tag);
  for (std::string_view lang : terms.langs) mark_meta('l', lang);
}

namespace {

// Sorts `keys` (ordinal << 32 | entry) by ordinal (entries of one ordinal stay
// adjacent, in any order): LSD radix sort on the bits ordinals below
// `ordinals` use, comparison sort for short lists.
void SortByOrdinal(std::vector<uint64_t>& keys, std::vector<uint64_t>& buffer,
                   uint32_t ordinals) {
  if (keys.size() < 256) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  constexpr int kDigitBits = 11;
  constexpr size_t kBuckets = size_t{1} << kDigitBits;
  const int bits = ordinals <= 1 ? 1 : 32 - __builtin_clz(ordinals - 1);
  buffer.resize(keys.size());
  uint32_t counts[kBuckets];
  for (int shift = 32; shift < 32 + bits; shift += kDigitBits) {
    std::fill(counts, counts + kBuckets, 0);
    for (const uint64_t k : keys) ++counts[(k >> shift) & (kBuckets - 1)];
    uint32_t sum = 0;
    for (uint32_t& c : counts) sum += std::exchange(c, sum);
    for (const uint64_t k : keys)
      buffer[counts[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(buffer);
  }
}

// Whether the filter program [code, code + size) passes. Programs of up to 64
// words (all but pathological rules) run on a stack of bits in one register.
bool PassesFilter(const uint32_t* code, uint32_t size, const MatchScratch& s,
                  std::vector<uint8_t>& stack) {
  if (size == 0) return true;  // no necessary condition (rules without anchors)
  if (size == 1) return s.Test(code[0] & kFeatureMask);  // a lone feature
  if (size > 64)
    return EvalFilter(
        code, size, [&](uint32_t f) { return s.Test(f); }, stack);
  uint64_t bits = 0;  // top of the stack in bit 0
  for (uint32_t i = 0; i < size; ++i) {
    const uint32_t op = code[i] & kOpMask, arg = code[i] & kArgMask;
    if (op == kOpFeature) {
      bits = bits << 1 | (s.Test(arg & kFeatureMask) ? 1 : 0);
    } else if (op == kOpNot) {
      bits ^= 1;
    } else {  // AND / OR of the top `arg` values (2 <= arg <= 63: fewer than
              // size words)
      const uint64_t mask = (uint64_t{1} << arg) - 1;
      const bool v = op == kOpAnd ? (bits & mask) == mask : (bits & mask) != 0;
      bits = (bits >> arg) << 1 | (v ? 1 : 0);
    }
  }
  return (bits & 1) != 0;
}

}  // namespace

void RuleSegment::Match(const ArticleTerms& terms,
                        const match::AnalyzedArticle& article,
                        const Tombstones* dead, std::vector<SegmentHit>* hits,
                        std::vector<match::Highlight>* storage,
                        MatchStats* stats) const {
  if (rules_.empty()) return;
  MatchScratch& s = ThreadScratch();
  s.Begin(feature_count());
  MarkFeatures(terms, s);
  uint64_t candidates = 0;
  const uint32_t* const blocks = blocks_.data();
  // `block` is a feature's, or the block of rules without anchors (none).
  auto scan = [&](uint32_t block, uint32_t feature) {
    const uint32_t* p = blocks + block_offsets_[block];
    const uint32_t* end = blocks + block_offsets_[block + 1];
    while (p < end) {
      const uint32_t r = p[0], size = FilterSize(p[1]);
      if (dead == nullptr || ((*dead)[r >> 6] >> (r & 63) & 1) == 0) {
        ++candidates;
        bool pass;
        if (p[1] & kLiteralsBit) {
          // AND of clauses, a clause an OR of literals: no branch per word.
          uint32_t all = 1, clause = 0;
          for (uint32_t i = 0; i < size; ++i) {
            const uint32_t w = p[2 + i];
            clause |= s.Bit(w & kFeatureMask) ^ (w >> 29 & 1);
            const uint32_t more = w >> 30 & 1;  // kOrNextBit
            all &= clause | more;
            clause &= 0u - more;
          }
          pass = all != 0;
        } else {
          pass = PassesFilter(p + 2, size, s, s.stack);
        }
        if (pass) {
          // The hit is built now, while the entry is in cache, unless the
          // rule may pass again in another block.
          if ((p[1] & kManyAnchorsBit) != 0) {
            s.passed.push_back(uint64_t{r} << 32 | kDeferred |
                               static_cast<uint32_t>(s.deferred.size()));
            s.deferred.push_back(static_cast<uint32_t>(p - blocks));
          } else if (auto range =
                         Hit(r, p, feature, article, s, *storage, stats)) {
            s.passed.push_back(uint64_t{r} << 32 |
                               static_cast<uint32_t>(s.found.size()));
            s.found.push_back(*range);
          }
        }
      }
      p += 2 + size + ExtraWords(p[1]);
    }
  };
  // Blocks are far apart: prefetch the offsets, then the first entries, of
  // the blocks a few features ahead.
  const size_t present = s.present.size();
  for (size_t i = 0; i < present; ++i) {
    if (i + 4 < present) __builtin_prefetch(&block_offsets_[s.present[i + 4]]);
    if (i + 2 < present)
      __builtin_prefetch(blocks + block_offsets_[s.present[i + 2]]);
    scan(s.present[i], s.present[i]);
  }
  scan(static_cast<uint32_t>(feature_count()),  // rules without anchors
       MatchScratch::kNone);
  stats->candidates += candidates;
  // Ordinal order; a rule anchored on several features (a disjunction) may have
  // passed more than once (its entries are adjacent after the sort).
  SortByOrdinal(s.passed, s.sort_buffer, static_cast<uint32_t>(rules_.size()));
  uint32_t last = UINT32_MAX;
  const size_t m = s.passed.size();
  for (size_t i = 0; i < m; ++i) {
    // The rule's pointer is a cache miss (an array of every rule): prefetched
    // well ahead, as is a deferred rule's entry.
    if (i + 16 < m) __builtin_prefetch(&rule_pointers_[s.passed[i + 16] >> 32]);
    if (i + 4 < m && (s.passed[i + 4] & kDeferred) != 0) {
      __builtin_prefetch(blocks +
                         s.deferred[uint32_t(s.passed[i + 4]) & ~kDeferred]);
    }
    const uint64_t key = s.passed[i];
    const uint32_t r = static_cast<uint32_t>(key >> 32);
    if (r == last) continue;
    last = r;
    const uint32_t index = static_cast<uint32_t>(key) & ~kDeferred;
    std::pair<uint32_t, uint32_t> range;
    if ((key & kDeferred) == 0) {
      range = s.found[index];
    } else if (auto deferred =
                   Hit(r, blocks + s.deferred[index], MatchScratch::kNone,
                       article, s, *storage, stats)) {
      range = *deferred;
    } else {
      continue;
    }
    hits->push_back({rule_pointers_[r], range.first, range.second});
  }
  s.End();
}

std::optional<std::pair<uint32_t, uint32_t>> RuleSegment::Hit(
    uint32_t r, const uint32_t* entry, uint32_t feature,
    const match::AnalyzedArticle& article, MatchScratch& s,
    std::vector<match::Highlight>& storage, MatchStats* stats) const {
  if ((entry[1] & kExactBit) != 0) {
    ++stats->matches;  // the filter was the rule: no evaluation
    // The block's feature is one of the rule's positive features (an entry
    // in conjunctive form may leave it out).
    return ExactHighlights(feature, entry + 2, FilterSize(entry[1]),
                           (entry[1] & kLiteralsBit) != 0, article, s, storage);
  }
  // The compact rule is in the entry (rules too large to embed are read from
  // the IndexedRule).
  std::string_view rule = EmbeddedRule(entry);
  if (rule.empty()) rule = rules_[r]->rule.bytes();
  ++stats->evaluated;
  if (!match::RuleMatches(rule, article)) return std::nullopt;
  ++stats->matches;
  const size_t first = storage.size();
  match::AppendHighlights(rule, article, &storage);
  return std::pair{static_cast<uint32_t>(first),
                   static_cast<uint32_t>(storage.size() - first)};
}

std::pair<uint32_t, uint32_t> RuleSegment::ExactHighlights(
    uint32_t anchor, const uint32_t* code, uint32_t size, bool literals,
    const match::AnalyzedArticle& article, MatchScratch& s,
    std::vector<match::Highlight>& storage) const {
  // Every occurrence of every positive word or prefix feature (spec §5): the
  // article terms that gave each present feature, at each of their positions.
  // Metadata features have no terms. Keys sort as (field, position), i.e. as
  // the highlights (field, begin, end) do.
  // Each feature's list is computed once per article (many hits share
  // features), sorted, in `storage`; a rule with one present positive feature
  // views it, others merge their features' lists.
  constexpr match::Field kFields[] = {match::Field::kTitle,
                                      match::Field::kBody};
  auto feature_highlights = [&](uint32_t slot) {
    if (s.hl_first[slot] != MatchScratch::kNone) return;
    std::vector<uint64_t>& keys = s.keys;
    keys.clear();
    int lists = 0;
    for (uint32_t l = s.term_head[slot]; l != MatchScratch::kNone;
         l = s.links[l].second) {
      ++lists;
      for (uint64_t field = 0; field < 2; ++field) {
        for (uint32_t p :
             article.TermPositions(s.links[l].first, kFields[field])) {
          keys.push_back(field << 32 | p);
        }
      }
    }
    if (lists > 1) {  // one term's positions are sorted already, title first
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    }
    s.hl_first[slot] = static_cast<uint32_t>(storage.size());
    s.hl_count[slot] = static_cast<uint32_t>(keys.size());
    for (const uint64_t key : keys) {
      const size_t field = key >> 32;
      const match::ArticleWord& w =
          article.Words(kFields[field])[static_cast<uint32_t>(key)];
      storage.push_back(match::Highlight{kFields[field], w.begin, w.end});
    }
  };
  std::vector<uint32_t>& slots = s.slots;
  slots.clear();
  auto add = [&](uint32_t f) {
    if (!s.Test(f)) return;
    const uint32_t slot = s.feature_slot[f];
    if (s.term_head[slot] == MatchScratch::kNone) return;  // metadata
    feature_highlights(slot);
    if (slots.empty() || slots.back() != slot) slots.push_back(slot);
  };
  if (anchor != MatchScratch::kNone) add(anchor);
  for (uint32_t i = 0; i < size; ++i) {
    if ((!literals && (code[i] & kOpMask) != kOpFeature) ||
        (code[i] & kNegatedBit) != 0) {
      continue;
    }
    add(code[i] & kFeatureMask);
  }
  if (slots.size() > 1) {
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  }
  if (slots.empty()) return {0, 0};  // matched on metadata alone
  if (slots.size() == 1) return {s.hl_first[slots[0]], s.hl_count[slots[0]]};
  // Merge the sorted lists straight into `storage` (the same word may be in
  // several: a term and a prefix of it; kept once). Reserved first, so that
  // the lists read from `storage` stay where they are.
  size_t total = 0;
  for (const uint32_t slot : slots) total += s.hl_count[slot];
  const size_t first = storage.size();
  if (first + total > storage.capacity())
    storage.reserve(std::max(2 * storage.capacity(), first + total));
  const match::Highlight* const base = storage.data();
  // One word per (field, begin): equal keys are the same highlight.
  auto key = [](const match::Highlight& h) {
    return uint64_t{static_cast<uint32_t>(h.field)} << 32 | h.begin;
  };
  if (slots.size() == 2) {  // the common case, without a branch per element
    const match::Highlight* a = base + s.hl_first[slots[0]];
    const match::Highlight* b = base + s.hl_first[slots[1]];
    const match::Highlight* const a_end = a + s.hl_count[slots[0]];
    const match::Highlight* const b_end = b + s.hl_count[slots[1]];
    while (a != a_end && b != b_end) {
      const uint64_t ka = key(*a), kb = key(*b);
      storage.push_back(ka <= kb ? *a : *b);
      a += ka <= kb ? 1 : 0;
      b += kb <= ka ? 1 : 0;
    }
    for (; a != a_end; ++a) storage.push_back(*a);
    for (; b != b_end; ++b) storage.push_back(*b);
  } else {
    std::vector<std::pair<const match::Highlight*, const match::Highlight*>>&
        heads = s.heads;
    heads.clear();
    for (const uint32_t slot : slots) {
      const match::Highlight* b = base + s.hl_first[slot];
      if (s.hl_count[slot] > 0) heads.emplace_back(b, b + s.hl_count[slot]);
    }
    while (!heads.empty()) {
      size_t min = 0;
      for (size_t k = 1; k < heads.size(); ++k) {
        if (key(*heads[k].first) < key(*heads[min].first)) min = k;
      }
      const match::Highlight& h = *heads[min].first;
      if (storage.size() == first || key(storage.back()) != key(h))
        storage.push_back(h);
      if (++heads[min].first == heads[min].second) {
        heads[min] = heads.back();
        heads.pop_back();
      }
    }
  }
  return {static_cast<uint32_t>(first),
          static_cast<uint32_t>(storage.size() - first)};
}

size_t RuleSegment::MemoryBytes() const {
  return sizeof(*this) + VectorBytes(rules_) + VectorBytes(rule_pointers_) +
         VectorBytes(id_hashes_) + VectorBytes(id_ordinals_) +
         terms_.MemoryBytes() + prefixes_.MemoryBytes() + MapBytes(metadata_) +
         prefix_starts_.capacity() *
             (sizeof(std::pair<uint32_t, uint64_t>) + 1) +
         VectorBytes(block_offsets_) + VectorBytes(blocks_);
}

}  // namespace nw::index
