// Tests of the stores, each run against SQLite and PostgreSQL: accounts and
// tokens, metering, the page queue across connections and processes, job
// lifecycle, expiry and chat.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "store/postgres.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "store/test_postgres.h"

namespace ocrchat::store {
namespace {

namespace fs = std::filesystem;

// The node the tests' workers run on.
const std::string kNode = "node-a";
WorkerId Worker(int pid) { return WorkerId{kNode, pid}; }

bool IsPostgres() { return ::testing::TestWithParam<std::string>::GetParam() == "postgres"; }

// Each test has a store of its own: a fresh SQLite folder, or a fresh
// database on the test run's PostgreSQL cluster.
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("ocrchat-store-" + core::RandomHex(8))).string();
    location_.data_dir = dir_;
    fs::create_directories(dir_);
    if (IsPostgres()) {
      location_.db_url = TestPostgres::Get().CreateDatabase();
      ASSERT_FALSE(location_.db_url.empty()) << "PostgreSQL test cluster";
    }
    store_ = Open();
  }
  void TearDown() override {
    store_.reset();
    if (IsPostgres()) TestPostgres::Get().DropDatabase(location_.db_url);
    fs::remove_all(dir_);
  }

  std::unique_ptr<Store> Open() {
    auto opened = OpenStore(location_);
    EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error().detail);
    return opened ? std::move(*opened) : nullptr;
  }

  static NewJob MakeJob(int pages, const std::string& plan = "anonymous",
                        std::optional<int64_t> account_id = std::nullopt,
                        const std::string& tier = "cpu") {
    NewJob job;
    job.uuid = core::NewUuid();
    job.account_id = account_id;
    job.client_ip = "192.0.2.7";
    job.plan = plan;
    job.tier = tier;
    job.price_tier = tier;
    job.language = "auto";
    job.filename = "scan.pdf";
    job.format = "pdf";
    job.recipe_json = R"({"dpi":300})";
    for (int i = 0; i < pages; ++i) job.pages.push_back(i);
    job.upload = "%PDF-1.7 upload bytes";
    return job;
  }

  static Caller Anonymous(const std::string& ip = "192.0.2.7") { return Caller{std::nullopt, ip}; }
  static Caller Of(const Account& account) { return Caller{account, "192.0.2.7"}; }

  static core::Page MakePage(int index, const std::string& word) {
    core::Page page;
    page.index = index;
    page.width = 100;
    page.height = 200;
    core::Block block;
    core::Line line;
    line.words.push_back(core::Word{word, core::Box{1, 2, 30, 12}, 0.9f});
    line.bbox = core::Box{1, 2, 30, 12};
    block.lines.push_back(line);
    block.bbox = line.bbox;
    page.blocks.push_back(block);
    return page;
  }

  Account MakeAccount(const std::string& name, const std::string& plan, int64_t credits = 0) {
    auto account = store_->CreateAccount(name, plan);
    EXPECT_TRUE(account.has_value());
    if (credits) {
      EXPECT_TRUE(store_->AddCredits(name, credits).has_value());
    }
    return *store_->FindAccount(name);
  }

  // Accepts, claims every page and completes it; leaves the assembly queued.
  void RunPages(const NewJob& job) {
    ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
    for (size_t i = 0; i < job.pages.size(); ++i) {
      std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
      ASSERT_TRUE(task);
      ASSERT_TRUE(store_->CompletePage(*task, MakePage(task->index, "w"), "img").has_value());
    }
  }

  int64_t CountRows(const std::string& table) {
    if (IsPostgres())
      return std::stoll(TestPostgres::Query(location_.db_url, "SELECT COUNT(*) FROM " + table));
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ + "/ocrchat.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT COUNT(*) FROM " + table;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  // Runs SQL on the database behind the store's back (to age rows).
  void ExecSql(const std::string& sql) {
    if (IsPostgres()) {
      TestPostgres::Query(location_.db_url, sql);
      return;
    }
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ + "/ocrchat.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  static NewJob Keyed(NewJob job, const std::string& scope, const std::string& key,
                      const std::string& fingerprint = "fp") {
    job.idempotency_key = IdempotencyKey{scope, key, fingerprint};
    return job;
  }

  static NewJob Hooked(NewJob job, const std::string& url = "https://hooks.example.com/ocr") {
    job.webhook_url = url;
    return job;
  }

  // Runs a job to its end: done, or failed.
  void Finish(const NewJob& job, const Caller& caller, bool fail = false) {
    ASSERT_TRUE(store_->AcceptJob(job, caller, allowance_).has_value());
    if (fail) {
      ASSERT_TRUE(store_->FailJob(job.uuid, core::MakeError(core::ErrorCode::kCorrupt, "bad")));
      return;
    }
    for (size_t i = 0; i < job.pages.size(); ++i) {
      std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
      ASSERT_TRUE(task);
      ASSERT_TRUE(store_->CompletePage(*task, MakePage(task->index, "w"), "img").has_value());
    }
    std::optional<Task> assembly = store_->ClaimTask(Worker(1), 60000);
    ASSERT_TRUE(assembly);
    ASSERT_TRUE(store_->FinishJob(*assembly, "en", {}, {}).has_value());
  }

  // Everything the database holds about tokens and accounts, as bytes.
  std::string StoredBytes() {
    if (IsPostgres())
      return TestPostgres::Query(location_.db_url,
                                 "SELECT string_agg(t::text, ' ') FROM tokens t") +
             TestPostgres::Query(location_.db_url,
                                 "SELECT string_agg(a::text, ' ') FROM accounts a");
    std::string bytes;
    for (const char* name : {"/ocrchat.db", "/ocrchat.db-wal"}) {
      std::ifstream in(dir_ + name, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), {});
    }
    return bytes;
  }

  std::string dir_;
  Location location_;
  std::unique_ptr<Store> store_;
  Allowance allowance_;
};

// ---- accounts and tokens ----------------------------------------------------

TEST_P(StoreTest, AccountsPlansAndCredits) {
  Account alice = MakeAccount("alice", "free");
  EXPECT_EQ(alice.plan, "free");
  EXPECT_EQ(alice.credits, 0);
  EXPECT_FALSE(alice.created_at.empty());
  EXPECT_FALSE(store_->CreateAccount("alice", "free").has_value());
  EXPECT_EQ(store_->CreateAccount("bob", "gold").error().code,
            core::ErrorCode::kInvalidParameter);
  EXPECT_EQ(store_->FindAccount("nobody").error().code, core::ErrorCode::kNotFound);

  ASSERT_TRUE(store_->SetPlan("alice", "paid").has_value());
  ASSERT_TRUE(store_->AddCredits("alice", 100).has_value());
  ASSERT_TRUE(store_->AddCredits("alice", 5).has_value());
  Account again = *store_->FindAccount("alice");
  EXPECT_EQ(again.id, alice.id);
  EXPECT_EQ(again.plan, "paid");
  EXPECT_EQ(again.credits, 105);
  EXPECT_EQ(store_->SetPlan("nobody", "paid").error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->AddCredits("nobody", 1).error().code, core::ErrorCode::kNotFound);

  MakeAccount("bob", "free");
  std::vector<Account> accounts = store_->ListAccounts();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].name, "alice");
  EXPECT_EQ(accounts[1].name, "bob");
}

TEST_P(StoreTest, TokensAreStoredOnlyAsHashes) {
  Account alice = MakeAccount("alice", "free");
  auto token = store_->CreateToken("alice");
  ASSERT_TRUE(token.has_value());
  EXPECT_TRUE(token->starts_with("oc_"));
  EXPECT_EQ(token->size(), 3u + 32u);
  std::optional<Account> who = store_->Authenticate(*token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->id, alice.id);

  std::string bytes = StoredBytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(*token), std::string::npos);
  EXPECT_EQ(bytes.find(token->substr(3)), std::string::npos);
  EXPECT_NE(bytes.find(core::Sha256Hex(*token)), std::string::npos);
  EXPECT_EQ(store_->CreateToken("nobody").error().code, core::ErrorCode::kNotFound);
}

