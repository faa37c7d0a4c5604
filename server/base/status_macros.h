// File: server/base/status_macros.h
//
// NW_RETURN_IF_ERROR / NW_ASSIGN_OR_RETURN: the propagation macros Abseil
// 20220623 lacks, with the semantics of absl's later ABSL_RETURN_IF_ERROR /
// ABSL_ASSIGN_OR_RETURN.
#ifndef NW_SERVER_BASE_STATUS_MACROS_H_
#define NW_SERVER_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status of `expr` from the enclosing function when it is not OK.
#define NW_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status nw_status_ = (expr);      \
    if (!nw_status_.ok()) return nw_status_; \
  } while (0)

#define NW_STATUS_CONCAT_INNER_(a, b) a##b
#define NW_STATUS_CONCAT_(a, b) NW_STATUS_CONCAT_INNER_(a, b)

// `lhs` = value of the StatusOr `rexpr`, or returns its status when not OK.
// Example: NW_ASSIGN_OR_RETURN(auto rule, ParseRule(text));
#define NW_ASSIGN_OR_RETURN(lhs, rexpr)                                     \
  NW_ASSIGN_OR_RETURN_IMPL_(NW_STATUS_CONCAT_(nw_statusor_, __LINE__), lhs, \
                            rexpr)
#define NW_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // NW_SERVER_BASE_STATUS_MACROS_H_
