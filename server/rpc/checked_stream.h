// File: server/rpc/checked_stream.h
//
// The streaming counterparts of CheckedUnaryService (checked_unary.h): a
// client-streaming or server-streaming sync method of a generated service,
// served from the request bytes through ParseRequest (request_parse.h), so a
// string with invalid UTF-8 gets INVALID_ARGUMENT naming the field instead of
// a stream that ends as if the client had closed it.
//
// In the derived service's constructor, once per method:
//   MarkMethodStreamed(MethodIndex(service, "ImportRules"),
//                      ClientStreamHandler<Request, Response>(handler));
// The handler runs on a gRPC sync thread, as the generated method would.
#ifndef NW_SERVER_RPC_CHECKED_STREAM_H_
#define NW_SERVER_RPC_CHECKED_STREAM_H_

#include <functional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/method_handler.h"
#include "grpcpp/support/sync_stream.h"
#include "server/base/status_macros.h"
#include "server/rpc/request_parse.h"
#include "server/rpc/status_convert.h"

namespace nw::rpc {

// The next request of a client stream: true and `*request` set, false at
// the end of the stream, or InvalidArgument for a request that does not
// parse (request_parse.h).
template <typename Request>
using NextRequest = absl::FunctionRef<absl::StatusOr<bool>(Request*)>;

// Sends one response of a server stream; false when the client is gone.
template <typename Response>
using SendResponse = absl::FunctionRef<bool(const Response&)>;

namespace checked_stream_internal {

using RawStream = grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>;

// Bytes-level handler over a raw bidi stream; gRPC's wire format of a
// client- or server-streaming call is the same.
inline grpc::internal::MethodHandler* RawHandler(
    std::function<grpc::Status(grpc::ServerContext*, RawStream*)> body) {
  return new grpc::internal::TemplatedBidiStreamingHandler<RawStream, false>(
      std::move(body));
}

}  // namespace checked_stream_internal

// The index of `method` in service `service_full_name` (for
// grpc::Service::MarkMethodStreamed).
inline int MethodIndex(const std::string& service_full_name,
                       const std::string& method) {
  return google::protobuf::DescriptorPool::generated_pool()
      ->FindServiceByName(service_full_name)
      ->FindMethodByName(method)
      ->index();
}

// A handler for a client-streaming method: `handler(context, next,
// response)` pulls requests with `next` and fills `response`, sent when the
// handler returns OK.
template <typename Request, typename Response, typename Handler>
grpc::internal::MethodHandler* ClientStreamHandler(Handler handler) {
  using checked_stream_internal::RawStream;
  return checked_stream_internal::RawHandler(
      [handler](grpc::ServerContext* context, RawStream* stream) {
        auto next = [stream](Request* request) -> absl::StatusOr<bool> {
          grpc::ByteBuffer in;
          if (!stream->Read(&in)) return false;
          NW_RETURN_IF_ERROR(ParseRequest(in, request));
          return true;
        };
        Response response;
        grpc::Status status =
            handler(context, NextRequest<Request>(next), &response);
        if (!status.ok()) return status;
        grpc::ByteBuffer out;
        SerializeToBuffer(response, &out);
        stream->Write(out);
        return grpc::Status::OK;
      });
}

// A handler for a server-streaming method: `handler(context, request, send)`
// gets the parsed request and sends any number of responses with `send`.
template <typename Request, typename Response, typename Handler>
grpc::internal::MethodHandler* ServerStreamHandler(Handler handler) {
  using checked_stream_internal::RawStream;
  return checked_stream_internal::RawHandler(
      [handler](grpc::ServerContext* context, RawStream* stream) {
        grpc::ByteBuffer in;
        Request request;
        if (!stream->Read(&in)) {
          return ToGrpcStatus(absl::InvalidArgumentError(
              "the call carried no request message"));
        }
        if (absl::Status s = ParseRequest(in, &request); !s.ok())
          return ToGrpcStatus(s);
        auto send = [stream](const Response& response) {
          grpc::ByteBuffer out;
          SerializeToBuffer(response, &out);
          return stream->Write(out);
        };
        return handler(context, request, SendResponse<Response>(send));
      });
}

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_CHECKED_STREAM_H_
