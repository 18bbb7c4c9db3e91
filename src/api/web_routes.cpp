// The web app's HTTP face: forms and cookies in, src/web's answers out.
#include "api/web_routes.h"

#include <regex>

#include "core/clock.h"
#include "web/accounts.h"
#include "web/assets.h"
#include "web/pages.h"

namespace ocrchat::api {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kSessionCookie = "ocrchat_session";
constexpr const char* kFormCookie = "ocrchat_form";

// The value of cookie `name` in the request's Cookie header, "" when absent.
std::string CookieOf(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string_view pair(header.data() + start, end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    start = end + 1;
  }
  return "";
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

// A local path to go to after signing in; "" for anything else (another
// site, a scheme, header injection).
std::string SafeNext(const std::string& next) {
  static const std::regex kLocal(R"(^/(?![/\\])[A-Za-z0-9/_.~?=&%-]*$)");
  return std::regex_match(next, kLocal) ? next : "";
}

// Every web page: no inline script or style, no framing, no sniffing.
void SendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
                 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, kHtml);
}

void Redirect(httplib::Response& res, const std::string& location) {
  res.status = 303;
  res.set_header("Location", location);
  res.set_header("Cache-Control", "no-store");
}

web::Viewer ViewerOf(const std::optional<store::WebSession>& session) {
  if (!session) return {};
  return {session->account.name, session->csrf_token};
}

}  // namespace

WebRoutes::WebRoutes(const jobs::Config& config, StoreOf store, IpOf ip)
    : config_(config), store_(std::move(store)), ip_(std::move(ip)) {}

void WebRoutes::Register(httplib::Server& server) {
  auto route = [this](void (WebRoutes::*handler)(const httplib::Request&, httplib::Response&)) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      (this->*handler)(req, res);
    };
  };
  server.Get("/", route(&WebRoutes::DocumentView));
  server.Get(R"(/jobs/([0-9a-f]{32})/?)", route(&WebRoutes::DocumentView));
  server.Get(R"(/static/([a-z_]+\.(?:js|css)))", route(&WebRoutes::Static));
  server.Get("/signup", route(&WebRoutes::SignupForm));
  server.Post("/signup", route(&WebRoutes::Signup));
  server.Get("/login", route(&WebRoutes::LoginForm));
  server.Post("/login", route(&WebRoutes::Login));
  server.Post("/logout", route(&WebRoutes::Logout));
  server.Get("/account", route(&WebRoutes::Account));
  server.Post("/account/tokens", route(&WebRoutes::CreateToken));
  server.Post(R"(/account/tokens/(\d{1,18})/revoke)", route(&WebRoutes::RevokeToken));
}

std::optional<store::WebSession> WebRoutes::SessionOf(const httplib::Request& req) {
  std::string cookie = CookieOf(req, kSessionCookie);
  if (cookie.empty()) return std::nullopt;
  return web::SessionOf(store_(), cookie);
}

bool WebRoutes::Https(const httplib::Request& req) const {
  if (!config_.tls_cert.empty()) return true;
  bool trusted = std::find(config_.trusted_proxies.begin(), config_.trusted_proxies.end(),
                           req.remote_addr) != config_.trusted_proxies.end();
  return trusted && req.get_header_value("X-Forwarded-Proto") == "https";
}

std::string WebRoutes::CookieAttributes(const httplib::Request& req) const {
  return std::string("; Path=/; HttpOnly; SameSite=Lax") + (Https(req) ? "; Secure" : "");
}

std::string WebRoutes::FormToken(const httplib::Request& req, httplib::Response& res) {
  std::string token = CookieOf(req, kFormCookie);
  if (token.size() != 64) {
    token = web::NewCsrfToken();
    res.set_header("Set-Cookie", std::string(kFormCookie) + "=" + token + CookieAttributes(req));
  }
  return token;
}

bool WebRoutes::CheckForm(const httplib::Request& req, httplib::Response& res,
                          const std::optional<store::WebSession>& session) {
  const std::string expected = session ? session->csrf_token : CookieOf(req, kFormCookie);
  if (web::CsrfMatches(expected, Param(req, "csrf"))) return true;
  SendHtml(res, 403,
           web::MessagePage(ViewerOf(session), "Form expired",
                            "This form was not sent from this site's current page (its security "
                            "token is missing or old). Go back, reload the page and try again."));
  return false;
}

void WebRoutes::SignIn(const httplib::Request& req, httplib::Response& res, int64_t account_id) {
  auto session = web::StartSession(store_(), account_id, core::NowUnixMs());
  if (!session) {
    SendHtml(res, 500, web::MessagePage({}, "Sign-in failed", session.error().message));
    return;
  }
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + session->cookie +
                                   CookieAttributes(req) +
                                   "; Max-Age=" + std::to_string(web::kSessionTtlMs / 1000));
  std::string next = SafeNext(Param(req, "next"));
  Redirect(res, next.empty() ? "/account" : next);
}

