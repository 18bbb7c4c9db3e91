// Tests of the web app's HTML: values are escaped, the token is shown once
// with its Copy button, and the assets the pages name are built in.
#include "web/pages.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/text.h"
#include "web/assets.h"

namespace ocrchat::web {
namespace {

TEST(PagesTest, EscapesEverything) {
  EXPECT_EQ(core::EscapeHtml(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  FormPage form;
  form.email = "\"><script>alert(1)</script>";
  form.error = "<b>";
  form.csrf_token = "t0k";
  std::string html = LoginPage(form);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find(R"(name="csrf" value="t0k")"), std::string::npos);
}

TEST(PagesTest, AccountPageShowsANewTokenOnceWithCopy) {
  AccountView view;
  view.account.name = "alice@example.com";
  view.usage = {"free", "month", 120, 500, 380};
  view.tokens = {{2, "2026-12-01T10:00:00Z", ""},
                 {1, "2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z"}};
  view.csrf_token = "csrf-value";
  std::string without = AccountPage(view);
  EXPECT_EQ(without.find("copy-token"), std::string::npos);
  EXPECT_NE(without.find(R"(<progress id="usage" max="500" value="120")"), std::string::npos);
  EXPECT_NE(without.find("/account/tokens/2/revoke"), std::string::npos);
  EXPECT_EQ(without.find("/account/tokens/1/revoke"), std::string::npos);  // revoked already
  view.new_token = "oc_0123";
  std::string with = AccountPage(view);
  EXPECT_NE(with.find(R"(id="new-token" readonly aria-label="New API token" value="oc_0123")"),
            std::string::npos);
  EXPECT_NE(with.find(R"(<button type="button" id="copy-token")"), std::string::npos);
}

TEST(PagesTest, PagesHaveNoInlineScriptAndTheirAssetsExist) {
  Viewer viewer{"alice@example.com", "csrf-value"};
  std::string page = DocumentPage(viewer, "0123456789abcdef0123456789abcdef");
  EXPECT_NE(page.find(R"(<meta name="ocrchat-csrf" content="csrf-value">)"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("style=\""), std::string::npos);
  AccountView view;
  for (const std::string& html : {page, AccountPage(view), LoginPage({}), SignupPage({})}) {
    static const std::regex kAsset(R"(/static/([a-z_]+\.(js|css)))");
    for (std::sregex_iterator it(html.begin(), html.end(), kAsset), end; it != end; ++it)
      EXPECT_TRUE(FindAsset((*it)[1].str())) << (*it)[1];
  }
  // The modules the scripts import are there too.
  for (const char* name :
       {"app.js", "api.js", "pages.js", "chat.js", "markdown.js", "account.js", "app.css"}) {
    std::optional<Asset> asset = FindAsset(name);
    ASSERT_TRUE(asset) << name;
    EXPECT_FALSE(asset->content.empty());
  }
  EXPECT_EQ(FindAsset("app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_FALSE(FindAsset("missing.js"));
}

}  // namespace
}  // namespace ocrchat::web
