// The address filter: which IPv4 and IPv6 addresses a webhook may go to.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <initializer_list>

#include "webhook/webhook.h"

namespace ocrchat::webhook {
namespace {

// `address` (host order) is in net/bits.
bool In(uint32_t address, uint32_t net, int bits) {
  return (address >> (32 - bits)) == (net >> (32 - bits));
}

std::string WhyNotPublicV4(uint32_t a) {
  if (In(a, 0x00000000, 8)) return "an unspecified address (0.0.0.0/8)";
  if (In(a, 0x7f000000, 8)) return "a loopback address";
  if (In(a, 0x0a000000, 8) || In(a, 0xac100000, 12) || In(a, 0xc0a80000, 16))
    return "a private address (RFC 1918)";
  if (In(a, 0x64400000, 10)) return "a shared address (100.64.0.0/10, carrier-grade NAT)";
  if (In(a, 0xa9fe0000, 16)) return "a link-local address";
  if (In(a, 0xe0000000, 4)) return "a multicast address";
  if (In(a, 0xf0000000, 4)) return "a reserved address (240.0.0.0/4, broadcast included)";
  return "";
}

uint32_t V4At(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

bool StartsWith(const uint8_t* bytes, std::initializer_list<uint8_t> prefix) {
  return std::memcmp(bytes, prefix.begin(), prefix.size()) == 0;
}

std::string Carried(const uint8_t* v4, const char* form) {
  std::string why = WhyNotPublicV4(V4At(v4));
  return why.empty() ? why : why + " in " + form + " form";
}

std::string WhyNotPublicV6(const uint8_t* b) {
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 16) == 0) return "an unspecified address (::)";
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return "a loopback address (::1)";
  if (StartsWith(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}))
    return Carried(b + 12, "IPv4-mapped");
  if (StartsWith(b, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0}))
    return Carried(b + 12, "IPv4-translated");
  if (std::memcmp(b, kZero, 12) == 0) return Carried(b + 12, "IPv4-compatible");
  if (StartsWith(b, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) return Carried(b + 12, "NAT64");
  if (StartsWith(b, {0x20, 0x02})) return Carried(b + 2, "6to4");
  if ((b[0] & 0xfe) == 0xfc) return "a private address (unique local, fc00::/7)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "a link-local address (fe80::/10)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "a site-local address (fec0::/10)";
  if (b[0] == 0xff) return "a multicast address";
  return "";
}

}  // namespace

std::string WhyNotPublic(const sockaddr* address) {
  if (address == nullptr) return "not an IP address";
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return WhyNotPublicV4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return WhyNotPublicV6(v6->sin6_addr.s6_addr);
  }
  return "not an IP address";
}

std::optional<sockaddr_storage> ParseAddress(const std::string& text) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    return storage;
  }
  storage = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    return storage;
  }
  return std::nullopt;
}

}  // namespace ocrchat::webhook
