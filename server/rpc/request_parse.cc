#include "server/rpc/request_parse.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "server/base/status_macros.h"
#include "server/base/utf8.h"

namespace nw::rpc {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

// Deeper than any newswatch request; protobuf's own limit is 100.
constexpr int kMaxDepth = 32;

absl::Status Malformed(const Descriptor& type) {
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a valid ", type.full_name(),
                   " message (malformed protobuf)"));
}

absl::Status CheckMessage(const Descriptor& type, absl::string_view wire,
                          const std::string& path, int depth,
                          const Descriptor& request_type) {
  if (depth > kMaxDepth) return Malformed(request_type);
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(wire.data()),
      static_cast<int>(wire.size()));
  absl::flat_hash_map<int, int> seen;  // field number -> occurrences
  while (uint32_t tag = in.ReadTag()) {
    const FieldDescriptor* field =
        type.FindFieldByNumber(WireFormatLite::GetTagFieldNumber(tag));
    const bool text_or_message =
        field != nullptr &&
        WireFormatLite::GetTagWireType(tag) ==
            WireFormatLite::WIRETYPE_LENGTH_DELIMITED &&
        (field->type() == FieldDescriptor::TYPE_STRING ||
         field->type() == FieldDescriptor::TYPE_MESSAGE);
    if (!text_or_message) {
      if (!WireFormatLite::SkipField(&in, tag)) return Malformed(request_type);
      continue;
    }
    std::string payload;
    if (!WireFormatLite::ReadBytes(&in, &payload))
      return Malformed(request_type);
    std::string name =
        path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    const int occurrence = seen[field->number()]++;
    if (field->is_repeated()) absl::StrAppend(&name, "[", occurrence, "]");
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      NW_RETURN_IF_ERROR(CheckMessage(*field->message_type(), payload, name,
                                      depth + 1, request_type));
    } else if (std::optional<size_t> bad = base::FindInvalidUtf8(payload)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " is not valid UTF-8 (bad byte at offset ", *bad,
                       "): send text as UTF-8"));
    }
  }
  if (!in.ConsumedEntireMessage()) return Malformed(request_type);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckStringsAreUtf8(const Descriptor& type,
                                 absl::string_view wire) {
  return CheckMessage(type, wire, "", 0, type);
}

absl::Status ParseRequest(const grpc::ByteBuffer& buffer,
                          google::protobuf::Message* message) {
  std::vector<grpc::Slice> slices;
  std::string wire;
  if (buffer.Valid() && buffer.Dump(&slices).ok()) {
    wire.reserve(buffer.Length());
    for (const grpc::Slice& slice : slices)
      wire.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  const Descriptor& type = *message->GetDescriptor();
  NW_RETURN_IF_ERROR(CheckStringsAreUtf8(type, wire));
  if (!message->ParseFromString(wire)) return Malformed(type);
  message->DiscardUnknownFields();
  return absl::OkStatus();
}

void SerializeToBuffer(const google::protobuf::Message& message,
                       grpc::ByteBuffer* buffer) {
  buffer->Clear();          // the serializer appends to an empty buffer only
  bool own_buffer = false;  // always true for protobuf messages
  // Fails only for a message over 2 GB, which newswatch never sends.
  (void)grpc::SerializationTraits<google::protobuf::Message>::Serialize(
      message, buffer, &own_buffer);
}

}  // namespace nw::rpc
