// A job's page JSON as read back from the store.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto page = ocrchat::core::PageFromJsonText(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (page) page->Text();
  return 0;
}
