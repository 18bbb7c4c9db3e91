// Randomness and hashing for identifiers and tokens (OpenSSL). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ocrchat::core {

// `bytes` cryptographically random bytes as lowercase hex (2*bytes chars).
std::string RandomHex(int bytes);

// A job or conversation id: 128 random bits, lowercase hex.
inline std::string NewUuid() { return RandomHex(16); }

// SHA-256 of the data, lowercase hex.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of the data under the key, lowercase hex (RFC 2104).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Compares in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648, with padding), as data: URLs carry it.
std::string Base64(std::string_view data);

}  // namespace ocrchat::core
