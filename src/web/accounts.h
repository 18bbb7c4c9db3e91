// web: accounts in the browser. Sign-up with an email address and a
// password, sign-in (rate-limited), sessions and their CSRF tokens. Plain
// functions over the store; the HTTP routes (api/web_routes.cpp) only read
// forms and cookies and call these.
//
// A session is a random 256-bit value in an HttpOnly cookie; the store
// keeps its SHA-256 only. Each session has its own CSRF token, which every
// request that changes something sends back (a form field, or the
// X-CSRF-Token header from the page's scripts). Forms shown before there is
// a session (sign-up, sign-in) use a random value in a cookie of their own,
// repeated in the form.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"
#include "web/login_limiter.h"

namespace ocrchat::web {

inline constexpr int64_t kSessionTtlMs = 14LL * 24 * 3600 * 1000;
inline constexpr size_t kMinPasswordBytes = 8;
inline constexpr size_t kMaxPasswordBytes = 1024;

// The address as the account's name: trimmed, lowercased. kInvalidParameter
// unless it looks like name@domain.tld.
core::Result<std::string> NormalizeEmail(std::string_view email);
// kInvalidParameter when the password is too short or too long.
core::Status CheckPassword(std::string_view password);

// Creates a free account named by the address, with the password's hash.
// kConflict when the address has an account already.
core::Result<store::Account> SignUp(store::Store& store, std::string_view email,
                                    std::string_view password);
// Gives an existing account (any name) a new password; its sessions end.
core::Status SetPassword(store::Store& store, const std::string& name, std::string_view password);

// Why a sign-in was refused.
struct LoginRefusal {
  bool rate_limited = false;  // too many attempts: try again in retry_after_s
  int64_t retry_after_s = 0;
  std::string message;
};

// Checks the address and password; wrong ones, an unknown address and an
// account without a password are refused alike (and take as long).
std::expected<store::Account, LoginRefusal> CheckLogin(store::Store& store, LoginLimiter& limiter,
                                                       const std::string& ip,
                                                       std::string_view email,
                                                       std::string_view password, int64_t now_ms);

struct NewSession {
  std::string cookie;  // the session cookie's value, shown only here
  std::string csrf_token;
  int64_t expires_at_ms = 0;
};
core::Result<NewSession> StartSession(store::Store& store, int64_t account_id, int64_t now_ms);
// The live session of a cookie value; nullopt for none, unknown or expired.
std::optional<store::WebSession> SessionOf(store::Store& store, std::string_view cookie);
void EndSession(store::Store& store, std::string_view cookie);

// A fresh random token (the pre-session form token).
std::string NewCsrfToken();
// Whether `sent` is the expected token; never for an empty one.
bool CsrfMatches(std::string_view expected, std::string_view sent);

}  // namespace ocrchat::web
