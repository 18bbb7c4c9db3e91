// Tests of the sign-in limiter, on a clock the test moves.
#include "web/login_limiter.h"

#include <gtest/gtest.h>

namespace ocrchat::web {
namespace {

constexpr LoginLimits kLimits{3, 5, 60000};

TEST(LoginLimiterTest, AnAddressGetsItsAttemptsThenWaitsForTheWindow) {
  LoginLimiter limiter(kLimits);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Admit("192.0.2.1", "a@x.org", 1000 + i));
  std::optional<int64_t> wait = limiter.Admit("192.0.2.1", "a@x.org", 2000);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1000 + 60000 - 2000);  // until the first attempt ages out
  // From another IP too: the address is what is limited.
  EXPECT_TRUE(limiter.Admit("192.0.2.2", "a@x.org", 2000));
  EXPECT_FALSE(limiter.Admit("192.0.2.1", "b@x.org", 2000));
  EXPECT_FALSE(limiter.Admit("192.0.2.1", "a@x.org", 61000));
}

TEST(LoginLimiterTest, AnIpIsLimitedAcrossAddresses) {
  LoginLimiter limiter(kLimits);
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(limiter.Admit("192.0.2.9", "user" + std::to_string(i) + "@x.org", 10));
  EXPECT_TRUE(limiter.Admit("192.0.2.9", "new@x.org", 20));
  EXPECT_FALSE(limiter.Admit("192.0.2.10", "new@x.org", 20));
}

TEST(LoginLimiterTest, SuccessForgetsTheAddressFailures) {
  LoginLimiter limiter(kLimits);
  EXPECT_FALSE(limiter.Admit("192.0.2.1", "a@x.org", 0));
  EXPECT_FALSE(limiter.Admit("192.0.2.1", "a@x.org", 1));
  EXPECT_FALSE(limiter.Admit("192.0.2.1", "a@x.org", 2));
  limiter.Succeeded("192.0.2.1", "a@x.org");
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(limiter.Admit("192.0.2.1", "a@x.org", 3 + i));
}

}  // namespace
}  // namespace ocrchat::web
