// File: server/rpc/request_parse.h
//
// Requests are parsed here, from their bytes, instead of by gRPC: protobuf
// refuses a proto3 `string` field holding invalid UTF-8 without saying which
// (a unary call got INTERNAL with no message, a stream ended as if the client
// had closed it, dropping what followed). Checking the strings first lets
// every call answer INVALID_ARGUMENT naming the field.
#ifndef NW_SERVER_RPC_REQUEST_PARSE_H_
#define NW_SERVER_RPC_REQUEST_PARSE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace nw::rpc {

// OK when every `string` field of the serialized message `wire` of type
// `type`, in nested messages too, is valid UTF-8 (base::FindInvalidUtf8).
// Else InvalidArgument naming the first bad field by its path in the request
// ("article.tags[1]") and the offset of the bad byte; InvalidArgument too for
// bytes that are not a protobuf message.
absl::Status CheckStringsAreUtf8(const google::protobuf::Descriptor& type,
                                 absl::string_view wire);

// Parses `buffer` into `message` after CheckStringsAreUtf8. Unknown fields
// are dropped (nothing a client adds is stored or passed on).
absl::Status ParseRequest(const grpc::ByteBuffer& buffer,
                          google::protobuf::Message* message);

// `message` serialized into `buffer` (replacing what it held).
void SerializeToBuffer(const google::protobuf::Message& message,
                       grpc::ByteBuffer* buffer);

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_REQUEST_PARSE_H_
