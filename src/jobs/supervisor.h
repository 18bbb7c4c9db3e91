// The supervisor: starts the worker processes, replaces any that dies,
// kills any that overruns its page lease, returns their tasks to the queue
// (or fails the job after a second try), and deletes expired results.
// Runs on its own thread inside `serve`; the webhook sender runs on another
// beside it.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <sys/types.h>
#include <thread>

#include "jobs/config.h"
#include "jobs/webhook_sender.h"

namespace ocrchat::jobs {

class Supervisor {
 public:
  explicit Supervisor(Config config);
  ~Supervisor();  // stops and kills the workers
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Requeues tasks left running by a previous run, then starts workers
  // and the webhook sender.
  void Start();
  void Stop();
  std::set<pid_t> Workers() const;
  int Restarts() const { return restarts_.load(); }

 private:
  void Loop();
  pid_t Spawn();

  Config config_;
  std::atomic<bool> stop_{false};
  std::atomic<int> restarts_{0};
  mutable std::mutex mutex_;
  std::set<pid_t> workers_;  // guarded by mutex_
  std::set<pid_t> killed_for_time_;  // loop thread only
  std::thread thread_;
  WebhookSender webhooks_;
};

}  // namespace ocrchat::jobs
