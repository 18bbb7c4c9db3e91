// The SQLite store: SqlStore on one SQLite database in WAL mode that the
// server and its worker processes share; every change is one IMMEDIATE
// transaction, which serialises writers.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/sql_store.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace ocrchat::store {
namespace {

using core::ErrorCode;

// Migration i brings PRAGMA user_version from i to i + 1.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  plan TEXT NOT NULL,
  credits INTEGER NOT NULL DEFAULT 0,           -- balance left to spend
  credits_reserved INTEGER NOT NULL DEFAULT 0,  -- held by unfinished jobs
  credits_spent INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 hex; the token itself is never stored
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE INDEX tokens_account ON tokens(account_id);
-- Page allowances: anonymous callers per IP and day, free accounts per month.
CREATE TABLE usage (
  subject TEXT NOT NULL,  -- 'ip:1.2.3.4' | 'account:12'
  period TEXT NOT NULL,   -- '2026-11-25' | '2026-11'
  charged INTEGER NOT NULL DEFAULT 0,
  reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (subject, period)
) WITHOUT ROWID;
CREATE TABLE jobs (
  uuid TEXT PRIMARY KEY,
  account_id INTEGER REFERENCES accounts(id),
  client_ip TEXT NOT NULL,
  plan TEXT NOT NULL,
  priority INTEGER NOT NULL,  -- paid 2, free 1, anonymous 0
  status TEXT NOT NULL,       -- pending | processing | done | failed
  tier TEXT NOT NULL,
  language TEXT NOT NULL,
  filename TEXT NOT NULL,
  format TEXT NOT NULL,
  detected_language TEXT NOT NULL DEFAULT '',
  tool TEXT,
  translate_to TEXT,
  recipe_json TEXT NOT NULL,
  page_count INTEGER NOT NULL,
  pages_done INTEGER NOT NULL DEFAULT 0,
  pages_started INTEGER NOT NULL DEFAULT 0,  -- claims, for interleaving jobs
  -- Where the job's pages are reserved and charged: a usage row, or the
  -- account's credits when charge_period is 'credits'. Kept on the job so
  -- that a page finishing after midnight settles the day it was reserved on.
  charge_subject TEXT NOT NULL,
  charge_period TEXT NOT NULL,
  unit_cost INTEGER NOT NULL,  -- pages or credits one page costs
  reserved INTEGER NOT NULL,   -- pages or credits still reserved
  error_code TEXT,
  error_message TEXT,
  warnings_json TEXT NOT NULL DEFAULT '[]',
  created_at_ms INTEGER NOT NULL,
  completed_at_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_queue ON jobs(status, priority DESC, pages_started, created_at_ms);
CREATE INDEX jobs_account ON jobs(account_id, created_at_ms DESC);
CREATE INDEX jobs_finished ON jobs(status, completed_at_ms);
CREATE TABLE uploads (
  job_uuid TEXT PRIMARY KEY REFERENCES jobs(uuid) ON DELETE CASCADE,
  data BLOB NOT NULL
);
CREATE TABLE tasks (
  job_uuid TEXT NOT NULL REFERENCES jobs(uuid) ON DELETE CASCADE,
  idx INTEGER NOT NULL,  -- page index, or -1 for the assembly
  ordinal INTEGER NOT NULL,
  state TEXT NOT NULL,   -- queued | running | done | failed | dropped
  attempts INTEGER NOT NULL DEFAULT 0,
  worker_id INTEGER,
  lease_until_ms INTEGER,
  page_json TEXT,
  pdf_image BLOB,
  PRIMARY KEY (job_uuid, idx)
);
CREATE INDEX tasks_queue ON tasks(job_uuid, state, ordinal);
CREATE INDEX tasks_state ON tasks(state, worker_id);
CREATE TABLE artifacts (
  job_uuid TEXT NOT NULL REFERENCES jobs(uuid) ON DELETE CASCADE,
  name TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (job_uuid, name)
);
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  job_uuid TEXT NOT NULL REFERENCES jobs(uuid) ON DELETE CASCADE,
  account_id INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX conversations_job ON conversations(job_uuid, created_at_ms);
CREATE TABLE messages (
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  citations_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
-- Monotonic figures for /metrics that outlive deleted jobs.
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters VALUES ('pages_done_total', 0);
)sql",
    R"sql(
-- When each page was stored: the order in which the queue served pages.
ALTER TABLE tasks ADD COLUMN done_at_ms INTEGER;
-- What a page costs when no vision-language model read it (a vlm page
-- that fell back to the local engine): unit_cost is the most a page costs.
ALTER TABLE jobs ADD COLUMN fallback_cost INTEGER;
INSERT INTO counters VALUES ('vlm_requests_total', 0), ('vlm_errors_total', 0),
                            ('vlm_latency_ms_total', 0), ('vlm_pages_total', 0);
)sql",
    R"sql(
-- Idempotency-Key: a key names one job of its caller for 24 hours.
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,        -- 'account:12' | 'ip:1.2.3.4'
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,  -- SHA-256 of the upload and the parameters that change the result
  job_uuid TEXT NOT NULL,     -- no foreign key: the key outlives a job deleted early
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at_ms);
-- Webhooks: where a job is POSTed when it ends, and the secrets that sign it.
ALTER TABLE accounts ADD COLUMN webhook_url TEXT;     -- the default for its jobs
ALTER TABLE accounts ADD COLUMN webhook_secret TEXT;  -- created when first needed
ALTER TABLE jobs ADD COLUMN webhook_url TEXT;
ALTER TABLE jobs ADD COLUMN webhook_secret TEXT;      -- anonymous jobs only: their own
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,  -- random; sent as X-Ocrchat-Delivery
  job_uuid TEXT NOT NULL REFERENCES jobs(uuid) ON DELETE CASCADE,
  event TEXT NOT NULL,  -- job.done | job.failed
  url TEXT NOT NULL,
  status TEXT NOT NULL, -- pending | delivered | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  body TEXT,            -- as first sent, so that every attempt sends the same bytes
  last_status_code INTEGER,
  last_error TEXT,
  next_attempt_at_ms INTEGER,  -- while pending; a claim moves it ahead by its lease
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at_ms);
CREATE INDEX webhook_deliveries_job ON webhook_deliveries(job_uuid, created_at_ms);
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,  -- 1, 2, ...
  at_ms INTEGER NOT NULL,
  status_code INTEGER,   -- NULL: no HTTP answer
  error TEXT,
  PRIMARY KEY (delivery_id, seq)
);
)sql",
    R"sql(