TEST_P(StoreTest, RevokedAndUnknownTokensFail) {
  MakeAccount("alice", "free");
  std::string token = *store_->CreateToken("alice");
  std::string other = *store_->CreateToken("alice");
  EXPECT_NE(token, other);
  ASSERT_TRUE(store_->RevokeToken(token).has_value());
  EXPECT_FALSE(store_->Authenticate(token));
  EXPECT_TRUE(store_->Authenticate(other));
  EXPECT_TRUE(store_->RevokeToken(token).has_value());  // twice is harmless
  EXPECT_FALSE(store_->Authenticate(token));
  EXPECT_FALSE(store_->Authenticate("oc_0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(store_->Authenticate(""));
  EXPECT_EQ(store_->RevokeToken("oc_unknown").error().code, core::ErrorCode::kNotFound);
}

// ---- metering ---------------------------------------------------------------

TEST_P(StoreTest, AnonymousDailyAllowance) {
  allowance_.anonymous_pages_per_file = 10;
  EXPECT_TRUE(store_->AcceptJob(MakeJob(8), Anonymous(), allowance_).has_value());
  EXPECT_TRUE(store_->AcceptJob(MakeJob(8), Anonymous(), allowance_).has_value());
  auto third = store_->AcceptJob(MakeJob(8), Anonymous(), allowance_);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().used, 16);
  EXPECT_EQ(third.error().cap, 20);
  EXPECT_EQ(third.error().period, "day");
  EXPECT_NE(third.error().message.find("4 of 20"), std::string::npos) << third.error().message;
  // Another IP has its own allowance; four more pages still fit here.
  EXPECT_TRUE(store_->AcceptJob(MakeJob(8), Anonymous("198.51.100.1"), allowance_).has_value());
  EXPECT_TRUE(store_->AcceptJob(MakeJob(4), Anonymous(), allowance_).has_value());
  auto full = store_->AcceptJob(MakeJob(1), Anonymous(), allowance_);
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().message,
            "daily page allowance used up: 20 of 20 pages today; sign up for an account or try "
            "again tomorrow");

  Usage usage = store_->UsageOf(Anonymous(), allowance_);
  EXPECT_EQ(usage.plan, "anonymous");
  EXPECT_EQ(usage.period, "day");
  EXPECT_EQ(usage.used, 20);
  EXPECT_EQ(usage.cap, 20);
  EXPECT_EQ(usage.balance, 0);
}

TEST_P(StoreTest, PerFileCap) {
  auto refused = store_->AcceptJob(MakeJob(12), Anonymous(), allowance_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().period, "file");
  EXPECT_EQ(refused.error().used, 12);
  EXPECT_EQ(refused.error().cap, 10);
  EXPECT_EQ(refused.error().message,
            "this file has 12 pages; the anonymous plan allows 10 pages per file");
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 0);

  Account free = MakeAccount("alice", "free");
  EXPECT_TRUE(store_->AcceptJob(MakeJob(12, "free", free.id), Of(free), allowance_).has_value());
  auto big = store_->AcceptJob(MakeJob(51, "free", free.id), Of(free), allowance_);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().cap, 50);
}

TEST_P(StoreTest, FreeMonthlyAllowance) {
  allowance_.free_pages_per_month = 30;
  Account free = MakeAccount("alice", "free");
  EXPECT_TRUE(store_->AcceptJob(MakeJob(25, "free", free.id), Of(free), allowance_).has_value());
  auto refused = store_->AcceptJob(MakeJob(6, "free", free.id), Of(free), allowance_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().period, "month");
  EXPECT_EQ(refused.error().used, 25);
  EXPECT_EQ(refused.error().cap, 30);
  Usage usage = store_->UsageOf(Of(free), allowance_);
  EXPECT_EQ(usage.period, "month");
  EXPECT_EQ(usage.used, 25);
  EXPECT_EQ(usage.balance, 5);
  // The account's pages are its own, not its IP's.
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 0);
}

TEST_P(StoreTest, PaidCreditsByTier) {
  Account paid = MakeAccount("carol", "paid", 12);
  NewJob vlm = MakeJob(2, "paid", paid.id, "vlm");
  ASSERT_TRUE(store_->AcceptJob(vlm, Of(paid), allowance_).has_value());
  EXPECT_EQ(store_->FindAccount("carol")->credits, 2);
  Usage usage = store_->UsageOf(Of(paid), allowance_);
  EXPECT_EQ(usage.period, "credits");
  EXPECT_EQ(usage.used, 10);
  EXPECT_EQ(usage.balance, 2);
  EXPECT_EQ(usage.cap, 12);

  auto refused = store_->AcceptJob(MakeJob(1, "paid", paid.id, "vlm"), Of(paid), allowance_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().period, "credits");
  EXPECT_EQ(refused.error().used, 10);
  EXPECT_EQ(refused.error().cap, 12);
  EXPECT_TRUE(
      store_->AcceptJob(MakeJob(1, "paid", paid.id, "cpu"), Of(paid), allowance_).has_value());
  EXPECT_EQ(store_->FindAccount("carol")->credits, 1);

  // One vlm page done (5 charged), then the job fails: 5 go back.
  std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
  ASSERT_TRUE(task);
  ASSERT_EQ(task->job_uuid, vlm.uuid);
  core::Page read = MakePage(0, "a");
  read.source = core::TextSource::kVlm;  // the model read it: the vlm price
  ASSERT_TRUE(store_->CompletePage(*task, read, "").has_value());
  ASSERT_TRUE(
      store_->FailJob(vlm.uuid, core::MakeError(core::ErrorCode::kCorrupt, "bad")).has_value());
  EXPECT_EQ(store_->FindAccount("carol")->credits, 6);
  usage = store_->UsageOf(Of(paid), allowance_);
  EXPECT_EQ(usage.used, 6);  // 5 spent + 1 reserved by the cpu job
  EXPECT_EQ(usage.cap, 12);
}

TEST_P(StoreTest, PageIsChargedOnce) {
  NewJob job = MakeJob(3);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->index, 0);
  ASSERT_TRUE(store_->CompletePage(*task, MakePage(0, "first"), "img0").has_value());
  ASSERT_TRUE(store_->CompletePage(*task, MakePage(0, "second"), "img1").has_value());
  EXPECT_EQ(store_->GetJob(job.uuid)->pages_done, 1);
  std::vector<core::Page> pages = store_->PagesOf(job.uuid);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].Text(), "first");
  EXPECT_EQ(store_->PdfImageOf(job.uuid, 0), "img0");
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 3);
  ASSERT_TRUE(
      store_->FailJob(job.uuid, core::MakeError(core::ErrorCode::kTimeout, "slow")).has_value());
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 1);
  EXPECT_EQ(store_->GetStats().pages_done_total, 1);
}

TEST_P(StoreTest, CompletePageNeedsARunningTask) {
  NewJob job = MakeJob(2);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  Task queued{job.uuid, 1, 1, 0, "", "pdf"};
  EXPECT_EQ(store_->CompletePage(queued, MakePage(1, "x"), "").error().code,
            core::ErrorCode::kConflict);
  Task unknown{"nope", 0, 0, 1, "", "pdf"};
  EXPECT_EQ(store_->CompletePage(unknown, MakePage(0, "x"), "").error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetJob(job.uuid)->pages_done, 0);
}

TEST_P(StoreTest, ReleaseWorkerRequeuesThenFails) {
  NewJob job = MakeJob(2);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  core::Error crash = core::MakeError(core::ErrorCode::kWorkerCrashed, "the worker crashed");

  std::optional<Task> first = store_->ClaimTask(Worker(7), 60000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->attempts, 1);
  std::vector<Task> released = store_->ReleaseWorker(Worker(7), crash, true);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].index, 0);
  EXPECT_EQ(store_->GetJob(job.uuid)->status, "processing");
  EXPECT_TRUE(store_->ReleaseWorker(Worker(7), crash, true).empty());

  std::optional<Task> second = store_->ClaimTask(Worker(8), 60000);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->index, 0);
  EXPECT_EQ(second->attempts, 2);
  ASSERT_EQ(store_->ReleaseWorker(Worker(8), crash, true).size(), 1u);
  std::optional<JobRow> failed = store_->GetJob(job.uuid);
  EXPECT_EQ(failed->status, "failed");
  ASSERT_TRUE(failed->error);
  EXPECT_EQ(failed->error->code, core::ErrorCode::kWorkerCrashed);
  EXPECT_EQ(failed->error->message, "page 1: the worker crashed");
  EXPECT_GT(failed->completed_at_ms, 0);
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 0);
  EXPECT_FALSE(store_->UploadOf(job.uuid));
  EXPECT_FALSE(store_->ClaimTask(Worker(9), 60000));
}

