// The heartbeat against a real (SQLite) store: it keeps a held task's lease
// alive, lets it run out once released, and stops renewing at the task's
// time limit. Every wait is for a condition, with a generous deadline.
#include "jobs/heartbeat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/crypto.h"

namespace ocrchat::jobs {
namespace {

namespace fs = std::filesystem;

const store::WorkerId kWorker{"node-a", 4};

class HeartbeatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    location_.data_dir =
        (fs::temp_directory_path() / ("ocrchat-beat-" + core::RandomHex(8))).string();
    auto opened = store::OpenStore(location_);
    ASSERT_TRUE(opened.has_value());
    store_ = std::move(*opened);
    store::NewJob job;
    job.uuid = core::NewUuid();
    job.client_ip = "192.0.2.7";
    job.plan = "anonymous";
    job.tier = job.price_tier = "cpu";
    job.language = "auto";
    job.filename = "scan.png";
    job.format = "png";
    job.pages = {0};
    job.upload = "bytes";
    ASSERT_TRUE(store_->AcceptJob(job, store::Caller{std::nullopt, job.client_ip}, {}).has_value());
    // Claimed with a lease that has run out already.
    std::optional<store::Task> task = store_->ClaimTask(kWorker, -1);
    ASSERT_TRUE(task);
    task_ = *task;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(location_.data_dir);
  }

  bool Overdue() { return !store_->OverdueWorkers().empty(); }

  // Whether `condition` held within a minute.
  static bool Within(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  store::Location location_;
  std::unique_ptr<store::Store> store_;
  store::Task task_;
};

TEST_F(HeartbeatTest, KeepsAHeldTaskAndLetsItGoWhenReleased) {
  ASSERT_TRUE(Overdue());
  Heartbeat heartbeat(location_, kWorker, /*lease_ms=*/300);
  heartbeat.Hold(task_, /*limit_ms=*/600000);
  EXPECT_TRUE(Within([&] { return !Overdue(); })) << "the lease was never renewed";
  heartbeat.Release();
  EXPECT_TRUE(Within([&] { return Overdue(); })) << "renewed after it was released";
}

TEST_F(HeartbeatTest, StopsRenewingAtTheTimeLimit) {
  Heartbeat heartbeat(location_, kWorker, /*lease_ms=*/300);
  heartbeat.Hold(task_, /*limit_ms=*/3000);
  EXPECT_TRUE(Within([&] { return !Overdue(); })) << "the lease was never renewed";
  // Still held, but past its limit: the lease runs out, as a stuck worker's does.
  EXPECT_TRUE(Within([&] { return Overdue(); })) << "renewed past the time limit";
}

TEST_F(HeartbeatTest, TheFirstLeaseIsTheShorterOfLeaseAndLimit) {
  Heartbeat heartbeat(location_, kWorker, 30000);
  EXPECT_EQ(heartbeat.FirstLease(125000), 30000);
  EXPECT_EQ(heartbeat.FirstLease(8000), 8000);
}

}  // namespace
}  // namespace ocrchat::jobs
