// A thin RAII layer over libpq for the store: a process's pool of
// connections to a database, parameterised statements written with
// SQLite's `?` / `?N` placeholders (so that both stores run the same SQL
// text), typed row reading, and transactions that are retried on a
// serialization failure or a deadlock. Private to src/store.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sql_param.h"

namespace ocrchat::store::pg {

// A failed libpq call; `sqlstate` is the server's five-character code, ""
// when the failure was the connection's.
class Error : public std::runtime_error {
 public:
  Error(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // Class 23: a unique, foreign-key or check constraint refused the change.
  bool IsConstraint() const { return sqlstate_.starts_with("23"); }
  // The transaction lost a race (serialization_failure, deadlock_detected)
  // and may simply be run again.
  bool IsRetryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
};

// The rows of one statement, fetched whole; read them with Next.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result), count_(PQntuples(result)) {}
  Rows(Rows&& other) noexcept
      : result_(std::exchange(other.result_, nullptr)), count_(other.count_), row_(other.row_) {}
  Rows& operator=(Rows&&) = delete;
  ~Rows() { PQclear(result_); }

  // Moves to the next row; false when there is none.
  bool Next() { return ++row_ < count_; }
  bool IsNull(int col) const { return PQgetisnull(result_, row_, col) != 0; }
  int64_t Int(int col) const;       // 0 for NULL; booleans read as 0 / 1
  std::string Text(int col) const;  // "" for NULL; bytea columns read as their bytes
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  // The rows an INSERT, UPDATE or DELETE changed.
  int Changed() const;

 private:
  PGresult* result_;
  int count_;
  int row_ = -1;
};

// The idle connections of one process to one database, shared by every
// Connection opened on it, so that a thread's first statement does not
// wait for a new session. Thread-safe. A pool lives while a Connection
// (or a caller) holds it; the last one out closes the idle connections.
// A forked child gets pools of its own and never touches its parent's
// sessions.
class Pool {
 public:
  // The process's pool for `url`, made when none is in use.
  static std::shared_ptr<Pool> For(const std::string& url);
  explicit Pool(std::string url);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // An idle connection, or a new one. Throws Error when the server cannot
  // be reached.
  PGconn* Take();
  // Back to the pool: kept while fewer than kMaxIdle are idle and it is
  // healthy and outside a transaction, closed otherwise. A broken one
  // closes the idle ones too: they most likely lost the same server.
  void Give(PGconn* conn);

  // Whether a store of this process has readied the database (its schema)
  // since the pool was made.
  bool ready() const { return ready_.load(); }
  void set_ready() { ready_.store(true); }

 private:
  static constexpr size_t kMaxIdle = 16;
  bool Inherited() const;  // made by the process this one was forked from
  const std::string url_;
  const int owner_;  // the process id that made it
  std::mutex mutex_;
  std::vector<PGconn*> idle_;  // guarded by mutex_
  std::atomic<bool> ready_{false};
};

// Opens a new session at `url` (a libpq connection string or URI) with
// the store's settings. Throws Error.
PGconn* Connect(const std::string& url);

// One connection as the store sees it: it borrows a session from its pool
// for each statement outside a transaction, or for a whole transaction,
// and gives it back at once. Not thread-safe: one per thread.
class Connection {
 public:
  // A connection to the database at `url`
  // (postgresql://user:pass@host:port/dbname); nothing is sent until the
  // first statement, which throws Error when the server cannot be reached.
  static std::unique_ptr<Connection> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement; returns the rows it changed.
  template <typename... Args>
  int Exec(std::string_view sql, const Args&... args) {
    Params params;
    (Bind(params, args), ...);
    return Rows(Run(sql, params)).Changed();
  }

  // Runs a query; step through the rows with Rows::Next.
  template <typename... Args>
  Rows Query(std::string_view sql, const Args&... args) {
    Params params;
    (Bind(params, args), ...);
    return Rows(Run(sql, params));
  }

  // Runs statements without parameters (schema).
  void ExecScript(const std::string& sql);

  Pool& pool() { return *pool_; }

  // Runs `body` in a READ COMMITTED transaction and commits; rolls back when
  // it throws. A transaction that loses a race (a deadlock, a serialization
  // failure) is run again, so `body` must not change anything outside the
  // database. Concurrent writers serialise on the rows they lock.
  template <typename F>
  auto Write(F&& body) -> decltype(body()) {
    return Transaction("BEGIN", body);
  }
  // A read-only REPEATABLE READ transaction: one consistent snapshot.
  template <typename F>
  auto Read(F&& body) -> decltype(body()) {
    return Transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body);
  }

 private:
  static constexpr int kRetryAttempts = 20;
  static constexpr Oid kInt8Oid = 20;
  static constexpr Oid kByteaOid = 17;

  struct Params {
    std::vector<std::string> values;
    std::vector<bool> null;
    std::vector<Oid> types;
    std::vector<int> binary;
  };

  explicit Connection(std::shared_ptr<Pool> pool) : pool_(std::move(pool)) {}

  template <typename F>
  auto Transaction(std::string_view begin, F& body) -> decltype(body()) {
    for (int attempt = 1;; ++attempt) {
      try {
        in_transaction_ = true;  // the session is held until the end
        Exec(begin);
        if constexpr (std::is_void_v<decltype(body())>) {
          body();
          Commit();
          return;
        } else {
          auto result = body();
          Commit();
          return result;
        }
      } catch (const Error& e) {
        RollbackQuietly();
        if (!e.IsRetryable() || attempt >= kRetryAttempts) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
      } catch (...) {
        RollbackQuietly();
        throw;
      }
    }
  }

  PGresult* Run(std::string_view sql, const Params& params);
  PGresult* Send(std::string_view sql, const Params& params);
  void Commit();
  void RollbackQuietly();
  void GiveBack();
  // The statement with `?` and `?N` turned into `$N`, kept for its next use.
  const std::string& Translated(std::string_view sql);

  static void Bind(Params& p, int64_t value);
  static void Bind(Params& p, int value) { Bind(p, static_cast<int64_t>(value)); }
  static void Bind(Params& p, std::string_view value);
  static void Bind(Params& p, const std::string& value) { Bind(p, std::string_view(value)); }
  static void Bind(Params& p, const char* value) { Bind(p, std::string_view(value)); }
  static void Bind(Params& p, Blob value);
  static void Bind(Params& p, std::nullopt_t);
  // A NULL number is typed, so that the server knows it where nothing
  // else says (INSERT ... SELECT ?).
  template <typename T>
  static void Bind(Params& p, const std::optional<T>& value) {
    if (value)
      Bind(p, *value);
    else if constexpr (std::is_integral_v<T>)
      BindNull(p, kInt8Oid);
    else
      Bind(p, std::nullopt);
  }
  static void BindNull(Params& p, Oid type);

  std::shared_ptr<Pool> pool_;
  PGconn* conn_ = nullptr;       // the session borrowed, if any
  bool in_transaction_ = false;  // the session is kept until the transaction ends
  std::unordered_map<std::string, std::string> translated_;
};

}  // namespace ocrchat::store::pg
