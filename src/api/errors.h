// The one table from ocrchat's error codes to HTTP statuses, and the
// SPEC's JSON error body.
#pragma once

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "store/store.h"

namespace ocrchat::api {

int HttpStatus(core::ErrorCode code);

// {"error": message, "code": name}
nlohmann::json ErrorBody(const core::Error& error);
// {"error": message, "code": "payment_required", "used", "cap", "period"}
nlohmann::json RefusalBody(const store::Refusal& refusal);

}  // namespace ocrchat::api