TEST_P(StoreTest, VlmPagesThatFellBackCostTheCpuPrice) {
  Account paid = MakeAccount("vic", "paid", 10);
  NewJob vlm = MakeJob(2, "paid", paid.id, "vlm");
  ASSERT_TRUE(store_->AcceptJob(vlm, Of(paid), allowance_).has_value());
  EXPECT_EQ(store_->UsageOf(Of(paid), allowance_).used, 10);  // 2 pages reserved at 5
  std::optional<Task> first = store_->ClaimTask(Worker(1), 60000, TaskFilter::kVlmTier);
  ASSERT_TRUE(first);
  core::Page read = MakePage(first->index, "model");
  read.source = core::TextSource::kVlm;
  ASSERT_TRUE(store_->CompletePage(*first, read, "").has_value());
  std::optional<Task> second = store_->ClaimTask(Worker(1), 60000, TaskFilter::kVlmTier);
  ASSERT_TRUE(second);
  ASSERT_TRUE(store_->CompletePage(*second, MakePage(second->index, "local"), "").has_value());
  Usage usage = store_->UsageOf(Of(paid), allowance_);
  EXPECT_EQ(usage.used, 5 + 1);
  EXPECT_EQ(usage.balance, 4);
  EXPECT_EQ(store_->FindAccount("vic")->credits, 4);
  EXPECT_EQ(store_->GetStats().vlm_pages_total, 1);
  // A job priced at cpu (no model server) reserves the cpu price.
  NewJob local = MakeJob(1, "paid", paid.id, "vlm");
  local.price_tier = "cpu";
  ASSERT_TRUE(store_->AcceptJob(local, Of(paid), allowance_).has_value());
  EXPECT_EQ(store_->UsageOf(Of(paid), allowance_).used, 7);
}

TEST_P(StoreTest, ClaimFiltersByTier) {
  NewJob vlm = MakeJob(1, "anonymous", std::nullopt, "vlm");
  NewJob cpu = MakeJob(1);
  ASSERT_TRUE(store_->AcceptJob(vlm, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(cpu, Anonymous(), allowance_).has_value());
  std::optional<Task> other = store_->ClaimTask(Worker(1), 60000, TaskFilter::kOtherTiers);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->job_uuid, cpu.uuid);
  EXPECT_FALSE(store_->ClaimTask(Worker(1), 60000, TaskFilter::kOtherTiers));
  std::optional<Task> model = store_->ClaimTask(Worker(2), 60000, TaskFilter::kVlmTier);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->job_uuid, vlm.uuid);
}

TEST_P(StoreTest, CountsModelCalls) {
  store_->CountModelCalls(3, 1, 250);
  store_->CountModelCalls(2, 0, 100);
  Stats stats = store_->GetStats();
  EXPECT_EQ(stats.vlm_requests_total, 5);
  EXPECT_EQ(stats.vlm_errors_total, 1);
  EXPECT_EQ(stats.vlm_latency_ms_total, 350);
}

TEST_P(StoreTest, ReleaseWorkerWithoutRetryFailsAtOnce) {
  NewJob job = MakeJob(2);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  core::Error late = core::MakeError(core::ErrorCode::kTimeout, "took too long");
  ASSERT_TRUE(store_->ClaimTask(Worker(7), 60000));
  ASSERT_EQ(store_->ReleaseWorker(Worker(7), late, false).size(), 1u);
  std::optional<JobRow> failed = store_->GetJob(job.uuid);
  EXPECT_EQ(failed->status, "failed");
  EXPECT_EQ(failed->error->code, core::ErrorCode::kTimeout);
  EXPECT_EQ(failed->error->message, "page 1: took too long");
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 0);
  EXPECT_FALSE(store_->ClaimTask(Worker(9), 60000));
}

TEST_P(StoreTest, FailJobReleasesUnfinishedPages) {
  NewJob job = MakeJob(4);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
  ASSERT_TRUE(store_->CompletePage(*task, MakePage(0, "a"), "").has_value());
  std::optional<Task> running = store_->ClaimTask(Worker(2), 60000);
  ASSERT_TRUE(running);
  ASSERT_TRUE(store_->FailJob(job.uuid, core::MakeError(core::ErrorCode::kCorrupt,
                                                        "page 2: image is corrupt"))
                  .has_value());
  std::optional<JobRow> row = store_->GetJob(job.uuid);
  EXPECT_EQ(row->status, "failed");
  EXPECT_EQ(row->error->code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(row->error->message, "page 2: image is corrupt");
  EXPECT_EQ(row->pages_done, 1);
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 1);
  EXPECT_FALSE(store_->UploadOf(job.uuid));
  EXPECT_FALSE(store_->ClaimTask(Worker(3), 60000));
  // A late result for a dropped page changes nothing.
  EXPECT_FALSE(store_->CompletePage(*running, MakePage(1, "b"), "").has_value());
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 1);
  EXPECT_TRUE(store_->FailJob(job.uuid, core::MakeError(core::ErrorCode::kCorrupt, "x")));
  EXPECT_EQ(store_->FailJob("nope", core::MakeError(core::ErrorCode::kCorrupt, "x"))
                .error()
                .code,
            core::ErrorCode::kNotFound);
}

// ---- concurrency ------------------------------------------------------------

TEST_P(StoreTest, ConcurrentAcceptsNeverExceedTheAllowance) {
  std::atomic<int> accepted = 0, refused = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&] {
      auto opened = OpenStore(location_);
      ASSERT_TRUE(opened.has_value()) << opened.error().detail;
      if ((*opened)->AcceptJob(MakeJob(1), Anonymous(), allowance_))
        ++accepted;
      else
        ++refused;
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted, 20);
  EXPECT_EQ(refused, 30);
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 20);
}

TEST_P(StoreTest, ConcurrentClaimsNeverShareATask) {
  allowance_.anonymous_pages_per_day = 1000;
  for (int j = 0; j < 10; ++j)
    ASSERT_TRUE(store_->AcceptJob(MakeJob(10), Anonymous(), allowance_).has_value());
  std::mutex mutex;
  std::vector<std::string> claimed;
  std::vector<std::thread> threads;
  for (int worker = 1; worker <= 6; ++worker)
    threads.emplace_back([&, worker] {
      auto store = std::move(*OpenStore(location_));
      while (std::optional<Task> task = store->ClaimTask(Worker(worker), 60000)) {
        std::lock_guard lock(mutex);
        claimed.push_back(task->job_uuid + ":" + std::to_string(task->index));
      }
    });
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), 100u);
  EXPECT_EQ(unique.size(), 100u);
}

