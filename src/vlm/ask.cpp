// Asking the model server to read a page: the request, its checks, the
// retries, and the turn when the model says the page is rotated.
#include <algorithm>
#include <thread>

#include "decode/model_image.h"
#include "vlm/vlm.h"

namespace ocrchat::vlm {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsLeft(Clock::time_point deadline) {
  if (deadline == Clock::time_point::max()) return INT64_MAX;
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
}

// Why an answer was refused, or empty when it is used.
std::string Check(const model::Completion& completion, std::optional<Answer>& answer) {
  if (completion.finish_reason != "stop")
    return completion.finish_reason.empty() ? "the answer did not say it was complete"
                                            : "the answer was cut short (" + completion.finish_reason + ")";
  answer = ParseAnswer(completion.content);
  if (!answer) return "the answer had no valid front matter";
  if (IsRepetitionLoop(answer->markdown)) return "the answer ran into a repetition loop";
  return "";
}

}  // namespace

core::Result<Reading> Ask(const Config& config, const Pix* image, bool handwriting,
                          Clock::time_point deadline, Counters* counters) {
  const std::string prompt = Prompt(handwriting);
  model::Client client(config.server);
  Reading reading;
  bool turned = false;
  std::string last_failure = "no request was made";
  int backoff_ms = 500;
  auto encoded = decode::EncodeForModel(image, config.image_px, 0);
  if (!encoded) return std::unexpected(encoded.error());
  while (reading.attempts < std::max(1, config.max_attempts)) {
    int64_t left = MsLeft(deadline);
    if (left <= 0) {
      last_failure = "no answer within the page's time limit (last: " + last_failure + ")";
      break;
    }
    // Temperature 0 first; a refused answer is asked again a little warmer,
    // which is what gets models out of a loop.
    int refused_so_far = reading.attempts - (turned ? 1 : 0);
    double temperature = std::min(0.8, 0.2 * std::max(0, refused_so_far));
    nlohmann::json request = {
        {"messages", {{{"role", "user"}, {"content", model::TextAndImage(prompt, encoded->mime, encoded->data)}}}},
        {"temperature", temperature},
        {"max_tokens", 8000}};
    int timeout_ms = static_cast<int>(std::min<int64_t>(config.server.timeout_ms, left));
    ++reading.attempts;
    auto completion = client.Complete(request, timeout_ms);
    if (counters) {
      ++counters->requests;
      if (!completion) ++counters->errors;
      if (completion) counters->latency_ms += completion->latency_ms;
    }
    if (!completion) {
      last_failure = completion.error().message;
      if (!completion.error().Retryable()) break;
      int64_t wait = completion.error().retry_after_ms >= 0 ? completion.error().retry_after_ms : backoff_ms;
      backoff_ms = std::min(backoff_ms * 2, 30000);
      if (wait >= MsLeft(deadline)) {
        last_failure += "; the server asked to wait past the page's time limit";
        break;
      }
      if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      continue;
    }
    std::optional<Answer> answer;
    std::string refused = Check(*completion, answer);
    if (!refused.empty()) {
      last_failure = refused;
      continue;
    }
    if (answer->front.rotation_correction != 0 && !turned) {
      // Asked again with the page turned as the model says; that answer is
      // used whatever it says about rotation.
      turned = true;
      reading.rotation = answer->front.rotation_correction;
      encoded = decode::EncodeForModel(image, config.image_px, reading.rotation);
      if (!encoded) return std::unexpected(encoded.error());
      continue;
    }
    reading.answer = std::move(*answer);
    return reading;
  }
  return core::Fail(core::ErrorCode::kUnavailable, last_failure);
}

std::string Describe(const Config& config, const Backend& backend) {
  return "vlm server " + config.server.url + ": " + backend.state +
         (backend.detail.empty() ? "" : " (" + backend.detail + ")");
}

Backend CheckBackend(const Config& config) {
  Backend backend;
  if (!config.Configured()) return backend;
  model::Client client(config.server);
  auto models = client.Models();
  if (!models) {
    backend.state = "unreachable";
    backend.detail = models.error().message;
    return backend;
  }
  backend.models = *models;
  bool served = config.server.model.empty()
                    ? !models->empty()
                    : std::find(models->begin(), models->end(), config.server.model) != models->end();
  backend.state = served ? "ok" : "model_not_served";
  if (!served)
    backend.detail = "the server does not list the model '" + config.server.model + "'";
  return backend;
}

}  // namespace ocrchat::vlm
