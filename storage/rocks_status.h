// File: storage/rocks_status.h
// The single rocksdb::Status -> absl::Status mapping (architecture.md, errors
// §3).
#ifndef NW_STORAGE_ROCKS_STATUS_H_
#define NW_STORAGE_ROCKS_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace nw::storage {

// Returns OK for an OK status; otherwise the canonical code (Corruption ->
// DataLoss, no space -> ResourceExhausted, Busy/TryAgain -> Unavailable, ...)
// with `context` (the operation, e.g. "ArticleStore::Get") before RocksDB's
// text.
absl::Status FromRocksStatus(const rocksdb::Status& s,
                             absl::string_view context);

}  // namespace nw::storage

#endif  // NW_STORAGE_ROCKS_STATUS_H_