TEST_P(StoreTest, ClaimsFromSeveralProcessesNeverShareATask) {
  allowance_.anonymous_pages_per_day = 1000;
  for (int j = 0; j < 8; ++j)
    ASSERT_TRUE(store_->AcceptJob(MakeJob(10), Anonymous(), allowance_).has_value());
  std::vector<pid_t> children;
  for (int worker = 1; worker <= 3; ++worker) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      {
        std::ofstream out(dir_ + "/claims-" + std::to_string(worker));
        auto opened = OpenStore(location_);
        if (!opened) _exit(2);
        while (std::optional<Task> task = (*opened)->ClaimTask(Worker(worker), 60000)) {
          out << task->job_uuid << ":" << task->index << "\n";
          // Complete it too, so that writes of both kinds interleave.
          bool ok = task->index == kAssembly
                        ? (*opened)->FinishJob(*task, "en", {}, {}).has_value()
                        : (*opened)->CompletePage(*task, MakePage(task->index, "p"), "").has_value();
          if (!ok) status = 3;
        }
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  std::vector<std::string> claimed;
  for (int worker = 1; worker <= 3; ++worker) {
    std::ifstream in(dir_ + "/claims-" + std::to_string(worker));
    for (std::string line; std::getline(in, line);) claimed.push_back(line);
  }
  std::set<std::string> unique(claimed.begin(), claimed.end());
  // 80 pages and then, as each job's last page finishes, its assembly.
  EXPECT_EQ(unique.size(), claimed.size());
  EXPECT_EQ(claimed.size(), 88u);
  Stats stats = store_->GetStats();
  EXPECT_EQ(stats.pages_done_total, 80);
  EXPECT_EQ(stats.jobs_done, 8);
}

// ---- the queue --------------------------------------------------------------

TEST_P(StoreTest, PaidBeforeFreeBeforeAnonymous) {
  Account free = MakeAccount("alice", "free");
  Account paid = MakeAccount("carol", "paid", 100);
  NewJob anonymous_job = MakeJob(1);
  NewJob free_job = MakeJob(1, "free", free.id);
  NewJob paid_job = MakeJob(1, "paid", paid.id);
  ASSERT_TRUE(store_->AcceptJob(anonymous_job, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(free_job, Of(free), allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(paid_job, Of(paid), allowance_).has_value());
  EXPECT_EQ(store_->GetJob(paid_job.uuid)->status, "pending");
  std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
  EXPECT_EQ(task->job_uuid, paid_job.uuid);
  EXPECT_EQ(task->recipe_json, R"({"dpi":300})");
  EXPECT_EQ(task->format, "pdf");
  EXPECT_EQ(store_->GetJob(paid_job.uuid)->status, "processing");
  EXPECT_EQ(store_->ClaimTask(Worker(1), 60000)->job_uuid, free_job.uuid);
  EXPECT_EQ(store_->ClaimTask(Worker(1), 60000)->job_uuid, anonymous_job.uuid);
  EXPECT_FALSE(store_->ClaimTask(Worker(1), 60000));
}

TEST_P(StoreTest, DamagedStoredPageCostsOnlyThatPage) {
  NewJob job = MakeJob(2);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  for (int i = 0; i < 2; ++i) {
    std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
    ASSERT_TRUE(task);
    ASSERT_TRUE(store_->CompletePage(*task, MakePage(task->index, "w"), "img").has_value());
  }
  // A width out of int's range (found by fuzz/page_json_fuzz: converting it
  // was undefined behaviour), and text that is not JSON (which threw).
  ExecSql(R"(UPDATE tasks SET page_json = '{"index":0,"width":333333333333333333333.33333333333344444}'
             WHERE idx = 0 AND job_uuid = ')" + job.uuid + "'");
  ExecSql(R"(UPDATE tasks SET page_json = '{"index": "1"' WHERE idx = 1 AND job_uuid = ')" +
          job.uuid + "'");
  std::vector<core::Page> pages = store_->PagesOf(job.uuid);
  ASSERT_EQ(pages.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(pages[i].index, i);
    EXPECT_EQ(pages[i].Text(), "");
    ASSERT_EQ(pages[i].warnings.size(), 1u);
    EXPECT_EQ(pages[i].warnings[0],
              "page " + std::to_string(i + 1) + ": the stored result could not be read");
  }
}

TEST_P(StoreTest, JobsOfOneClassInterleave) {
  NewJob a = MakeJob(3), b = MakeJob(3);
  ASSERT_TRUE(store_->AcceptJob(a, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(b, Anonymous(), allowance_).has_value());
  std::vector<std::string> order;
  std::vector<int> indexes;
  while (std::optional<Task> task = store_->ClaimTask(Worker(1), 60000)) {
    order.push_back(task->job_uuid);
    indexes.push_back(task->index);
  }
  EXPECT_EQ(order, (std::vector<std::string>{a.uuid, b.uuid, a.uuid, b.uuid, a.uuid, b.uuid}));
  EXPECT_EQ(indexes, (std::vector<int>{0, 0, 1, 1, 2, 2}));
}

TEST_P(StoreTest, AssemblyFollowsTheLastPageAndFinishes) {
  NewJob job = MakeJob(2);
  job.pages = {4, 2};  // a page range: file pages 5 and 3, in that order
  job.warnings = {"vlm is not configured"};
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  EXPECT_EQ(store_->UploadOf(job.uuid), job.upload);
  std::optional<Task> first = store_->ClaimTask(Worker(1), 60000);
  std::optional<Task> second = store_->ClaimTask(Worker(2), 60000);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->index, 4);
  EXPECT_EQ(first->ordinal, 0);
  EXPECT_EQ(second->index, 2);
  ASSERT_TRUE(store_->CompletePage(*second, MakePage(2, "three"), "img2").has_value());
  EXPECT_FALSE(store_->ClaimTask(Worker(3), 60000));
  ASSERT_TRUE(store_->CompletePage(*first, MakePage(4, "five"), "img4").has_value());
  std::optional<Task> assembly = store_->ClaimTask(Worker(3), 60000);
  ASSERT_TRUE(assembly);
  EXPECT_EQ(assembly->index, kAssembly);
  EXPECT_EQ(assembly->ordinal, 2);

  std::vector<core::Page> pages = store_->PagesOf(job.uuid);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].index, 4);
  EXPECT_EQ(pages[0].Text(), "five");
  EXPECT_EQ(pages[1].Text(), "three");
  EXPECT_EQ(store_->PdfImageOf(job.uuid, 2), "img2");
  EXPECT_EQ(store_->PdfImageOf(job.uuid, 3), "");

  ASSERT_TRUE(store_->FinishJob(*assembly, "en", {"page 2: low contrast", "vlm is not configured"},
                                {{"pdf", std::string("%PDF\0binary", 11)}})
                  .has_value());
  std::optional<JobRow> row = store_->GetJob(job.uuid);
  EXPECT_EQ(row->status, "done");
  EXPECT_EQ(row->detected_language, "en");
  EXPECT_EQ(row->pages_done, 2);
  EXPECT_EQ(row->page_count, 2);
  EXPECT_FALSE(row->error);
  EXPECT_EQ(row->warnings,
            (std::vector<std::string>{"vlm is not configured", "page 2: low contrast"}));
  EXPECT_GE(row->completed_at_ms, row->created_at_ms);
  EXPECT_EQ(store_->ArtifactOf(job.uuid, "pdf"), std::string("%PDF\0binary", 11));
  EXPECT_FALSE(store_->ArtifactOf(job.uuid, "docx"));
  EXPECT_FALSE(store_->UploadOf(job.uuid));
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 2);
  EXPECT_FALSE(store_->ClaimTask(Worker(4), 60000));
  EXPECT_EQ(store_->FailJob(job.uuid, core::MakeError(core::ErrorCode::kTimeout, "late"))
                .error()
                .code,
            core::ErrorCode::kConflict);
  Stats stats = store_->GetStats();
  EXPECT_EQ(stats.jobs_done, 1);
  EXPECT_EQ(stats.pages_done_total, 2);
}

TEST_P(StoreTest, RequeueWorkersTakesBackOnlyTheirTasksAndCountsNoAttempt) {
  NewJob job = MakeJob(3);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->ClaimTask(Worker(1), 60000));
  ASSERT_TRUE(store_->ClaimTask(Worker(2), 60000));
  ASSERT_TRUE(store_->ClaimTask(Worker(7), 60000));
  EXPECT_EQ(store_->RunningWorkers(kNode), (std::vector<int>{1, 2, 7}));
  store_->RequeueWorkers(kNode, {1, 2});
  Stats stats = store_->GetStats();
  EXPECT_EQ(stats.pages_running, 1) << "worker 7 (alive, another process's) keeps its page";
  EXPECT_EQ(stats.pages_queued, 2);
  EXPECT_EQ(store_->RunningWorkers(kNode), std::vector<int>{7});
  std::optional<Task> again = store_->ClaimTask(Worker(3), 60000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->index, 0);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 3);
  EXPECT_EQ(store_->GetJob(job.uuid)->pages_done, 0);
  store_->RequeueWorkers(kNode, {});
  EXPECT_EQ(store_->GetStats().pages_running, 2);
}

