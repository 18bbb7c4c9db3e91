// PDFs through poppler: the probe the API makes before accepting a file,
// then each page's own text as the worker reads it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace decode = ocrchat::decode;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto format = decode::Sniff(bytes);
  if (!format || *format != decode::Format::kPdf) return 0;
  decode::Limits limits;
  decode::ProbeFile(bytes, limits);
  auto source = decode::Open(std::move(bytes), limits);
  if (!source) return 0;
  int pages = std::min((*source)->PageCount(), 8);
  for (int i = 0; i < pages; ++i) (*source)->PageText(i);
  return 0;
}
