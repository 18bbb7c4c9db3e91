// One webhook delivery attempt, its signature and the retry schedule.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/crypto.h"
#include "webhook/webhook.h"

namespace ocrchat::webhook {
namespace {

std::string Seconds(int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

}  // namespace

std::string Signature(std::string_view secret, std::string_view body) {
  return "sha256=" + core::HmacSha256Hex(secret, body);
}

std::optional<int64_t> NextAttemptAt(int64_t created_ms, int attempts, int64_t now_ms,
                                     int64_t retry_base_ms) {
  int64_t delay = std::max<int64_t>(1, retry_base_ms);
  for (int i = 1; i < attempts && delay < kMaxRetryDelayMs; ++i) delay *= 2;
  delay = std::min(delay, kMaxRetryDelayMs);
  int64_t next = now_ms + delay;
  if (next > created_ms + kRetryWindowMs) return std::nullopt;
  return next;
}

namespace {

// At most this many of a host's addresses are tried, each only when the
// one before refused the connection.
constexpr size_t kMaxAddressesTried = 3;

// One POST to one checked address.
Outcome SendTo(const Url& url, const std::string& address, const Request& request,
               int64_t timeout_ms) {
  std::unique_ptr<httplib::ClientImpl> client;
  if (url.scheme == "https") {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    auto tls = std::make_unique<httplib::SSLClient>(url.host, url.port);
    tls->enable_server_certificate_verification(true);
    client = std::move(tls);
#else
    return Outcome{false, 0, "https is not supported by this build of ocrchat"};
#endif
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  // Connect to the address that was checked, not to a second lookup's.
  client->set_hostname_addr_map({{url.host, address}});
  auto timeout = std::chrono::milliseconds(timeout_ms);
  client->set_connection_timeout(timeout);
  client->set_read_timeout(timeout);
  client->set_write_timeout(timeout);
  client->set_keep_alive(false);
  client->set_follow_location(false);

  httplib::Request post;
  post.method = "POST";
  post.path = url.target;
  post.headers = {{"Host", url.authority},
                  {"Content-Type", "application/json"},
                  {"User-Agent", "ocrchat-webhook/1"},
                  {"X-Ocrchat-Delivery", request.delivery_id},
                  {"X-Ocrchat-Event", request.event},
                  {"X-Ocrchat-Signature", Signature(request.secret, request.body)}};
  post.body = request.body;
  // The answer's body is not kept, and a receiver that trickles it out is
  // cut off.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + 2 * timeout;
  bool overran = false;
  post.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
    overran = std::chrono::steady_clock::now() > deadline;
    return !overran;
  };
  httplib::Result result = client->send(post);
  if (!result) {
    httplib::Error error = result.error();
    auto elapsed = std::chrono::steady_clock::now() - started;
    bool timed_out = overran || error == httplib::Error::ConnectionTimeout ||
                     ((error == httplib::Error::Read || error == httplib::Error::Write) &&
                      elapsed >= timeout * 9 / 10);
    if (timed_out) return Outcome{false, 0, "no answer within " + Seconds(timeout_ms)};
    std::string what =
        error == httplib::Error::Connection ? "cannot connect to " : "no answer from ";
    std::string where = address == url.host ? url.authority : url.authority + " at " + address;
    return Outcome{false, 0, what + where + " (" + httplib::to_string(error) + ")"};
  }
  int status = result->status;
  if (status >= 200 && status < 300) return Outcome{true, status, ""};
  std::string error = "HTTP " + std::to_string(status);
  if (status >= 300 && status < 400) error += " (redirects are not followed)";
  return Outcome{false, status, error};
}

}  // namespace

Outcome Send(const Request& request, const Config& config) {
  auto url = ParseUrl(request.url);
  if (!url) return Outcome{false, 0, url.error().message};
  auto addresses = ResolveAllowed(*url, config.allow_private);
  if (!addresses) return Outcome{false, 0, addresses.error().message};
  const int64_t timeout_ms = std::max<int64_t>(1, config.timeout_ms);
  try {
    Outcome outcome;
    for (size_t i = 0; i < addresses->size() && i < kMaxAddressesTried; ++i) {
      outcome = SendTo(*url, (*addresses)[i], request, timeout_ms);
      if (!outcome.error.starts_with("cannot connect")) break;
    }
    return outcome;
  } catch (const std::exception& e) {
    return Outcome{false, 0, std::string("cannot send: ") + e.what()};
  }
}

}  // namespace ocrchat::webhook
