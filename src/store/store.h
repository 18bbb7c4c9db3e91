// store: the one boundary to persistence. Jobs, page tasks (the queue),
// uploads and results, accounts, tokens, usage and chat all live here; no
// other module knows SQL. The embedded default is SQLite (WAL) in a data
// directory; several processes (the server and its workers) open the same
// database. With PostgreSQL, any number of nodes on any machines share one
// database. A Store object is not shared between threads: open one per
// thread (opening SQLite is cheap; PostgreSQL stores of one process share
// a pool of connections, each borrowed for a statement or a transaction).
//
// Database failures (disk full, a corrupt file): methods returning a Result
// or Status report them as kInternal; the other methods, AcceptJob
// included, throw std::runtime_error, which ends the request.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/document.h"
#include "core/error.h"

namespace ocrchat::store {

// ---- accounts and metering -------------------------------------------------

struct Account {
  int64_t id = 0;
  std::string name;
  std::string plan;  // "free" | "paid"
  int64_t credits = 0;  // paid plans: credits left
  std::string created_at;
  std::string webhook_url;  // where its jobs are POSTed when they end, by default; "" none
};

// Who is asking: an account, or anonymous from an IP.
struct Caller {
  std::optional<Account> account;
  std::string ip;
  std::string Plan() const { return account ? account->plan : "anonymous"; }
};

// Every figure of the SPEC's metering table.
struct Allowance {
  int64_t anonymous_pages_per_day = 20;
  int64_t free_pages_per_month = 500;
  int64_t cpu_credits_per_page = 1;
  int64_t vlm_credits_per_page = 5;
  int anonymous_pages_per_file = 10;
  int free_pages_per_file = 50;
  int paid_pages_per_file = 2000;
};

// What the caller has used and may use in the current period. For paid
// plans period is "credits", used is credits spent, cap is used + balance.
// `used` counts pages charged plus pages reserved by accepted jobs that
// are not finished yet.
struct Usage {
  std::string plan;
  std::string period;  // "day" | "month" | "credits"
  int64_t used = 0;
  int64_t cap = 0;
  int64_t balance = 0;  // cap - used, never below 0
};

// A 402: the body's used, cap and period, and a message.
struct Refusal {
  int64_t used = 0;
  int64_t cap = 0;
  std::string period;  // day | month | credits | file
  std::string message;
};

// ---- idempotency --------------------------------------------------------------

// How long an Idempotency-Key names its job; older keys are ignored, and
// DeleteExpired removes them.
inline constexpr int64_t kIdempotencyKeyTtlMs = 24LL * 3600 * 1000;

// A POST's Idempotency-Key: the key, whose it is, and what was asked.
struct IdempotencyKey {
  std::string scope;        // the caller: "account:12" | "ip:203.0.113.9"
  std::string key;          // as sent
  std::string fingerprint;  // what the request asked for (the file and the parameters)
};

// An Idempotency-Key that was used in the last kIdempotencyKeyTtlMs.
struct KeyUse {
  std::string job_uuid;     // the job it made (which may have been deleted since)
  std::string fingerprint;  // what that request asked for
};

// ---- jobs and the page queue ------------------------------------------------

struct NewJob {
  std::string uuid;
  std::optional<int64_t> account_id;
  std::string client_ip;
  std::string plan;  // anonymous | free | paid: sets the queue priority
  std::string tier, language, filename, format;  // format: decode's name, "pdf", "png"...
  // The price reserved per page: "vlm" when a vision-language model will
  // read the pages; a page it did not read is charged at the cpu price.
  std::string price_tier = "cpu";
  std::optional<std::string> tool, translate_to;
  std::string recipe_json;  // how to recognise: opaque to the store
  std::vector<int> pages;   // page indexes of the file to process, in order
  std::string upload;       // the file's bytes (already decrypted)
  std::vector<std::string> warnings;
  std::optional<IdempotencyKey> idempotency_key;
  // Where the job is POSTed when it ends. An account's jobs are signed with
  // its secret (created when first needed); an anonymous job with its own,
  // webhook_secret.
  std::optional<std::string> webhook_url, webhook_secret;
};

// What AcceptJob did.
struct Accepted {
  std::string uuid;  // the job stored; with `earlier`, the job the key names
  // The request's Idempotency-Key was in use: nothing was stored or
  // charged, and this is what it was used for (the same request or not).
  std::optional<KeyUse> earlier;
};

struct JobRow {
  std::string uuid;
  std::optional<int64_t> account_id;
  std::string status;  // pending | processing | done | failed
  std::string tier, language, filename, format, detected_language;
  std::optional<std::string> tool, translate_to;
  std::string recipe_json;
  int page_count = 0;  // pages to process
  int pages_done = 0;
  std::optional<core::Error> error;
  std::vector<std::string> warnings;
  int64_t created_at_ms = 0;
  int64_t completed_at_ms = 0;  // 0 while not finished
};

// One unit of work claimed by a worker: a page (index >= 0) or, once every
// page is done, the job's assembly (index == kAssembly).
inline constexpr int kAssembly = -1;
struct Task {
  std::string job_uuid;
  int index = 0;     // page index in the file, or kAssembly
  int ordinal = 0;   // position among the job's pages, from 0
  int attempts = 0;  // claims so far, this one included
  std::string recipe_json;
  std::string format;
};

// ---- webhooks -------------------------------------------------------------------

// One event of a job (its end) to be POSTed to its webhook URL, as the job
// object shows it.
struct Delivery {
  std::string id;      // random; the X-Ocrchat-Delivery header
  std::string event;   // job.done | job.failed
  std::string status;  // pending | delivered | failed (given up)
  int attempts = 0;
  std::optional<int> last_status_code;  // the last answer's HTTP status; none without one
  std::string last_error;               // "" when none
  int64_t next_attempt_at_ms = 0;       // 0 once delivered or given up
};

struct JobWebhook {
  std::string url;
  std::vector<Delivery> deliveries;  // oldest first
};

// A delivery due to be sent, with what sending it needs.
struct DueDelivery {
  Delivery delivery;
  std::string job_uuid, url;
  std::string secret;  // signs the body: the account's, or the anonymous job's own
  std::string body;    // as first sent; "" before the first attempt
  int64_t created_at_ms = 0;  // when the job ended
};

// How one attempt went.
struct AttemptResult {
  bool delivered = false;
  std::optional<int> status_code;
  std::string error;
};

struct ConversationMessage {
  std::string role;  // user | assistant
  std::string content;
  std::string citations_json;  // JSON array, "[]" when none
  std::string created_at;
};

struct Conversation {
  std::string id;
  std::string created_at;
  std::vector<ConversationMessage> messages;
};

struct Stats {
  int64_t jobs_pending = 0, jobs_processing = 0, jobs_done = 0, jobs_failed = 0;
  int64_t pages_queued = 0, pages_running = 0, pages_done_total = 0;
  // Requests to the vision-language model server, by every node, and the
  // pages it read.
  int64_t vlm_requests_total = 0, vlm_errors_total = 0, vlm_latency_ms_total = 0,
          vlm_pages_total = 0;
};

// A worker process: the node (machine) it runs on and its process id
// there. Nodes sharing a database have distinct names.
struct WorkerId {
  std::string node;
  int pid = 0;
  auto operator<=>(const WorkerId&) const = default;
};

// ---- the web app: passwords and sessions ------------------------------------

// A signed-in browser: the session's account and the token its page sends
// with every request that changes something (X-CSRF-Token, form field csrf).
struct WebSession {
  Account account;
  std::string csrf_token;
  int64_t expires_at_ms = 0;
};

// An API token as its account's page lists it; the token itself is never
// kept, so it cannot be shown again.
struct TokenInfo {
  int64_t id = 0;
  std::string created_at;
  std::string revoked_at;  // "" while live
};

// Which tasks a worker takes: any, or only those of jobs on one side of
// the vision-language model (its threads that wait on the model server
// take the vlm tier's pages, so that cpu pages are not held behind them).
enum class TaskFilter { kAny, kVlmTier, kOtherTiers };

class Store {
 public:
  virtual ~Store() = default;

