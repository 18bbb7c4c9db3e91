// Names of error codes.
#include "core/error.h"

namespace ocrchat::core {

std::string_view CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidParameter: return "invalid_parameter";
    case ErrorCode::kUnsupportedType: return "unsupported_type";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kCorrupt: return "corrupt_file";
    case ErrorCode::kEncrypted: return "encrypted";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kPaymentRequired: return "payment_required";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "not_ready";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kWorkerCrashed: return "worker_crashed";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace ocrchat::core
