// The one place that decides which store a node opens, and what either
// one's errors mean.
#include <sqlite3.h>

#include "store/postgres.h"
#include "store/postgres_store.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace ocrchat::store {

Fault FaultOf(const std::exception& error) {
  if (const auto* e = dynamic_cast<const SqliteError*>(&error)) {
    if (e->IsBusy()) return Fault::kBusy;
    int primary = e->code() & 0xff;
    if (primary == SQLITE_FULL) return Fault::kFull;
    if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) return Fault::kUnreachable;
  }
  if (const auto* e = dynamic_cast<const pg::Error*>(&error)) {
    const std::string& state = e->sqlstate();
    if (state == "55P03" || state == "57014") return Fault::kBusy;  // lock_not_available, canceled
    if (state == "53100") return Fault::kFull;                       // disk_full
    if (state.empty() || state.starts_with("08") || state.starts_with("57P"))
      return Fault::kUnreachable;  // the connection, or the server shutting down
  }
  return Fault::kOther;
}

core::Result<std::unique_ptr<Store>> OpenStore(const Location& location) {
  if (!location.db_url.empty()) return OpenPostgres(location.db_url);
  return OpenSqlite(location.data_dir);
}

}  // namespace ocrchat::store
