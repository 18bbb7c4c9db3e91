// The web app's routes: /signup, /login, /logout, /account and its token
// forms, the document view at / and /jobs/<uuid>, and /static/ assets.
// Thin: each reads the form and cookies and calls src/web, which holds the
// rules. The API's own routes reach the signed-in account through
// SessionOf.
#pragma once

#include <httplib.h>

#include <functional>
#include <optional>
#include <string>

#include "jobs/config.h"
#include "store/store.h"
#include "web/login_limiter.h"

namespace ocrchat::api {

// The header a signed-in page sends its session's CSRF token in.
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

class WebRoutes {
 public:
  using StoreOf = std::function<store::Store&()>;
  using IpOf = std::function<std::string(const httplib::Request&)>;

  // `store` gives the calling thread's store; `ip` the client's address.
  WebRoutes(const jobs::Config& config, StoreOf store, IpOf ip);

  void Register(httplib::Server& server);

  // The live session of the request's cookie, if any.
  std::optional<store::WebSession> SessionOf(const httplib::Request& req);

 private:
  void SignupForm(const httplib::Request& req, httplib::Response& res);
  void Signup(const httplib::Request& req, httplib::Response& res);
  void LoginForm(const httplib::Request& req, httplib::Response& res);
  void Login(const httplib::Request& req, httplib::Response& res);
  void Logout(const httplib::Request& req, httplib::Response& res);
  void Account(const httplib::Request& req, httplib::Response& res);
  void CreateToken(const httplib::Request& req, httplib::Response& res);
  void RevokeToken(const httplib::Request& req, httplib::Response& res);
  void DocumentView(const httplib::Request& req, httplib::Response& res);
  void Static(const httplib::Request& req, httplib::Response& res);

  void ShowAccount(httplib::Response& res, const store::WebSession& session,
                   std::optional<std::string> new_token, const std::string& notice);
  // The pre-session form token of the request's cookie, or a new one set
  // on the response.
  std::string FormToken(const httplib::Request& req, httplib::Response& res);
  // Whether a form post carries the token it must: the session's when
  // signed in, else the pre-session cookie's. Answers 403 when not.
  bool CheckForm(const httplib::Request& req, httplib::Response& res,
                 const std::optional<store::WebSession>& session);
  void SignIn(const httplib::Request& req, httplib::Response& res, int64_t account_id);
  bool Https(const httplib::Request& req) const;
  std::string CookieAttributes(const httplib::Request& req) const;

  const jobs::Config& config_;
  StoreOf store_;
  IpOf ip_;
  web::LoginLimiter limiter_;
};

}  // namespace ocrchat::api
