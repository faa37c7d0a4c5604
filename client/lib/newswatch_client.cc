#include "client/lib/newswatch_client.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/lib/connect_error.h"
#include "client/lib/status_convert.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "server/base/status_macros.h"

namespace nw::client {
namespace {

std::chrono::system_clock::time_point Deadline(absl::Duration timeout) {
  return absl::ToChronoTime(absl::Now() + timeout);
}

// Why `channel` is in TRANSIENT_FAILURE, in words: a call made now fails at
// once with gRPC's last transport error, which DiagnoseConnectError reads.
absl::Status ConnectFailure(const std::shared_ptr<grpc::Channel>& channel,
                            const ClientOptions& options) {
  grpc::ClientContext context;
  context.set_deadline(Deadline(absl::Seconds(2)));
  v1::ValidateRuleResponse response;
  const absl::Status probe =
      FromGrpcStatus(v1::RuleService::NewStub(channel)->ValidateRule(
          &context, v1::ValidateRuleRequest(), &response));
  const ConnectDiagnosis diagnosis =
      DiagnoseConnectError(probe, options.server, options.security);
  if (diagnosis.problem != ConnectProblem::kNone) {
    return absl::UnavailableError(diagnosis.message);
  }
  return absl::UnavailableError(absl::StrCat(
      "cannot connect to ", options.server, " (is newswatchd running there?)"));
}

// Waits until `channel` is READY. Fails at once on TRANSIENT_FAILURE (nothing
// listening, a TLS mismatch: said in words) and after the connect timeout
// when the server never answers.
absl::Status WaitUntilReady(const std::shared_ptr<grpc::Channel>& channel,
                            const ClientOptions& options) {
  const auto deadline = Deadline(options.connect_timeout);
  grpc_connectivity_state state = channel->GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE ||
        state == GRPC_CHANNEL_SHUTDOWN) {
      return ConnectFailure(channel, options);
    }
    if (!channel->WaitForStateChange(state, deadline)) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from ", options.server, " within ",
                       absl::FormatDuration(options.connect_timeout)));
    }
    state = channel->GetState(/*try_to_connect=*/true);
  }
  return absl::OkStatus();
}

}  // namespace

NewswatchClient::NewswatchClient(std::shared_ptr<grpc::Channel> channel,
                                 const ClientOptions& options)
    : options_(options),
      channel_(std::move(channel)),
      ingest_(v1::IngestService::NewStub(channel_)),
      articles_(v1::ArticleService::NewStub(channel_)),
      rules_(v1::RuleService::NewStub(channel_)),
      alerts_(v1::AlertService::NewStub(channel_)),
      admin_(v1::AdminService::NewStub(channel_)),
      subscribers_(v1::SubscriberService::NewStub(channel_)) {}

NewswatchClient::~NewswatchClient() = default;

absl::StatusOr<std::unique_ptr<NewswatchClient>> NewswatchClient::Connect(
    const ClientOptions& options) {
  if (options.server.empty()) {
    return absl::InvalidArgumentError("no server address given");
  }
  grpc::ChannelArguments args;
  // Articles can be large; lift the 4 MB default on received messages.
  args.SetMaxReceiveMessageSize(64 << 20);
  // A connection of its own: with gRPC's process-wide subchannel pool a new
  // client could be handed a pooled connection to a server that has just
  // died (restarted on the same port), and "ready" would mean nothing.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  NW_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                      NewChannel(options.server, options.security, args));
  absl::Status ready = WaitUntilReady(channel, options);
  if (!ready.ok()) return ready;
  return FromChannel(std::move(channel), options);
}

std::unique_ptr<NewswatchClient> NewswatchClient::FromChannel(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options) {
  return std::unique_ptr<NewswatchClient>(
      new NewswatchClient(std::move(channel), options));
}

void NewswatchClient::PrepareUnary(grpc::ClientContext& context) const {
  context.set_deadline(Deadline(options_.call_timeout));
}

absl::StatusOr<v1::ArticleAck> NewswatchClient::SubmitArticle(
    const v1::Article& article) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::SubmitArticleRequest request;
  *request.mutable_article() = article;
  v1::ArticleAck ack;
  absl::Status status =
      FromGrpcStatus(ingest_->SubmitArticle(&context, request, &ack));
  if (!status.ok()) return status;
  return ack;
}

absl::StatusOr<v1::Article> NewswatchClient::GetArticle(absl::string_view id) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::GetArticleRequest request;
  request.set_id(std::string(id));
  v1::Article article;
  absl::Status status =
      FromGrpcStatus(articles_->GetArticle(&context, request, &article));
  if (!status.ok()) return status;
  return article;
}

