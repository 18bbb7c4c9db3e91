// The upload route's multipart/form-data parser. The first line of the
// input is the Content-Type header value, the rest the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view content_type = input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  std::string boundary = ocrchat::api::MultipartBoundary(content_type);
  if (boundary.empty()) boundary = "b";
  auto parts = ocrchat::api::ParseMultipart(body, boundary);
  if (parts)
    for (const auto& [name, part] : *parts) (void)(name.size() + part.content.size());
  return 0;
}
