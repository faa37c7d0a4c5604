// File: server/web/session_table.h
//
// The console's log-in sessions. POST /api/v1/session trades a bearer token
// for a random session id, and the browser's cookie holds only that id: a
// cookie that leaks is not the long-lived token, and logging out (DELETE
// /api/v1/session) ends the session at once, for every copy of the cookie.
// The token stays the authority: a session resolves to the token's SHA-256,
// which each request checks against the token file in force
// (auth::Authenticator::IdentifyTokenHash), so SIGHUP revocation still
// applies to the sessions made from a token.
//
// Sessions are written to the data dir (storage::SessionStore), so a daemon
// restart keeps analysts logged in; only hashes are stored, as in the token
// file. The idle time restarts with the daemon; the lifetime does not.
//
// Thread safety: every method may be called concurrently.
#ifndef NW_SERVER_WEB_SESSION_TABLE_H_
#define NW_SERVER_WEB_SESSION_TABLE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/base/clock.h"
#include "storage/session_store.h"

namespace nw::web {

struct SessionLimits {
  // A session unused this long ends (the analyst logs in again).
  absl::Duration idle = absl::Hours(12);
  // No session outlives this, however busy.
  absl::Duration lifetime = absl::Hours(7 * 24);
  // At this many sessions, a new one ends the least recently used: a flood
  // of log-ins cannot grow the daemon.
  size_t max_sessions = 10000;
};

class SessionTable {
 public:
  // Loads the sessions `store` holds (null: sessions kept in memory only).
  // `clock` and `store` must outlive the table. Errors: those of
  // SessionStore::LoadAll.
  static absl::StatusOr<std::unique_ptr<SessionTable>> Open(
      const base::Clock& clock, storage::SessionStore* store,
      SessionLimits limits = {});

  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  // A new session for the token whose SHA-256 (lowercase hex) is
  // `token_sha256`, which the caller has just checked: its id, "nws_" + 64
  // hex digits of 32 bytes from OpenSSL's RAND_bytes. Internal error if the
  // generator fails; the store's error if it cannot be written.
  absl::StatusOr<std::string> Create(std::string token_sha256);

  // The token SHA-256 behind session `id`, marking the session used now;
  // nullopt when no such session is running (never made, ended, or
  // expired).
  std::optional<std::string> Resolve(absl::string_view id);

  // Ends session `id` (log out). OK also when none was running; the store's
  // error if the deletion cannot be written.
  absl::Status End(absl::string_view id);

  // Sessions held, expired ones not yet dropped included.
  size_t size() const;

 private:
  struct Session {
    std::string token_sha256;
    absl::Time created;
    absl::Time last_used;
  };
  SessionTable(const base::Clock& clock, storage::SessionStore* store,
               SessionLimits limits)
      : clock_(clock), store_(store), limits_(limits) {}
  bool Expired(const Session& s, absl::Time now) const;
  // Drops `key` from memory and the store (best effort: a failed deletion
  // leaves a record that expires again at the next start).
  void DropLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const base::Clock& clock_;
  storage::SessionStore* const store_;
  const SessionLimits limits_;
  mutable absl::Mutex mu_;
  // SHA-256 (hex) of the id -> session.
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::web

#endif  // NW_SERVER_WEB_SESSION_TABLE_H_
