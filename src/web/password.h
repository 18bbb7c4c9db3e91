// Password hashing for the web app's accounts: Argon2id (libsodium's
// crypto_pwhash_str), memory-hard, with its salt and cost kept in the
// encoded string. Thread-safe; at most one hash per core runs at once
// (each needs 64 MiB), the others wait.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace ocrchat::web {

// The encoded Argon2id hash ("$argon2id$v=19$m=...") of the password, with
// a fresh random salt. kInternal when the memory it needs cannot be had.
core::Result<std::string> HashPassword(std::string_view password);

// Whether the password is the one `encoded` was made from. False for a
// hash that is not libsodium's encoding.
bool VerifyPassword(const std::string& encoded, std::string_view password);

}  // namespace ocrchat::web
