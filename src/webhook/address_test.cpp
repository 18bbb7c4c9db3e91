// The address filter as a plain function over a table of IPv4 and IPv6
// addresses; nothing here opens a socket or looks a name up.
#include <gtest/gtest.h>

#include "webhook/webhook.h"

namespace ocrchat::webhook {
namespace {

struct Case {
  const char* address;
  const char* why;  // a word the reason must contain; "" for public
};

const Case kCases[] = {
    // IPv4, public
    {"8.8.8.8", ""},
    {"1.1.1.1", ""},
    {"93.184.216.34", ""},
    {"100.63.255.255", ""},  // just below the CGNAT range
    {"100.128.0.0", ""},     // just above it
    {"172.15.255.255", ""},  // just below 172.16/12
    {"172.32.0.0", ""},      // just above it
    {"192.167.255.255", ""},
    {"169.253.255.255", ""},
    {"223.255.255.255", ""},  // the last unicast /8
    {"11.0.0.0", ""},
    {"126.255.255.255", ""},
    // IPv4, refused
    {"0.0.0.0", "unspecified"},
    {"0.1.2.3", "unspecified"},
    {"127.0.0.1", "loopback"},
    {"127.255.255.254", "loopback"},
    {"10.0.0.1", "private"},
    {"10.255.255.255", "private"},
    {"172.16.0.1", "private"},
    {"172.31.255.255", "private"},
    {"192.168.1.1", "private"},
    {"100.64.0.1", "carrier-grade NAT"},
    {"100.127.255.255", "carrier-grade NAT"},
    {"169.254.169.254", "link-local"},  // cloud metadata services
    {"224.0.0.1", "multicast"},
    {"239.255.255.250", "multicast"},
    {"240.0.0.1", "reserved"},
    {"255.255.255.255", "reserved"},
    // IPv6, public
    {"2001:4860:4860::8888", ""},
    {"2606:4700:4700::1111", ""},
    {"2a00:1450:4001:81c::200e", ""},
    {"fbff:ffff::1", ""},  // just below fc00::/7
    {"::ffff:8.8.8.8", ""},
    {"64:ff9b::808:808", ""},  // NAT64 of 8.8.8.8
    {"2002:808:808::1", ""},   // 6to4 of 8.8.8.8
    // IPv6, refused
    {"::", "unspecified"},
    {"::1", "loopback"},
    {"fe80::1", "link-local"},
    {"febf:ffff::1", "link-local"},
    {"fec0::1", "site-local"},
    {"fc00::1", "unique local"},
    {"fd12:3456:789a::1", "unique local"},
    {"ff02::1", "multicast"},
    {"ff05::1:3", "multicast"},
    // IPv4 inside IPv6
    {"::ffff:127.0.0.1", "IPv4-mapped"},
    {"::ffff:7f00:1", "loopback"},
    {"::ffff:10.1.2.3", "private"},
    {"::ffff:192.168.0.1", "IPv4-mapped"},
    {"::ffff:169.254.169.254", "link-local"},
    {"::ffff:100.64.0.1", "carrier-grade NAT"},
    {"::ffff:0.0.0.0", "unspecified"},
    {"::ffff:224.0.0.1", "multicast"},
    {"::ffff:0:127.0.0.1", "IPv4-translated"},
    {"::127.0.0.1", "IPv4-compatible"},
    {"::10.0.0.1", "private"},
    {"64:ff9b::7f00:1", "NAT64"},
    {"64:ff9b::a00:1", "private"},
    {"2002:7f00:1::", "6to4"},
    {"2002:c0a8:101::1", "private"},
};

TEST(AddressFilterTest, Table) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.address);
    std::optional<sockaddr_storage> address = ParseAddress(c.address);
    ASSERT_TRUE(address.has_value());
    const auto* sa = reinterpret_cast<const sockaddr*>(&*address);
    std::string why = WhyNotPublic(sa);
    if (std::string(c.why).empty()) {
      EXPECT_EQ(why, "");
      EXPECT_TRUE(IsPublicAddress(sa));
    } else {
      EXPECT_NE(why.find(c.why), std::string::npos) << why;
      EXPECT_FALSE(IsPublicAddress(sa));
    }
  }
}

TEST(AddressFilterTest, NamesWhy) {
  auto why = [](const char* text) {
    auto address = ParseAddress(text);
    return WhyNotPublic(reinterpret_cast<const sockaddr*>(&*address));
  };
  EXPECT_EQ(why("127.0.0.1"), "a loopback address");
  EXPECT_EQ(why("192.168.0.10"), "a private address (RFC 1918)");
  EXPECT_EQ(why("::ffff:127.0.0.1"), "a loopback address in IPv4-mapped form");
  EXPECT_EQ(why("100.64.1.1"), "a shared address (100.64.0.0/10, carrier-grade NAT)");
}

TEST(AddressFilterTest, OtherFamiliesAreNotPublic) {
  sockaddr_storage unix_socket{};
  unix_socket.ss_family = AF_UNIX;
  EXPECT_FALSE(IsPublicAddress(reinterpret_cast<const sockaddr*>(&unix_socket)));
  EXPECT_FALSE(IsPublicAddress(nullptr));
}

TEST(AddressFilterTest, ParseAddressTakesOnlyNumericAddresses) {
  EXPECT_TRUE(ParseAddress("203.0.113.9"));
  EXPECT_TRUE(ParseAddress("2001:db8::1"));
  EXPECT_FALSE(ParseAddress("example.com"));
  EXPECT_FALSE(ParseAddress("[::1]"));
  EXPECT_FALSE(ParseAddress("127.1"));  // inet_aton's short forms are not addresses here
  EXPECT_FALSE(ParseAddress(""));
}

}  // namespace
}  // namespace ocrchat::webhook