absl::StatusOr<v1::Story> NewswatchClient::GetStory(
    absl::string_view story_id) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::GetStoryRequest request;
  request.set_story_id(std::string(story_id));
  v1::Story story;
  absl::Status status =
      FromGrpcStatus(articles_->GetStory(&context, request, &story));
  if (!status.ok()) return status;
  return story;
}

absl::StatusOr<v1::SubscriberSettings> NewswatchClient::GetSubscriberSettings(
    absl::string_view subscriber) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::GetSubscriberSettingsRequest request;
  request.set_subscriber(std::string(subscriber));
  v1::SubscriberSettings settings;
  absl::Status status = FromGrpcStatus(
      subscribers_->GetSubscriberSettings(&context, request, &settings));
  if (!status.ok()) return status;
  return settings;
}

absl::StatusOr<v1::SubscriberSettings>
NewswatchClient::UpdateSubscriberSettings(
    const v1::SubscriberSettings& settings) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::UpdateSubscriberSettingsRequest request;
  *request.mutable_settings() = settings;
  v1::SubscriberSettings result;
  absl::Status status = FromGrpcStatus(
      subscribers_->UpdateSubscriberSettings(&context, request, &result));
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::CreateCheckpointResponse> NewswatchClient::CreateCheckpoint(
    absl::string_view directory) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::CreateCheckpointRequest request;
  request.set_directory(std::string(directory));
  v1::CreateCheckpointResponse response;
  absl::Status status =
      FromGrpcStatus(admin_->CreateCheckpoint(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::ClusterStatus> NewswatchClient::GetClusterStatus() {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::ClusterStatus response;
  absl::Status status = FromGrpcStatus(admin_->GetClusterStatus(
      &context, v1::GetClusterStatusRequest(), &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::WatchRule> NewswatchClient::CreateRule(
    const v1::WatchRule& rule) {
  v1::CreateRuleRequest request;
  *request.mutable_rule() = rule;
  return CreateRule(request);
}

absl::StatusOr<v1::WatchRule> NewswatchClient::CreateRule(
    const v1::CreateRuleRequest& request) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::WatchRule created;
  absl::Status status =
      FromGrpcStatus(rules_->CreateRule(&context, request, &created));
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<v1::WatchRule> NewswatchClient::GetRule(absl::string_view id) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::GetRuleRequest request;
  request.set_id(std::string(id));
  v1::WatchRule rule;
  absl::Status status =
      FromGrpcStatus(rules_->GetRule(&context, request, &rule));
  if (!status.ok()) return status;
  return rule;
}

absl::StatusOr<std::vector<v1::WatchRule>> NewswatchClient::ListRules(
    absl::string_view subscriber) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::ListRulesRequest request;
  request.set_subscriber(std::string(subscriber));
  v1::ListRulesResponse response;
  absl::Status status =
      FromGrpcStatus(rules_->ListRules(&context, request, &response));
  if (!status.ok()) return status;
  return std::vector<v1::WatchRule>(response.rules().begin(),
                                    response.rules().end());
}

absl::Status NewswatchClient::DeleteRule(absl::string_view id) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::DeleteRuleRequest request;
  request.set_id(std::string(id));
  v1::DeleteRuleResponse response;
  return FromGrpcStatus(rules_->DeleteRule(&context, request, &response));
}

absl::StatusOr<v1::ValidateRuleResponse> NewswatchClient::ValidateRule(
    absl::string_view query) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::ValidateRuleRequest request;
  request.set_query(std::string(query));
  v1::ValidateRuleResponse response;
  absl::Status status =
      FromGrpcStatus(rules_->ValidateRule(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::WatchRule> NewswatchClient::UpdateRule(
    const v1::UpdateRuleRequest& request) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::WatchRule response;
  absl::Status status =
      FromGrpcStatus(rules_->UpdateRule(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::PreviewRuleResponse> NewswatchClient::PreviewRule(
    const v1::PreviewRuleRequest& request) {
  grpc::ClientContext context;
  PrepareUnary(context);
  v1::PreviewRuleResponse response;
  absl::Status status =
      FromGrpcStatus(rules_->PreviewRule(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::Status NewswatchClient::Subscribe(const v1::SubscribeRequest& request,
                                        SubscribeCallback on_response) {
  // No deadline: a live subscription runs until the server or caller ends it.
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      alerts_->Subscribe(&context, request);
  v1::SubscribeResponse response;
  bool stopped = false;
  while (reader->Read(&response)) {
    if (!on_response(response)) {
      stopped = true;
      context.TryCancel();
      // Drain what is already buffered so Finish() does not block.
      while (reader->Read(&response)) {
      }
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (stopped) return absl::OkStatus();
  return FromGrpcStatus(status);
}

}  // namespace nw::client
