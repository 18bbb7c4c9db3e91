// LoginLimiter: how many sign-in attempts an IP and an email address may
// make in a sliding window. Kept in the serving process's memory (each API
// node counts its own). Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ocrchat::web {

struct LoginLimits {
  int per_email = 5;                   // failed attempts on one address
  int per_ip = 20;                     // failed attempts from one IP, any address
  int64_t window_ms = 15 * 60 * 1000;  // how long an attempt counts
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {}) : limits_(limits) {}

  // Admits an attempt and counts it as failed until Succeeded says
  // otherwise; nullopt when admitted. When the IP or the address has used up
  // its attempts: nothing is counted, and the milliseconds until the next
  // one is admitted.
  std::optional<int64_t> Admit(const std::string& ip, const std::string& email, int64_t now_ms);
  // The attempt admitted last for this pair was right: the address's
  // failures are forgotten, and the IP's count loses that attempt.
  void Succeeded(const std::string& ip, const std::string& email);

 private:
  using Times = std::deque<int64_t>;
  // Drops the times older than the window; the wait while `limit` are left.
  int64_t WaitFor(Times& times, int limit, int64_t now_ms) const;
  void Sweep(int64_t now_ms);

  const LoginLimits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Times> attempts_;  // "ip:..." | "email:..."; guarded by mutex_
  int64_t admitted_ = 0;                             // guarded by mutex_
};

}  // namespace ocrchat::web
