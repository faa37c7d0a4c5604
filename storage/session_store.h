// File: storage/session_store.h
//
// The web console's log-in sessions, kept in the meta column family so that
// a daemon restart does not log every analyst out (server/web/
// session_table.h holds the rules). A record names a session by the SHA-256
// of its id and holds the SHA-256 of the bearer token it was made from, and
// when it was made: neither a usable cookie nor a usable token is stored.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_SESSION_STORE_H_
#define NW_STORAGE_SESSION_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/db.h"

namespace nw::storage {

struct SessionRecord {
  std::string token_sha256;  // lowercase hex, 64 characters
  absl::Time created;
};

class SessionStore {
 public:
  // `db` must outlive the store.
  explicit SessionStore(Db& db) : db_(db) {}

  // Writes (synced) session `id_sha256` (lowercase hex).
  absl::Status Put(absl::string_view id_sha256, const SessionRecord& record);
  // Deletes session `id_sha256` (synced); no error when there is none.
  absl::Status Delete(absl::string_view id_sha256);
  // Every stored session as (id_sha256, record). DataLoss naming the key for
  // a record that does not decode.
  absl::StatusOr<std::vector<std::pair<std::string, SessionRecord>>> LoadAll()
      const;

 private:
  Db& db_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_SESSION_STORE_H_
