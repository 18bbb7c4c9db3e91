// The libpq connection, placeholder translation and row access behind
// postgres.h.
#include "store/postgres.h"

#include <cstdlib>

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

std::unique_ptr<Connection> Connection::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::unique_ptr<Connection> connection(new Connection(conn));
  if (conn == nullptr) throw Error("", "cannot allocate a PostgreSQL connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw Error("", message);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  connection->ExecScript("SET client_min_messages = warning");
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

void Connection::ExecScript(const std::string& sql) { Rows rows(Run(sql, Params{})); }

PGresult* Connection::Run(std::string_view sql, const Params& params) {
  // A connection lost between transactions (the server restarted) is made
  // again; inside one, what it did is gone and the caller hears of it.
  if (PQstatus(conn_) != CONNECTION_OK) {
    if (in_transaction_) throw Error("", "the connection to PostgreSQL was lost");
    PQreset(conn_);
  }
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
}

void Connection::RollbackQuietly() {
  in_transaction_ = false;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
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
