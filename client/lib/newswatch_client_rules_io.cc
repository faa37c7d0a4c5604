// RuleService's streaming calls: bulk import and export of rules.
#include <memory>

#include "client/lib/newswatch_client.h"
#include "client/lib/status_convert.h"
#include "grpcpp/client_context.h"

namespace nw::client {

absl::StatusOr<v1::ImportRulesResponse> NewswatchClient::ImportRules(
    NextImportBatch next_batch) {
  grpc::ClientContext context;
  v1::ImportRulesResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRulesRequest>> stream =
      rules_->ImportRules(&context, &response);
  v1::ImportRulesRequest batch;
  while (next_batch(&batch)) {
    // A failed write means the daemon ended the call: Finish says why.
    if (!stream->Write(batch)) break;
    batch.Clear();
  }
  stream->WritesDone();
  absl::Status status = FromGrpcStatus(stream->Finish());
  if (!status.ok()) return status;
  return response;
}

absl::Status NewswatchClient::ExportRules(
    absl::string_view subscriber,
    absl::FunctionRef<bool(const v1::WatchRule&)> on_rule) {
  grpc::ClientContext context;
  v1::ListRulesRequest request;
  request.set_subscriber(std::string(subscriber));
  std::unique_ptr<grpc::ClientReader<v1::ListRulesResponse>> stream =
      rules_->ExportRules(&context, request);
  v1::ListRulesResponse page;
  bool stopped = false;
  while (!stopped && stream->Read(&page)) {
    for (const v1::WatchRule& rule : page.rules()) {
      if (!on_rule(rule)) {
        stopped = true;
        break;
      }
    }
  }
  if (stopped) {
    context.TryCancel();
    (void)stream->Finish();
    return absl::OkStatus();
  }
  return FromGrpcStatus(stream->Finish());
}

}  // namespace nw::client
