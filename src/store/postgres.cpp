// The libpq connection, placeholder translation and row access behind
// postgres.h.
#include "store/postgres.h"

#include <unistd.h>

#include <cstdlib>
#include <unordered_map>

namespace ocrchat::store::pg {
namespace {

constexpr Oid kByteaOid = 17;

void IgnoreNotice(void*, const char*) {}

}  // namespace

int64_t Rows::Int(int col) const {
  if (IsNull(col)) return 0;
  const char* text = PQgetvalue(result_, row_, col);
  if (text[0] == 't') return 1;
  if (text[0] == 'f') return 0;
  return std::strtoll(text, nullptr, 10);
}

std::string Rows::Text(int col) const {
  if (IsNull(col)) return {};
  const char* value = PQgetvalue(result_, row_, col);
  if (PQftype(result_, col) != kByteaOid)
    return std::string(value, static_cast<size_t>(PQgetlength(result_, row_, col)));
  size_t size = 0;
  unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &size);
  if (bytes == nullptr) throw Error("", "cannot decode a bytea value");
  std::string data(reinterpret_cast<const char*>(bytes), size);
  PQfreemem(bytes);
  return data;
}

std::optional<std::string> Rows::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<int64_t> Rows::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

int Rows::Changed() const {
  const char* count = PQcmdTuples(result_);
  return count[0] ? std::atoi(count) : 0;
}

PGconn* Connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) throw Error("", "cannot allocate a PostgreSQL connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw Error("", message);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  PQclear(PQexec(conn, "SET client_min_messages = warning"));
  return conn;
}

std::shared_ptr<Pool> Pool::For(const std::string& url) {
  // Never destroyed: stores of threads that outlive main still find them.
  static auto* mutex = new std::mutex;
  static auto* pools = new std::unordered_map<std::string, std::weak_ptr<Pool>>;
  std::lock_guard lock(*mutex);
  std::erase_if(*pools, [](const auto& entry) { return entry.second.expired(); });
  std::shared_ptr<Pool> pool = (*pools)[url].lock();
  if (!pool || pool->Inherited()) {
    pool = std::make_shared<Pool>(url);
    (*pools)[url] = pool;
  }
  return pool;
}

Pool::Pool(std::string url) : url_(std::move(url)), owner_(getpid()) {}

// The sessions of a pool a forked child inherited are its parent's: the
// child never uses nor closes them (closing would end them for the parent).
bool Pool::Inherited() const { return getpid() != owner_; }

Pool::~Pool() {
  if (Inherited()) return;
  for (PGconn* conn : idle_) PQfinish(conn);
}

PGconn* Pool::Take() {
  while (!Inherited()) {
    PGconn* conn = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) break;
      conn = idle_.back();
      idle_.pop_back();
    }
    if (PQstatus(conn) == CONNECTION_OK) return conn;
    PQfinish(conn);
  }
  return Connect(url_);
}

void Pool::Give(PGconn* conn) {
  std::vector<PGconn*> closing;
  if (Inherited()) {
    return;  // the parent's session, or one this child made: left as it is
  } else if (PQstatus(conn) != CONNECTION_OK) {
    closing.push_back(conn);
    std::lock_guard lock(mutex_);
    closing.insert(closing.end(), idle_.begin(), idle_.end());
    idle_.clear();
  } else if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
    closing.push_back(conn);
  } else {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle)
      idle_.push_back(conn);
    else
      closing.push_back(conn);
  }
  for (PGconn* c : closing) PQfinish(c);
}

std::unique_ptr<Connection> Connection::Open(const std::string& url) {
  return std::unique_ptr<Connection>(new Connection(Pool::For(url)));
}

Connection::~Connection() { GiveBack(); }

void Connection::ExecScript(const std::string& sql) { Rows rows(Run(sql, Params{})); }

void Connection::GiveBack() {
  if (conn_ != nullptr) pool_->Give(std::exchange(conn_, nullptr));
}

PGresult* Connection::Run(std::string_view sql, const Params& params) {
  // Outside a transaction each statement borrows a session; inside one the
  // session is kept, and when it is lost what the transaction did is gone
  // and the caller hears of it.
  if (conn_ == nullptr)
    conn_ = pool_->Take();
  else if (PQstatus(conn_) != CONNECTION_OK)
    throw Error("", "the connection to PostgreSQL was lost");
  try {
    PGresult* result = Send(sql, params);
    if (!in_transaction_) GiveBack();
    return result;
  } catch (...) {
    if (!in_transaction_) GiveBack();
    throw;
  }
}

PGresult* Connection::Send(std::string_view sql, const Params& params) {
  std::vector<const char*> values(params.values.size());
  std::vector<int> lengths(params.values.size());
  for (size_t i = 0; i < params.values.size(); ++i) {
    values[i] = params.null[i] ? nullptr : params.values[i].data();
    lengths[i] = static_cast<int>(params.values[i].size());
  }
  PGresult* result;
  if (params.values.empty() && sql.find('?') == std::string_view::npos) {
    result = PQexec(conn_, std::string(sql).c_str());
  } else {
    result = PQexecParams(conn_, Translated(sql).c_str(), static_cast<int>(values.size()),
                          params.types.data(), values.data(), lengths.data(), params.binary.data(),
                          /*resultFormat=*/0);
  }
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  std::string sqlstate;
  std::string message(sql.substr(0, 80));
  message += ": ";
  if (result != nullptr) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state) sqlstate = state;
    message += PQresultErrorMessage(result);
    PQclear(result);
  } else {
    message += PQerrorMessage(conn_);
  }
  while (!message.empty() && message.back() == '\n') message.pop_back();
  throw Error(sqlstate, message);
}

void Connection::Commit() {
  Exec("COMMIT");
  in_transaction_ = false;
  GiveBack();
}

void Connection::RollbackQuietly() {
  in_transaction_ = false;
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK &&
      PQtransactionStatus(conn_) != PQTRANS_IDLE)
    PQclear(PQexec(conn_, "ROLLBACK"));
  GiveBack();
}

const std::string& Connection::Translated(std::string_view sql) {
  std::string key(sql);
  auto found = translated_.find(key);
  if (found != translated_.end()) return found->second;
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    size_t digits = i + 1;
    while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
    if (digits > i + 1) {
      out += '$';
      out.append(sql.substr(i + 1, digits - i - 1));
      i = digits - 1;
    } else {
      out += '$' + std::to_string(++next);
    }
  }
  return translated_.emplace(std::move(key), std::move(out)).first->second;
}

void Connection::Bind(Params& p, int64_t value) {
  p.values.push_back(std::to_string(value));
  p.null.push_back(false);
  p.types.push_back(kInt8Oid);
  p.binary.push_back(0);
}

void Connection::Bind(Params& p, std::string_view value) {
  p.values.emplace_back(value);
  p.null.push_back(false);
  p.types.push_back(0);  // the server infers text, or the column's type
  p.binary.push_back(0);
}

void Connection::Bind(Params& p, Blob value) {
  p.values.emplace_back(value.data);
  p.null.push_back(false);
  p.types.push_back(kByteaOid);
  p.binary.push_back(1);
}

void Connection::Bind(Params& p, std::nullopt_t) { BindNull(p, 0); }

void Connection::BindNull(Params& p, Oid type) {
  p.values.emplace_back();
  p.null.push_back(true);
  p.types.push_back(type);
  p.binary.push_back(0);
}

}  // namespace ocrchat::store::pg
