// Idempotency keys as plain functions: fingerprints, scopes, limits, replays.
#include "api/idempotency.h"

#include <gtest/gtest.h>

namespace ocrchat::api {
namespace {

store::Caller Anonymous(const std::string& ip) { return store::Caller{std::nullopt, ip}; }

store::Caller Account(int64_t id) {
  store::Account account;
  account.id = id;
  account.plan = "paid";
  return store::Caller{account, "192.0.2.1"};
}

TEST(IdempotencyTest, FingerprintCoversTheFileAndEveryParameter) {
  RequestFields fields{"cpu", "auto", "", "", ""};
  const std::string base = RequestFingerprint("file bytes", fields);
  EXPECT_EQ(base, RequestFingerprint("file bytes", fields));
  EXPECT_EQ(base.size(), 64u);
  EXPECT_NE(base, RequestFingerprint("file bytez", fields));
  for (std::string RequestFields::*field :
       {&RequestFields::tier, &RequestFields::language, &RequestFields::tool,
        &RequestFields::translate_to, &RequestFields::pages}) {
    RequestFields changed = fields;
    changed.*field += "x";
    EXPECT_NE(base, RequestFingerprint("file bytes", changed));
  }
  // Fields do not run into each other.
  EXPECT_NE(RequestFingerprint("f", {"a", "bc", "", "", ""}),
            RequestFingerprint("f", {"ab", "c", "", "", ""}));
}

TEST(IdempotencyTest, KeysAreScopedToTheCaller) {
  EXPECT_EQ(KeyScope(Account(12)), "account:12");
  EXPECT_EQ(KeyScope(Anonymous("203.0.113.9")), "ip:203.0.113.9");
  RequestFields fields{"cpu", "auto", "", "", ""};
  auto a = ReadIdempotencyKey(std::string("k1"), Account(1), "f", fields);
  auto b = ReadIdempotencyKey(std::string("k1"), Account(2), "f", fields);
  ASSERT_TRUE(a.has_value() && a->has_value());
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_NE((*a)->scope, (*b)->scope);
  EXPECT_EQ((*a)->key, "k1");
  EXPECT_EQ((*a)->fingerprint, (*b)->fingerprint);
}

TEST(IdempotencyTest, NoHeaderNoKey) {
  auto none = ReadIdempotencyKey(std::nullopt, Account(1), "f", {});
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST(IdempotencyTest, EmptyAndOverlongKeysAreRefused) {
  EXPECT_TRUE(ReadIdempotencyKey(std::string(255, 'k'), Account(1), "f", {}).has_value());
  auto long_key = ReadIdempotencyKey(std::string(256, 'k'), Account(1), "f", {});
  ASSERT_FALSE(long_key.has_value());
  EXPECT_EQ(long_key.error().code, core::ErrorCode::kInvalidParameter);
  EXPECT_NE(long_key.error().message.find("255"), std::string::npos);
  auto empty = ReadIdempotencyKey(std::string(), Account(1), "f", {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, core::ErrorCode::kInvalidParameter);
}

TEST(IdempotencyTest, ReplayOnlyForTheSameRequest) {
  store::IdempotencyKey key{"account:1", "k", "abc"};
  EXPECT_TRUE(CheckReplay(store::KeyUse{"uuid", "abc"}, key).has_value());
  auto conflict = CheckReplay(store::KeyUse{"uuid", "abd"}, key);
  ASSERT_FALSE(conflict.has_value());
  EXPECT_EQ(conflict.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(conflict.error().message.find(
                "this Idempotency-Key was used for a different file or different parameters"),
            std::string::npos);
}

}  // namespace
}  // namespace ocrchat::api
