// SqlStore: the Store written once in SQL that SQLite and PostgreSQL both
// run. A dialect (SqliteDialect in sqlite_store.cpp, PostgresDialect in
// postgres_store.cpp) supplies the connection and how rows are locked; the
// schema and its migrations belong to each store. Private to src/store.
//
// Concurrency: on SQLite every write transaction is IMMEDIATE, so writers
// are serialised by the database. On PostgreSQL (READ COMMITTED) writers
// serialise on the rows they lock: a caller's account or usage row while a
// job is accepted, a job's tasks and then its row while the job changes,
// and a claimed task (SKIP LOCKED, so that claims do not queue behind each
// other). Tasks are always locked before their job, as a claim takes them.
//
// Changes others wait for are announced in the transaction that makes
// them, so that they are heard when it commits: a task queued (kTaskChannel)
// and a job ended or deleted (kJobChannel, its uuid).
#pragma once

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/crypto.h"
#include "store/sql_param.h"
#include "store/store.h"

namespace ocrchat::store {
namespace sql {

using core::ErrorCode;

inline constexpr std::string_view kTaskChannel = "ocrchat_tasks";
inline constexpr std::string_view kJobChannel = "ocrchat_jobs";

inline constexpr std::string_view kAccountColumns =
    "a.id, a.name, a.plan, a.credits, a.created_at_ms, COALESCE(a.webhook_url, '')";

inline constexpr std::string_view kJobColumns =
    "uuid, account_id, status, tier, language, filename, format, detected_language, tool, "
    "translate_to, recipe_json, page_count, pages_done, error_code, error_message, "
    "warnings_json, created_at_ms, completed_at_ms";

inline int PriorityOf(std::string_view plan) {
  if (plan == "paid") return 2;
  if (plan == "free") return 1;
  return 0;
}

inline std::string DayKey(int64_t unix_ms) { return core::Rfc3339(unix_ms).substr(0, 10); }
inline std::string MonthKey(int64_t unix_ms) { return core::Rfc3339(unix_ms).substr(0, 7); }
inline std::string AccountSubject(int64_t id) { return "account:" + std::to_string(id); }

inline ErrorCode CodeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    if (core::CodeName(code) == name) return code;
  }
  return ErrorCode::kInternal;
}

inline std::string WarningsToJson(const std::vector<std::string>& warnings) {
  return nlohmann::json(warnings).dump();
}

inline std::vector<std::string> WarningsFromJson(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> warnings;
  if (!json.is_array()) return warnings;
  for (const auto& item : json)
    if (item.is_string()) warnings.push_back(item.get<std::string>());
  return warnings;
}

