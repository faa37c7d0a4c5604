#include "server/rules/compact_rule.h"

#include <string>
#include <utility>

namespace nw::rules {
namespace {

void AppendVarint(uint32_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

size_t VarintSize(uint32_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// Appends `node` to `out` in place: the payload is written after a one-byte
// length guess, which is widened (moving the payload) only for payloads of
// 128 bytes or more. No per-node buffers (loading 1M rules, issue 16).
void Encode(const Node& node, std::string* out) {
  uint8_t kind = static_cast<uint8_t>(node.kind);
  const size_t kind_at = out->size();
  out->push_back(0);  // kind, set below
  out->push_back(0);  // payload length (one byte until known)
  const size_t begin = out->size();
  switch (node.kind) {
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
      out->append(node.elements[0].text);
      break;
    case NodeKind::kPhrase:
      for (const PhraseElement& e : node.elements) {
        AppendVarint(
            static_cast<uint32_t>(e.text.size()) << 1 | (e.prefix ? 1 : 0),
            out);
        out->append(e.text);
      }
      break;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
      for (const auto& c : node.children) Encode(*c, out);
      break;
    case NodeKind::kNear:
      out->push_back(static_cast<char>(node.distance));
      Encode(*node.children[0], out);
      Encode(*node.children[1], out);
      break;
    case NodeKind::kScope:
      out->push_back(static_cast<char>(node.fields));
      Encode(*node.children[0], out);
      break;
    case NodeKind::kSource:
    case NodeKind::kTag:
    case NodeKind::kLang:
      if (node.value.find('"') != std::string::npos &&
          node.raw_value != node.value) {
        kind |= kRawValueFlag;
        AppendVarint(static_cast<uint32_t>(node.value.size()), out);
        out->append(node.value);
        out->append(node.raw_value);
      } else {
        out->append(node.value);
      }
      break;
  }
  (*out)[kind_at] = static_cast<char>(kind);
  const uint32_t size = static_cast<uint32_t>(out->size() - begin);
  const size_t width = VarintSize(size);
  if (width > 1) out->insert(begin, width - 1, '\0');
  char* p = out->data() + kind_at + 1;
  uint32_t v = size;
  for (; v >= 0x80; v >>= 7) *p++ = static_cast<char>((v & 0x7F) | 0x80);
  *p = static_cast<char>(v);
}

std::unique_ptr<Node> Decode(const char* p) {
  const compact::NodeRef n = compact::ReadNode(p);
  auto node = std::make_unique<Node>();
  node->kind = n.kind;
  switch (n.kind) {
    case NodeKind::kTerm:
    case NodeKind::kPrefix:
      node->elements.push_back(PhraseElement{std::string(n.begin, n.end),
                                             n.kind == NodeKind::kPrefix});
      break;
    case NodeKind::kPhrase:
      for (const char* q = n.begin; q < n.end;) {
        const uint32_t v = compact::ReadVarint(q);
        node->elements.push_back(
            PhraseElement{std::string(q, v >> 1), (v & 1) != 0});
        q += v >> 1;
      }
      break;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
    case NodeKind::kNear:
    case NodeKind::kScope: {
      const char* q = n.begin;
      if (n.kind == NodeKind::kNear) node->distance = uint8_t(*q++);
      if (n.kind == NodeKind::kScope) node->fields = uint8_t(*q++);
      while (q < n.end) {
        node->children.push_back(Decode(q));
        q = compact::ReadNode(q).end;
      }
      break;
    }
    case NodeKind::kSource:
    case NodeKind::kTag:
    case NodeKind::kLang: {
      const std::string_view value = compact::MetadataValue(n);
      node->value = std::string(value);
      node->raw_value = n.raw_flag
                            ? std::string(value.data() + value.size(), n.end)
                            : node->value;
      break;
    }
  }
  return node;
}

}  // namespace

CompactRule CompactRule::FromTree(const Node& root) {
  thread_local std::string bytes;
  bytes.clear();
  Encode(root, &bytes);
  return FromBytes(bytes);
}

CompactRule CompactRule::FromBytes(std::string_view bytes) {
  CompactRule r;
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  r.data_.reset(new char[sizeof(size) + size]);
  std::memcpy(r.data_.get(), &size, sizeof(size));
  if (size > 0) std::memcpy(r.data_.get() + sizeof(size), bytes.data(), size);
  return r;
}

std::unique_ptr<Node> CompactRule::ToTree() const {
  if (empty()) return nullptr;
  return Decode(bytes().data());
}

}  // namespace nw::rules
