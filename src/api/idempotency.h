// Idempotency-Key on POST /api/v1/ocr/: the key read and scoped to its
// caller, the fingerprint of what the request asks for, and whether a key
// used before may be replayed. Plain functions; the store keeps the keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace ocrchat::api {

inline constexpr size_t kMaxIdempotencyKeyLength = 255;

// The form fields that change a job's result.
struct RequestFields {
  std::string tier, language, tool, translate_to, pages;
};

// SHA-256 (hex) over the SHA-256 of the uploaded bytes and the fields:
// two requests with the same fingerprint ask for the same job.
std::string RequestFingerprint(std::string_view file, const RequestFields& fields);

// Whose keys these are: "account:<id>", or for anonymous callers "ip:<ip>".
std::string KeyScope(const store::Caller& caller);

// The request's key with its scope and fingerprint; nullopt without the
// header. kInvalidParameter for an empty key or one longer than
// kMaxIdempotencyKeyLength.
core::Result<std::optional<store::IdempotencyKey>> ReadIdempotencyKey(
    const std::optional<std::string>& header, const store::Caller& caller, std::string_view file,
    const RequestFields& fields);

// A key used before may be replayed when it was used for the same request;
// kConflict otherwise.
core::Status CheckReplay(const store::KeyUse& earlier, const store::IdempotencyKey& key);

}  // namespace ocrchat::api