-- The web app: an account's password (Argon2id, encoded as libsodium's
-- crypto_pwhash_str makes it) and its browsers' sessions.
ALTER TABLE accounts ADD COLUMN password_hash TEXT;
CREATE TABLE sessions (
  session_hash TEXT PRIMARY KEY,  -- SHA-256 hex of the cookie; the cookie itself is never stored
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id, expires_at_ms);
)sql",
    R"sql(
-- The node (machine) of the worker holding a task: process ids are unique
-- on one machine only. Tasks claimed before this have node ''.
ALTER TABLE tasks ADD COLUMN worker_node TEXT NOT NULL DEFAULT '';
)sql",
};

constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// SQLite announces nothing: a waiter sleeps a little and looks again, the
// sleep doubling while nothing turns up (a task found, or another job
// waited for, starts it over).
class PolledWaits {
 public:
  void BeforeClaim() {}
  void Claimed(bool found) {
    if (found) task_sleep_ms_ = kTaskSleepMs.first;
  }
  void BeforeRead(const std::string&) {}
  bool WaitForTask(int64_t timeout_ms) { return Sleep(task_sleep_ms_, kTaskSleepMs, timeout_ms); }
  bool WaitForJob(const std::string& uuid, int64_t timeout_ms) {
    if (uuid != job_) {
      job_ = uuid;
      job_sleep_ms_ = kJobSleepMs.first;
    }
    return Sleep(job_sleep_ms_, kJobSleepMs, timeout_ms);
  }

 private:
  static constexpr std::pair<int64_t, int64_t> kTaskSleepMs{5, 50}, kJobSleepMs{2, 20};

  static bool Sleep(int64_t& sleep_ms, std::pair<int64_t, int64_t> range, int64_t timeout_ms) {
    int64_t ms = std::clamp<int64_t>(timeout_ms, 0, sleep_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    sleep_ms = std::min(sleep_ms * 2, range.second);
    return ms < timeout_ms;
  }

  int64_t task_sleep_ms_ = kTaskSleepMs.first;
  int64_t job_sleep_ms_ = kJobSleepMs.first;
  std::string job_;
};

// IMMEDIATE transactions serialise writers: no row is locked by hand.
struct SqliteDialect {
  using Connection = store::Connection;
  using Rows = store::Rows;
  using Error = SqliteError;
  using Waits = PolledWaits;
  static constexpr bool kRowLocks = false;
  static std::string Lock(std::string_view, bool) { return ""; }
  static bool TrySweepLock(Connection&) { return true; }
  static void Notify(Connection&, std::string_view, const std::string&) {}
};

void Migrate(Connection& db) {
  // Up to date (every open but the first): no write lock needed, so a node
  // opens its connections while another process writes.
  bool current = db.Read([&] {
    Rows rows = db.Query("PRAGMA user_version");
    return rows.Next() && rows.Int(0) == kSchemaVersion;
  });
  if (current) return;
  db.Write([&] {
    int version = 0;
    {
      Rows rows = db.Query("PRAGMA user_version");
      if (rows.Next()) version = static_cast<int>(rows.Int(0));
    }
    if (version > kSchemaVersion)
      throw SqliteError(SQLITE_ERROR, "the database was written by a newer ocrchat (schema " +
                                          std::to_string(version) + ")");
    for (int v = version; v < kSchemaVersion; ++v) db.ExecScript(kMigrations[v]);
    if (version != kSchemaVersion)
      db.ExecScript("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  });
}

}  // namespace

core::Result<std::unique_ptr<Store>> OpenSqlite(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return core::Fail(ErrorCode::kInternal, "cannot create the data directory " + data_dir,
                      ec.message());
  std::string path = (std::filesystem::path(data_dir) / "ocrchat.db").string();
  try {
    std::unique_ptr<Connection> db = Connection::Open(path);
    Migrate(*db);
    return std::make_unique<sql::SqlStore<SqliteDialect>>(std::move(db), PolledWaits());
  } catch (const SqliteError& e) {
    return core::Fail(ErrorCode::kInternal, "cannot open the database " + path, e.what());
  }
}

}  // namespace ocrchat::store
