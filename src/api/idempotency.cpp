// Idempotency keys: reading, scoping, fingerprints and replays.
#include "api/idempotency.h"

#include <nlohmann/json.hpp>

#include "core/crypto.h"

namespace ocrchat::api {

using core::ErrorCode;

std::string RequestFingerprint(std::string_view file, const RequestFields& fields) {
  // A JSON array keeps the fields apart: ("a", "bc") is not ("ab", "c").
  nlohmann::json parts = {core::Sha256Hex(file), fields.tier,         fields.language,
                          fields.tool,           fields.translate_to, fields.pages};
  return core::Sha256Hex(parts.dump());
}

std::string KeyScope(const store::Caller& caller) {
  if (caller.account) return "account:" + std::to_string(caller.account->id);
  return "ip:" + caller.ip;
}

core::Result<std::optional<store::IdempotencyKey>> ReadIdempotencyKey(
    const std::optional<std::string>& header, const store::Caller& caller, std::string_view file,
    const RequestFields& fields) {
  if (!header) return std::optional<store::IdempotencyKey>();
  if (header->empty())
    return core::Fail(ErrorCode::kInvalidParameter,
                      "the Idempotency-Key header is empty: send a unique value per request "
                      "(a UUID, say), or no header");
  if (header->size() > kMaxIdempotencyKeyLength)
    return core::Fail(ErrorCode::kInvalidParameter,
                      "the Idempotency-Key is " + std::to_string(header->size()) +
                          " characters long; at most " + std::to_string(kMaxIdempotencyKeyLength) +
                          " are allowed");
  return store::IdempotencyKey{KeyScope(caller), *header, RequestFingerprint(file, fields)};
}

core::Status CheckReplay(const store::KeyUse& earlier, const store::IdempotencyKey& key) {
  if (earlier.fingerprint != key.fingerprint)
    return core::Fail(ErrorCode::kConflict,
                      "this Idempotency-Key was used for a different file or different "
                      "parameters; send a new key with a new request");
  return {};
}

}  // namespace ocrchat::api
