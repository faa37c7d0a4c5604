#include "server/web/session_table.h"

#include <utility>
#include <vector>

#include "server/auth/token_hash.h"

namespace nw::web {

absl::StatusOr<std::unique_ptr<SessionTable>> SessionTable::Open(
    const base::Clock& clock, storage::SessionStore* store,
    SessionLimits limits) {
  std::unique_ptr<SessionTable> table(new SessionTable(clock, store, limits));
  if (store == nullptr) return table;
  absl::StatusOr<std::vector<std::pair<std::string, storage::SessionRecord>>>
      stored = store->LoadAll();
  if (!stored.ok()) return stored.status();
  const absl::Time now = clock.Now();
  absl::MutexLock lock(&table->mu_);
  for (auto& [key, record] : *stored) {
    table->sessions_[key] =
        Session{.token_sha256 = std::move(record.token_sha256),
                .created = record.created,
                .last_used = now};
  }
  std::vector<std::string> expired;
  for (const auto& [key, session] : table->sessions_) {
    if (table->Expired(session, now)) expired.push_back(key);
  }
  for (const std::string& key : expired) table->DropLocked(key);
  return table;
}

bool SessionTable::Expired(const Session& s, absl::Time now) const {
  return now - s.last_used >= limits_.idle ||
         now - s.created >= limits_.lifetime;
}

void SessionTable::DropLocked(const std::string& key) {
  sessions_.erase(key);
  if (store_ != nullptr) store_->Delete(key).IgnoreError();
}

absl::StatusOr<std::string> SessionTable::Create(std::string token_sha256) {
  absl::StatusOr<std::string> id = auth::NewSecret("nws_");
  if (!id.ok()) return id.status();
  const std::string key = auth::Sha256Hex(*id);
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions) {
    // Full: the least recently used session ends (a linear scan, only when
    // the table is full; log-ins are rare).
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    }
    DropLocked(std::string(oldest->first));
  }
  if (store_ != nullptr) {
    absl::Status s =
        store_->Put(key, {.token_sha256 = token_sha256, .created = now});
    if (!s.ok()) return s;
  }
  sessions_[key] = Session{.token_sha256 = std::move(token_sha256),
                           .created = now,
                           .last_used = now};
  return id;
}

std::optional<std::string> SessionTable::Resolve(absl::string_view id) {
  const std::string key = auth::Sha256Hex(id);
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (Expired(it->second, now)) {
    DropLocked(key);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.token_sha256;
}

absl::Status SessionTable::End(absl::string_view id) {
  const std::string key = auth::Sha256Hex(id);
  absl::MutexLock lock(&mu_);
  // Only a running session costs a (synced) write: random ids cannot.
  if (sessions_.erase(key) == 0 || store_ == nullptr) return absl::OkStatus();
  return store_->Delete(key);
}

size_t SessionTable::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace nw::web
