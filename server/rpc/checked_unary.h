// File: server/rpc/checked_unary.h
//
// CheckedUnaryService<Base>: serves chosen sync unary methods of the
// generated service `Base` from the request bytes, through ParseRequest
// (request_parse.h), so a string field with invalid UTF-8 gets
// INVALID_ARGUMENT naming the field, never protobuf's bare INTERNAL. The
// typed handler runs on the same sync thread as before.
#ifndef NW_SERVER_RPC_CHECKED_UNARY_H_
#define NW_SERVER_RPC_CHECKED_UNARY_H_

#include <string>

#include "google/protobuf/descriptor.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/method_handler.h"
#include "grpcpp/support/sync_stream.h"
#include "server/rpc/request_parse.h"
#include "server/rpc/status_convert.h"

namespace nw::rpc {

template <typename Base>
class CheckedUnaryService : public Base {
 protected:
  // Routes the unary method `method` of service `service_full_name` to the
  // member `handler` of `self` (the derived service, whose signature is that
  // of the generated sync method). Call from the constructor, once per method.
  template <typename Self, typename Request, typename Response>
  void ServeChecked(const std::string& service_full_name,
                    const std::string& method, Self* self,
                    grpc::Status (Self::*handler)(grpc::ServerContext*,
                                                  const Request*, Response*)) {
    const int index = google::protobuf::DescriptorPool::generated_pool()
                          ->FindServiceByName(service_full_name)
                          ->FindMethodByName(method)
                          ->index();
    using Streamer =
        grpc::ServerUnaryStreamer<grpc::ByteBuffer, grpc::ByteBuffer>;
    this->MarkMethodStreamed(
        index,
        new grpc::internal::StreamedUnaryHandler<grpc::ByteBuffer,
                                                 grpc::ByteBuffer>(
            [self, handler](grpc::ServerContext* context, Streamer* streamer) {
              grpc::ByteBuffer in;
              Request request;
              if (!streamer->Read(&in)) {
                return ToGrpcStatus(absl::InvalidArgumentError(
                    "the call carried no request message"));
              }
              if (absl::Status s = ParseRequest(in, &request); !s.ok())
                return ToGrpcStatus(s);
              Response response;
              grpc::Status status =
                  (self->*handler)(context, &request, &response);
              if (!status.ok()) return status;
              grpc::ByteBuffer out;
              SerializeToBuffer(response, &out);
              streamer->Write(out);
              return grpc::Status::OK;
            }));
  }
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_CHECKED_UNARY_H_
