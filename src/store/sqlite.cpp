// The SQLite connection, statement cache and row access behind sqlite.h.
#include "store/sqlite.h"

namespace ocrchat::store {
namespace {


[[noreturn]] void Throw(sqlite3* db, int code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(db ? sqlite3_extended_errcode(db) : code, message);
}

void Check(sqlite3* db, int code, std::string_view what) {
  if (code != SQLITE_OK) Throw(db, code, what);
}

}  // namespace

Rows::~Rows() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Rows::Next() {
  int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  // The statement's error is reported by reset; reading it before keeps the
  // message of this step.
  std::string message = std::string(sqlite3_sql(stmt_)).substr(0, 80);
  Throw(db, code, message);
}

std::string Rows::Text(int col) const {
  int type = sqlite3_column_type(stmt_, col);
  if (type == SQLITE_NULL) return {};
  if (type == SQLITE_BLOB) {
    const void* data = sqlite3_column_blob(stmt_, col);
    int size = sqlite3_column_bytes(stmt_, col);
    if (data == nullptr || size == 0) return {};
    return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
  }
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::optional<std::string> Rows::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<int64_t> Rows::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::unique_ptr<Connection> Connection::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
  std::unique_ptr<Connection> connection(new Connection(raw));
  Check(raw, code, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  // Switching to WAL takes a lock that a busy handler may not wait for
  // when many processes open a new database at once.
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    try {
      connection->ExecScript("PRAGMA journal_mode=WAL");
      break;
    } catch (const SqliteError& e) {
      if (!TryAgain(e, attempt, start)) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
    }
  }
  connection->ExecScript("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Connection::ExecScript(const std::string& sql) {
  char* error = nullptr;
  int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (code == SQLITE_OK) return;
  std::string message = error ? error : sqlite3_errstr(code);
  sqlite3_free(error);
  throw SqliteError(sqlite3_extended_errcode(db_), sql.substr(0, 60) + ": " + message);
}

void Connection::RollbackQuietly() {
  if (sqlite3_get_autocommit(db_)) return;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

sqlite3_stmt* Connection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto found = statements_.find(key);
  if (found != statements_.end()) return found->second;
  sqlite3_stmt* stmt = nullptr;
  int code = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  Check(db_, code, "prepare " + key.substr(0, 80));
  statements_.emplace(std::move(key), stmt);
  return stmt;
}

void Connection::Bind(sqlite3_stmt* stmt, int i, int64_t value, bool) {
  Check(sqlite3_db_handle(stmt), sqlite3_bind_int64(stmt, i, value), "bind");
}

void Connection::Bind(sqlite3_stmt* stmt, int i, std::string_view value, bool copy) {
  Check(sqlite3_db_handle(stmt),
        sqlite3_bind_text64(stmt, i, value.data(), value.size(),
                            copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8),
        "bind");
}

void Connection::Bind(sqlite3_stmt* stmt, int i, Blob value, bool copy) {
  // A zero-length blob, not NULL, when the data is empty.
  static const char kEmpty = 0;
  const char* data = value.data.empty() ? &kEmpty : value.data.data();
  Check(sqlite3_db_handle(stmt),
        sqlite3_bind_blob64(stmt, i, data, value.data.size(),
                            copy ? SQLITE_TRANSIENT : SQLITE_STATIC),
        "bind");
}

void Connection::Bind(sqlite3_stmt* stmt, int i, std::nullopt_t, bool) {
  Check(sqlite3_db_handle(stmt), sqlite3_bind_null(stmt, i), "bind");
}

}  // namespace ocrchat::store