  // Accounts and tokens. Tokens are 128-bit random, returned once in
  // clear, stored as SHA-256; Authenticate compares in constant time.
  virtual core::Result<Account> CreateAccount(const std::string& name, const std::string& plan) = 0;
  virtual core::Result<Account> FindAccount(const std::string& name) = 0;
  virtual std::vector<Account> ListAccounts() = 0;
  virtual core::Status SetPlan(const std::string& name, const std::string& plan) = 0;
  virtual core::Status AddCredits(const std::string& name, int64_t credits) = 0;
  virtual core::Result<std::string> CreateToken(const std::string& account_name) = 0;
  virtual core::Status RevokeToken(const std::string& token) = 0;  // kNotFound if unknown
  // The account of a live token; nullopt for unknown or revoked tokens.
  virtual std::optional<Account> Authenticate(const std::string& token) = 0;
  // The account's default webhook URL ("" clears it; the caller checks the
  // URL); setting one creates the account's webhook secret.
  virtual core::Status SetAccountWebhook(const std::string& name, const std::string& url) = 0;
  // The secret that signs the account's webhooks, created when first needed.
  virtual core::Result<std::string> WebhookSecretOf(const std::string& name) = 0;

  virtual Usage UsageOf(const Caller& caller, const Allowance& allowance) = 0;

