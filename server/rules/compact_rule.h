// File: server/rules/compact_rule.h
//
// A checked rule tree (ast.h) in compact form: the nodes in prefix order in one
// byte string, behind one pointer. The matcher keeps rules this way (issue 16:
// ~30 bytes for a typical rule against ~600 for its tree of Node objects, and
// one cache line to read instead of a pointer chase per node); the evaluator
// (server/match/evaluator.h) walks the bytes directly.
//
// Encoding: a node is [kind byte][varint payload length][payload], so that any
// subtree is skipped in O(1):
//   kTerm, kPrefix          payload = the normalized word
//   kPhrase                 per element: varint (length << 1 | prefix), bytes
//   kAnd, kOr, kNot         payload = the children, one after the other
//   kNear                   distance byte (1..100), then the two operands
//   kScope                  fields byte (kTitleBit or kBodyBit), then the child
//   kSource, kTag, kLang    the normalized value; when the kind byte has
//                           kRawValueFlag, varint length + value, then the
//                           value as written (only kept where the canonical
//                           printer would need it: a value holding '"')
// Node offsets (error reporting) are not kept.
//
// Thread safety: immutable; share freely.
#ifndef NW_SERVER_RULES_COMPACT_RULE_H_
#define NW_SERVER_RULES_COMPACT_RULE_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "server/rules/ast.h"

namespace nw::rules {

inline constexpr uint8_t kRawValueFlag = 0x80;
inline constexpr uint8_t kKindMask = 0x7F;

class CompactRule {
 public:
  CompactRule() = default;
  // Encodes the checked tree `root`.
  static CompactRule FromTree(const Node& root);
  // Wraps bytes produced by bytes() of another CompactRule (or by FromTree).
  static CompactRule FromBytes(std::string_view bytes);

  CompactRule(const CompactRule& other)
      : CompactRule(FromBytes(other.bytes())) {}
  CompactRule& operator=(const CompactRule& other) {
    if (this != &other) *this = FromBytes(other.bytes());
    return *this;
  }
  CompactRule(CompactRule&&) noexcept = default;
  CompactRule& operator=(CompactRule&&) noexcept = default;

  // Whether this holds a rule (default-constructed ones hold none).
  bool empty() const { return data_ == nullptr; }
  // The encoded nodes (see the file comment); empty when empty().
  std::string_view bytes() const {
    if (data_ == nullptr) return {};
    uint32_t size;
    std::memcpy(&size, data_.get(), sizeof(size));
    return std::string_view(data_.get() + sizeof(size), size);
  }
  // The root node's first byte (for prefetching).
  const char* data() const { return data_.get(); }

  // Decodes back into a tree (offsets are 0).
  std::unique_ptr<Node> ToTree() const;

 private:
  // [uint32 size][bytes]
  std::unique_ptr<char[]> data_;
};

// Reading the encoding.
namespace compact {

inline uint32_t ReadVarint(const char*& p) {
  uint32_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(*p++);
    v |= uint32_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) return v;
  }
}

// One node: its kind, its payload [begin, end).
struct NodeRef {
  NodeKind kind;
  bool raw_flag;
  const char* begin;
  const char* end;
};

// Reads the node at `p`; `p` must point at a node's kind byte.
inline NodeRef ReadNode(const char* p) {
  const uint8_t k = static_cast<uint8_t>(*p++);
  const uint32_t len = ReadVarint(p);
  return NodeRef{static_cast<NodeKind>(k & kKindMask), (k & kRawValueFlag) != 0,
                 p, p + len};
}

// The normalized value of a metadata node.
inline std::string_view MetadataValue(const NodeRef& n) {
  if (!n.raw_flag) return std::string_view(n.begin, n.end - n.begin);
  const char* p = n.begin;
  const uint32_t len = ReadVarint(p);
  return std::string_view(p, len);
}

}  // namespace compact

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_COMPACT_RULE_H_