TEST_P(StoreTest, RequeueWorkersLeavesOtherNodesAlone) {
  ASSERT_TRUE(store_->AcceptJob(MakeJob(3), Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->ClaimTask(Worker(1), 60000));
  const WorkerId elsewhere{"node-b", 1};  // the same process id on another machine
  ASSERT_TRUE(store_->ClaimTask(elsewhere, 60000));
  EXPECT_EQ(store_->RunningWorkers(kNode), std::vector<int>{1});
  EXPECT_EQ(store_->RunningWorkers("node-b"), std::vector<int>{1});
  store_->RequeueWorkers(kNode, {1});
  EXPECT_EQ(store_->GetStats().pages_running, 1);
  EXPECT_EQ(store_->RunningWorkers("node-b"), std::vector<int>{1});
  EXPECT_TRUE(
      store_->ReleaseWorker(Worker(1), core::MakeError(core::ErrorCode::kWorkerCrashed, "x"), true)
          .empty());
  EXPECT_EQ(
      store_->ReleaseWorker(elsewhere, core::MakeError(core::ErrorCode::kWorkerCrashed, "x"), true)
          .size(),
      1u);
}

TEST_P(StoreTest, OverdueWorkers) {
  ASSERT_TRUE(store_->AcceptJob(MakeJob(3), Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->ClaimTask(Worker(4), -1));
  ASSERT_TRUE(store_->ClaimTask(Worker(5), 60000));
  EXPECT_EQ(store_->OverdueWorkers(), std::vector<WorkerId>{Worker(4)});
}

TEST_P(StoreTest, RenewingALeaseKeepsItAndALostLeaseCannotBeRenewed) {
  NewJob job = MakeJob(2);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  // Claimed with a lease that has run out already: renewing it keeps it.
  std::optional<Task> task = store_->ClaimTask(Worker(4), -1);
  ASSERT_TRUE(task);
  EXPECT_EQ(store_->OverdueWorkers(), std::vector<WorkerId>{Worker(4)});
  EXPECT_TRUE(store_->RenewLease(Worker(4), *task, 60000));
  EXPECT_TRUE(store_->OverdueWorkers().empty());
  // Only its worker renews it: not another process, nor one of that id on another node.
  EXPECT_FALSE(store_->RenewLease(Worker(5), *task, -1));
  EXPECT_FALSE(store_->RenewLease(WorkerId{"node-b", 4}, *task, -1));
  EXPECT_TRUE(store_->OverdueWorkers().empty());

  // The lease runs out and the page goes back to the queue: lost.
  ASSERT_TRUE(store_->RenewLease(Worker(4), *task, -1));
  core::Error gone = core::MakeError(core::ErrorCode::kWorkerCrashed, "the worker stopped");
  ASSERT_EQ(store_->ReleaseWorker(Worker(4), gone, true).size(), 1u);
  EXPECT_FALSE(store_->RenewLease(Worker(4), *task, 60000));
  // Claimed again, even by the same worker, it is a new claim: the old one stays lost.
  std::optional<Task> again = store_->ClaimTask(Worker(4), 60000);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->index, task->index);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_FALSE(store_->RenewLease(Worker(4), *task, -1));
  EXPECT_TRUE(store_->RenewLease(Worker(4), *again, 60000));
  EXPECT_TRUE(store_->OverdueWorkers().empty());

  // A page done, or of a failed job, has no lease left.
  ASSERT_TRUE(store_->CompletePage(*again, MakePage(again->index, "w"), "").has_value());
  EXPECT_FALSE(store_->RenewLease(Worker(4), *again, 60000));
  std::optional<Task> second = store_->ClaimTask(Worker(6), 60000);
  ASSERT_TRUE(second);
  ASSERT_TRUE(store_->FailJob(job.uuid, core::MakeError(core::ErrorCode::kCorrupt, "bad")));
  EXPECT_FALSE(store_->RenewLease(Worker(6), *second, 60000));
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 1) << "the page done, charged once";
}

// A wait that a change should end: long, so that only a wake-up that never
// comes lets it run out (and the test fail).
constexpr int64_t kWakeWaitMs = 120000;

TEST_P(StoreTest, AWaitingWorkerWakesWhenATaskIsQueued) {
  std::atomic<int> waits{0};
  std::vector<bool> woken;
  std::optional<Task> claimed;
  std::thread worker([&] {
    std::unique_ptr<Store> store = Open();
    while (!(claimed = store->ClaimTask(Worker(1), 60000))) {
      ++waits;
      woken.push_back(store->WaitForTask(kWakeWaitMs));
    }
  });
  // Queued once the worker has looked and found nothing.
  while (waits.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(store_->AcceptJob(MakeJob(1), Anonymous(), allowance_).has_value());
  worker.join();
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->index, 0);
  for (bool woke : woken) EXPECT_TRUE(woke) << "a wait ran out instead of waking";

  // A page put back in the queue wakes a waiter too.
  EXPECT_FALSE(store_->ClaimTask(Worker(2), 60000));
  store_->WaitForTask(kWakeWaitMs);  // the first wait of a store may end at once
  EXPECT_FALSE(store_->ClaimTask(Worker(2), 60000));
  if (IsPostgres()) {
    // Nothing queued: the wait runs out.
    EXPECT_FALSE(store_->WaitForTask(200));
    EXPECT_FALSE(store_->ClaimTask(Worker(2), 60000));
  }
  std::unique_ptr<Store> other = Open();
  core::Error gone = core::MakeError(core::ErrorCode::kWorkerCrashed, "the worker stopped");
  ASSERT_EQ(other->ReleaseWorker(Worker(1), gone, true).size(), 1u);
  EXPECT_TRUE(store_->WaitForTask(kWakeWaitMs));
  EXPECT_TRUE(store_->ClaimTask(Worker(2), 60000));
}

TEST_P(StoreTest, AWaitingPostWakesWhenItsJobEnds) {
  NewJob job = MakeJob(1);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  std::optional<JobRow> row = store_->GetJob(job.uuid);
  std::atomic<bool> waiting{false}, gave_up{false};
  std::thread finisher([&] {
    std::unique_ptr<Store> store = Open();
    while (!waiting.load()) std::this_thread::yield();
    std::optional<Task> page = store->ClaimTask(Worker(1), 60000);
    bool ok = page && store->CompletePage(*page, MakePage(page->index, "w"), "").has_value();
    std::optional<Task> assembly = ok ? store->ClaimTask(Worker(1), 60000) : std::nullopt;
    ok = assembly && assembly->index == kAssembly &&
         store->FinishJob(*assembly, "en", {}, {}).has_value();
    gave_up = !ok;
  });
  std::vector<bool> woken;
  while (row && row->status != "done" && !gave_up.load()) {
    waiting = true;
    woken.push_back(store_->WaitForJob(job.uuid, kWakeWaitMs));
    row = store_->GetJob(job.uuid);
  }
  finisher.join();
  ASSERT_FALSE(gave_up.load()) << "the job could not be run";
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, "done");
  for (bool woke : woken) EXPECT_TRUE(woke) << "a wait ran out instead of waking";

  // Deleted, a job wakes its waiter too; another job's end does not.
  NewJob other = MakeJob(1);
  ASSERT_TRUE(store_->AcceptJob(other, Anonymous(), allowance_).has_value());
  std::unique_ptr<Store> second = Open();
  ASSERT_TRUE(store_->GetJob(other.uuid));
  ASSERT_TRUE(second->DeleteJob(job.uuid));
  if (IsPostgres()) {
    EXPECT_FALSE(store_->WaitForJob(other.uuid, 200));
  }
  ASSERT_TRUE(store_->GetJob(other.uuid));
  ASSERT_TRUE(second->DeleteJob(other.uuid));
  EXPECT_TRUE(store_->WaitForJob(other.uuid, kWakeWaitMs));
  EXPECT_FALSE(store_->GetJob(other.uuid));
}

TEST_P(StoreTest, StoresOfOneProcessShareTheirSessions) {
  if (!IsPostgres()) GTEST_SKIP() << "a SQLite store is its own file handle";
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 20; ++i) {
    stores.push_back(Open());
    ASSERT_TRUE(stores.back());
    EXPECT_FALSE(stores.back()->GetJob("none"));
  }
  // Each statement borrowed the one idle session: no store kept one of its own.
  EXPECT_EQ(TestPostgres::Query(location_.db_url,
                                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                                "current_database() AND pid <> pg_backend_pid()"),
            "1");
}

// ---- lifetime ---------------------------------------------------------------

