// Errors that ocrchat expects (bad input, limits, missing jobs) travel as
// values: Result<T> holds either a T or an Error. The API maps ErrorCode to
// an HTTP status in one table (api/errors.cpp); nothing else does.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace ocrchat::core {

enum class ErrorCode {
  kInvalidParameter,  // a request parameter is wrong (400)
  kUnsupportedType,   // bytes are not a format we read (400)
  kTooLarge,          // size, page or pixel limit (400)
  kCorrupt,           // the file cannot be decoded (400)
  kEncrypted,         // PDF needs a (different) password (400)
  kUnauthorized,      // token invalid, or needed and absent (401)
  kForbidden,         // a signed-in page's request without its CSRF token (403)
  kPaymentRequired,   // allowance exhausted (402)
  kNotFound,          // unknown job or not the caller's (404)
  kConflict,          // job not done yet (409)
  kTimeout,           // a page took longer than its limit
  kWorkerCrashed,     // the process recognising a page died
  kUnavailable,       // a backend is down (503)
  kInternal,          // a bug or an environment failure (500)
};

// The stable snake_case name of a code, as used in the job's error.code.
std::string_view CodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // short, for the user: "page 3: image is corrupt"
  std::string detail;   // for the log only; never sent to a client
};

inline Error MakeError(ErrorCode code, std::string message, std::string detail = {}) {
  return Error{code, std::move(message), std::move(detail)};
}

template <typename T>
using Result = std::expected<T, Error>;

// Result<void> alias for operations that return nothing on success.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(ErrorCode code, std::string message, std::string detail = {}) {
  return std::unexpected(MakeError(code, std::move(message), std::move(detail)));
}

}  // namespace ocrchat::core