inline std::string Plural(int64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

inline bool IsValidPlan(std::string_view plan) { return plan == "free" || plan == "paid"; }

inline core::Error InternalError(const std::exception& e) {
  return core::MakeError(ErrorCode::kInternal, "the database failed", e.what());
}

// Sql provides: Connection (Exec, Query, ExecScript, Write, Read), Rows,
// Error (IsConstraint), kRowLocks (whether writers must lock rows
// themselves), Lock(of, skip_locked) (the clause that locks the rows a
// SELECT reads, "" where the transaction already serialises),
// TrySweepLock(connection) (whether this node does the retention sweep
// now), Notify(connection, channel, payload) (announces a change when the
// transaction commits) and Waits, how a store waits for changes:
// BeforeClaim() and Claimed(found) around each claim, BeforeRead(uuid)
// before each read of a job, and WaitForTask / WaitForJob as in store.h.
template <typename Sql>
class SqlStore final : public Store {
 public:
  using Connection = typename Sql::Connection;
  using Rows = typename Sql::Rows;
  using DbError = typename Sql::Error;
  using Waits = typename Sql::Waits;

  SqlStore(std::unique_ptr<Connection> db, Waits waits)
      : db_(std::move(db)), waits_(std::move(waits)) {}

  // ---- accounts and tokens ----------------------------------------------

  core::Result<Account> CreateAccount(const std::string& name, const std::string& plan) override {
    if (name.empty()) return core::Fail(ErrorCode::kInvalidParameter, "an account needs a name");
    if (!IsValidPlan(plan))
      return core::Fail(ErrorCode::kInvalidParameter,
                        "unknown plan \"" + plan + "\"; use free or paid");
    try {
      return db_->Write([&]() -> core::Result<Account> {
        if (FindAccountIn(name))
          return core::Fail(ErrorCode::kConflict, "account \"" + name + "\" exists already");
        db_->Exec("INSERT INTO accounts (name, plan, created_at_ms) VALUES (?, ?, ?)", name, plan,
                  core::NowUnixMs());
        return *FindAccountIn(name);
      });
    } catch (const DbError& e) {
      // Another node created it between the look and the insert.
      if (e.IsConstraint())
        return core::Fail(ErrorCode::kConflict, "account \"" + name + "\" exists already");
      return std::unexpected(InternalError(e));
    }
  }

  core::Result<Account> FindAccount(const std::string& name) override {
    try {
      if (auto account = FindAccountIn(name)) return *account;
      return core::Fail(ErrorCode::kNotFound, "no account \"" + name + "\"");
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::vector<Account> ListAccounts() override {
    static const std::string sql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts a ORDER BY a.id";
    std::vector<Account> accounts;
    Rows rows = db_->Query(sql);
    while (rows.Next()) accounts.push_back(AccountFromRow(rows));
    return accounts;
  }

  core::Status SetPlan(const std::string& name, const std::string& plan) override {
    if (!IsValidPlan(plan))
      return core::Fail(ErrorCode::kInvalidParameter,
                        "unknown plan \"" + plan + "\"; use free or paid");
    try {
      int changed = db_->Write(
          [&] { return db_->Exec("UPDATE accounts SET plan = ? WHERE name = ?", plan, name); });
      if (changed == 0) return core::Fail(ErrorCode::kNotFound, "no account \"" + name + "\"");
      return {};
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  core::Status AddCredits(const std::string& name, int64_t credits) override {
    try {
      return db_->Write([&]() -> core::Status {
        std::optional<Account> account = FindAccountIn(name, /*lock=*/true);
        if (!account) return core::Fail(ErrorCode::kNotFound, "no account \"" + name + "\"");
        if (account->credits + credits < 0)
          return core::Fail(ErrorCode::kInvalidParameter,
                            "the account has only " + Plural(account->credits, "credit"));
        db_->Exec("UPDATE accounts SET credits = credits + ? WHERE id = ?", credits, account->id);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  core::Result<std::string> CreateToken(const std::string& account_name) override {
    try {
      return db_->Write([&]() -> core::Result<std::string> {
        std::optional<Account> account = FindAccountIn(account_name);
        if (!account)
          return core::Fail(ErrorCode::kNotFound, "no account \"" + account_name + "\"");
        std::string token = "oc_" + core::RandomHex(16);
        db_->Exec("INSERT INTO tokens (account_id, token_hash, created_at_ms) VALUES (?, ?, ?)",
                  account->id, core::Sha256Hex(token), core::NowUnixMs());
        return token;
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  core::Status RevokeToken(const std::string& token) override {
    std::string hash = core::Sha256Hex(token);
    try {
      return db_->Write([&]() -> core::Status {
        {
          Rows rows = db_->Query("SELECT 1 FROM tokens WHERE token_hash = ?", hash);
          if (!rows.Next()) return core::Fail(ErrorCode::kNotFound, "unknown token");
        }
        db_->Exec(
            "UPDATE tokens SET revoked_at_ms = ? WHERE token_hash = ? AND revoked_at_ms IS NULL",
            core::NowUnixMs(), hash);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::optional<Account> Authenticate(const std::string& token) override {
    std::string hash = core::Sha256Hex(token);
    static const std::string sql = "SELECT " + std::string(kAccountColumns) +
                                   ", t.token_hash FROM tokens t JOIN accounts a ON "
                                   "a.id = t.account_id "
                                   "WHERE t.token_hash = ? AND t.revoked_at_ms IS NULL";
    Rows rows = db_->Query(sql, hash);
    if (!rows.Next()) return std::nullopt;
    // The index lookup is not constant-time; the final comparison is.
    if (!core::ConstantTimeEquals(rows.Text(6), hash)) return std::nullopt;
    return AccountFromRow(rows);
  }

  core::Status SetAccountWebhook(const std::string& name, const std::string& url) override {
    try {
      int changed = db_->Write([&] {
        int n = db_->Exec("UPDATE accounts SET webhook_url = ? WHERE name = ?",
                          url.empty() ? std::nullopt : std::optional<std::string>(url), name);
        if (n > 0 && !url.empty()) EnsureAccountSecret(name);
        return n;
      });
      if (changed == 0) return core::Fail(ErrorCode::kNotFound, "no account \"" + name + "\"");
      return {};
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  core::Result<std::string> WebhookSecretOf(const std::string& name) override {
    try {
      return db_->Write([&]() -> core::Result<std::string> {
        std::optional<std::string> secret = EnsureAccountSecret(name);
        if (!secret) return core::Fail(ErrorCode::kNotFound, "no account \"" + name + "\"");
        return *secret;
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  // ---- metering ------------------------------------------------------------

  Usage UsageOf(const Caller& caller, const Allowance& allowance) override {
    Usage usage;
    usage.plan = caller.Plan();
    int64_t now = core::NowUnixMs();
    if (usage.plan == "paid" && caller.account) {
      usage.period = "credits";
      Rows rows = db_->Query(
          "SELECT credits, credits_reserved, credits_spent FROM accounts WHERE id = ?",
          caller.account->id);
      if (rows.Next()) {
        usage.used = rows.Int(1) + rows.Int(2);
        usage.balance = std::max<int64_t>(0, rows.Int(0));
      }
      usage.cap = usage.used + usage.balance;
      return usage;
    }
    if (usage.plan == "free" && caller.account) {
      usage.period = "month";
      usage.cap = allowance.free_pages_per_month;
      usage.used = PagesUsed(AccountSubject(caller.account->id), MonthKey(now));
    } else {
      usage.period = "day";
      usage.cap = allowance.anonymous_pages_per_day;
      usage.used = PagesUsed("ip:" + caller.ip, DayKey(now));
    }
    usage.balance = std::max<int64_t>(0, usage.cap - usage.used);
    return usage;
  }

  std::expected<Accepted, Refusal> AcceptJob(const NewJob& job, const Caller& caller,
                                             const Allowance& allowance) override {
    const std::string plan = caller.account ? caller.Plan() : "anonymous";
    const int64_t pages = static_cast<int64_t>(job.pages.size());
    int64_t per_file = plan == "paid"   ? allowance.paid_pages_per_file
                       : plan == "free" ? allowance.free_pages_per_file
                                        : allowance.anonymous_pages_per_file;
    return db_->Write([&]() -> std::expected<Accepted, Refusal> {
      int64_t now = core::NowUnixMs();
      LockCaller(caller, now);
      if (job.idempotency_key) {
        const IdempotencyKey& key = *job.idempotency_key;
        if (std::optional<KeyUse> earlier = KeyUseIn(key.scope, key.key, now))
          return Accepted{earlier->job_uuid, earlier};
      }
      if (pages > per_file)
        return std::unexpected(Refusal{pages, per_file, "file",
                                       "this file has " + Plural(pages, "page") + "; the " +
                                           plan + " plan allows " + Plural(per_file, "page") +
                                           " per file"});
      std::string subject, period;
      int64_t unit_cost = 1, fallback_cost = 1;
      if (plan == "paid") {
        fallback_cost = allowance.cpu_credits_per_page;
        unit_cost = job.price_tier == "vlm" ? allowance.vlm_credits_per_page : fallback_cost;
        int64_t cost = pages * unit_cost;
        int64_t balance = 0, used = 0;
        {
          Rows rows = db_->Query(
              "SELECT credits, credits_reserved, credits_spent FROM accounts WHERE id = ?",
              caller.account->id);
          if (rows.Next()) {
            balance = rows.Int(0);
            used = rows.Int(1) + rows.Int(2);
          }
        }
        if (cost > balance)
          return std::unexpected(Refusal{
              used, used + balance, "credits",
              "not enough credits: this file needs " + Plural(cost, "credit") + " (" +
                  Plural(pages, "page") + " on " + job.price_tier + ") and " +
                  std::to_string(std::max<int64_t>(0, balance)) + " are left; buy more credits"});
        db_->Exec(
            "UPDATE accounts SET credits = credits - ?, credits_reserved = credits_reserved + ? "
            "WHERE id = ?",
            cost, cost, caller.account->id);
        subject = AccountSubject(caller.account->id);
        period = "credits";
      } else {
        bool free = plan == "free";
        subject = free ? AccountSubject(caller.account->id) : "ip:" + caller.ip;
        period = free ? MonthKey(now) : DayKey(now);
        int64_t cap = free ? allowance.free_pages_per_month : allowance.anonymous_pages_per_day;
        int64_t used = PagesUsed(subject, period);
        if (used + pages > cap) {
          std::string when = free ? "this month" : "today";
          std::string advice = free ? "buy credits or try again next month"
                                    : "sign up for an account or try again tomorrow";
          std::string message =
              used >= cap ? std::string(free ? "monthly" : "daily") + " page allowance used up: " +
                                std::to_string(used) + " of " + std::to_string(cap) +
                                " pages " + when + "; " + advice
                          : "this file has " + Plural(pages, "page") + " but only " +
                                std::to_string(cap - used) + " of " + std::to_string(cap) +
                                " pages are left " + when + "; " + advice;
          return std::unexpected(Refusal{used, cap, free ? "month" : "day", message});
        }
        db_->Exec(
            "INSERT INTO usage (subject, period, reserved) VALUES (?, ?, ?) "
            "ON CONFLICT (subject, period) DO UPDATE SET "
            "reserved = usage.reserved + excluded.reserved",
            subject, period, pages);
      }
      // An account's jobs are signed with its secret, an anonymous job with its own.
      std::optional<std::string> job_secret;
      if (job.webhook_url && !caller.account)
        job_secret = job.webhook_secret ? *job.webhook_secret : core::RandomHex(32);
      if (job.webhook_url && caller.account) EnsureAccountSecret(caller.account->name);
      db_->Exec(
          "INSERT INTO jobs (uuid, account_id, client_ip, plan, priority, status, tier, language, "
          "filename, format, tool, translate_to, recipe_json, page_count, charge_subject, "
          "charge_period, unit_cost, fallback_cost, reserved, warnings_json, created_at_ms, "
          "webhook_url, webhook_secret) "
          "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          job.uuid, job.account_id, job.client_ip, job.plan, PriorityOf(job.plan), job.tier,
          job.language, job.filename, job.format, job.tool, job.translate_to, job.recipe_json,
          pages, subject, period, unit_cost, fallback_cost, pages * unit_cost,
          WarningsToJson(job.warnings), now, job.webhook_url, job_secret);
      if (job.idempotency_key) {
        // An expired use of the key is replaced.
        db_->Exec(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, job_uuid, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET "
            "fingerprint = excluded.fingerprint, job_uuid = excluded.job_uuid, "
            "created_at_ms = excluded.created_at_ms",
            job.idempotency_key->scope, job.idempotency_key->key,
            job.idempotency_key->fingerprint, job.uuid, now);
      }
      db_->Exec("INSERT INTO uploads (job_uuid, data) VALUES (?, ?)", job.uuid, Blob{job.upload});
      for (size_t i = 0; i < job.pages.size(); ++i)
        db_->Exec("INSERT INTO tasks (job_uuid, idx, ordinal, state) VALUES (?, ?, ?, 'queued')",
                  job.uuid, job.pages[i], static_cast<int64_t>(i));
      if (job.pages.empty())
        QueueAssembly(job.uuid, 0);
      else
        Sql::Notify(*db_, kTaskChannel, "");
      return Accepted{job.uuid, std::nullopt};
    });
  }

  std::optional<KeyUse> FindIdempotencyKey(const std::string& scope,
                                           const std::string& key) override {
    return KeyUseIn(scope, key, core::NowUnixMs());
  }

  // ---- jobs ------------------------------------------------------------------

  std::optional<JobRow> GetJob(const std::string& uuid) override {
    waits_.BeforeRead(uuid);
    static const std::string sql =
        "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE uuid = ?";
    Rows rows = db_->Query(sql, uuid);
    if (!rows.Next()) return std::nullopt;
    return JobFromRow(rows);
  }

  std::vector<core::Page> PagesOf(const std::string& uuid) override {
    std::vector<core::Page> pages;
    Rows rows = db_->Query(
        "SELECT idx, page_json FROM tasks WHERE job_uuid = ? AND idx >= 0 AND state = 'done' "
        "ORDER BY ordinal",
        uuid);
    while (rows.Next()) {
      core::Result<core::Page> page = core::PageFromJsonText(rows.Text(1));
      if (page) {
        pages.push_back(std::move(*page));
        continue;
      }
      // A damaged row costs its page's text, not the whole document.
      core::Page empty;
      empty.index = static_cast<int>(rows.Int(0));
      empty.source = core::TextSource::kNone;
      empty.warnings.push_back("page " + std::to_string(empty.index + 1) +
                               ": the stored result could not be read");
      pages.push_back(std::move(empty));
    }
    return pages;
  }

  std::vector<JobRow> ListJobs(int64_t account_id, int limit, int offset) override {
    static const std::string sql = "SELECT " + std::string(kJobColumns) +
                                   " FROM jobs WHERE account_id = ? "
                                   "ORDER BY created_at_ms DESC, rowid DESC LIMIT ? OFFSET ?";
    std::vector<JobRow> jobs;
    Rows rows = db_->Query(sql, account_id, limit, offset);
    while (rows.Next()) jobs.push_back(JobFromRow(rows));
    return jobs;
  }

  int64_t CountJobs(int64_t account_id) override {
    Rows rows = db_->Query("SELECT COUNT(*) FROM jobs WHERE account_id = ?", account_id);
    return rows.Next() ? rows.Int(0) : 0;
  }

  bool DeleteJob(const std::string& uuid) override {
    return db_->Write([&] {
      std::optional<std::string> status = LockJob(uuid);
      if (!status) return false;
      if (*status == "pending" || *status == "processing") ReleaseReservation(uuid);
      // Tasks, upload, artifacts, conversations and messages go by cascade.
      db_->Exec("DELETE FROM jobs WHERE uuid = ?", uuid);
      Sql::Notify(*db_, kJobChannel, uuid);
      return true;
    });
  }

  // ---- the queue -----------------------------------------------------------

  std::optional<Task> ClaimTask(const WorkerId& worker, int64_t lease_ms,
                                TaskFilter filter) override {
    waits_.BeforeClaim();
    std::optional<Task> task = ClaimTaskIn(worker, lease_ms, filter);
    waits_.Claimed(task.has_value());
    return task;
  }

  bool RenewLease(const WorkerId& worker, const Task& task, int64_t lease_ms) override {
    return db_->Write([&] {
      return db_->Exec(
                 "UPDATE tasks SET lease_until_ms = ? WHERE job_uuid = ? AND idx = ? "
                 "AND state = 'running' AND worker_node = ? AND worker_id = ? AND attempts = ?",
                 core::NowUnixMs() + lease_ms, task.job_uuid, task.index, worker.node,
                 worker.pid, task.attempts) > 0;
    });
  }

  bool WaitForTask(int64_t timeout_ms) override { return waits_.WaitForTask(timeout_ms); }

  bool WaitForJob(const std::string& uuid, int64_t timeout_ms) override {
    return waits_.WaitForJob(uuid, timeout_ms);
  }

  std::optional<std::string> UploadOf(const std::string& job_uuid) override {
    Rows rows = db_->Query("SELECT data FROM uploads WHERE job_uuid = ?", job_uuid);
    if (!rows.Next()) return std::nullopt;
    return rows.Text(0);
  }

  core::Status CompletePage(const Task& task, const core::Page& page,
                            const std::string& pdf_image) override {
    if (task.index < 0)
      return core::Fail(ErrorCode::kInvalidParameter, "the assembly is not a page");
    std::string page_json = core::PageToJson(page).dump();
    try {
      return db_->Write([&]() -> core::Status {
        LockJob(task.job_uuid);
        std::optional<std::string> state = TaskState(task.job_uuid, task.index);
        if (!state) return core::Fail(ErrorCode::kNotFound, "no such task");
        if (*state == "done") return {};
        if (*state != "running")
          return core::Fail(ErrorCode::kConflict, "the task is " + *state + ", not running");
        db_->Exec(
            "UPDATE tasks SET state = 'done', page_json = ?, pdf_image = ?, worker_id = NULL, "
            "lease_until_ms = NULL, done_at_ms = ? WHERE job_uuid = ? AND idx = ?",
            page_json, Blob{pdf_image}, core::NowUnixMs(), task.job_uuid, task.index);
        ChargeOnePage(task.job_uuid, page.source == core::TextSource::kVlm);
        if (page.source == core::TextSource::kVlm)
          db_->Exec("UPDATE counters SET value = value + 1 WHERE name = 'vlm_pages_total'");
        db_->Exec(
            "UPDATE counters SET value = value + 1 WHERE name = 'pages_done_total'");
        int64_t page_count = 0, pages_done = 0;
        {
          Rows rows = db_->Query(
              "UPDATE jobs SET pages_done = pages_done + 1 WHERE uuid = ? "
              "RETURNING page_count, pages_done",
              task.job_uuid);
          if (rows.Next()) {
            page_count = rows.Int(0);
            pages_done = rows.Int(1);
          }
          while (rows.Next()) {
          }
        }
        if (pages_done >= page_count) QueueAssembly(task.job_uuid, page_count);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::string PdfImageOf(const std::string& job_uuid, int index) override {
    Rows rows = db_->Query(
        "SELECT pdf_image FROM tasks WHERE job_uuid = ? AND idx = ? AND state = 'done'", job_uuid,
        index);
    return rows.Next() ? rows.Text(0) : std::string();
  }

  core::Status FinishJob(
      const Task& task, const std::string& detected_language,
      const std::vector<std::string>& warnings,
      const std::vector<std::pair<std::string, std::string>>& artifacts) override {
    if (task.index != kAssembly)
      return core::Fail(ErrorCode::kInvalidParameter, "only the assembly finishes a job");
    try {
      return db_->Write([&]() -> core::Status {
        LockJob(task.job_uuid);
        std::vector<std::string> all_warnings;
        std::string status;
        {
          Rows rows =
              db_->Query("SELECT status, warnings_json FROM jobs WHERE uuid = ?", task.job_uuid);
          if (!rows.Next()) return core::Fail(ErrorCode::kNotFound, "no such job");
          status = rows.Text(0);
          all_warnings = WarningsFromJson(rows.Text(1));
        }
        if (status == "done") return {};
        if (status == "failed") return core::Fail(ErrorCode::kConflict, "the job has failed");
        std::optional<std::string> state = TaskState(task.job_uuid, kAssembly);
        if (!state || *state == "dropped" || *state == "failed")
          return core::Fail(ErrorCode::kConflict, "the job's pages are not all done");
        for (const std::string& warning : warnings)
          if (std::find(all_warnings.begin(), all_warnings.end(), warning) == all_warnings.end())
            all_warnings.push_back(warning);
        ReleaseReservation(task.job_uuid);
        db_->Exec(
            "UPDATE jobs SET status = 'done', detected_language = ?, warnings_json = ?, "
            "completed_at_ms = ? WHERE uuid = ?",
            detected_language, WarningsToJson(all_warnings), core::NowUnixMs(), task.job_uuid);
        db_->Exec(
            "UPDATE tasks SET state = 'done', worker_id = NULL, lease_until_ms = NULL "
            "WHERE job_uuid = ? AND idx = ?",
            task.job_uuid, kAssembly);
        for (const auto& [name, data] : artifacts)
          db_->Exec(
              "INSERT INTO artifacts (job_uuid, name, data) VALUES (?, ?, ?) "
              "ON CONFLICT (job_uuid, name) DO UPDATE SET data = excluded.data",
              task.job_uuid, name, Blob{data});
        db_->Exec("DELETE FROM uploads WHERE job_uuid = ?", task.job_uuid);
        QueueDelivery(task.job_uuid, "job.done");
        Sql::Notify(*db_, kJobChannel, task.job_uuid);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::optional<std::string> ArtifactOf(const std::string& job_uuid,
                                        const std::string& name) override {
    Rows rows =
        db_->Query("SELECT data FROM artifacts WHERE job_uuid = ? AND name = ?", job_uuid, name);
    if (!rows.Next()) return std::nullopt;
    return rows.Text(0);
  }

  core::Status FailJob(const std::string& job_uuid, const core::Error& error) override {
    try {
      return db_->Write([&] { return FailJobIn(job_uuid, error); });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::vector<Task> ReleaseWorker(const WorkerId& worker, const core::Error& error,
                                  bool retry) override {
    return db_->Write([&] {
      std::vector<Task> tasks;
      {
        Rows rows = db_->Query(
            "SELECT t.job_uuid, t.idx, t.ordinal, t.attempts, j.recipe_json, j.format "
            "FROM tasks t JOIN jobs j ON j.uuid = t.job_uuid "
            "WHERE t.state = 'running' AND t.worker_node = ? AND t.worker_id = ? "
            "ORDER BY t.job_uuid, t.idx" +
                Sql::Lock("t", false),
            worker.node, worker.pid);
        while (rows.Next()) {
          Task task;
          task.job_uuid = rows.Text(0);
          task.index = static_cast<int>(rows.Int(1));
          task.ordinal = static_cast<int>(rows.Int(2));
          task.attempts = static_cast<int>(rows.Int(3));
          task.recipe_json = rows.Text(4);
          task.format = rows.Text(5);
          tasks.push_back(std::move(task));
        }
      }
      for (const Task& task : tasks) {
        if (!retry || task.attempts >= 2) {
          db_->Exec(
              "UPDATE tasks SET state = 'failed', worker_id = NULL, lease_until_ms = NULL "
              "WHERE job_uuid = ? AND idx = ?",
              task.job_uuid, task.index);
          core::Error failure = error;
          if (task.index >= 0)
            failure.message = "page " + std::to_string(task.index + 1) + ": " + error.message;
          FailJobIn(task.job_uuid, failure);
        } else {
          Requeue(task.job_uuid, task.index);
        }
      }
      return tasks;
    });
  }

  std::vector<WorkerId> OverdueWorkers() override {
    std::vector<WorkerId> workers;
    Rows rows = db_->Query(
        "SELECT DISTINCT worker_node, worker_id FROM tasks WHERE state = 'running' "
        "AND lease_until_ms < ? ORDER BY worker_node, worker_id",
        core::NowUnixMs());
    while (rows.Next()) workers.push_back(WorkerId{rows.Text(0), static_cast<int>(rows.Int(1))});
    return workers;
  }

  std::vector<int> RunningWorkers(const std::string& node) override {
    std::vector<int> workers;
    Rows rows = db_->Query(
        "SELECT DISTINCT worker_id FROM tasks WHERE state = 'running' AND worker_node = ? "
        "AND worker_id IS NOT NULL ORDER BY worker_id",
        node);
    while (rows.Next()) workers.push_back(static_cast<int>(rows.Int(0)));
    return workers;
  }

  void RequeueWorkers(const std::string& node, const std::vector<int>& pids) override {
    if (pids.empty()) return;
    db_->Write([&] {
      for (int pid : pids) {
        db_->Exec(
            "UPDATE jobs SET pages_started = MAX(0, pages_started - ("
            "  SELECT COUNT(*) FROM tasks t WHERE t.job_uuid = jobs.uuid AND t.state = 'running' "
            "  AND t.worker_node = ?1 AND t.worker_id = ?2)) "
            "WHERE uuid IN (SELECT job_uuid FROM tasks WHERE state = 'running' "
            "AND worker_node = ?1 AND worker_id = ?2)",
            node, static_cast<int64_t>(pid));
        db_->Exec(
            "UPDATE tasks SET state = 'queued', worker_id = NULL, "
            "lease_until_ms = NULL, attempts = MAX(0, attempts - 1) "
            "WHERE state = 'running' AND worker_node = ? AND worker_id = ?",
            node, static_cast<int64_t>(pid));
      }
      Sql::Notify(*db_, kTaskChannel, "");
    });
  }

  int DeleteExpired(int64_t retention_ms) override {
    return db_->Write([&] {
      // One node sweeps at a time; the others find nothing left to do.
      if (!Sql::TrySweepLock(*db_)) return 0;
      std::vector<std::string> uuids;
      {
        Rows rows = db_->Query(
            "SELECT uuid FROM jobs WHERE completed_at_ms > 0 AND completed_at_ms < ? "
            "AND status IN ('done', 'failed')",
            core::NowUnixMs() - retention_ms);
        while (rows.Next()) uuids.push_back(rows.Text(0));
      }
      for (const std::string& uuid : uuids) db_->Exec("DELETE FROM jobs WHERE uuid = ?", uuid);
      db_->Exec(
          "DELETE FROM uploads WHERE job_uuid IN "
          "(SELECT uuid FROM jobs WHERE status IN ('done', 'failed'))");
      db_->Exec("DELETE FROM idempotency_keys WHERE created_at_ms < ?",
                core::NowUnixMs() - kIdempotencyKeyTtlMs);
      return static_cast<int>(uuids.size());
    });
  }

  void CountModelCalls(int64_t requests, int64_t errors, int64_t latency_ms) override {
    if (requests == 0 && errors == 0 && latency_ms == 0) return;
    db_->Write([&] {
      db_->Exec("UPDATE counters SET value = value + ? WHERE name = 'vlm_requests_total'", requests);
      db_->Exec("UPDATE counters SET value = value + ? WHERE name = 'vlm_errors_total'", errors);
      db_->Exec("UPDATE counters SET value = value + ? WHERE name = 'vlm_latency_ms_total'", latency_ms);
    });
  }

  Stats GetStats() override {
    return db_->Read([&] {
      Stats stats;
      {
        Rows rows = db_->Query("SELECT status, COUNT(*) FROM jobs GROUP BY status");
        while (rows.Next()) {
          std::string status = rows.Text(0);
          int64_t n = rows.Int(1);
          if (status == "pending") stats.jobs_pending = n;
          if (status == "processing") stats.jobs_processing = n;
          if (status == "done") stats.jobs_done = n;
          if (status == "failed") stats.jobs_failed = n;
        }
      }
      {
        Rows rows = db_->Query(
            "SELECT state, COUNT(*) FROM tasks WHERE idx >= 0 AND state IN ('queued', 'running') "
            "GROUP BY state");
        while (rows.Next()) {
          if (rows.Text(0) == "queued") stats.pages_queued = rows.Int(1);
          if (rows.Text(0) == "running") stats.pages_running = rows.Int(1);
        }
      }
      {
        Rows rows = db_->Query("SELECT name, value FROM counters");
        while (rows.Next()) {
          std::string name = rows.Text(0);
          int64_t value = rows.Int(1);
          if (name == "pages_done_total") stats.pages_done_total = value;
          if (name == "vlm_requests_total") stats.vlm_requests_total = value;
          if (name == "vlm_errors_total") stats.vlm_errors_total = value;
          if (name == "vlm_latency_ms_total") stats.vlm_latency_ms_total = value;
          if (name == "vlm_pages_total") stats.vlm_pages_total = value;
        }
      }
      return stats;
    });
  }

  // ---- webhooks --------------------------------------------------------------

  std::optional<JobWebhook> WebhookOf(const std::string& job_uuid) override {
    return db_->Read([&]() -> std::optional<JobWebhook> {
      JobWebhook webhook;
      {
        Rows rows = db_->Query(
            "SELECT webhook_url FROM jobs WHERE uuid = ? AND webhook_url IS NOT NULL", job_uuid);
        if (!rows.Next()) return std::nullopt;
        webhook.url = rows.Text(0);
      }
      Rows rows = db_->Query(
          "SELECT " + std::string(kDeliveryColumns) +
              " FROM webhook_deliveries d WHERE d.job_uuid = ? ORDER BY d.created_at_ms, d.rowid",
          job_uuid);
      while (rows.Next()) webhook.deliveries.push_back(DeliveryFromRow(rows));
      return webhook;
    });
  }

  std::vector<DueDelivery> ClaimDueDeliveries(int limit, int64_t lease_ms) override {
    const int64_t now = core::NowUnixMs();
    // The sender polls: nothing due is answered without the write lock.
    {
      Rows rows = db_->Query(
          "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at_ms <= ? "
          "LIMIT 1",
          now);
      if (!rows.Next()) return {};
    }
    return db_->Write([&] {
      std::vector<DueDelivery> due;
      {
        Rows rows = db_->Query(
            "SELECT " + std::string(kDeliveryColumns) +
                ", d.job_uuid, d.url, COALESCE(j.webhook_secret, a.webhook_secret, ''), "
                "COALESCE(d.body, ''), d.created_at_ms FROM webhook_deliveries d "
                "JOIN jobs j ON j.uuid = d.job_uuid LEFT JOIN accounts a ON a.id = j.account_id "
                "WHERE d.status = 'pending' AND d.next_attempt_at_ms <= ? "
                "ORDER BY d.next_attempt_at_ms, d.created_at_ms LIMIT ?" +
                Sql::Lock("d", /*skip_locked=*/true),
            now, limit);
        while (rows.Next()) {
          DueDelivery d;
          d.delivery = DeliveryFromRow(rows);
          d.job_uuid = rows.Text(7);
          d.url = rows.Text(8);
          d.secret = rows.Text(9);
          d.body = rows.Text(10);
          d.created_at_ms = rows.Int(11);
          due.push_back(std::move(d));
        }
      }
      for (DueDelivery& d : due) {
        d.delivery.next_attempt_at_ms = now + lease_ms;
        db_->Exec("UPDATE webhook_deliveries SET next_attempt_at_ms = ? WHERE id = ?",
                  d.delivery.next_attempt_at_ms, d.delivery.id);
      }
      return due;
    });
  }

  void RecordAttempt(const std::string& delivery_id, const std::string& body,
                     const AttemptResult& result,
                     std::optional<int64_t> next_attempt_at_ms) override {
    const std::string status = result.delivered      ? "delivered"
                               : next_attempt_at_ms ? "pending"
                                                    : "failed";
    std::optional<std::string> error;
    if (!result.error.empty()) error = result.error;
    db_->Write([&] {
      int changed = db_->Exec(
          "UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, "
          "body = COALESCE(body, ?), last_status_code = ?, last_error = ?, "
          "next_attempt_at_ms = ? WHERE id = ? AND status = 'pending'",
          status, body, result.status_code, error,
          result.delivered ? std::nullopt : next_attempt_at_ms, delivery_id);
      if (changed == 0) return;  // deleted with its job, or recorded already
      db_->Exec(
          "INSERT INTO webhook_attempts (delivery_id, seq, at_ms, status_code, error) "
          "SELECT id, attempts, ?, ?, ? FROM webhook_deliveries WHERE id = ?",
          core::NowUnixMs(), result.status_code, error, delivery_id);
    });
  }

  // ---- chat ------------------------------------------------------------------

  std::string CreateConversation(const std::string& job_uuid, int64_t account_id) override {
    std::string id = core::NewUuid();
    try {
      db_->Write([&] {
        db_->Exec(
            "INSERT INTO conversations (id, job_uuid, account_id, created_at_ms) "
            "VALUES (?, ?, ?, ?)",
            id, job_uuid, account_id, core::NowUnixMs());
      });
    } catch (const DbError& e) {
      if (e.IsConstraint()) return {};  // no such job
      throw;
    }
    return id;
  }

  std::optional<Conversation> GetConversation(const std::string& job_uuid,
                                              const std::string& id) override {
    return db_->Read([&]() -> std::optional<Conversation> {
      Conversation conversation;
      {
        Rows rows = db_->Query(
            "SELECT id, created_at_ms FROM conversations WHERE id = ? AND job_uuid = ?", id,
            job_uuid);
        if (!rows.Next()) return std::nullopt;
        conversation.id = rows.Text(0);
        conversation.created_at = core::Rfc3339(rows.Int(1));
      }
      conversation.messages = MessagesOf(id);
      return conversation;
    });
  }

  core::Status AddMessage(const std::string& conversation_id,
                          const ConversationMessage& message) override {
    try {
      return db_->Write([&]() -> core::Status {
        {
          // Locked: the next message's number is read from those before it.
          static const std::string sql =
              "SELECT 1 FROM conversations WHERE id = ?" + Sql::Lock("", false);
          Rows rows = db_->Query(sql, conversation_id);
          if (!rows.Next()) return core::Fail(ErrorCode::kNotFound, "no such conversation");
        }
        db_->Exec(
            "INSERT INTO messages (conversation_id, seq, role, content, citations_json, "
            "created_at_ms) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages "
            "WHERE conversation_id = ?1), ?2, ?3, ?4, ?5)",
            conversation_id, message.role, message.content,
            message.citations_json.empty() ? std::string("[]") : message.citations_json,
            core::NowUnixMs());
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::vector<Conversation> History(const std::string& job_uuid) override {
    return db_->Read([&] {
      std::vector<Conversation> conversations;
      {
        Rows rows = db_->Query(
            "SELECT id, created_at_ms FROM conversations WHERE job_uuid = ? "
            "ORDER BY created_at_ms, rowid",
            job_uuid);
        while (rows.Next()) {
          Conversation conversation;
          conversation.id = rows.Text(0);
          conversation.created_at = core::Rfc3339(rows.Int(1));
          conversations.push_back(std::move(conversation));
        }
      }
      for (Conversation& conversation : conversations)
        conversation.messages = MessagesOf(conversation.id);
      return conversations;
    });
  }

  // ---- the web app: passwords and sessions ---------------------------------

  core::Status SetPasswordHash(const std::string& name, const std::string& hash) override {
    try {
      return db_->Write([&]() -> core::Status {
        std::optional<Account> account = FindAccountIn(name);
        if (!account) return core::Fail(ErrorCode::kNotFound, "no account \"" + name + "\"");
        db_->Exec("UPDATE accounts SET password_hash = ? WHERE id = ?", hash, account->id);
        db_->Exec("DELETE FROM sessions WHERE account_id = ?", account->id);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::optional<std::pair<Account, std::string>> PasswordHashOf(const std::string& name) override {
    static const std::string sql = "SELECT " + std::string(kAccountColumns) +
                                   ", a.password_hash FROM accounts a "
                                   "WHERE a.name = ? AND a.password_hash IS NOT NULL";
    Rows rows = db_->Query(sql, name);
    if (!rows.Next()) return std::nullopt;
    return std::pair{AccountFromRow(rows), rows.Text(6)};
  }

  core::Status CreateSession(int64_t account_id, const std::string& session_hash,
                             const std::string& csrf_token, int64_t expires_at_ms) override {
    try {
      return db_->Write([&]() -> core::Status {
        int64_t now = core::NowUnixMs();
        db_->Exec("DELETE FROM sessions WHERE account_id = ? AND expires_at_ms <= ?", account_id,
                  now);
        db_->Exec(
            "INSERT INTO sessions (session_hash, account_id, csrf_token, created_at_ms, "
            "expires_at_ms) VALUES (?, ?, ?, ?, ?)",
            session_hash, account_id, csrf_token, now, expires_at_ms);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

  std::optional<WebSession> FindSession(const std::string& session_hash) override {
    static const std::string sql = "SELECT " + std::string(kAccountColumns) +
                                   ", s.csrf_token, s.expires_at_ms, s.session_hash "
                                   "FROM sessions s JOIN accounts a ON a.id = s.account_id "
                                   "WHERE s.session_hash = ? AND s.expires_at_ms > ?";
    Rows rows = db_->Query(sql, session_hash, core::NowUnixMs());
    if (!rows.Next()) return std::nullopt;
    if (!core::ConstantTimeEquals(rows.Text(8), session_hash)) return std::nullopt;
    return WebSession{AccountFromRow(rows), rows.Text(6), rows.Int(7)};
  }

  void DeleteSession(const std::string& session_hash) override {
    db_->Write([&] { db_->Exec("DELETE FROM sessions WHERE session_hash = ?", session_hash); });
  }

  std::vector<TokenInfo> ListTokens(int64_t account_id) override {
    std::vector<TokenInfo> tokens;
    Rows rows = db_->Query(
        "SELECT id, created_at_ms, revoked_at_ms FROM tokens WHERE account_id = ? "
        "ORDER BY id DESC",
        account_id);
    while (rows.Next())
      tokens.push_back({rows.Int(0), core::Rfc3339(rows.Int(1)),
                        rows.IsNull(2) ? "" : core::Rfc3339(rows.Int(2))});
    return tokens;
  }

  core::Status RevokeTokenOf(int64_t account_id, int64_t token_id) override {
    try {
      return db_->Write([&]() -> core::Status {
        {
          Rows rows = db_->Query("SELECT 1 FROM tokens WHERE id = ? AND account_id = ?",
                                 token_id, account_id);
          if (!rows.Next()) return core::Fail(ErrorCode::kNotFound, "no such token");
        }
        db_->Exec("UPDATE tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL",
                  core::NowUnixMs(), token_id);
        return {};
      });
    } catch (const DbError& e) {
      return std::unexpected(InternalError(e));
    }
  }

 private:
  static Account AccountFromRow(const Rows& rows) {
    Account account;
    account.id = rows.Int(0);
    account.name = rows.Text(1);
    account.plan = rows.Text(2);
    account.credits = rows.Int(3);
    account.created_at = core::Rfc3339(rows.Int(4));
    account.webhook_url = rows.Text(5);
    return account;
  }

  static constexpr std::string_view kDeliveryColumns =
      "d.id, d.event, d.status, d.attempts, d.last_status_code, COALESCE(d.last_error, ''), "
      "COALESCE(d.next_attempt_at_ms, 0)";

  static Delivery DeliveryFromRow(const Rows& rows) {
    Delivery d;
    d.id = rows.Text(0);
    d.event = rows.Text(1);
    d.status = rows.Text(2);
    d.attempts = static_cast<int>(rows.Int(3));
    if (!rows.IsNull(4)) d.last_status_code = static_cast<int>(rows.Int(4));
    d.last_error = rows.Text(5);
    d.next_attempt_at_ms = rows.Int(6);
    return d;
  }

  static JobRow JobFromRow(const Rows& rows) {
    JobRow job;
    job.uuid = rows.Text(0);
    job.account_id = rows.OptInt(1);
    job.status = rows.Text(2);
    job.tier = rows.Text(3);
    job.language = rows.Text(4);
    job.filename = rows.Text(5);
    job.format = rows.Text(6);
    job.detected_language = rows.Text(7);
    job.tool = rows.OptText(8);
    job.translate_to = rows.OptText(9);
    job.recipe_json = rows.Text(10);
    job.page_count = static_cast<int>(rows.Int(11));
    job.pages_done = static_cast<int>(rows.Int(12));
    if (!rows.IsNull(13))
      job.error = core::MakeError(CodeFromName(rows.Text(13)), rows.Text(14));
    job.warnings = WarningsFromJson(rows.Text(15));
    job.created_at_ms = rows.Int(16);
    job.completed_at_ms = rows.Int(17);
    return job;
  }

  std::optional<Task> ClaimTaskIn(const WorkerId& worker, int64_t lease_ms, TaskFilter filter) {
    const std::string tier = filter == TaskFilter::kVlmTier      ? " AND j.tier = 'vlm'"
                             : filter == TaskFilter::kOtherTiers ? " AND j.tier <> 'vlm'"
                                                                 : "";
    // Idle workers poll: an empty queue is answered without the write lock.
    {
      Rows rows = db_->Query(
          "SELECT 1 FROM tasks t JOIN jobs j ON j.uuid = t.job_uuid WHERE t.state = 'queued'" +
          tier + " LIMIT 1");
      if (!rows.Next()) return std::nullopt;
    }
    return db_->Write([&]() -> std::optional<Task> {
      // The next job (its class, then fewest pages started, then the
      // oldest) and its first queued page; on PostgreSQL a task another
      // claim holds is passed over.
      Task task;
      Rows rows = db_->Query(
          "SELECT j.uuid, j.recipe_json, j.format, t.idx, t.ordinal, t.attempts "
          "FROM tasks t JOIN jobs j ON j.uuid = t.job_uuid "
          "WHERE t.state = 'queued' AND j.status IN ('pending', 'processing')" +
          tier +
          " ORDER BY j.priority DESC, j.pages_started, j.created_at_ms, j.rowid, t.ordinal "
          "LIMIT 1" + Sql::Lock("t", /*skip_locked=*/true));
      if (!rows.Next()) return std::nullopt;
      task.job_uuid = rows.Text(0);
      task.recipe_json = rows.Text(1);
      task.format = rows.Text(2);
      task.index = static_cast<int>(rows.Int(3));
      task.ordinal = static_cast<int>(rows.Int(4));
      task.attempts = static_cast<int>(rows.Int(5)) + 1;
      db_->Exec(
          "UPDATE tasks SET state = 'running', worker_node = ?, worker_id = ?, "
          "lease_until_ms = ?, attempts = attempts + 1 WHERE job_uuid = ? AND idx = ?",
          worker.node, worker.pid, core::NowUnixMs() + lease_ms, task.job_uuid, task.index);
      db_->Exec(
          "UPDATE jobs SET pages_started = pages_started + 1, status = 'processing' "
          "WHERE uuid = ?",
          task.job_uuid);
      return task;
    });
  }

  // With `lock`, the account stays locked until the transaction ends.
  std::optional<Account> FindAccountIn(const std::string& name, bool lock = false) {
    static const std::string sql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts a WHERE a.name = ?";
    static const std::string locked = sql + Sql::Lock("", false);
    Rows rows = db_->Query(lock ? locked : sql, name);
    if (!rows.Next()) return std::nullopt;
    return AccountFromRow(rows);
  }

  // The account's webhook secret, made now if it has none; nullopt when
  // there is no such account. Inside a write transaction.
  std::optional<std::string> EnsureAccountSecret(const std::string& name) {
    db_->Exec("UPDATE accounts SET webhook_secret = ? WHERE name = ? AND webhook_secret IS NULL",
              core::RandomHex(32), name);
    Rows rows = db_->Query("SELECT webhook_secret FROM accounts WHERE name = ?", name);
    if (!rows.Next()) return std::nullopt;
    return rows.Text(0);
  }

  // Where rows must be locked: the caller's account, or an anonymous
  // caller's usage row of the day (made when it has none), locked until the
  // transaction ends, so that the caller's accepts and its keys' uses
  // happen one at a time.
  void LockCaller(const Caller& caller, int64_t now) {
    if constexpr (Sql::kRowLocks) {
      if (caller.account) {
        static const std::string sql = "SELECT 1 FROM accounts WHERE id = ?" + Sql::Lock("", false);
        Rows rows = db_->Query(sql, caller.account->id);
        return;
      }
      const std::string subject = "ip:" + caller.ip, period = DayKey(now);
      db_->Exec(
          "INSERT INTO usage (subject, period) VALUES (?, ?) ON CONFLICT (subject, period) "
          "DO NOTHING",
          subject, period);
      static const std::string sql =
          "SELECT 1 FROM usage WHERE subject = ? AND period = ?" + Sql::Lock("", false);
      Rows rows = db_->Query(sql, subject, period);
    }
  }

  int64_t PagesUsed(const std::string& subject, const std::string& period) {
    Rows rows = db_->Query("SELECT charged + reserved FROM usage WHERE subject = ? AND period = ?",
                           subject, period);
    return rows.Next() ? rows.Int(0) : 0;
  }

  // The job's status (nullopt when there is no such job), the job locked
  // against other writers until the transaction ends: its tasks first,
  // then its row, the order in which a claim takes them.
  std::optional<std::string> LockJob(const std::string& uuid) {
    if constexpr (Sql::kRowLocks) {
      static const std::string tasks =
          "SELECT idx FROM tasks WHERE job_uuid = ? ORDER BY idx" + Sql::Lock("", false);
      Rows rows = db_->Query(tasks, uuid);
      while (rows.Next()) {
      }
    }
    static const std::string job = "SELECT status FROM jobs WHERE uuid = ?" + Sql::Lock("", false);
    Rows rows = db_->Query(job, uuid);
    if (!rows.Next()) return std::nullopt;
    return rows.Text(0);
  }

  std::optional<std::string> TaskState(const std::string& uuid, int index) {
    Rows rows = db_->Query("SELECT state FROM tasks WHERE job_uuid = ? AND idx = ?", uuid, index);
    if (!rows.Next()) return std::nullopt;
    return rows.Text(0);
  }

  void QueueAssembly(const std::string& uuid, int64_t ordinal) {
    db_->Exec(
        "INSERT INTO tasks (job_uuid, idx, ordinal, state) VALUES (?, ?, ?, 'queued') "
        "ON CONFLICT (job_uuid, idx) DO NOTHING",
        uuid, kAssembly, ordinal);
    Sql::Notify(*db_, kTaskChannel, "");
  }

  void Requeue(const std::string& uuid, int index) {
    db_->Exec(
        "UPDATE tasks SET state = 'queued', worker_id = NULL, lease_until_ms = NULL "
        "WHERE job_uuid = ? AND idx = ?",
        uuid, index);
    db_->Exec("UPDATE jobs SET pages_started = MAX(0, pages_started - 1) WHERE uuid = ?", uuid);
    Sql::Notify(*db_, kTaskChannel, "");
  }

  struct Reservation {
    std::optional<int64_t> account_id;
    std::string subject, period;
    int64_t unit_cost = 0, reserved = 0, fallback_cost = 0;
  };

  std::optional<Reservation> ReservationOf(const std::string& uuid) {
    Rows rows = db_->Query(
        "SELECT account_id, charge_subject, charge_period, unit_cost, reserved, "
        "COALESCE(fallback_cost, unit_cost) FROM jobs WHERE uuid = ?",
        uuid);
    if (!rows.Next()) return std::nullopt;
    return Reservation{rows.OptInt(0), rows.Text(1), rows.Text(2), rows.Int(3), rows.Int(4),
                       rows.Int(5)};
  }

  // Turns one page's reservation into a charge: the full price when a
  // vision-language model read it, the fallback price otherwise (the rest
  // of what was reserved goes back).
  void ChargeOnePage(const std::string& uuid, bool read_by_model) {
    std::optional<Reservation> r = ReservationOf(uuid);
    if (!r) return;
    const int64_t cost = read_by_model ? r->unit_cost : r->fallback_cost;
    int64_t from_reserve = std::min(r->unit_cost, r->reserved);
    if (r->period == "credits") {
      // What the reservation does not cover (none in practice) comes off
      // the balance; what it covers beyond the cost goes back to it.
      db_->Exec(
          "UPDATE accounts SET credits_reserved = MAX(0, credits_reserved - ?), "
          "credits_spent = credits_spent + ?, credits = credits + ? WHERE id = ?",
          from_reserve, cost, from_reserve - cost, r->account_id);
    } else {
      db_->Exec(
          "INSERT INTO usage (subject, period, charged) VALUES (?1, ?2, ?4) "
          "ON CONFLICT (subject, period) DO UPDATE SET "
          "reserved = MAX(0, usage.reserved - ?3), charged = usage.charged + ?4",
          r->subject, r->period, from_reserve, cost);
    }
    db_->Exec("UPDATE jobs SET reserved = reserved - ? WHERE uuid = ?", from_reserve, uuid);
  }

  // Gives back what the job still holds: pages to the allowance, credits to
  // the balance.
  void ReleaseReservation(const std::string& uuid) {
    std::optional<Reservation> r = ReservationOf(uuid);
    if (!r || r->reserved <= 0) return;
    if (r->period == "credits") {
      db_->Exec(
          "UPDATE accounts SET credits = credits + ?1, "
          "credits_reserved = MAX(0, credits_reserved - ?1) WHERE id = ?2",
          r->reserved, r->account_id);
    } else {
      db_->Exec(
          "UPDATE usage SET reserved = MAX(0, reserved - ?) WHERE subject = ? AND period = ?",
          r->reserved, r->subject, r->period);
    }
    db_->Exec("UPDATE jobs SET reserved = 0 WHERE uuid = ?", uuid);
  }

  core::Status FailJobIn(const std::string& uuid, const core::Error& error) {
    std::optional<std::string> status = LockJob(uuid);
    if (!status) return core::Fail(ErrorCode::kNotFound, "no such job");
    if (*status == "failed") return {};
    if (*status == "done") return core::Fail(ErrorCode::kConflict, "the job is done already");
    ReleaseReservation(uuid);
    db_->Exec(
        "UPDATE tasks SET state = 'dropped', worker_id = NULL, lease_until_ms = NULL "
        "WHERE job_uuid = ? AND state IN ('queued', 'running')",
        uuid);
    db_->Exec(
        "UPDATE jobs SET status = 'failed', error_code = ?, error_message = ?, "
        "completed_at_ms = ? WHERE uuid = ?",
        std::string(core::CodeName(error.code)), error.message, core::NowUnixMs(), uuid);
    db_->Exec("DELETE FROM uploads WHERE job_uuid = ?", uuid);
    QueueDelivery(uuid, "job.failed");
    Sql::Notify(*db_, kJobChannel, uuid);
    return {};
  }

  // The job's delivery of `event`, due now, when it has a webhook.
  void QueueDelivery(const std::string& uuid, const std::string& event) {
    int64_t now = core::NowUnixMs();
    db_->Exec(
        "INSERT INTO webhook_deliveries (id, job_uuid, event, url, status, next_attempt_at_ms, "
        "created_at_ms) SELECT ?, uuid, ?, webhook_url, 'pending', ?, ? FROM jobs "
        "WHERE uuid = ? AND webhook_url IS NOT NULL",
        core::RandomHex(16), event, now, now, uuid);
  }

  std::optional<KeyUse> KeyUseIn(const std::string& scope, const std::string& key, int64_t now) {
    Rows rows = db_->Query(
        "SELECT job_uuid, fingerprint FROM idempotency_keys "
        "WHERE scope = ? AND key = ? AND created_at_ms >= ?",
        scope, key, now - kIdempotencyKeyTtlMs);
    if (!rows.Next()) return std::nullopt;
    return KeyUse{rows.Text(0), rows.Text(1)};
  }

  std::vector<ConversationMessage> MessagesOf(const std::string& conversation_id) {
    std::vector<ConversationMessage> messages;
    Rows rows = db_->Query(
        "SELECT role, content, citations_json, created_at_ms FROM messages "
        "WHERE conversation_id = ? ORDER BY seq",
        conversation_id);
    while (rows.Next())
      messages.push_back(
          ConversationMessage{rows.Text(0), rows.Text(1), rows.Text(2), core::Rfc3339(rows.Int(3))});
    return messages;
  }

  std::unique_ptr<Connection> db_;
  Waits waits_;
};

}  // namespace sql
}  // namespace ocrchat::store
