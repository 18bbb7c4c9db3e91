// The signature and the retry schedule, as plain functions.
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "webhook/webhook.h"

namespace ocrchat::webhook {
namespace {

TEST(WebhookSignatureTest, IsHmacSha256OfTheBody) {
  // RFC 4231, test case 2.
  EXPECT_EQ(core::HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_NE(Signature("Jefe", "what do ya want for nothing? "),
            Signature("Jefe", "what do ya want for nothing?"));
}

TEST(WebhookScheduleTest, DoublesFromTheBaseUpToAnHour) {
  const int64_t s = 1000, created = 1'000'000'000;
  struct Case {
    int attempts;
    int64_t delay_ms;
  };
  const Case cases[] = {{1, 10 * s},    {2, 20 * s},     {3, 40 * s},    {4, 80 * s},
                        {8, 1280 * s},  {9, 2560 * s},   {10, 3600 * s}, {11, 3600 * s},
                        {40, 3600 * s}, {1000, 3600 * s}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.attempts);
    EXPECT_EQ(NextAttemptAt(created, c.attempts, created + 5 * s, 10 * s),
              created + 5 * s + c.delay_ms);
  }
  EXPECT_EQ(NextAttemptAt(created, 3, created, 1 * s), created + 4 * s);
}

TEST(WebhookScheduleTest, GivesUpAfterTheWindow) {
  const int64_t created = 1'000'000'000, hour = 3600 * 1000;
  EXPECT_TRUE(NextAttemptAt(created, 20, created + 22 * hour, 10000).has_value());
  EXPECT_EQ(NextAttemptAt(created, 20, created + 23 * hour, 10000), created + 24 * hour);
  EXPECT_FALSE(NextAttemptAt(created, 20, created + 23 * hour + 1, 10000).has_value());
  EXPECT_FALSE(NextAttemptAt(created, 1, created + 25 * hour, 10000).has_value());
}

TEST(WebhookSendTest, RefusesAPrivateAddressWithoutConnecting) {
  Request request{"http://10.0.0.1:9/hook", "{}", "d1", "job.done", "secret"};
  Outcome outcome = Send(request, Config{});
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.status_code, 0);
  EXPECT_NE(outcome.error.find("private"), std::string::npos) << outcome.error;
}

}  // namespace
}  // namespace ocrchat::webhook