void WebRoutes::SignupForm(const httplib::Request& req, httplib::Response& res) {
  web::FormPage form;
  form.signup_open = config_.signup_open;
  form.csrf_token = FormToken(req, res);
  SendHtml(res, 200, web::SignupPage(form));
}

void WebRoutes::Signup(const httplib::Request& req, httplib::Response& res) {
  if (!CheckForm(req, res, std::nullopt)) return;
  web::FormPage form;
  form.signup_open = config_.signup_open;
  if (!config_.signup_open) return SendHtml(res, 403, web::SignupPage(form));
  form.csrf_token = CookieOf(req, kFormCookie);
  form.email = Param(req, "email");
  auto account = web::SignUp(store_(), form.email, Param(req, "password"));
  if (!account) {
    form.error = account.error().message;
    return SendHtml(res, account.error().code == core::ErrorCode::kConflict ? 409 : 400,
                    web::SignupPage(form));
  }
  SignIn(req, res, account->id);
}

void WebRoutes::LoginForm(const httplib::Request& req, httplib::Response& res) {
  web::FormPage form;
  form.signup_open = config_.signup_open;
  form.next = SafeNext(Param(req, "next"));
  form.csrf_token = FormToken(req, res);
  SendHtml(res, 200, web::LoginPage(form));
}

void WebRoutes::Login(const httplib::Request& req, httplib::Response& res) {
  if (!CheckForm(req, res, std::nullopt)) return;
  web::FormPage form;
  form.signup_open = config_.signup_open;
  form.csrf_token = CookieOf(req, kFormCookie);
  form.email = Param(req, "email");
  form.next = SafeNext(Param(req, "next"));
  auto account = web::CheckLogin(store_(), limiter_, ip_(req), form.email, Param(req, "password"),
                                 core::NowUnixMs());
  if (!account) {
    form.error = account.error().message;
    if (account.error().rate_limited)
      res.set_header("Retry-After", std::to_string(account.error().retry_after_s));
    return SendHtml(res, account.error().rate_limited ? 429 : 401, web::LoginPage(form));
  }
  SignIn(req, res, account->id);
}

void WebRoutes::Logout(const httplib::Request& req, httplib::Response& res) {
  std::optional<store::WebSession> session = SessionOf(req);
  if (session && !CheckForm(req, res, session)) return;
  web::EndSession(store_(), CookieOf(req, kSessionCookie));
  res.set_header("Set-Cookie",
                 std::string(kSessionCookie) + "=" + CookieAttributes(req) + "; Max-Age=0");
  Redirect(res, "/");
}

void WebRoutes::ShowAccount(httplib::Response& res, const store::WebSession& session,
                            std::optional<std::string> new_token, const std::string& notice) {
  store::Store& store = store_();
  web::AccountView view;
  view.account = session.account;
  view.usage = store.UsageOf(store::Caller{session.account, ""}, config_.allowance);
  view.tokens = store.ListTokens(session.account.id);
  view.new_token = std::move(new_token);
  view.jobs = store.ListJobs(session.account.id, 10, 0);
  view.csrf_token = session.csrf_token;
  view.notice = notice;
  SendHtml(res, 200, web::AccountPage(view));
}

void WebRoutes::Account(const httplib::Request& req, httplib::Response& res) {
  std::optional<store::WebSession> session = SessionOf(req);
  if (!session) return Redirect(res, "/login?next=/account");
  ShowAccount(res, *session, std::nullopt, "");
}

void WebRoutes::CreateToken(const httplib::Request& req, httplib::Response& res) {
  std::optional<store::WebSession> session = SessionOf(req);
  if (!session) return Redirect(res, "/login?next=/account");
  if (!CheckForm(req, res, session)) return;
  auto token = store_().CreateToken(session->account.name);
  if (!token)
    return SendHtml(res, 500,
                    web::MessagePage(ViewerOf(session), "No token", token.error().message));
  ShowAccount(res, *session, *token, "");
}

void WebRoutes::RevokeToken(const httplib::Request& req, httplib::Response& res) {
  std::optional<store::WebSession> session = SessionOf(req);
  if (!session) return Redirect(res, "/login?next=/account");
  if (!CheckForm(req, res, session)) return;
  const std::string id = req.matches[1];
  auto revoked = store_().RevokeTokenOf(session->account.id, std::stoll(id));
  if (!revoked)
    return SendHtml(res, 404,
                    web::MessagePage(ViewerOf(session), "No such token",
                                     "This account has no token #" + id + "."));
  ShowAccount(res, *session, std::nullopt, "Token #" + id + " revoked.");
}

void WebRoutes::DocumentView(const httplib::Request& req, httplib::Response& res) {
  const std::string uuid = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
  SendHtml(res, 200, web::DocumentPage(ViewerOf(SessionOf(req)), uuid));
}

void WebRoutes::Static(const httplib::Request& req, httplib::Response& res) {
  std::optional<web::Asset> asset = web::FindAsset(std::string(req.matches[1]));
  if (!asset) {
    res.status = 404;
    return res.set_content("no such file", "text/plain");
  }
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::string(asset->content), std::string(asset->content_type));
}

}  // namespace ocrchat::api
