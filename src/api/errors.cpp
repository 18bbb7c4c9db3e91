// Error codes as HTTP statuses and bodies.
#include "api/errors.h"

namespace ocrchat::api {

int HttpStatus(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidParameter:
    case ErrorCode::kUnsupportedType:
    case ErrorCode::kTooLarge:
    case ErrorCode::kCorrupt:
    case ErrorCode::kEncrypted: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kPaymentRequired: return 402;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kTimeout:
    case ErrorCode::kWorkerCrashed:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

nlohmann::json ErrorBody(const core::Error& error) {
  return {{"error", error.message}, {"code", core::CodeName(error.code)}};
}

nlohmann::json RefusalBody(const store::Refusal& refusal) {
  return {{"error", refusal.message},
          {"code", "payment_required"},
          {"used", refusal.used},
          {"cap", refusal.cap},
          {"period", refusal.period}};
}

}  // namespace ocrchat::api
