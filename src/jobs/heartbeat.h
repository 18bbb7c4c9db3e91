// The heartbeat of a worker thread: while it carries out a task, a thread
// of its own (with a store of its own) renews the task's lease every third
// of the lease, so that a page that takes longer than the lease stays with
// its live worker, while a dead worker's lease runs out within one lease.
// Renewal stops at the task's time limit: a worker stuck past it lets its
// lease run out and is dealt with as before (killed, or taken for dead).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "store/store.h"

namespace ocrchat::jobs {

class Heartbeat {
 public:
  // Renews leases for `worker` to lease_ms ahead; its store is opened at
  // `location` on the heartbeat's thread, when first needed.
  Heartbeat(store::Location location, store::WorkerId worker, int64_t lease_ms);
  ~Heartbeat();  // stops the thread
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // Starts renewing `task`, claimed now, until Release, but never past
  // `limit_ms` from now (the task's time limit): the lease ends there at
  // the latest.
  void Hold(const store::Task& task, int64_t limit_ms);
  // Stops renewing: the task is done (or given up).
  void Release();
  // The lease to claim a task with: the lease, or the time limit when
  // that is shorter.
  int64_t FirstLease(int64_t limit_ms) const { return std::min(lease_ms_, limit_ms); }

 private:
  using Clock = std::chrono::steady_clock;
  void Run();

  const store::Location location_;
  const store::WorkerId worker_;
  const int64_t lease_ms_;
  std::mutex mutex_;
  std::condition_variable changed_;
  // Guarded by mutex_: the task held, when its renewals end, and a count
  // of Hold calls (so that a renewal knows its task is still the one held).
  std::optional<store::Task> task_;
  Clock::time_point limit_;
  uint64_t held_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

// Holds a task for the scope: Hold on construction, Release at the end.
class Holding {
 public:
  Holding(Heartbeat& heartbeat, const store::Task& task, int64_t limit_ms) : heartbeat_(heartbeat) {
    heartbeat_.Hold(task, limit_ms);
  }
  ~Holding() { heartbeat_.Release(); }
  Holding(const Holding&) = delete;
  Holding& operator=(const Holding&) = delete;

 private:
  Heartbeat& heartbeat_;
};

}  // namespace ocrchat::jobs
