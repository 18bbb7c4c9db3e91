// The job object against a real (SQLite) store.
#include "jobs/job_object.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/crypto.h"

namespace ocrchat::jobs {
namespace {

namespace fs = std::filesystem;

core::Page OnePage(int index, const std::string& word) {
  core::Page page;
  page.index = index;
  page.width = 100;
  page.height = 200;
  core::Line line;
  line.words.push_back(core::Word{word, core::Box{1, 2, 30, 12}, 0.9f});
  line.bbox = core::Box{1, 2, 30, 12};
  core::Block block;
  block.lines.push_back(line);
  block.bbox = line.bbox;
  page.blocks.push_back(block);
  return page;
}

class JobJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    location_.data_dir =
        (fs::temp_directory_path() / ("ocrchat-job-object-" + core::RandomHex(8))).string();
    auto opened = store::OpenStore(location_);
    ASSERT_TRUE(opened.has_value());
    store_ = std::move(*opened);
    job_.uuid = core::NewUuid();
    job_.client_ip = "192.0.2.7";
    job_.plan = "anonymous";
    job_.tier = job_.price_tier = "cpu";
    job_.language = "auto";
    job_.filename = "scan.pdf";
    job_.format = "pdf";
    job_.pages = {0, 1, 2};
    job_.upload = "%PDF-1.7 upload bytes";
    ASSERT_TRUE(
        store_->AcceptJob(job_, store::Caller{std::nullopt, job_.client_ip}, {}).has_value());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(location_.data_dir);
  }

  void FinishOnePage(int index) {
    std::optional<store::Task> task = store_->ClaimTask(store::WorkerId{"node-a", 1}, 60000);
    ASSERT_TRUE(task);
    ASSERT_EQ(task->index, index);
    ASSERT_TRUE(store_->CompletePage(*task, OnePage(index, "word"), "").has_value());
  }

  store::Location location_;
  std::unique_ptr<store::Store> store_;
  store::NewJob job_;
};

// A handler reads the row, then a worker finishes a page, then the pages are
// read: the object still counts what it lists.
TEST_F(JobJsonTest, PagesDoneCountsThePagesListedWhenAPageFinishesBetweenTheReads) {
  FinishOnePage(0);
  std::optional<store::JobRow> row = store_->GetJob(job_.uuid);
  ASSERT_TRUE(row);
  ASSERT_EQ(row->pages_done, 1);
  FinishOnePage(1);
  nlohmann::json object = JobJson(*store_, *row);
  EXPECT_EQ(object["pages"].size(), 2u);
  EXPECT_EQ(object["pages_done"], 2);
  EXPECT_EQ(object["page_count"], 3);
}

}  // namespace
}  // namespace ocrchat::jobs
