// The PostgreSQL store: the same Store as SQLite's, on a database that any
// number of API and worker nodes share. Private to src/store; callers open
// a store with OpenStore (store.h).
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "store/store.h"

namespace ocrchat::store {

// Connects to `url` (postgresql://user:pass@host:port/dbname, or any libpq
// connection string) and creates or migrates the schema; nodes starting at
// once take turns (an advisory lock). kInternal when the server cannot be
// reached or the schema is newer than this build's.
core::Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url);

}  // namespace ocrchat::store
