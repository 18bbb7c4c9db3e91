// Reading the chat request body.
#include "api/chat_request.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace ocrchat::api {

core::Result<ChatRequest> ParseChatRequest(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return core::Fail(core::ErrorCode::kInvalidParameter,
                      "send a JSON body: {\"message\": \"your question\"}");
  ChatRequest request;
  if (auto it = j.find("message"); it != j.end() && it->is_string())
    request.message = it->get<std::string>();
  if (core::NormalizeSpace(request.message).empty())
    return core::Fail(core::ErrorCode::kInvalidParameter, "the message is empty: ask a question");
  if (auto it = j.find("conversation"); it != j.end() && it->is_string())
    request.conversation = it->get<std::string>();
  return request;
}

}  // namespace ocrchat::api
