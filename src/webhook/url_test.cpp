// Webhook URLs: parsing, and the address check on IP literals (which the
// resolver answers without a lookup); no traffic is sent.
#include <gtest/gtest.h>

#include "webhook/webhook.h"

namespace ocrchat::webhook {
namespace {

TEST(WebhookUrlTest, ParsesHttpAndHttps) {
  auto url = ParseUrl("https://Hooks.Example.com/ocr/done?x=1#frag");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "hooks.example.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/ocr/done?x=1");
  EXPECT_EQ(url->authority, "hooks.example.com");

  url = ParseUrl("http://127.0.0.1:8081");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->port, 8081);
  EXPECT_EQ(url->target, "/");
  EXPECT_EQ(url->authority, "127.0.0.1:8081");

  url = ParseUrl("HTTP://[2001:DB8::1]:9000/h");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "2001:db8::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->authority, "[2001:db8::1]:9000");

  url = ParseUrl("http://example.com?a=b");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->target, "/?a=b");
}

TEST(WebhookUrlTest, RefusesWhatIsNotAPlainHttpUrl) {
  struct Case {
    const char* url;
    const char* says;
  };
  const Case cases[] = {
      {"ftp://example.com/", "http or https"},
      {"file:///etc/passwd", "http or https"},
      {"gopher://example.com/", "http or https"},
      {"example.com/hook", "absolute"},
      {"//example.com/hook", "absolute"},
      {"http://user:secret@example.com/", "user name or password"},
      {"http://user@example.com/", "user name or password"},
      {"http://example.com@10.0.0.1/", "user name or password"},
      {"http:///hook", "no host"},
      {"http://:80/", "no host"},
      {"http://example.com:0/", "port"},
      {"http://example.com:65536/", "port"},
      {"http://example.com:http/", "port"},
      {"http://example.com:/", "port"},
      {"http://::1/", "brackets"},
      {"http://[::1/", "unclosed"},
      {"http://[example.com]/", "IPv6"},
      {"http://exa mple.com/", "spaces"},
      {"http://example.com/\r\nX-Injected: 1", "control"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    auto url = ParseUrl(c.url);
    ASSERT_FALSE(url.has_value());
    EXPECT_EQ(url.error().code, core::ErrorCode::kInvalidParameter);
    EXPECT_NE(url.error().message.find(c.says), std::string::npos) << url.error().message;
  }
  EXPECT_FALSE(ParseUrl("http://example.com/" + std::string(3000, 'a')).has_value());
}

TEST(WebhookUrlTest, LiteralAddressesAreFiltered) {
  auto refused = CheckUrl("http://127.0.0.1:9/hook", /*allow_private=*/false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidParameter);
  EXPECT_NE(refused.error().message.find("loopback"), std::string::npos);
  EXPECT_NE(refused.error().message.find("--webhook-allow-private"), std::string::npos);

  for (const char* url :
       {"http://10.1.2.3/", "http://[::1]:8080/", "http://[fd00::5]/",
        "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:80/",
        "http://[::ffff:127.0.0.1]/", "http://100.100.100.100/", "https://[ff02::1]/"}) {
    SCOPED_TRACE(url);
    EXPECT_FALSE(CheckUrl(url, false).has_value());
    EXPECT_TRUE(CheckUrl(url, true).has_value());
  }
  for (const char* url : {"http://8.8.8.8/hook", "https://[2001:4860:4860::8888]:8443/"}) {
    SCOPED_TRACE(url);
    EXPECT_TRUE(CheckUrl(url, false).has_value());
  }
  auto resolved = ResolveAllowed(*ParseUrl("http://[::ffff:8.8.8.8]/"), false);
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->size(), 1u);
}

}  // namespace
}  // namespace ocrchat::webhook
