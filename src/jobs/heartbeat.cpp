// The heartbeat's thread: wait a third of the lease, renew, until released.
#include "jobs/heartbeat.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace ocrchat::jobs {

Heartbeat::Heartbeat(store::Location location, store::WorkerId worker, int64_t lease_ms)
    : location_(std::move(location)), worker_(std::move(worker)), lease_ms_(lease_ms) {
  thread_ = std::thread([this] { Run(); });
}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Heartbeat::Hold(const store::Task& task, int64_t limit_ms) {
  {
    std::lock_guard lock(mutex_);
    task_ = task;
    limit_ = Clock::now() + std::chrono::milliseconds(limit_ms);
    ++held_;
  }
  changed_.notify_all();
}

void Heartbeat::Release() {
  {
    std::lock_guard lock(mutex_);
    task_.reset();
  }
  changed_.notify_all();
}

void Heartbeat::Run() {
  std::unique_ptr<store::Store> store;
  const auto interval = std::chrono::milliseconds(std::max<int64_t>(1, lease_ms_ / 3));
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!task_) {
      changed_.wait(lock, [&] { return stop_ || task_.has_value(); });
      continue;
    }
    // Renew a third of a lease from now, unless the task changes first.
    const uint64_t held = held_;
    if (changed_.wait_for(lock, interval, [&] { return stop_ || held_ != held || !task_; }))
      continue;
    const int64_t left_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(limit_ - Clock::now()).count();
    if (left_ms <= 0) {
      // Past the time limit: the lease is left to run out.
      changed_.wait(lock, [&] { return stop_ || held_ != held || !task_; });
      continue;
    }
    const store::Task task = *task_;
    lock.unlock();
    bool kept = true;
    try {
      if (!store) {
        auto opened = store::OpenStore(location_);
        if (!opened) throw std::runtime_error(opened.error().message);
        store = std::move(*opened);
      }
      kept = store->RenewLease(worker_, task, std::min(lease_ms_, left_ms));
    } catch (const std::exception& e) {
      // The database is away: try again at the next beat, while the lease lasts.
      std::cerr << "worker " << worker_.pid << ": cannot renew a lease: " << e.what() << "\n";
    }
    lock.lock();
    if (!kept && held_ == held && task_) {
      // Another worker may have it now; whichever stores the page first
      // stores and charges it, once.
      std::cerr << "worker " << worker_.pid << ": lost the lease of its task of job "
                << task.job_uuid << "\n";
      changed_.wait(lock, [&] { return stop_ || held_ != held || !task_; });
    }
  }
}

}  // namespace ocrchat::jobs
