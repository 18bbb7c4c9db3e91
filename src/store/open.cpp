// The one place that decides which store a node opens.
#include "store/postgres_store.h"
#include "store/store.h"

namespace ocrchat::store {

core::Result<std::unique_ptr<Store>> OpenStore(const Location& location) {
  if (!location.db_url.empty()) return OpenPostgres(location.db_url);
  return OpenSqlite(location.data_dir);
}

}  // namespace ocrchat::store
