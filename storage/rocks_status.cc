#include "storage/rocks_status.h"

#include "absl/strings/str_cat.h"

namespace nw::storage {

absl::Status FromRocksStatus(const rocksdb::Status& s,
                             absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  absl::StatusCode code = absl::StatusCode::kUnknown;
  using C = rocksdb::Status::Code;
  switch (s.code()) {
    case C::kNotFound:
      code = absl::StatusCode::kNotFound;
      break;
    case C::kCorruption:
      code = absl::StatusCode::kDataLoss;
      break;
    case C::kIOError:
      code = s.IsNoSpace() ? absl::StatusCode::kResourceExhausted
                           : absl::StatusCode::kInternal;
      break;
    case C::kBusy:
    case C::kTryAgain:
    case C::kIncomplete:
    case C::kShutdownInProgress:
      code = absl::StatusCode::kUnavailable;
      break;
    case C::kTimedOut:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    case C::kAborted:
      code = absl::StatusCode::kAborted;
      break;
    case C::kNotSupported:
      code = absl::StatusCode::kUnimplemented;
      break;
    case C::kColumnFamilyDropped:
      code = absl::StatusCode::kFailedPrecondition;
      break;
    case C::kInvalidArgument:
      code = absl::StatusCode::kInternal;
      break;  // our bug
    default:
      break;
  }
  return absl::Status(code, absl::StrCat(context, ": ", s.ToString()));
}

}  // namespace nw::storage