TEST_P(StoreTest, DeleteExpired) {
  NewJob done = MakeJob(1);
  RunPages(done);
  std::optional<Task> assembly = store_->ClaimTask(Worker(1), 60000);
  ASSERT_TRUE(store_->FinishJob(*assembly, "en", {}, {{"pdf", "x"}}).has_value());
  NewJob failed = MakeJob(1);
  ASSERT_TRUE(store_->AcceptJob(failed, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->FailJob(failed.uuid, core::MakeError(core::ErrorCode::kCorrupt, "bad")));
  NewJob waiting = MakeJob(1);
  ASSERT_TRUE(store_->AcceptJob(waiting, Anonymous(), allowance_).has_value());

  EXPECT_EQ(store_->DeleteExpired(3600 * 1000), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(store_->DeleteExpired(1), 2);
  EXPECT_FALSE(store_->GetJob(done.uuid));
  EXPECT_FALSE(store_->GetJob(failed.uuid));
  EXPECT_TRUE(store_->GetJob(waiting.uuid));
  EXPECT_FALSE(store_->ArtifactOf(done.uuid, "pdf"));
  EXPECT_EQ(CountRows("artifacts"), 0);
  EXPECT_EQ(CountRows("tasks"), 1);
  // Charges outlive the job: the allowance is per day, not per job.
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 2);
}

TEST_P(StoreTest, DeleteJobRemovesEverything) {
  Account alice = MakeAccount("alice", "free");
  NewJob job = MakeJob(2, "free", alice.id);
  ASSERT_TRUE(store_->AcceptJob(job, Of(alice), allowance_).has_value());
  std::optional<Task> task = store_->ClaimTask(Worker(1), 60000);
  ASSERT_TRUE(store_->CompletePage(*task, MakePage(0, "a"), "img").has_value());
  std::string conversation = store_->CreateConversation(job.uuid, alice.id);
  ASSERT_TRUE(store_->AddMessage(conversation, {"user", "total?", "[]", ""}).has_value());
  EXPECT_EQ(store_->UsageOf(Of(alice), allowance_).used, 2);

  EXPECT_TRUE(store_->DeleteJob(job.uuid));
  EXPECT_FALSE(store_->DeleteJob(job.uuid));
  EXPECT_FALSE(store_->GetJob(job.uuid));
  for (const char* table : {"jobs", "tasks", "uploads", "artifacts", "conversations", "messages"})
    EXPECT_EQ(CountRows(table), 0) << table;
  // The finished page stays charged; the unfinished one is released.
  EXPECT_EQ(store_->UsageOf(Of(alice), allowance_).used, 1);
  EXPECT_FALSE(store_->ClaimTask(Worker(2), 60000));
}

TEST_P(StoreTest, ListJobsNewestFirst) {
  Account alice = MakeAccount("alice", "free");
  Account bob = MakeAccount("bob", "free");
  std::vector<std::string> uuids;
  for (int i = 0; i < 5; ++i) {
    NewJob job = MakeJob(1, "free", alice.id);
    job.tool = "extract-tables";
    ASSERT_TRUE(store_->AcceptJob(job, Of(alice), allowance_).has_value());
    uuids.push_back(job.uuid);
  }
  ASSERT_TRUE(store_->AcceptJob(MakeJob(1, "free", bob.id), Of(bob), allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(MakeJob(1), Anonymous(), allowance_).has_value());
  EXPECT_EQ(store_->CountJobs(alice.id), 5);
  EXPECT_EQ(store_->CountJobs(bob.id), 1);
  std::vector<JobRow> page = store_->ListJobs(alice.id, 2, 1);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].uuid, uuids[3]);
  EXPECT_EQ(page[1].uuid, uuids[2]);
  EXPECT_EQ(page[0].tool, "extract-tables");
  EXPECT_FALSE(page[0].translate_to);
  EXPECT_EQ(page[0].account_id, alice.id);
  EXPECT_EQ(page[0].status, "pending");
  EXPECT_EQ(store_->ListJobs(alice.id, 10, 0).size(), 5u);
}

// ---- chat -------------------------------------------------------------------

TEST_P(StoreTest, ChatHistoryInOrder) {
  Account alice = MakeAccount("alice", "free");
  NewJob job = MakeJob(1);
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  std::string first = store_->CreateConversation(job.uuid, alice.id);
  std::string second = store_->CreateConversation(job.uuid, alice.id);
  EXPECT_EQ(first.size(), 32u);
  EXPECT_NE(first, second);
  EXPECT_EQ(store_->CreateConversation("no-such-job", alice.id), "");
  ASSERT_TRUE(store_->AddMessage(second, {"user", "q2", "", ""}).has_value());
  ASSERT_TRUE(store_->AddMessage(first, {"user", "q1", "[]", ""}).has_value());
  ASSERT_TRUE(
      store_->AddMessage(first, {"assistant", "a1 (p. 1)", R"([{"page":1}])", ""}).has_value());
  EXPECT_EQ(store_->AddMessage("nope", {"user", "x", "[]", ""}).error().code,
            core::ErrorCode::kNotFound);

  std::vector<Conversation> history = store_->History(job.uuid);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].id, first);
  EXPECT_EQ(history[1].id, second);
  ASSERT_EQ(history[0].messages.size(), 2u);
  EXPECT_EQ(history[0].messages[0].content, "q1");
  EXPECT_EQ(history[0].messages[1].role, "assistant");
  EXPECT_EQ(history[0].messages[1].citations_json, R"([{"page":1}])");
  EXPECT_FALSE(history[0].messages[1].created_at.empty());
  ASSERT_EQ(history[1].messages.size(), 1u);
  EXPECT_EQ(history[1].messages[0].citations_json, "[]");

  std::optional<Conversation> one = store_->GetConversation(job.uuid, first);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->messages.size(), 2u);
  EXPECT_FALSE(store_->GetConversation(MakeJob(1).uuid, first));
  EXPECT_TRUE(store_->History(MakeJob(1).uuid).empty());
}

// ---- idempotency ---------------------------------------------------------------

TEST_P(StoreTest, IdempotencyKeyMakesOneJobAndChargesOnce) {
  NewJob first = Keyed(MakeJob(2), "ip:192.0.2.7", "key-1");
  auto accepted = store_->AcceptJob(first, Anonymous(), allowance_);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->uuid, first.uuid);
  EXPECT_FALSE(accepted->earlier);

  NewJob again = Keyed(MakeJob(2), "ip:192.0.2.7", "key-1");
  auto replayed = store_->AcceptJob(again, Anonymous(), allowance_);
  ASSERT_TRUE(replayed.has_value());
  ASSERT_TRUE(replayed->earlier);
  EXPECT_EQ(replayed->uuid, first.uuid);
  EXPECT_EQ(replayed->earlier->job_uuid, first.uuid);
  EXPECT_EQ(replayed->earlier->fingerprint, "fp");
  EXPECT_FALSE(store_->GetJob(again.uuid));
  EXPECT_EQ(CountRows("jobs"), 1);
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 2);

  // Another request with the key: the store says what it was used for.
  auto other = store_->AcceptJob(Keyed(MakeJob(1), "ip:192.0.2.7", "key-1", "other"),
                                 Anonymous(), allowance_);
  ASSERT_TRUE(other.has_value() && other->earlier);
  EXPECT_EQ(other->earlier->fingerprint, "fp");

  std::optional<KeyUse> found = store_->FindIdempotencyKey("ip:192.0.2.7", "key-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->job_uuid, first.uuid);
  EXPECT_FALSE(store_->FindIdempotencyKey("ip:192.0.2.8", "key-1"));
  EXPECT_FALSE(store_->FindIdempotencyKey("ip:192.0.2.7", "key-2"));
}

TEST_P(StoreTest, IdempotencyKeysAreScopedToTheCaller) {
  Account alice = MakeAccount("alice", "paid", 10);
  Account bob = MakeAccount("bob", "paid", 10);
  NewJob a = Keyed(MakeJob(1, "paid", alice.id), "account:" + std::to_string(alice.id), "k");
  NewJob b = Keyed(MakeJob(1, "paid", bob.id), "account:" + std::to_string(bob.id), "k");
  ASSERT_FALSE(store_->AcceptJob(a, Of(alice), allowance_)->earlier);
  ASSERT_FALSE(store_->AcceptJob(b, Of(bob), allowance_)->earlier);
  EXPECT_EQ(CountRows("jobs"), 2);
  EXPECT_EQ(store_->UsageOf(Of(*store_->FindAccount("alice")), allowance_).used, 1);
  EXPECT_EQ(store_->UsageOf(Of(*store_->FindAccount("bob")), allowance_).used, 1);
}

TEST_P(StoreTest, IdempotencyKeyIsLookedAtBeforeTheAllowance) {
  allowance_.anonymous_pages_per_day = 1;
  NewJob first = Keyed(MakeJob(1), "ip:192.0.2.7", "last-page");
  ASSERT_TRUE(store_->AcceptJob(first, Anonymous(), allowance_).has_value());
  // The allowance is used up, but the same request again is its replay, not a 402.
  auto replayed = store_->AcceptJob(Keyed(MakeJob(1), "ip:192.0.2.7", "last-page"), Anonymous(),
                                    allowance_);
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(replayed->uuid, first.uuid);
  EXPECT_FALSE(store_->AcceptJob(Keyed(MakeJob(1), "ip:192.0.2.7", "new"), Anonymous(),
                                 allowance_).has_value());
  // A refused request leaves its key unused.
  EXPECT_FALSE(store_->FindIdempotencyKey("ip:192.0.2.7", "new"));
}

