#include "server/cluster/nats_client.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nw::cluster {

absl::Status FromNats(natsStatus s, jsErrCode jerr, absl::string_view what) {
  if (s == NATS_OK) return absl::OkStatus();
  const char* detail = nats_GetLastError(nullptr);
  const std::string text =
      absl::StrCat(what, ": ", natsStatus_GetText(s),
                   detail ? absl::StrCat(" (", detail, ")") : std::string());
  if (jerr == JSStreamWrongLastSequenceErr) return absl::AbortedError(text);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
    return absl::NotFoundError(text);
  return absl::UnavailableError(
      absl::StrCat(text, ": the NATS cluster cannot take this now; retry"));
}

absl::StatusOr<std::unique_ptr<NatsClient>> NatsClient::Connect(
    const ClusterOptions& options, std::function<void(bool)> on_health) {
  // Before any other cnats call: no spinning on its mutexes. The default
  // (spin up to 2,000 times) burnt a fifth of a node's CPU with 16 partition
  // workers on 2 cores (perf, bench/README.md "Cluster mode").
  (void)nats_Open(0);  // an error only says the library is already open
  auto client = std::unique_ptr<NatsClient>(new NatsClient());
  client->on_health_ = std::move(on_health);
  client->timeout_ms_ = absl::ToInt64Milliseconds(options.request_timeout);
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK)
    return absl::ResourceExhaustedError("NATS options: out of memory");
  std::vector<const char*> urls;
  for (const std::string& url : options.servers) urls.push_back(url.c_str());
  natsStatus s =
      natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK && !options.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(
        opts, options.creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
  if (s == NATS_OK)
    s = natsOptions_SetRetryOnFailedConnect(opts, false, nullptr, nullptr);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, client->timeout_ms_);
  if (s == NATS_OK) {
    s = natsOptions_SetDisconnectedCB(opts, &NatsClient::OnDisconnected,
                                      client.get());
  }
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectedCB(opts, &NatsClient::OnReconnected,
                                     client.get());
  }
  if (s == NATS_OK) s = natsConnection_Connect(&client->nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    return absl::UnavailableError(absl::StrCat(
        "--cluster: cannot connect to NATS at ",
        absl::StrJoin(options.servers, ","), ": ", natsStatus_GetText(s),
        " (start nats-server with -js, or fix --cluster / --cluster-creds)"));
  }
  client->connected_ = true;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = client->timeout_ms_;
  if (natsConnection_JetStream(&client->js_, client->nc_, &jo) != NATS_OK)
    return absl::InternalError("NATS: cannot create a JetStream context");
  client->replicas_ = options.replicas;
  if (client->replicas_ <= 0) {
    char** servers = nullptr;
    int count = 0;
    if (natsConnection_GetServers(client->nc_, &servers, &count) == NATS_OK) {
      for (int i = 0; i < count; ++i) free(servers[i]);
      free(servers);
    }
    client->replicas_ = count >= 3 ? 3 : 1;
  }
  return client;
}

NatsClient::~NatsClient() {
  {
    absl::MutexLock lock(&mu_);
    for (kvStore* kv : buckets_) kvStore_Destroy(kv);
    buckets_.clear();
  }
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

void NatsClient::OnDisconnected(natsConnection*, void* self) {
  auto* client = static_cast<NatsClient*>(self);
  client->connected_ = false;
  if (client->on_health_) client->on_health_(false);
}

void NatsClient::OnReconnected(natsConnection*, void* self) {
  auto* client = static_cast<NatsClient*>(self);
  client->connected_ = true;
  if (client->on_health_) client->on_health_(true);
}

absl::Status NatsClient::EnsureStream(jsStreamConfig& config) {
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, config.Name, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return absl::OkStatus();
  }
  jerr = static_cast<jsErrCode>(0);
  s = js_AddStream(&info, js_, &config, nullptr, &jerr);
  if (s == NATS_OK) jsStreamInfo_Destroy(info);
  return FromNats(s, jerr, absl::StrCat("creating stream ", config.Name));
}

absl::StatusOr<kvStore*> NatsClient::Bucket(const BucketSpec& spec) {
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, js_, spec.name.c_str());
  if (s != NATS_OK) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = spec.name.c_str();
    config.History = static_cast<uint8_t>(spec.history);
    config.TTL = absl::ToInt64Nanoseconds(spec.ttl);  // cnats: ns
    config.Replicas = replicas_;
    config.StorageType = js_FileStorage;
    s = js_CreateKeyValue(&kv, js_, &config);
    // Another node may have created it meanwhile.
    if (s != NATS_OK) s = js_KeyValue(&kv, js_, spec.name.c_str());
  }
  if (s != NATS_OK) {
    return FromNats(s, static_cast<jsErrCode>(0),
                    absl::StrCat("opening bucket ", spec.name));
  }
  absl::MutexLock lock(&mu_);
  buckets_.push_back(kv);
  return kv;
}

}  // namespace nw::cluster
