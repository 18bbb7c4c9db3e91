// The body of a chat request.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/chat_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ocrchat::api::ParseChatRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
