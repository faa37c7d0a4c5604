// File: client/lib/newswatch_client.h
//
// NewswatchClient: the absl::StatusOr API over newswatchd's gRPC services
// (IngestService, ArticleService, RuleService, AlertService). Every gRPC
// status is converted with FromGrpcStatus(); nothing throws.
//
// Example:
//   NW_ASSIGN_OR_RETURN(auto client, NewswatchClient::Connect({}));
//   NW_ASSIGN_OR_RETURN(v1::WatchRule rule, client->CreateRule(r));
//
// Thread safety: a NewswatchClient may be used from several threads at once.
// A BulkSubmitter is driven by one thread (its ack callback runs on another).
#ifndef NW_CLIENT_LIB_NEWSWATCH_CLIENT_H_
#define NW_CLIENT_LIB_NEWSWATCH_CLIENT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/lib/channel.h"
#include "grpcpp/channel.h"
#include "newswatch/v1/admin_service.grpc.pb.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "newswatch/v1/subscriber_service.grpc.pb.h"

namespace nw::client {

namespace v1 = ::newswatch::v1;

struct ClientOptions {
  // host:port of newswatchd. Default: "127.0.0.1:7373".
  std::string server = "127.0.0.1:7373";
  // How long Connect() waits for the channel to become ready. Default: 5 s.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Deadline of each unary call. Default: 30 s.
  absl::Duration call_timeout = absl::Seconds(30);
  // TLS and bearer token (Connect only). Default: plaintext, no token.
  ChannelSecurity security;
};

class BulkSubmitter;

class NewswatchClient {
 public:
  // Opens a channel with options.security (with a TCP connection of its own,
  // not shared with other clients of the process) to options.server and
  // waits until it is ready:
  // Unavailable at once when the server refuses the connection or the TLS
  // handshake fails, saying which (nothing listening, TLS on one side only,
  // an untrusted certificate, ...: connect_error.h); DeadlineExceeded after
  // options.connect_timeout when it does not answer; the errors of
  // NewChannel (channel.h) for bad TLS files.
  static absl::StatusOr<std::unique_ptr<NewswatchClient>> Connect(
      const ClientOptions& options);
  // Over an existing channel (tests, in-process servers); does not wait.
  static std::unique_ptr<NewswatchClient> FromChannel(
      std::shared_ptr<grpc::Channel> channel, const ClientOptions& options);

  NewswatchClient(const NewswatchClient&) = delete;
  NewswatchClient& operator=(const NewswatchClient&) = delete;
  ~NewswatchClient();

  // --- IngestService ---
  absl::StatusOr<v1::ArticleAck> SubmitArticle(const v1::Article& article);
  // Opens a SubmitArticles stream; see BulkSubmitter.
  struct BulkOptions {
    // Most articles written but not yet acknowledged. Default: 256.
    size_t window = 256;
  };
  // `on_ack` runs on the submitter's reader thread, once per article in the
  // order submitted, with the `tag` given to BulkSubmitter::Submit().
  using AckCallback =
      std::function<void(const v1::ArticleAck& ack, const std::string& tag)>;
  std::unique_ptr<BulkSubmitter> StartBulkSubmit(AckCallback on_ack,
                                                 const BulkOptions& options);
  std::unique_ptr<BulkSubmitter> StartBulkSubmit(AckCallback on_ack) {
    return StartBulkSubmit(std::move(on_ack), BulkOptions());
  }

  // --- ArticleService ---
  absl::StatusOr<v1::Article> GetArticle(absl::string_view id);
  // The stored articles of a story (Article.story_id); NOT_FOUND for none.
  absl::StatusOr<v1::Story> GetStory(absl::string_view story_id);

  // --- SubscriberService ---
  absl::StatusOr<v1::SubscriberSettings> GetSubscriberSettings(
      absl::string_view subscriber);
  // Changes the fields set in `settings`; returns them all.
  absl::StatusOr<v1::SubscriberSettings> UpdateSubscriberSettings(
      const v1::SubscriberSettings& settings);