TEST_P(StoreTest, ConcurrentIdempotentAcceptsMakeOneJob) {
  std::mutex mutex;
  std::vector<std::string> uuids;
  std::atomic<int> created = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      auto opened = OpenStore(location_);
      ASSERT_TRUE(opened.has_value()) << opened.error().detail;
      auto accepted = (*opened)->AcceptJob(Keyed(MakeJob(1), "ip:192.0.2.7", "same"), Anonymous(),
                                           allowance_);
      ASSERT_TRUE(accepted.has_value());
      if (!accepted->earlier) ++created;
      std::lock_guard lock(mutex);
      uuids.push_back(accepted->uuid);
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(created, 1);
  EXPECT_EQ(std::set<std::string>(uuids.begin(), uuids.end()).size(), 1u);
  EXPECT_EQ(CountRows("jobs"), 1);
  EXPECT_EQ(store_->UsageOf(Anonymous(), allowance_).used, 1);
}

TEST_P(StoreTest, ExpiredIdempotencyKeysAreIgnoredAndSwept) {
  NewJob first = Keyed(MakeJob(1), "ip:192.0.2.7", "old");
  ASSERT_TRUE(store_->AcceptJob(first, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(Keyed(MakeJob(1), "ip:192.0.2.7", "older"), Anonymous(),
                                allowance_).has_value());
  ASSERT_TRUE(store_->AcceptJob(Keyed(MakeJob(1), "ip:192.0.2.7", "fresh"), Anonymous(),
                                allowance_).has_value());
  ExecSql("UPDATE idempotency_keys SET created_at_ms = created_at_ms - " +
          std::to_string(kIdempotencyKeyTtlMs + 1000) + " WHERE key IN ('old', 'older')");
  EXPECT_FALSE(store_->FindIdempotencyKey("ip:192.0.2.7", "old"));
  // An expired key makes a new job, and names it from now on.
  NewJob second = Keyed(MakeJob(1), "ip:192.0.2.7", "old");
  auto accepted = store_->AcceptJob(second, Anonymous(), allowance_);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_FALSE(accepted->earlier);
  EXPECT_EQ(store_->FindIdempotencyKey("ip:192.0.2.7", "old")->job_uuid, second.uuid);
  EXPECT_EQ(CountRows("idempotency_keys"), 3);
  store_->DeleteExpired(3600 * 1000);
  EXPECT_EQ(CountRows("idempotency_keys"), 2);  // "older" went
  EXPECT_TRUE(store_->FindIdempotencyKey("ip:192.0.2.7", "fresh"));
}

TEST_P(StoreTest, IdempotencyKeyOutlivesItsDeletedJob) {
  NewJob job = Keyed(MakeJob(1), "ip:192.0.2.7", "k");
  ASSERT_TRUE(store_->AcceptJob(job, Anonymous(), allowance_).has_value());
  ASSERT_TRUE(store_->DeleteJob(job.uuid));
  std::optional<KeyUse> found = store_->FindIdempotencyKey("ip:192.0.2.7", "k");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->job_uuid, job.uuid);
}

// ---- webhooks -------------------------------------------------------------------

TEST_P(StoreTest, WebhookDeliveryQueuedWhenAJobEnds) {
  NewJob plain = MakeJob(1);
  Finish(plain, Anonymous());
  EXPECT_FALSE(store_->WebhookOf(plain.uuid));
  EXPECT_TRUE(store_->ClaimDueDeliveries(10, 60000).empty());

  NewJob done = Hooked(MakeJob(2));
  done.webhook_secret = "job-secret";
  Finish(done, Anonymous());
  NewJob failed = Hooked(MakeJob(1), "http://hooks.example.com/failed");
  failed.webhook_secret = "other-secret";
  Finish(failed, Anonymous(), /*fail=*/true);

  std::optional<JobWebhook> webhook = store_->WebhookOf(done.uuid);
  ASSERT_TRUE(webhook);
  EXPECT_EQ(webhook->url, "https://hooks.example.com/ocr");
  ASSERT_EQ(webhook->deliveries.size(), 1u);
  const Delivery& d = webhook->deliveries[0];
  EXPECT_EQ(d.event, "job.done");
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(d.id.size(), 32u);
  EXPECT_GT(d.next_attempt_at_ms, 0);
  ASSERT_TRUE(store_->WebhookOf(failed.uuid));
  EXPECT_EQ(store_->WebhookOf(failed.uuid)->deliveries.at(0).event, "job.failed");

  // Finishing or failing again queues nothing more.
  EXPECT_TRUE(store_->FailJob(failed.uuid, core::MakeError(core::ErrorCode::kCorrupt, "again")));
  EXPECT_EQ(store_->WebhookOf(failed.uuid)->deliveries.size(), 1u);

  std::vector<DueDelivery> due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 2u);
  for (const DueDelivery& claimed : due) {
    EXPECT_EQ(claimed.secret, claimed.job_uuid == done.uuid ? "job-secret" : "other-secret");
    EXPECT_EQ(claimed.body, "");
    EXPECT_EQ(claimed.url, claimed.job_uuid == done.uuid ? "https://hooks.example.com/ocr"
                                                         : "http://hooks.example.com/failed");
  }
  // Claimed deliveries are leased: not claimed again meanwhile.
  EXPECT_TRUE(store_->ClaimDueDeliveries(10, 60000).empty());
}

TEST_P(StoreTest, WebhookAttemptsAreRecordedUntilDelivered) {
  NewJob job = Hooked(MakeJob(1));
  job.webhook_secret = "s";
  Finish(job, Anonymous());
  std::vector<DueDelivery> due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 1u);
  const std::string id = due[0].delivery.id;

  store_->RecordAttempt(id, "{\"body\":1}", AttemptResult{false, 500, "HTTP 500"},
                        core::NowUnixMs() - 1);
  Delivery d = store_->WebhookOf(job.uuid)->deliveries.at(0);
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_status_code, 500);
  EXPECT_EQ(d.last_error, "HTTP 500");

  due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].body, "{\"body\":1}");  // every attempt sends the first body
  EXPECT_EQ(due[0].delivery.attempts, 1);
  store_->RecordAttempt(id, "{\"body\":2}", AttemptResult{false, std::nullopt, "cannot connect"},
                        core::NowUnixMs() - 1);
  d = store_->WebhookOf(job.uuid)->deliveries.at(0);
  EXPECT_FALSE(d.last_status_code);
  EXPECT_EQ(d.last_error, "cannot connect");

  due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].body, "{\"body\":1}");
  store_->RecordAttempt(id, due[0].body, AttemptResult{true, 204, ""}, std::nullopt);
  d = store_->WebhookOf(job.uuid)->deliveries.at(0);
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.last_status_code, 204);
  EXPECT_EQ(d.last_error, "");
  EXPECT_EQ(d.next_attempt_at_ms, 0);
  EXPECT_EQ(CountRows("webhook_attempts"), 3);
  EXPECT_TRUE(store_->ClaimDueDeliveries(10, 60000).empty());
  // A late record of an attempt changes nothing.
  store_->RecordAttempt(id, "", AttemptResult{false, 500, "HTTP 500"}, core::NowUnixMs());
  EXPECT_EQ(store_->WebhookOf(job.uuid)->deliveries.at(0).status, "delivered");
  EXPECT_EQ(CountRows("webhook_attempts"), 3);
}

TEST_P(StoreTest, WebhookGivenUpAndNotDueLater) {
  NewJob job = Hooked(MakeJob(1));
  Finish(job, Anonymous(), /*fail=*/true);
  std::vector<DueDelivery> due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].secret.size(), 64u);  // made by the store when none was given
  store_->RecordAttempt(due[0].delivery.id, "{}", AttemptResult{false, 503, "HTTP 503"},
                        core::NowUnixMs() + 3600 * 1000);
  EXPECT_TRUE(store_->ClaimDueDeliveries(10, 60000).empty());  // not due yet
  ExecSql("UPDATE webhook_deliveries SET next_attempt_at_ms = 0");
  due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 1u);
  store_->RecordAttempt(due[0].delivery.id, "{}", AttemptResult{false, 503, "HTTP 503"},
                        std::nullopt);
  Delivery d = store_->WebhookOf(job.uuid)->deliveries.at(0);
  EXPECT_EQ(d.status, "failed");
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.next_attempt_at_ms, 0);
  ExecSql("UPDATE webhook_deliveries SET next_attempt_at_ms = 0");
  EXPECT_TRUE(store_->ClaimDueDeliveries(10, 60000).empty());
}

