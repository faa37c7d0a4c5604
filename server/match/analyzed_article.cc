#include "server/match/analyzed_article.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"

namespace nw::match {
namespace {

uint64_t Load64(const unsigned char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
uint64_t Load32(const unsigned char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}
// The 128-bit product of a and b, folded to 64 bits.
uint64_t Mum(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

constexpr uint64_t kP0 = 0xa0761d6478bd642fULL;  // wyhash's constants
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbULL;

const uint64_t kSeed = [] {
  static const char kAnchor = 0;
  return Mum(reinterpret_cast<uintptr_t>(&kAnchor) ^ kP0, kP1);
}();

}  // namespace

size_t AnalyzedArticle::TermHash::operator()(std::string_view s) const {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  uint64_t seed = kSeed;
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{p[0]} << 16) | (uint64_t{p[n / 2]} << 8) | p[n - 1];
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = 0;
    for (; i + 16 < n; i += 16)
      seed = Mum(Load64(p + i) ^ kP1, Load64(p + i + 8) ^ seed);
    a = Load64(p + n - 16);
    b = Load64(p + n - 8);
  }
  return Mum(kP1 ^ n, Mum(a ^ kP1, b ^ seed));
}

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  a.words_[0] = text::AnalyzeField(article.title);
  a.words_[1] = text::AnalyzeField(article.body);
  // Term ids, and per (term, field) counts; then positions by counting sort, so
  // that every posting list lives in one array (no allocation per term).
  const size_t word_count = a.words_[0].size() + a.words_[1].size();
  a.term_ids_.reserve(word_count);
  a.terms_.reserve(word_count);
  a.offsets_.reserve(2 * word_count + 1);
  std::vector<uint32_t>& counts = a.offsets_;
  for (size_t slot = 0; slot < 2; ++slot) {
    a.word_ids_[slot].reserve(a.words_[slot].size());
    for (const text::Word& w : a.words_[slot]) {
      auto [it, inserted] = a.term_ids_.try_emplace(
          std::string_view(w.term), static_cast<uint32_t>(a.terms_.size()));
      if (inserted) {
        a.terms_.push_back(w.term);
        counts.push_back(0);
        counts.push_back(0);
      }
      ++counts[2 * it->second + slot];
      a.word_ids_[slot].push_back(it->second);
    }
  }
  uint32_t sum = 0;
  for (uint32_t& c : counts)
    sum += std::exchange(c, sum);  // exclusive prefix sums
  counts.push_back(sum);
  a.positions_.resize(sum);
  std::vector<uint32_t> cursor(counts.begin(), counts.end() - 1);
  for (size_t slot = 0; slot < 2; ++slot) {
    const std::vector<uint32_t>& ids = a.word_ids_[slot];
    for (uint32_t p = 0; p < ids.size(); ++p)
      a.positions_[cursor[2 * ids[p] + slot]++] = p;
  }
  a.source_ = text::NormalizeMetadata(article.source);
  a.lang_ = absl::AsciiStrToLower(
      absl::string_view(article.lang.data(), article.lang.size()));
  a.tags_.reserve(article.tags.size());
  for (std::string_view tag : article.tags) {
    a.tags_.push_back(text::NormalizeMetadata(tag));
  }
  return a;
}

uint32_t AnalyzedArticle::FindTerm(std::string_view term) const {
  auto it = term_ids_.find(term);
  return it == term_ids_.end() ? kNoTerm : it->second;
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(absl::Span<const uint32_t>)> fn) const {
  absl::call_once(sorted_->once, [&] {
    sorted_->terms.reserve(terms_.size());
    for (uint32_t id = 0; id < terms_.size(); ++id)
      sorted_->terms.emplace_back(terms_[id], id);
    std::sort(sorted_->terms.begin(), sorted_->terms.end());
  });
  const auto& sorted_terms = sorted_->terms;
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
