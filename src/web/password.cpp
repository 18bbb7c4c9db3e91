// Argon2id through libsodium.
#include "web/password.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <thread>

namespace ocrchat::web {
namespace {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  });
}

// Each hash holds 64 MiB for its tenth of a second: at most one per core
// at once, so that a burst of sign-ins cannot take the server's memory.
class HashSlot {
 public:
  HashSlot() { Slots().acquire(); }
  ~HashSlot() { Slots().release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;

 private:
  static std::counting_semaphore<64>& Slots() {
    static std::counting_semaphore<64> slots(
        std::clamp<std::ptrdiff_t>(std::thread::hardware_concurrency(), 1, 64));
    return slots;
  }
};

}  // namespace

core::Result<std::string> HashPassword(std::string_view password) {
  InitSodium();
  HashSlot slot;
  char encoded[crypto_pwhash_STRBYTES];
  // The interactive limits: 64 MiB and two passes, about 0.1 s a hash.
  if (crypto_pwhash_str_alg(encoded, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return core::Fail(core::ErrorCode::kInternal, "the password could not be hashed",
                      "crypto_pwhash_str_alg: out of memory");
  return std::string(encoded);
}

bool VerifyPassword(const std::string& encoded, std::string_view password) {
  InitSodium();
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  HashSlot slot;
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

}  // namespace ocrchat::web
