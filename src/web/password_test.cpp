// Tests of password hashing: Argon2id, salted, and checked only by the
// password it was made from.
#include "web/password.h"

#include <gtest/gtest.h>

namespace ocrchat::web {
namespace {

TEST(PasswordTest, HashIsArgon2idAndSalted) {
  auto first = HashPassword("correct horse battery");
  auto second = HashPassword("correct horse battery");
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->starts_with("$argon2id$")) << *first;
  EXPECT_EQ(first->find("correct horse battery"), std::string::npos);
  EXPECT_NE(*first, *second);  // a fresh salt each time
  EXPECT_TRUE(VerifyPassword(*first, "correct horse battery"));
  EXPECT_TRUE(VerifyPassword(*second, "correct horse battery"));
}

TEST(PasswordTest, WrongPasswordsAndBadHashesFail) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash);
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword("", "correct horse battery"));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(std::string(500, '$'), "x"));
}

}  // namespace
}  // namespace ocrchat::web