  // In one transaction: checks the per-file cap and the allowance (with
  // pages reserved by unfinished jobs), reserves the pages, stores the job,
  // its upload and its page tasks, and its idempotency key. A Refusal when
  // the caller may not. When the job's key (same scope) was used in the
  // last kIdempotencyKeyTtlMs nothing is stored or charged and `earlier`
  // says what it was used for; the key is looked at before the allowance,
  // so that of concurrent requests with one key exactly one makes a job.
  virtual std::expected<Accepted, Refusal> AcceptJob(const NewJob& job, const Caller& caller,
                                                     const Allowance& allowance) = 0;
  // The use of a key in the last kIdempotencyKeyTtlMs, if any.
  virtual std::optional<KeyUse> FindIdempotencyKey(const std::string& scope,
                                                   const std::string& key) = 0;

  virtual std::optional<JobRow> GetJob(const std::string& uuid) = 0;
  // Finished pages of a job, in order.
  virtual std::vector<core::Page> PagesOf(const std::string& uuid) = 0;
  // An account's jobs (or, with no account, none), newest first.
  virtual std::vector<JobRow> ListJobs(int64_t account_id, int limit, int offset) = 0;
  virtual int64_t CountJobs(int64_t account_id) = 0;
  // Removes the job and everything it owns. False when unknown.
  virtual bool DeleteJob(const std::string& uuid) = 0;

  // The queue. ClaimTask takes the next task: paid before free before
  // anonymous; within a class the job with fewest pages started first (so
  // jobs interleave), then the oldest; pages in order. The claim holds a
  // lease until lease_ms from now.
  virtual std::optional<Task> ClaimTask(const WorkerId& worker, int64_t lease_ms,
                                        TaskFilter filter = TaskFilter::kAny) = 0;
  // The heartbeat of a worker carrying out a task: moves the task's lease
  // to lease_ms from now. False when the worker no longer holds it: its
  // lease ran out and the task went back to the queue (or to another
  // worker), or the task or its job ended. A claim is the worker's by its
  // WorkerId and its attempt (task.attempts).
  virtual bool RenewLease(const WorkerId& worker, const Task& task, int64_t lease_ms) = 0;

  // Waiting instead of polling. WaitForTask returns when a task may have
  // been queued, by any node, since this store's last ClaimTask began;
  // WaitForJob when the job may have ended (done, failed) or been deleted
  // since this store last read it with GetJob. Both return after
  // timeout_ms at the latest, and may return early: look again either
  // way. True unless the whole timeout_ms passed with no sign of a change.
  // On PostgreSQL a change wakes the waiter (LISTEN/NOTIFY, one listening
  // session per process, started by the first wait; that first wait
  // returns at once). SQLite has no notifications: a wait is a short sleep
  // (5 to 50 ms for tasks, 2 to 20 ms for a job, growing while nothing
  // changes).
  virtual bool WaitForTask(int64_t timeout_ms) = 0;
  virtual bool WaitForJob(const std::string& uuid, int64_t timeout_ms) = 0;

  virtual std::optional<std::string> UploadOf(const std::string& job_uuid) = 0;
  // In one transaction: stores the page, counts it done, charges it (one
  // page, or its credits: the job's price when a vision-language model read
  // it, page.source kVlm, else the cpu price), and when it was the job's last
  // page queues the assembly task. A page already done is not stored or
  // charged again.
  virtual core::Status CompletePage(const Task& task, const core::Page& page,
                                    const std::string& pdf_image) = 0;
  // The page's stored image for the searchable PDF ("" when none).
  virtual std::string PdfImageOf(const std::string& job_uuid, int index) = 0;
  // Assembly: the job becomes done with its artifacts (e.g. "pdf"), its
  // detected language and warnings (added to those it was accepted with,
  // repeats dropped); the upload is deleted; a job with a webhook gets its
  // job.done delivery, due now. Finishing a done job again is a no-op; a
  // failed job gives kConflict.
  virtual core::Status FinishJob(const Task& task, const std::string& detected_language,
                                 const std::vector<std::string>& warnings,
                                 const std::vector<std::pair<std::string, std::string>>& artifacts) = 0;
  virtual std::optional<std::string> ArtifactOf(const std::string& job_uuid,
                                                const std::string& name) = 0;
  // The job fails with `error`; its other tasks are dropped, pages not
  // charged are released, the upload is deleted; a job with a webhook gets
  // its job.failed delivery, due now (as wherever else a job fails).
  virtual core::Status FailJob(const std::string& job_uuid, const core::Error& error) = 0;
  // The worker holding a task died or overran its lease: with `retry`, its
  // task goes back to the queue unless it was claimed twice already;
  // otherwise the task's job fails with `error`. Returns the tasks affected.
  virtual std::vector<Task> ReleaseWorker(const WorkerId& worker, const core::Error& error,
                                          bool retry) = 0;
  // Workers, of any node, whose leases have run out.
  virtual std::vector<WorkerId> OverdueWorkers() = 0;
  // The process ids of the node's workers holding running tasks, whatever
  // their lease.
  virtual std::vector<int> RunningWorkers(const std::string& node) = 0;
  // After a restart: the running tasks of these workers of the node (which
  // are gone) go back to the queue, not counted as an attempt. Other
  // workers' tasks (another process's or another node's) are left alone.
  virtual void RequeueWorkers(const std::string& node, const std::vector<int>& pids) = 0;
  // Deletes jobs finished more than retention_ms ago (their webhook
  // deliveries with them); returns how many. Idempotency keys older than
  // kIdempotencyKeyTtlMs go too.
  virtual int DeleteExpired(int64_t retention_ms) = 0;
  virtual Stats GetStats() = 0;
  // Adds a node's calls to the model server since its last report.
  virtual void CountModelCalls(int64_t requests, int64_t errors, int64_t latency_ms) = 0;

