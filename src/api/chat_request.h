// The body of POST /api/v1/chat/{uuid}: {"message": "...", "conversation": "..."}.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace ocrchat::api {

struct ChatRequest {
  std::string message;       // not blank
  std::string conversation;  // "" starts a new conversation
};

// kInvalidParameter for a body that is not a JSON object or whose message
// is missing, not a string, or blank. A conversation that is not a string
// is ignored.
core::Result<ChatRequest> ParseChatRequest(std::string_view body);

}  // namespace ocrchat::api
