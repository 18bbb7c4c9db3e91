// Sign-up, sign-in and sessions.
#include "web/accounts.h"

#include <algorithm>
#include <cctype>

#include "core/crypto.h"
#include "web/password.h"

namespace ocrchat::web {
namespace {

using core::ErrorCode;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A hash of a password nobody has, checked when the address is unknown, so
// that an unknown address takes as long as a wrong password.
const std::string& DecoyHash() {
  static const std::string decoy = HashPassword(core::RandomHex(16)).value_or("");
  return decoy;
}

}  // namespace

core::Result<std::string> NormalizeEmail(std::string_view email) {
  std::string out(Trim(email));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t at = out.find('@');
  const bool well_formed =
      !out.empty() && out.size() <= 254 && at != std::string::npos && at > 0 &&
      out.find('@', at + 1) == std::string::npos && out.find('.', at + 2) != std::string::npos &&
      out.back() != '.' && std::none_of(out.begin(), out.end(), [](unsigned char c) {
        return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',';
      });
  if (!well_formed)
    return core::Fail(ErrorCode::kInvalidParameter,
                      "enter an email address such as name@example.com");
  return out;
}

core::Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPasswordBytes)
    return core::Fail(
        ErrorCode::kInvalidParameter,
        "the password must have at least " + std::to_string(kMinPasswordBytes) + " characters");
  if (password.size() > kMaxPasswordBytes)
    return core::Fail(
        ErrorCode::kInvalidParameter,
        "the password must have at most " + std::to_string(kMaxPasswordBytes) + " characters");
  return {};
}

core::Result<store::Account> SignUp(store::Store& store, std::string_view email,
                                    std::string_view password) {
  auto name = NormalizeEmail(email);
  if (!name) return std::unexpected(name.error());
  if (auto ok = CheckPassword(password); !ok) return std::unexpected(ok.error());
  auto hash = HashPassword(password);
  if (!hash) return std::unexpected(hash.error());
  auto account = store.CreateAccount(*name, "free");
  if (!account) {
    if (account.error().code == ErrorCode::kConflict)
      return core::Fail(ErrorCode::kConflict,
                        "an account with this address exists already: sign in instead");
    return account;
  }
  if (auto set = store.SetPasswordHash(*name, *hash); !set) return std::unexpected(set.error());
  return account;
}

core::Status SetPassword(store::Store& store, const std::string& name, std::string_view password) {
  if (auto ok = CheckPassword(password); !ok) return ok;
  auto hash = HashPassword(password);
  if (!hash) return std::unexpected(hash.error());
  return store.SetPasswordHash(name, *hash);
}

std::expected<store::Account, LoginRefusal> CheckLogin(store::Store& store, LoginLimiter& limiter,
                                                       const std::string& ip,
                                                       std::string_view email,
                                                       std::string_view password, int64_t now_ms) {
  // Names made on the command line need not be addresses: an exact name
  // is tried before the address's normal form.
  std::string typed(Trim(email));
  std::string key = NormalizeEmail(typed).value_or(typed);
  if (std::optional<int64_t> wait = limiter.Admit(ip, key, now_ms)) {
    int64_t seconds = (*wait + 999) / 1000;
    return std::unexpected(LoginRefusal{true, seconds,
                                        "too many sign-in attempts: try again in " +
                                            std::to_string((seconds + 59) / 60) + " minute" +
                                            (seconds > 60 ? "s" : "")});
  }
  auto found = store.PasswordHashOf(typed);
  if (!found && key != typed) found = store.PasswordHashOf(key);
  const bool right = found ? VerifyPassword(found->second, password)
                           : (VerifyPassword(DecoyHash(), password), false);
  if (!right) return std::unexpected(LoginRefusal{false, 0, "wrong email address or password"});
  limiter.Succeeded(ip, key);
  return found->first;
}

core::Result<NewSession> StartSession(store::Store& store, int64_t account_id, int64_t now_ms) {
  NewSession session{core::RandomHex(32), core::RandomHex(32), now_ms + kSessionTtlMs};
  auto stored = store.CreateSession(account_id, core::Sha256Hex(session.cookie), session.csrf_token,
                                    session.expires_at_ms);
  if (!stored) return std::unexpected(stored.error());
  return session;
}

std::optional<store::WebSession> SessionOf(store::Store& store, std::string_view cookie) {
  if (cookie.size() != 64) return std::nullopt;
  return store.FindSession(core::Sha256Hex(cookie));
}

void EndSession(store::Store& store, std::string_view cookie) {
  if (!cookie.empty()) store.DeleteSession(core::Sha256Hex(cookie));
}

std::string NewCsrfToken() { return core::RandomHex(32); }

bool CsrfMatches(std::string_view expected, std::string_view sent) {
  return !expected.empty() && core::ConstantTimeEquals(expected, sent);
}

}  // namespace ocrchat::web
