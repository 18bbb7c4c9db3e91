// Webhook URLs: parsed, their host resolved, every address filtered.
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "webhook/webhook.h"

namespace ocrchat::webhook {
namespace {

using core::ErrorCode;

constexpr size_t kMaxUrlLength = 2048;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::optional<int> ParsePort(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  int port = std::stoi(text);
  if (port < 1 || port > 65535) return std::nullopt;
  return port;
}

std::string Numeric(const sockaddr* address, socklen_t length) {
  char host[NI_MAXHOST] = {};
  if (getnameinfo(address, length, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return {};
  return host;
}

}  // namespace

core::Result<Url> ParseUrl(const std::string& text) {
  auto invalid = [](const std::string& message) {
    return core::Fail(ErrorCode::kInvalidParameter, "the webhook URL " + message);
  };
  if (text.size() > kMaxUrlLength)
    return invalid("is longer than " + std::to_string(kMaxUrlLength) + " characters");
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; }))
    return invalid("must not contain spaces or control characters");
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos)
    return invalid("must be an absolute http:// or https:// URL");
  Url url;
  url.scheme = Lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https")
    return invalid("must use http or https, not \"" + url.scheme + "\"");
  std::string rest = text.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, authority_end);
  std::string target = authority_end == std::string::npos ? "" : rest.substr(authority_end);
  target = target.substr(0, target.find('#'));
  if (target.empty() || target[0] != '/') target = "/" + target;
  if (authority.find('@') != std::string::npos)
    return invalid("must not contain a user name or password");

  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return invalid("has an unclosed [ in its host");
    url.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return invalid("has something after its [host] that is not a port");
      port_text = after.substr(1);
    }
    if (!ParseAddress(url.host) || url.host.find(':') == std::string::npos)
      return invalid("has \"[" + url.host + "]\", which is not an IPv6 address");
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string::npos && authority.find(':', colon + 1) != std::string::npos)
      return invalid("must write an IPv6 address in brackets: http://[::1]:8080/");
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return invalid("has no host");
  url.host = Lower(url.host);
  if (!port_text.empty() || authority.ends_with(":")) {
    std::optional<int> port = ParsePort(port_text);
    if (!port) return invalid("has a bad port \"" + port_text + "\" (1 to 65535)");
    url.port = *port;
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  url.target = target;
  url.authority = Lower(authority);
  return url;
}

core::Result<std::vector<std::string>> ResolveAllowed(const Url& url, bool allow_private) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (ParseAddress(url.host)) hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  int code = getaddrinfo(url.host.c_str(), nullptr, &hints, &found);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  if (code != 0 || found == nullptr)
    return core::Fail(ErrorCode::kUnavailable, "the webhook host " + url.host + " does not resolve",
                      code != 0 ? gai_strerror(code) : "no address");
  std::vector<std::string> addresses;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    std::string numeric = Numeric(a->ai_addr, a->ai_addrlen);
    if (numeric.empty()) continue;
    std::string why = WhyNotPublic(a->ai_addr);
    if (!why.empty() && !allow_private) {
      std::string what = numeric == url.host ? numeric : url.host + " resolves to " + numeric;
      return core::Fail(ErrorCode::kInvalidParameter,
                        "the webhook URL is refused: " + what + ", which is " + why +
                            "; webhooks go only to public addresses (unless the server runs "
                            "with --webhook-allow-private)");
    }
    if (std::find(addresses.begin(), addresses.end(), numeric) == addresses.end())
      addresses.push_back(numeric);
  }
  if (addresses.empty())
    return core::Fail(ErrorCode::kUnavailable, "the webhook host " + url.host + " has no address");
  return addresses;
}

core::Status CheckUrl(const std::string& text, bool allow_private) {
  auto url = ParseUrl(text);
  if (!url) return std::unexpected(url.error());
  auto addresses = ResolveAllowed(*url, allow_private);
  if (!addresses) {
    // For the caller, a name that does not resolve is a bad parameter.
    core::Error error = addresses.error();
    error.code = ErrorCode::kInvalidParameter;
    return std::unexpected(error);
  }
  return {};
}

}  // namespace ocrchat::webhook
