// File: storage/checkpoint.h
//
// Online backup of the data dir: a RocksDB checkpoint, i.e. a consistent
// database folder that newswatchd can open as its --data-dir.
#ifndef NW_STORAGE_CHECKPOINT_H_
#define NW_STORAGE_CHECKPOINT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "storage/db.h"

namespace nw::storage {

struct CheckpointInfo {
  std::string directory;
  uint64_t last_sequence = 0;  // articles up to this sequence are included
  uint64_t bytes = 0;          // bytes of the checkpoint's files
};

// Writes a checkpoint of `db` to `directory` (absolute; must not exist; its
// parent must). Ingest goes on meanwhile: the checkpoint holds every commit
// that finished before the call and possibly some later ones, never part
// of one (a commit is one WriteBatch).
// Errors: InvalidArgument (empty or relative path), AlreadyExists,
// FailedPrecondition (the parent folder is missing), or the filesystem's
// error as RocksDB reports it.
absl::StatusOr<CheckpointInfo> CreateCheckpoint(Db& db,
                                                const std::string& directory);

}  // namespace nw::storage

#endif  // NW_STORAGE_CHECKPOINT_H_
