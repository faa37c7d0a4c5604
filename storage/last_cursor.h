// File: storage/last_cursor.h
//
// Each subscriber's last alert cursor, derived from what is stored instead of
// a counter written with every ingest (format 3, storage/FORMAT.md): the
// larger of its last alert key in the `alerts` family, `oldest/<subscriber>`
// - 1 (retention deleted every alert below it, possibly all of them) and a
// `cursor/<subscriber>` record left by a format 2 data dir. So a cursor once
// handed out is never handed out again, whatever retention deleted.
//
// Thread safety: all functions may be called concurrently with writes; each
// reads what was committed when it runs.
#ifndef NW_STORAGE_LAST_CURSOR_H_
#define NW_STORAGE_LAST_CURSOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/db.h"

namespace nw::storage {

// `subscriber`'s last cursor; 0 when it never had an alert. Errors: storage
// errors; DataLoss on a malformed record.
absl::StatusOr<uint64_t> ReadLastCursor(const Db& db,
                                        absl::string_view subscriber);

// The last cursor of every subscriber that ever had an alert (read at
// start-up): one seek pair per subscriber plus a scan of the meta records.
absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> ReadAllLastCursors(
    const Db& db);

// The subscribers with at least one stored alert, in key order.
absl::StatusOr<std::vector<std::string>> SubscribersWithAlerts(const Db& db);

}  // namespace nw::storage

#endif  // NW_STORAGE_LAST_CURSOR_H_