TEST_P(StoreTest, WebhookDeliveriesSurviveReopeningAndGoWithTheirJob) {
  NewJob job = Hooked(MakeJob(1));
  Finish(job, Anonymous());
  store_.reset();
  store_ = Open();
  ASSERT_EQ(store_->ClaimDueDeliveries(10, -1).size(), 1u);  // a lease that has run out
  ASSERT_EQ(store_->ClaimDueDeliveries(10, 60000).size(), 1u);
  std::vector<DueDelivery> due = store_->ClaimDueDeliveries(10, 60000);
  EXPECT_TRUE(due.empty());
  store_->RecordAttempt(store_->WebhookOf(job.uuid)->deliveries.at(0).id, "{}",
                        AttemptResult{false, 500, "HTTP 500"}, core::NowUnixMs());
  ASSERT_TRUE(store_->DeleteJob(job.uuid));
  EXPECT_EQ(CountRows("webhook_deliveries"), 0);
  EXPECT_EQ(CountRows("webhook_attempts"), 0);
}

TEST_P(StoreTest, AccountWebhookAndSecret) {
  Account alice = MakeAccount("alice", "paid", 10);
  EXPECT_EQ(alice.webhook_url, "");
  ASSERT_TRUE(store_->SetAccountWebhook("alice", "https://alice.example.com/hook"));
  EXPECT_EQ(store_->FindAccount("alice")->webhook_url, "https://alice.example.com/hook");
  auto secret = store_->WebhookSecretOf("alice");
  ASSERT_TRUE(secret.has_value());
  EXPECT_EQ(secret->size(), 64u);
  EXPECT_EQ(*store_->WebhookSecretOf("alice"), *secret);  // made once
  MakeAccount("bob", "free");
  EXPECT_NE(*store_->WebhookSecretOf("bob"), *secret);
  ASSERT_TRUE(store_->SetAccountWebhook("alice", ""));
  EXPECT_EQ(store_->FindAccount("alice")->webhook_url, "");
  EXPECT_EQ(*store_->WebhookSecretOf("alice"), *secret);  // clearing the URL keeps the secret
  EXPECT_EQ(store_->SetAccountWebhook("nobody", "https://x.example/").error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->WebhookSecretOf("nobody").error().code, core::ErrorCode::kNotFound);

  // Account jobs are signed with the account's secret, made when first needed.
  Account carol = MakeAccount("carol", "paid", 10);
  NewJob job = Hooked(MakeJob(1, "paid", carol.id));
  job.webhook_secret = "ignored for accounts";
  Finish(job, Of(carol));
  std::vector<DueDelivery> due = store_->ClaimDueDeliveries(10, 60000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].secret, *store_->WebhookSecretOf("carol"));
}

// ---- the web app: passwords and sessions ---------------------------------------

TEST_P(StoreTest, PasswordHashIsKeptAndSettingItEndsSessions) {
  Account alice = MakeAccount("alice@example.com", "free");
  EXPECT_FALSE(store_->PasswordHashOf("alice@example.com"));  // none until set
  ASSERT_TRUE(store_->SetPasswordHash("alice@example.com", "$argon2id$v=19$one").has_value());
  auto found = store_->PasswordHashOf("alice@example.com");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first.id, alice.id);
  EXPECT_EQ(found->second, "$argon2id$v=19$one");
  EXPECT_FALSE(store_->PasswordHashOf("bob@example.com"));
  EXPECT_EQ(store_->SetPasswordHash("bob@example.com", "x").error().code,
            core::ErrorCode::kNotFound);

  ASSERT_TRUE(store_->CreateSession(alice.id, "hash-1", "csrf-1", core::NowUnixMs() + 60000));
  ASSERT_TRUE(store_->FindSession("hash-1"));
  ASSERT_TRUE(store_->SetPasswordHash("alice@example.com", "$argon2id$v=19$two").has_value());
  EXPECT_FALSE(store_->FindSession("hash-1"));
  EXPECT_EQ(store_->PasswordHashOf("alice@example.com")->second, "$argon2id$v=19$two");
}

TEST_P(StoreTest, SessionsLiveUntilDeletedOrExpired) {
  Account alice = MakeAccount("alice", "free");
  Account bob = MakeAccount("bob", "paid", 5);
  int64_t now = core::NowUnixMs();
  ASSERT_TRUE(store_->CreateSession(alice.id, "a-live", "csrf-a", now + 60000));
  ASSERT_TRUE(store_->CreateSession(alice.id, "a-old", "csrf-old", now - 1));
  ASSERT_TRUE(store_->CreateSession(bob.id, "b-live", "csrf-b", now + 60000));
  std::optional<WebSession> a = store_->FindSession("a-live");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->account.id, alice.id);
  EXPECT_EQ(a->account.name, "alice");
  EXPECT_EQ(a->csrf_token, "csrf-a");
  EXPECT_EQ(store_->FindSession("b-live")->account.plan, "paid");
  EXPECT_FALSE(store_->FindSession("a-old"));
  EXPECT_FALSE(store_->FindSession("unknown"));
  store_->DeleteSession("a-live");
  EXPECT_FALSE(store_->FindSession("a-live"));
  EXPECT_TRUE(store_->FindSession("b-live"));
  store_->DeleteSession("a-live");  // twice is harmless
}

TEST_P(StoreTest, TokensAreListedAndRevokedByIdWithinTheirAccount) {
  Account alice = MakeAccount("alice", "free");
  Account bob = MakeAccount("bob", "free");
  std::string first = *store_->CreateToken("alice");
  std::string second = *store_->CreateToken("alice");
  std::string bobs = *store_->CreateToken("bob");
  std::vector<TokenInfo> tokens = store_->ListTokens(alice.id);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_GT(tokens[0].id, tokens[1].id);  // newest first
  EXPECT_EQ(tokens[0].revoked_at, "");
  std::vector<TokenInfo> of_bob = store_->ListTokens(bob.id);
  ASSERT_EQ(of_bob.size(), 1u);
  // Not alice's: nothing happens to bob's token.
  EXPECT_EQ(store_->RevokeTokenOf(alice.id, of_bob[0].id).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_TRUE(store_->Authenticate(bobs));
  ASSERT_TRUE(store_->RevokeTokenOf(alice.id, tokens[1].id).has_value());
  EXPECT_FALSE(store_->Authenticate(first));
  EXPECT_TRUE(store_->Authenticate(second));
  EXPECT_NE(store_->ListTokens(alice.id)[1].revoked_at, "");
}

TEST_P(StoreTest, SchemaIsAtTheLatestVersion) {
  if (IsPostgres()) {
    EXPECT_EQ(TestPostgres::Query(location_.db_url, "SELECT version FROM schema_version"), "1");
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/ocrchat.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 5);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_P(StoreTest, ReopeningKeepsDataAndSchema) {
  MakeAccount("alice", "free");
  store_.reset();
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_TRUE(store_->FindAccount("alice").has_value());
}

TEST(OpenStoreTest, AnUnreachableOrMalformedDatabaseIsAnError) {
  for (const char* url : {"postgresql://ocrchat:secret@127.0.0.1:1/ocrchat", "not a url"}) {
    auto opened = OpenStore(Location{url, "./unused"});
    ASSERT_FALSE(opened.has_value()) << url;
    EXPECT_EQ(opened.error().code, core::ErrorCode::kInternal);
    EXPECT_NE(opened.error().message.find("PostgreSQL"), std::string::npos);
    EXPECT_EQ(opened.error().message.find("secret"), std::string::npos) << "no password shown";
  }
}

TEST(FaultTest, EachDatabasesErrorsMeanTheSame) {
  EXPECT_EQ(FaultOf(SqliteError(SQLITE_BUSY, "busy")), Fault::kBusy);
  EXPECT_EQ(FaultOf(SqliteError(SQLITE_LOCKED, "locked")), Fault::kBusy);
  EXPECT_EQ(FaultOf(SqliteError(SQLITE_FULL, "full")), Fault::kFull);
  EXPECT_EQ(FaultOf(SqliteError(SQLITE_IOERR_WRITE, "io")), Fault::kUnreachable);
  EXPECT_EQ(FaultOf(SqliteError(SQLITE_CONSTRAINT_UNIQUE, "dup")), Fault::kOther);
  EXPECT_EQ(FaultOf(pg::Error("55P03", "lock")), Fault::kBusy);
  EXPECT_EQ(FaultOf(pg::Error("53100", "disk full")), Fault::kFull);
  EXPECT_EQ(FaultOf(pg::Error("08006", "connection failure")), Fault::kUnreachable);
  EXPECT_EQ(FaultOf(pg::Error("", "no connection")), Fault::kUnreachable);
  EXPECT_EQ(FaultOf(pg::Error("23505", "unique")), Fault::kOther);
  EXPECT_EQ(FaultOf(std::runtime_error("ours")), Fault::kOther);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace ocrchat::store
