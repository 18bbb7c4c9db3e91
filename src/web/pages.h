// The web app's HTML: the sign-up, sign-in and account pages, rendered on
// the server, and the document view's shell, whose scripts (assets.h) do
// the rest. Every value is HTML-escaped here; no page has inline script or
// style, so that the Content-Security-Policy can forbid them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace ocrchat::web {

// Who is looking: the header of every page shows it.
struct Viewer {
  std::optional<std::string> email;  // signed in as
  std::string csrf_token;            // the session's, for the sign-out form
};

// The sign-up or sign-in form, filled in again after a refusal.
struct FormPage {
  std::string csrf_token;  // the pre-session token, also in its cookie
  std::string email;
  std::string error;  // "" when none
  std::string next;   // where to go once signed in ("" for /account)
  bool signup_open = true;
};
std::string SignupPage(const FormPage& form);
std::string LoginPage(const FormPage& form);

struct AccountView {
  store::Account account;
  store::Usage usage;
  std::vector<store::TokenInfo> tokens;
  std::optional<std::string> new_token;  // just created: shown this once
  std::vector<store::JobRow> jobs;       // recent, newest first
  std::string csrf_token;
  std::string notice;  // "" when none
};
std::string AccountPage(const AccountView& view);

// The document view at / and /jobs/<uuid> ("" for the upload form alone).
std::string DocumentPage(const Viewer& viewer, std::string_view job_uuid);

// A page that only says something (a refused form, an unknown page).
std::string MessagePage(const Viewer& viewer, std::string_view title, std::string_view message);

}  // namespace ocrchat::web
