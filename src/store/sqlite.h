// A thin RAII layer over the SQLite C API for the store: one connection,
// its cached prepared statements, parameter binding, and transactions that
// retry when another process holds the write lock. Private to src/store.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "store/sql_param.h"

namespace ocrchat::store {

// A failed SQLite call; `code` is the extended result code.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }
  // Another connection holds a lock that busy_timeout did not outwait.
  bool IsBusy() const {
    int primary = code_ & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  }
  bool IsConstraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

// A statement being stepped. Reset (and its bindings cleared) when it goes
// out of scope, so that no read snapshot outlives its use.
class Rows {
 public:
  explicit Rows(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Rows(Rows&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Rows& operator=(Rows&&) = delete;
  ~Rows();

  // Steps to the next row; false when there is none.
  bool Next();
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;  // "" for NULL; also reads BLOBs
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;

 private:
  sqlite3_stmt* stmt_;
};

// One connection. Not thread-safe: one per thread.
class Connection {
 public:
  // Opens (creating) the database at `path` with WAL, a busy timeout,
  // foreign keys and synchronous=NORMAL. Throws SqliteError.
  static std::unique_ptr<Connection> Open(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement to completion; returns the rows it changed.
  template <typename... Args>
  int Exec(std::string_view sql, const Args&... args) {
    sqlite3_stmt* stmt = Prepare(sql);
    BindAll(stmt, /*copy=*/false, args...);
    Rows rows(stmt);
    while (rows.Next()) {
    }
    return sqlite3_changes(db_);
  }

  // Runs a query; step through the rows with Rows::Next. Parameters are
  // copied, so temporaries may be passed.
  template <typename... Args>
  Rows Query(std::string_view sql, const Args&... args) {
    sqlite3_stmt* stmt = Prepare(sql);
    BindAll(stmt, /*copy=*/true, args...);
    return Rows(stmt);
  }

  // Runs statements without parameters (schema, pragmas).
  void ExecScript(const std::string& sql);

  // Runs `body` in a BEGIN IMMEDIATE transaction and commits; rolls back
  // when it throws. When the lock cannot be had (SQLITE_BUSY beyond the
  // busy timeout) the whole transaction is retried, so `body` must not
  // change anything outside the database.
  template <typename F>
  auto Write(F&& body) -> decltype(body()) {
    return Transaction("BEGIN IMMEDIATE", body);
  }
  // The same with a deferred transaction: one consistent snapshot to read.
  template <typename F>
  auto Read(F&& body) -> decltype(body()) {
    return Transaction("BEGIN", body);
  }

  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

 private:
  // A lock is waited for this long (busy_timeout); a transaction that
  // finds the database busy at once (a lock the busy handler may not wait
  // for) is tried again, up to kBusyAttempts times within that time.
  static constexpr int kBusyTimeoutMs = 10000;
  static constexpr int kBusyAttempts = 20;

  static bool TryAgain(const SqliteError& e, int attempt,
                       std::chrono::steady_clock::time_point start) {
    return e.IsBusy() && attempt < kBusyAttempts &&
           std::chrono::steady_clock::now() - start < std::chrono::milliseconds(kBusyTimeoutMs);
  }

  explicit Connection(sqlite3* db) : db_(db) {}

  template <typename F>
  auto Transaction(std::string_view begin, F& body) -> decltype(body()) {
    const auto start = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
      try {
        Exec(begin);
        if constexpr (std::is_void_v<decltype(body())>) {
          body();
          Exec("COMMIT");
          return;
        } else {
          auto result = body();
          Exec("COMMIT");
          return result;
        }
      } catch (const SqliteError& e) {
        RollbackQuietly();
        if (!TryAgain(e, attempt, start)) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
      } catch (...) {
        RollbackQuietly();
        throw;
      }
    }
  }

  void RollbackQuietly();
  sqlite3_stmt* Prepare(std::string_view sql);

  static void Bind(sqlite3_stmt* stmt, int i, int64_t value, bool copy);
  static void Bind(sqlite3_stmt* stmt, int i, int value, bool copy) {
    Bind(stmt, i, static_cast<int64_t>(value), copy);
  }
  static void Bind(sqlite3_stmt* stmt, int i, std::string_view value, bool copy);
  static void Bind(sqlite3_stmt* stmt, int i, const std::string& value, bool copy) {
    Bind(stmt, i, std::string_view(value), copy);
  }
  static void Bind(sqlite3_stmt* stmt, int i, const char* value, bool copy) {
    Bind(stmt, i, std::string_view(value), copy);
  }
  static void Bind(sqlite3_stmt* stmt, int i, Blob value, bool copy);
  static void Bind(sqlite3_stmt* stmt, int i, std::nullopt_t, bool copy);
  template <typename T>
  static void Bind(sqlite3_stmt* stmt, int i, const std::optional<T>& value, bool copy) {
    if (value)
      Bind(stmt, i, *value, copy);
    else
      Bind(stmt, i, std::nullopt, copy);
  }

  template <typename... Args>
  static void BindAll([[maybe_unused]] sqlite3_stmt* stmt, [[maybe_unused]] bool copy,
                      const Args&... args) {
    [[maybe_unused]] int i = 0;
    (Bind(stmt, ++i, args, copy), ...);
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace ocrchat::store
