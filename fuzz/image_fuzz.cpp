// Image decoding through Leptonica as the worker does it: open the bytes
// and render every page within the limits.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace decode = ocrchat::decode;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto format = decode::Sniff(bytes);
  if (!format || *format == decode::Format::kPdf) return 0;
  // The server's limits, with a pixel limit that keeps a page within the
  // fuzzer's memory limit under AddressSanitizer.
  decode::Limits limits;
  limits.max_pixels = 16'000'000;
  auto source = decode::Open(std::move(bytes), limits);
  if (!source) return 0;
  int pages = std::min((*source)->PageCount(), 8);
  for (int i = 0; i < pages; ++i) {
    auto page = (*source)->RenderPage(i);
    (*source)->PageText(i);
  }
  return 0;
}
