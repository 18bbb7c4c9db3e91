// A thin RAII layer over libpq for the store: one connection, parameterised
// statements written with SQLite's `?` / `?N` placeholders (so that both
// stores run the same SQL text), typed row reading, and transactions that
// are retried on a serialization failure or a deadlock. Private to
// src/store.
#pragma once

#include <libpq-fe.h>

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

// One connection. Not thread-safe: one per thread.
class Connection {
 public:
  // Connects with a libpq connection string or URI
  // (postgresql://user:pass@host:port/dbname). Throws Error.
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

  explicit Connection(PGconn* conn) : conn_(conn) {}

  template <typename F>
  auto Transaction(std::string_view begin, F& body) -> decltype(body()) {
    for (int attempt = 1;; ++attempt) {
      try {
        Exec(begin);
        in_transaction_ = true;
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
  void Commit();
  void RollbackQuietly();
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

  PGconn* conn_;
  bool in_transaction_ = false;  // a lost connection is not made again inside one
  std::unordered_map<std::string, std::string> translated_;
};

}  // namespace ocrchat::store::pg
