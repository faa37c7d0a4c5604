#include "server/match/analyzed_article.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "server/text/analyzer.h"

namespace nw::match {
namespace {

// Storages kept per thread for the next articles. Only those sized for
// ordinary articles (Reuters: 860 bytes and 140 words on average) are kept, so
// that a small article that reuses one and is then kept long (the cluster's
// analysis cache) holds at most ~100 KB more than it needs.
constexpr size_t kPooledStorages = 4;
constexpr size_t kMaxPooledTermBytes = size_t{1} << 14;
constexpr size_t kMaxPooledWords = size_t{1} << 11;
// The per-thread word lists of Analyze are freed after an article of more
// words (1 MB of WordRefs).
constexpr size_t kMaxKeptRefs = size_t{1} << 16;

// Set once the thread's pool is destroyed (thread exit): articles destroyed
// later on that thread free their storage. Trivially destructible, so it
// outlives the pool.
thread_local bool pool_destroyed = false;

template <typename Storage>
struct Pool {
  std::vector<Storage*> free;
  ~Pool() {
    for (Storage* s : free) delete s;
    pool_destroyed = true;
  }
};

template <typename Storage>
Pool<Storage>& ThreadPool() {
  thread_local Pool<Storage> pool;
  return pool;
}

}  // namespace

void AnalyzedArticle::Recycle::operator()(Storage* s) const {
  if (pool_destroyed || s->term_bytes.capacity() > kMaxPooledTermBytes ||
      s->words.capacity() > kMaxPooledWords) {
    delete s;
    return;
  }
  Pool<Storage>& pool = ThreadPool<Storage>();
  if (pool.free.size() >= kPooledStorages) {
    delete s;
    return;
  }
  pool.free.push_back(s);
}

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  Pool<Storage>& pool = ThreadPool<Storage>();
  if (pool.free.empty()) {
    a.s_.reset(new Storage);
  } else {
    a.s_.reset(pool.free.back());
    pool.free.pop_back();
    a.s_->sorted_ready.store(false, std::memory_order_relaxed);
    a.s_->sorted_terms.clear();
    a.s_->term_bytes.clear();
  }
  Storage& s = *a.s_;
  // Both fields' words, their terms in one buffer (text::AnalyzeFieldInto);
  // the list is kept per thread (no allocation per article).
  thread_local std::vector<text::WordRef> refs;
  refs.clear();
  text::AnalyzeFieldInto(article.title, &s.term_bytes, &refs);
  const size_t title_words = refs.size();
  text::AnalyzeFieldInto(article.body, &s.term_bytes, &refs);
  // The term table reads 16 bytes from each term's start.
  s.term_bytes.append(16, '\0');
  // Term ids, and per (term, field) counts; then positions by counting sort, so
  // that every posting list lives in one array (no allocation per term).
  // Arrays are sized first and written in place: a struct built on the stack
  // and copied whole would be read back before its stores retire.
  const size_t word_count = refs.size();
  s.table.Reset(word_count);
  s.words.resize(word_count);
  s.title_words = title_words;
  s.word_ids[0].resize(title_words);
  s.word_ids[1].resize(word_count - title_words);
  std::vector<uint32_t>& counts = s.offsets;  // 2 per term, then 1
  counts.assign(2 * word_count + 1, 0);
  const char* const bytes = s.term_bytes.data();
  for (size_t i = 0; i < word_count; ++i) {
    const text::WordRef& r = refs[i];
    const std::string_view term(bytes + r.term_offset, r.term_size);
    const uint32_t id = s.table.Insert(term);
    const size_t slot = i < title_words ? 0 : 1;
    ++counts[2 * id + slot];
    s.word_ids[slot][i - (slot == 0 ? 0 : title_words)] = id;
    ArticleWord& w = s.words[i];
    w.term = term;
    w.begin = r.begin;
    w.end = r.end;
  }
  for (size_t id = s.term_ids.size(); id < s.table.size(); ++id)
    s.term_ids.push_back(static_cast<uint32_t>(id));
  const size_t entries = 2 * s.table.size();
  counts.resize(entries + 1);
  uint32_t sum = 0;
  for (size_t k = 0; k < entries; ++k)
    sum += std::exchange(counts[k], sum);  // exclusive prefix sums
  counts[entries] = sum;
  s.positions.resize(sum);
  thread_local std::vector<uint32_t> cursor;
  cursor.assign(counts.begin(), counts.end() - 1);
  for (size_t slot = 0; slot < 2; ++slot) {
    const std::vector<uint32_t>& ids = s.word_ids[slot];
    for (uint32_t p = 0; p < ids.size(); ++p)
      s.positions[cursor[2 * ids[p] + slot]++] = p;
  }
  s.source = text::NormalizeMetadata(article.source);
  s.lang = absl::AsciiStrToLower(
      absl::string_view(article.lang.data(), article.lang.size()));
  s.tags.clear();
  for (std::string_view tag : article.tags) {
    s.tags.push_back(text::NormalizeMetadata(tag));
  }
  if (refs.capacity() > kMaxKeptRefs) {  // a huge article: do not pin it
    refs = std::vector<text::WordRef>();
    cursor = std::vector<uint32_t>();
  }
  return a;
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(absl::Span<const uint32_t>)> fn) const {
  Storage& s = *s_;
  if (!s.sorted_ready.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(s.sorted_mu);
    if (!s.sorted_ready.load(std::memory_order_relaxed)) {
      const std::vector<std::string_view>& terms = s.table.terms();
      s.sorted_terms.reserve(terms.size());
      for (uint32_t id = 0; id < terms.size(); ++id)
        s.sorted_terms.emplace_back(terms[id], id);
      std::sort(s.sorted_terms.begin(), s.sorted_terms.end());
      s.sorted_ready.store(true, std::memory_order_release);
    }
  }
  const auto& sorted_terms = s.sorted_terms;
  auto it =
      std::lower_bound(sorted_terms.begin(), sorted_terms.end(), prefix,
                       [](const std::pair<std::string_view, uint32_t>& entry,
                          std::string_view p) { return entry.first < p; });
  for (; it != sorted_terms.end(); ++it) {
    if (it->first.substr(0, prefix.size()) != prefix) break;
    const absl::Span<const uint32_t> positions =
        TermPositions(it->second, field);
    if (!positions.empty()) fn(positions);
  }
}

}  // namespace nw::match