  // --- RuleService ---
  absl::StatusOr<v1::WatchRule> CreateRule(const v1::WatchRule& rule);
  // With request.backfill_since set, the daemon also matches the rule against
  // the articles stored since then before it returns; the response's
  // backfilled_alerts says how many alerts that created.
  absl::StatusOr<v1::WatchRule> CreateRule(
      const v1::CreateRuleRequest& request);
  absl::StatusOr<v1::WatchRule> GetRule(absl::string_view id);
  // Every subscriber's rules when `subscriber` is empty.
  absl::StatusOr<std::vector<v1::WatchRule>> ListRules(
      absl::string_view subscriber);
  absl::Status DeleteRule(absl::string_view id);
  // OK with valid=false for a bad rule; an error only when the call failed.
  absl::StatusOr<v1::ValidateRuleResponse> ValidateRule(
      absl::string_view query);
  // Changes the query and/or label (those set in `request`) of a rule.
  absl::StatusOr<v1::WatchRule> UpdateRule(
      const v1::UpdateRuleRequest& request);
  // The rule over stored articles, writing nothing (a dry-run backfill).
  absl::StatusOr<v1::PreviewRuleResponse> PreviewRule(
      const v1::PreviewRuleRequest& request);

  // Bulk import: calls `next_batch` for each batch to send (fill it and
  // return true; false ends the stream) and returns the daemon's summary
  // once every batch is durable. Batches of at most 10,000 rules. No
  // deadline: an import takes as long as the file.
  using NextImportBatch = absl::FunctionRef<bool(v1::ImportRulesRequest*)>;
  absl::StatusOr<v1::ImportRulesResponse> ImportRules(
      NextImportBatch next_batch);
  // Every rule of `subscriber` (empty: all, admin only), one call of
  // `on_rule` each, streamed in pages; `on_rule` returns false to stop.
  absl::Status ExportRules(
      absl::string_view subscriber,
      absl::FunctionRef<bool(const v1::WatchRule&)> on_rule);

  // --- AlertService ---
  // Calls `on_response` for every SubscribeResponse (alerts and heartbeats)
  // until the stream ends or `on_response` returns false. Returns the final
  // status: OK when the server ended the stream or the callback stopped it.
  using SubscribeCallback =
      absl::FunctionRef<bool(const v1::SubscribeResponse& response)>;
  absl::Status Subscribe(const v1::SubscribeRequest& request,
                         SubscribeCallback on_response);

  // --- AdminService ---
  // A consistent copy of the daemon's data dir at `directory` (absolute, on
  // the daemon's host, must not exist). Errors: INVALID_ARGUMENT,
  // ALREADY_EXISTS, PERMISSION_DENIED without an admin token.
  absl::StatusOr<v1::CreateCheckpointResponse> CreateCheckpoint(
      absl::string_view directory);
  // Cluster mode: nodes and partitions. FAILED_PRECONDITION on a single
  // node; PERMISSION_DENIED without an admin token.
  absl::StatusOr<v1::ClusterStatus> GetClusterStatus();

  const ClientOptions& options() const { return options_; }
  // The connection, for services without methods here (DeliveryClient).
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  NewswatchClient(std::shared_ptr<grpc::Channel> channel,
                  const ClientOptions& options);
  // A context with the unary-call deadline.
  void PrepareUnary(grpc::ClientContext& context) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::ArticleService::Stub> articles_;
  std::unique_ptr<v1::RuleService::Stub> rules_;
  std::unique_ptr<v1::AlertService::Stub> alerts_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::SubscriberService::Stub> subscribers_;
};

// One SubmitArticles stream: the caller's thread writes, a reader thread takes
// the acknowledgements (which come back in order). Submit() blocks while
// `window` articles are unacknowledged. Must not outlive its client;
// destroying it before Finish() cancels the stream.
//
//   auto bulk = client->StartBulkSubmit(on_ack);
//   for (...) NW_RETURN_IF_ERROR(bulk->Submit(article, "file:12"));
//   NW_RETURN_IF_ERROR(bulk->Finish());
class BulkSubmitter {
 public:
  virtual ~BulkSubmitter() = default;
  // Queues one article; `tag` comes back with its ack. An error means the
  // stream has failed (its final status); call no more Submit() after one.
  virtual absl::Status Submit(const v1::Article& article, std::string tag) = 0;
  // Half-closes the stream, waits for every outstanding ack and returns the
  // stream's final status. Call once.
  virtual absl::Status Finish() = 0;
  // Acks received so far.
  virtual size_t acked() const = 0;
};

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_NEWSWATCH_CLIENT_H_
