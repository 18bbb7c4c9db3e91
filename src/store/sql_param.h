// What the store's SQL wrappers (sqlite.h, postgres.h) bind besides
// numbers, text and NULL. Private to src/store.
#pragma once

#include <string_view>

namespace ocrchat::store {

// A parameter to bind as bytes (a BLOB, a bytea); strings bind as text.
struct Blob {
  std::string_view data;
};

}  // namespace ocrchat::store
