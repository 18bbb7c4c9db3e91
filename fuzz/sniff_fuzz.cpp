// Type sniffing of uploads.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto format = ocrchat::decode::Sniff(std::string_view(reinterpret_cast<const char*>(data), size));
  if (format) ocrchat::decode::FormatName(*format);
  return 0;
}
