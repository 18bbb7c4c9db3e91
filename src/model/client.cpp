// The OpenAI-compatible HTTP client.
#include <httplib.h>

#include <chrono>
#include <regex>

#include "core/crypto.h"
#include "model/model.h"

namespace ocrchat::model {
namespace {

using nlohmann::json;

struct Endpoint {
  std::string scheme_host_port;  // "http://127.0.0.1:8000"
  std::string base;              // "/v1"
};

std::optional<Endpoint> ParseUrl(const std::string& url) {
  static const std::regex pattern(R"(^(https?://[^/]+)(/.*)?$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, pattern)) return std::nullopt;
  std::string base = m[2].matched ? m.str(2) : "";
  while (base.ends_with("/")) base.pop_back();
  return Endpoint{m.str(1), base};
}

// Retry-After in seconds (the HTTP-date form is rare from model servers and
// is treated as absent).
int64_t RetryAfterMs(const httplib::Response& response) {
  if (!response.has_header("Retry-After")) return -1;
  try {
    double seconds = std::stod(response.get_header_value("Retry-After"));
    return seconds >= 0 ? static_cast<int64_t>(seconds * 1000) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

std::string Seconds(int ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

class Connection {
 public:
  Connection(const ServerConfig& config, int timeout_ms) : config_(config), timeout_ms_(timeout_ms) {}

  std::expected<httplib::Result, CallError> Send(const std::string& method, const std::string& path,
                                                 const std::string& body) {
    std::optional<Endpoint> endpoint = ParseUrl(config_.url);
    if (!endpoint)
      return std::unexpected(CallError{0, false, -1, "bad URL \"" + config_.url + "\""});
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
    if (endpoint->scheme_host_port.starts_with("https"))
      return std::unexpected(CallError{0, false, -1, "https is not supported by this build"});
#endif
    try {
      httplib::Client client(endpoint->scheme_host_port);
      client.set_tcp_nodelay(true);
      auto timeout = std::chrono::milliseconds(std::max(1, timeout_ms_));
      client.set_connection_timeout(timeout);
      client.set_read_timeout(timeout);
      client.set_write_timeout(timeout);
      if (!config_.api_key.empty()) client.set_bearer_token_auth(config_.api_key);
      auto started = std::chrono::steady_clock::now();
      httplib::Result result = method == "GET"
                                   ? client.Get(endpoint->base + path)
                                   : client.Post(endpoint->base + path, body, "application/json");
      elapsed_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
      if (!result) {
        bool timed_out = result.error() == httplib::Error::Read ||
                         result.error() == httplib::Error::Write ||
                         result.error() == httplib::Error::ConnectionTimeout ||
                         elapsed_ms_ >= timeout_ms_ * 9 / 10;
        return std::unexpected(CallError{
            0, timed_out, -1,
            timed_out ? "no reply within " + Seconds(timeout_ms_)
                      : "cannot connect to " + endpoint->scheme_host_port + " (" +
                            httplib::to_string(result.error()) + ")"});
      }
      if (result->status != 200)
        return std::unexpected(CallError{result->status, false, RetryAfterMs(*result),
                                         "HTTP " + std::to_string(result->status)});
      return result;
    } catch (const std::exception& e) {
      return std::unexpected(CallError{0, false, -1, std::string("client error: ") + e.what()});
    }
  }

  int64_t elapsed_ms() const { return elapsed_ms_; }

 private:
  const ServerConfig& config_;
  int timeout_ms_;
  int64_t elapsed_ms_ = 0;
};

}  // namespace

bool CallError::Retryable() const {
  return http_status == 429 || http_status >= 500 || (http_status == 0 && timed_out) ||
         (http_status == 0 && message.starts_with("cannot connect"));
}

std::expected<Completion, CallError> Client::Complete(json request, int timeout_ms) const {
  request["model"] = config_.model;
  Connection connection(config_, timeout_ms > 0 ? timeout_ms : config_.timeout_ms);
  auto result = connection.Send("POST", "/chat/completions", request.dump());
  if (!result) return std::unexpected(result.error());
  json reply = json::parse((*result)->body, nullptr, false);
  if (reply.is_discarded() || !reply.contains("choices") || !reply["choices"].is_array() ||
      reply["choices"].empty() || !reply["choices"][0].is_object())
    return std::unexpected(CallError{200, false, -1, "malformed reply"});
  const json& choice = reply["choices"][0];
  const json message = choice.value("message", json::object());
  if (!message.is_object() || !message.contains("content") || !message["content"].is_string())
    return std::unexpected(CallError{200, false, -1, "the reply has no text"});
  Completion completion;
  completion.content = message["content"].get<std::string>();
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    completion.finish_reason = choice["finish_reason"].get<std::string>();
  completion.latency_ms = connection.elapsed_ms();
  return completion;
}

std::expected<std::vector<std::string>, CallError> Client::Models() const {
  Connection connection(config_, std::min(config_.timeout_ms, 10000));
  auto result = connection.Send("GET", "/models", "");
  if (!result) return std::unexpected(result.error());
  json reply = json::parse((*result)->body, nullptr, false);
  if (reply.is_discarded() || !reply.contains("data") || !reply["data"].is_array())
    return std::unexpected(CallError{200, false, -1, "malformed model list"});
  std::vector<std::string> ids;
  for (const json& entry : reply["data"])
    if (entry.is_object() && entry.contains("id") && entry["id"].is_string())
      ids.push_back(entry["id"].get<std::string>());
  return ids;
}

json TextAndImage(const std::string& text, const std::string& mime, const std::string& image_bytes) {
  return json::array(
      {{{"type", "text"}, {"text", text}},
       {{"type", "image_url"},
        {"image_url", {{"url", "data:" + mime + ";base64," + core::Base64(image_bytes)}}}}});
}

}  // namespace ocrchat::model
