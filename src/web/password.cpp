// Argon2id through libsodium.
#include "web/password.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace ocrchat::web {
namespace {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  });
}

}  // namespace

core::Result<std::string> HashPassword(std::string_view password) {
  InitSodium();
  char encoded[crypto_pwhash_STRBYTES];
  // The interactive limits: 64 MiB and two passes, about 0.1 s a hash.
  if (crypto_pwhash_str_alg(encoded, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return core::Fail(core::ErrorCode::kInternal, "the password could not be hashed",
                      "crypto_pwhash_str_alg: out of memory");
  return std::string(encoded);
}

bool VerifyPassword(const std::string& encoded, std::string_view password) {
  InitSodium();
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

}  // namespace ocrchat::web
