// webhook: calling a user's URL when a job ends. The address filter that
// keeps webhooks off the server's own networks, URL checks, the signature,
// the retry schedule and one delivery attempt (cpp-httplib's client). What
// is delivered and when is the store's and the sender's (jobs/); this
// module keeps no state and is thread-safe.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ocrchat::webhook {

struct Config {
  // --webhook-allow-private: deliver to any address, loopback and private
  // networks included (a server whose receivers are on its own network).
  bool allow_private = false;
  int64_t timeout_ms = 10000;     // connecting, sending and the answer
  int64_t retry_base_ms = 10000;  // the first retry's delay, doubled each time
};

inline constexpr int64_t kMaxRetryDelayMs = 3600LL * 1000;     // between two attempts
inline constexpr int64_t kRetryWindowMs = 24LL * 3600 * 1000;  // after the job ended

// ---- the address filter -----------------------------------------------------

// Why `address` may not receive webhooks: "" for a public unicast IPv4 or
// IPv6 address, else what it is: "a loopback address", "a private address
// (RFC 1918)", "a shared address (100.64.0.0/10, carrier-grade NAT)", "a
// link-local address", "an unspecified address", "a multicast address"...
// IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
// IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that
// address. A family other than AF_INET and AF_INET6 is "not an IP address".
std::string WhyNotPublic(const sockaddr* address);
inline bool IsPublicAddress(const sockaddr* address) { return WhyNotPublic(address).empty(); }

// A numeric IPv4 or IPv6 address ("10.0.0.1", "::ffff:127.0.0.1"; no
// brackets) as a socket address; nullopt for anything else. Looks nothing up.
std::optional<sockaddr_storage> ParseAddress(const std::string& text);

// ---- URLs ---------------------------------------------------------------------

struct Url {
  std::string scheme;     // "http" | "https"
  std::string host;       // a name, or an IP literal without brackets; lower case
  int port = 0;           // as written, else 80 or 443
  std::string target;     // path and query, at least "/"; the fragment dropped
  std::string authority;  // for the Host header: "[::1]:8080", "example.com"
};

// An http or https URL with a host, no user name or password, no spaces or
// control characters, at most 2048 characters. kInvalidParameter saying
// what is wrong otherwise.
core::Result<Url> ParseUrl(const std::string& text);

// The addresses the URL's host resolves to, numeric, in getaddrinfo's
// order; every one must pass the filter unless `allow_private`.
// kInvalidParameter naming the address and why when one does not;
// kUnavailable when the name does not resolve. Asks the system resolver
// (DNS) unless the host is an IP literal.
core::Result<std::vector<std::string>> ResolveAllowed(const Url& url, bool allow_private);

// ParseUrl, then ResolveAllowed: what a POST's webhook_url must pass.
core::Status CheckUrl(const std::string& text, bool allow_private);

// ---- delivery -----------------------------------------------------------------

// "sha256=" and the hex HMAC-SHA256 of the body under the secret: the
// X-Ocrchat-Signature header.
std::string Signature(std::string_view secret, std::string_view body);

// When to try again after `attempts` (>= 1) failed attempts, the last one
// ending at now_ms, of a delivery created at created_ms: retry_base_ms,
// then twice that, four times... after the last attempt, at most
// kMaxRetryDelayMs; nullopt (give up) when that falls after the
// kRetryWindowMs from created_ms.
std::optional<int64_t> NextAttemptAt(int64_t created_ms, int attempts, int64_t now_ms,
                                     int64_t retry_base_ms);

struct Request {
  std::string url;
  std::string body;                // sent byte for byte as signed
  std::string delivery_id, event;  // X-Ocrchat-Delivery, X-Ocrchat-Event
  std::string secret;              // signs the body
};

struct Outcome {
  bool delivered = false;  // a 2xx answer
  int status_code = 0;     // the answer's status; 0 when there was none
  std::string error;       // "" when delivered: "HTTP 500", "cannot connect to ...", ...
};

// One attempt. The URL is checked and its host resolved and filtered again
// (a name that has come to point inside is refused: DNS rebinding), and
// the connection goes to an address that was checked: the first, or the
// next (up to three) when one refuses the connection. Redirects are not
// followed; the answer's body is read and dropped. Never throws.
Outcome Send(const Request& request, const Config& config);

}  // namespace ocrchat::webhook
