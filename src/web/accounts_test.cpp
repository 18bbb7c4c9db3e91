// Tests of sign-up, sign-in and sessions on a real SQLite store.
#include "web/accounts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/clock.h"
#include "core/crypto.h"
#include "web/password.h"

namespace ocrchat::web {
namespace {

namespace fs = std::filesystem;

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("ocrchat-web-" + core::RandomHex(8))).string();
    auto opened = store::OpenSqlite(dir_);
    ASSERT_TRUE(opened.has_value());
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string DatabaseBytes() const {
    std::string bytes;
    for (const char* name : {"/ocrchat.db", "/ocrchat.db-wal"}) {
      std::ifstream in(dir_ + name, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), {});
    }
    return bytes;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  LoginLimiter limiter_;
};

TEST(EmailTest, AddressesAreNormalizedOrRefused) {
  EXPECT_EQ(*NormalizeEmail("  Alice@Example.COM "), "alice@example.com");
  for (const char* bad : {"", "alice", "@example.com", "alice@", "alice@example", "a@b@c.org",
                          "a b@c.org", "alice@example.com.", "<a@b.org>"})
    EXPECT_FALSE(NormalizeEmail(bad)) << bad;
  EXPECT_FALSE(NormalizeEmail(std::string(250, 'a') + "@b.org"));
}

TEST_F(AccountsTest, SignUpStoresOnlyAnArgon2idHash) {
  auto account = SignUp(*store_, "Alice@Example.com", "a long secret 42");
  ASSERT_TRUE(account) << account.error().message;
  EXPECT_EQ(account->name, "alice@example.com");
  EXPECT_EQ(account->plan, "free");
  auto hash = store_->PasswordHashOf("alice@example.com");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->second.starts_with("$argon2id$"));
  EXPECT_EQ(DatabaseBytes().find("a long secret 42"), std::string::npos);

  EXPECT_EQ(SignUp(*store_, "alice@example.com", "another secret").error().code,
            core::ErrorCode::kConflict);
  EXPECT_EQ(SignUp(*store_, "bob@example.com", "short").error().code,
            core::ErrorCode::kInvalidParameter);
  EXPECT_EQ(SignUp(*store_, "bob", "long enough!").error().code,
            core::ErrorCode::kInvalidParameter);
  EXPECT_FALSE(store_->FindAccount("bob@example.com"));
}

TEST_F(AccountsTest, LoginChecksThePasswordAndRefusesAlike) {
  ASSERT_TRUE(SignUp(*store_, "alice@example.com", "a long secret 42"));
  int64_t now = core::NowUnixMs();
  auto ok =
      CheckLogin(*store_, limiter_, "192.0.2.1", " ALICE@example.com", "a long secret 42", now);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->name, "alice@example.com");
  auto wrong =
      CheckLogin(*store_, limiter_, "192.0.2.1", "alice@example.com", "a long secret 43", now);
  auto unknown =
      CheckLogin(*store_, limiter_, "192.0.2.1", "carol@example.com", "a long secret 42", now);
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_FALSE(wrong.error().rate_limited);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  // An account made on the command line signs in once it has a password.
  ASSERT_TRUE(store_->CreateAccount("acme", "paid"));
  EXPECT_FALSE(CheckLogin(*store_, limiter_, "192.0.2.1", "acme", "", now));
  ASSERT_TRUE(SetPassword(*store_, "acme", "acme's password"));
  EXPECT_TRUE(CheckLogin(*store_, limiter_, "192.0.2.1", "acme", "acme's password", now));
  EXPECT_EQ(SetPassword(*store_, "nobody", "whatever it is").error().code,
            core::ErrorCode::kNotFound);
}

TEST_F(AccountsTest, TooManyWrongPasswordsAreRateLimited) {
  ASSERT_TRUE(SignUp(*store_, "alice@example.com", "a long secret 42"));
  int64_t now = core::NowUnixMs();
  LoginLimiter limiter({2, 100, 60000});
  EXPECT_FALSE(CheckLogin(*store_, limiter, "192.0.2.1", "alice@example.com", "wrong one", now));
  EXPECT_FALSE(CheckLogin(*store_, limiter, "192.0.2.1", "alice@example.com", "wrong two", now));
  auto limited =
      CheckLogin(*store_, limiter, "192.0.2.1", "alice@example.com", "a long secret 42", now);
  ASSERT_FALSE(limited);
  EXPECT_TRUE(limited.error().rate_limited);
  EXPECT_EQ(limited.error().retry_after_s, 60);
  EXPECT_TRUE(CheckLogin(*store_, limiter, "192.0.2.1", "alice@example.com", "a long secret 42",
                         now + 60000));
}

TEST_F(AccountsTest, SessionsAreStoredHashedAndEnd) {
  auto account = SignUp(*store_, "alice@example.com", "a long secret 42");
  ASSERT_TRUE(account);
  auto session = StartSession(*store_, account->id, core::NowUnixMs());
  ASSERT_TRUE(session);
  EXPECT_EQ(session->cookie.size(), 64u);
  EXPECT_NE(session->cookie, session->csrf_token);
  EXPECT_EQ(DatabaseBytes().find(session->cookie), std::string::npos);
  std::optional<store::WebSession> found = SessionOf(*store_, session->cookie);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->account.id, account->id);
  EXPECT_EQ(found->csrf_token, session->csrf_token);
  EXPECT_FALSE(SessionOf(*store_, ""));
  EXPECT_FALSE(SessionOf(*store_, session->csrf_token));
  EndSession(*store_, session->cookie);
  EXPECT_FALSE(SessionOf(*store_, session->cookie));
}

TEST(CsrfTest, OnlyTheSameNonEmptyTokenMatches) {
  std::string token = NewCsrfToken();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(CsrfMatches(token, token));
  EXPECT_FALSE(CsrfMatches(token, NewCsrfToken()));
  EXPECT_FALSE(CsrfMatches(token, ""));
  EXPECT_FALSE(CsrfMatches("", ""));
}

}  // namespace
}  // namespace ocrchat::web
