// File: storage/format_version.h
//
// The on-disk format of a data dir (storage/FORMAT.md), stamped in the meta
// column family, so that a binary never misreads a data dir written by a
// newer one after a downgrade.
#ifndef NW_STORAGE_FORMAT_VERSION_H_
#define NW_STORAGE_FORMAT_VERSION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "storage/db.h"

namespace nw::storage {

// The format this binary reads and writes. Raise it when a change to
// FORMAT.md makes old binaries misread new data, and add the upgrade step.
// 2: compact alert records (storage/alert_record.h), which a format 1
// binary would refuse as unparsable alerts.
// 3: no `cursor/<subscriber>` record per ingest; the last cursor is derived
// (storage/last_cursor.h). A format 2 binary would read the stale records
// and hand out cursors again.
inline constexpr uint64_t kFormatVersion = 3;

// Stamps an unstamped data dir (new, or written before stamping existed,
// which is format 1) with kFormatVersion, synced; raises an older stamp to
// kFormatVersion (no step rewrites data: 1 -> 2 full alert records still
// read; 2 -> 3 the `cursor/` records stay, read as floors of the derived
// last cursors, which they equal at the upgrade).
// Errors: FailedPrecondition when the dir has a newer format than this
// binary (the message names both and says what to run); DataLoss when the
// stamp is malformed; storage errors of the read or write.
absl::Status CheckFormatVersion(Db& db);

}  // namespace nw::storage

#endif  // NW_STORAGE_FORMAT_VERSION_H_
