// model: the client of an OpenAI-compatible model server (vLLM, SGLang,
// Ollama, llama.cpp's server, LM Studio, or a hosted API) — chat completions
// and the list of served models. The vlm tier, chat answers and translation
// all speak to their servers through it. cpp-httplib is included here only.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ocrchat::model {

struct ServerConfig {
  std::string url;      // the /v1 base, e.g. http://127.0.0.1:8000/v1
  std::string model;    // sent as "model"
  std::string api_key;  // sent as "Authorization: Bearer <key>" when not empty
  int timeout_ms = 60000;  // connecting, and the whole reply
  bool Configured() const { return !url.empty(); }
};

struct Completion {
  std::string content;        // choices[0].message.content
  std::string finish_reason;  // "stop", "length", ...
  int64_t latency_ms = 0;
};

// Why a call gave no completion.
struct CallError {
  int http_status = 0;      // 0: no HTTP answer (connection, timeout, bad URL)
  bool timed_out = false;
  int64_t retry_after_ms = -1;  // the server's Retry-After, when it sent one
  std::string message;      // short, for a warning: "HTTP 500", "no reply within 30 s"
  // 429, 5xx, timeouts and dropped connections may succeed when tried again.
  bool Retryable() const;
};

// One server. Thread-safe: every call opens its own connection.
class Client {
 public:
  explicit Client(ServerConfig config) : config_(std::move(config)) {}

  // POST {url}/chat/completions with `request` (its "model" is set from the
  // config). A reply without choices or without text content is an error.
  // timeout_ms of 0 uses the config's.
  std::expected<Completion, CallError> Complete(nlohmann::json request, int timeout_ms = 0) const;

  // GET {url}/models: the ids of the models served.
  std::expected<std::vector<std::string>, CallError> Models() const;

  const ServerConfig& config() const { return config_; }

 private:
  ServerConfig config_;
};

// The user message content of a chat request with text and one image, as
// OpenAI's vision API takes it: [{type: text}, {type: image_url, data URL}].
nlohmann::json TextAndImage(const std::string& text, const std::string& mime,
                            const std::string& image_bytes);

}  // namespace ocrchat::model
