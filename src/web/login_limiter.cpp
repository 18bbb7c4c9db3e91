// Sliding-window counts of failed sign-ins.
#include "web/login_limiter.h"

#include <algorithm>

namespace ocrchat::web {

int64_t LoginLimiter::WaitFor(Times& times, int limit, int64_t now_ms) const {
  while (!times.empty() && times.front() <= now_ms - limits_.window_ms) times.pop_front();
  if (static_cast<int>(times.size()) < limit) return 0;
  // Admitted again when the oldest attempts that fill the limit age out.
  const int64_t oldest = times[times.size() - static_cast<size_t>(limit)];
  return std::max<int64_t>(1, oldest + limits_.window_ms - now_ms);
}

std::optional<int64_t> LoginLimiter::Admit(const std::string& ip, const std::string& email,
                                           int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (++admitted_ % 1024 == 0) Sweep(now_ms);
  Times& by_ip = attempts_["ip:" + ip];
  Times& by_email = attempts_["email:" + email];
  int64_t wait = std::max(WaitFor(by_ip, limits_.per_ip, now_ms),
                          WaitFor(by_email, limits_.per_email, now_ms));
  if (wait > 0) return wait;
  by_ip.push_back(now_ms);
  by_email.push_back(now_ms);
  return std::nullopt;
}

void LoginLimiter::Succeeded(const std::string& ip, const std::string& email) {
  std::lock_guard lock(mutex_);
  attempts_.erase("email:" + email);
  auto it = attempts_.find("ip:" + ip);
  if (it != attempts_.end() && !it->second.empty()) it->second.pop_back();
}

void LoginLimiter::Sweep(int64_t now_ms) {
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    if (it->second.empty() || it->second.back() <= now_ms - limits_.window_ms)
      it = attempts_.erase(it);
    else
      ++it;
  }
}

}  // namespace ocrchat::web