  // Webhooks. The job's URL and deliveries; nullopt when it has no webhook.
  virtual std::optional<JobWebhook> WebhookOf(const std::string& job_uuid) = 0;
  // Claims up to `limit` pending deliveries whose next attempt is due,
  // oldest first, moving that attempt lease_ms ahead: a sender that dies
  // while sending leaves the delivery to be tried again then.
  virtual std::vector<DueDelivery> ClaimDueDeliveries(int limit, int64_t lease_ms) = 0;
  // Records an attempt: delivered; or pending, to be tried again at
  // next_attempt_at_ms; or, with nullopt, given up (failed). `body` is kept
  // as the delivery's body when it has none, so that every attempt sends
  // the same bytes.
  virtual void RecordAttempt(const std::string& delivery_id, const std::string& body,
                             const AttemptResult& result,
                             std::optional<int64_t> next_attempt_at_ms) = 0;

  // Chat. CreateConversation returns the new id, "" when the job is unknown.
  virtual std::string CreateConversation(const std::string& job_uuid, int64_t account_id) = 0;
  // nullopt unless the conversation exists on that job.
  virtual std::optional<Conversation> GetConversation(const std::string& job_uuid,
                                                      const std::string& id) = 0;
  virtual core::Status AddMessage(const std::string& conversation_id,
                                  const ConversationMessage& message) = 0;
  virtual std::vector<Conversation> History(const std::string& job_uuid) = 0;

  // ---- the web app: passwords and sessions ----------------------------------
  // Password hashes are made and checked by the caller (src/web); the store
  // keeps the encoded hash only. Sessions are stored by the SHA-256 of their
  // cookie, like tokens.

  // Sets the account's password hash and ends all its sessions.
  virtual core::Status SetPasswordHash(const std::string& name, const std::string& hash) = 0;
  // The account and its password hash; nullopt when the account is unknown
  // or has no password (made on the command line and never given one).
  virtual std::optional<std::pair<Account, std::string>> PasswordHashOf(
      const std::string& name) = 0;
  // Stores a session; the account's expired sessions are removed.
  virtual core::Status CreateSession(int64_t account_id, const std::string& session_hash,
                                     const std::string& csrf_token, int64_t expires_at_ms) = 0;
  // The live session with this hash; nullopt when unknown or expired.
  virtual std::optional<WebSession> FindSession(const std::string& session_hash) = 0;
  virtual void DeleteSession(const std::string& session_hash) = 0;
  // The account's API tokens, newest first, revoked ones included.
  virtual std::vector<TokenInfo> ListTokens(int64_t account_id) = 0;
  // Revokes a token of that account by its id; kNotFound when it has none such.
  virtual core::Status RevokeTokenOf(int64_t account_id, int64_t token_id) = 0;
};

// Opens (creating when needed) the SQLite store in `data_dir`
// (data_dir/ocrchat.db), migrating the schema.
core::Result<std::unique_ptr<Store>> OpenSqlite(const std::string& data_dir);

// Where a node's data lives: the PostgreSQL database at `db_url`
// (postgresql://user:pass@host:port/dbname) that several nodes share, or,
// without one, the SQLite database in `data_dir`.
struct Location {
  std::string db_url;
  std::string data_dir = "./data";
};

// Opens the store at `location`, creating or migrating its schema.
core::Result<std::unique_ptr<Store>> OpenStore(const Location& location);

// What an exception thrown by a store means to the caller, for either
// database: another process holds it locked beyond the wait, its disk is
// full, it cannot be reached, or none of these (a fault of ours). In each
// of the first three nothing was changed and the call may be made again.
enum class Fault { kOther, kBusy, kFull, kUnreachable };
Fault FaultOf(const std::exception& error);

}  // namespace ocrchat::store
