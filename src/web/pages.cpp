// HTML of the web app's pages.
#include "web/pages.h"

#include <algorithm>

#include "core/text.h"

namespace ocrchat::web {
namespace {

std::string E(std::string_view text) { return core::EscapeHtml(text); }

std::string Header(const Viewer& viewer) {
  std::string nav =
      R"(<header class="top"><a class="brand" href="/">ocrchat</a><nav aria-label="Account">)";
  if (viewer.email) {
    nav += R"(<a href="/account">)" + E(*viewer.email) + "</a>";
    nav +=
        R"(<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value=")" +
        E(viewer.csrf_token) + R"("><button type="submit" class="link">Sign out</button></form>)";
  } else {
    nav += R"(<a href="/login">Sign in</a><a href="/signup">Sign up</a>)";
  }
  return nav + "</nav></header>";
}

// The whole document; `meta` goes into <head>, `scripts` are module URLs.
std::string Document(std::string_view title, const Viewer& viewer, const std::string& main,
                     const std::string& meta = "", const std::vector<std::string>& scripts = {}) {
  std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>" + E(title) + " · ocrchat</title>";
  html += "<link rel=\"stylesheet\" href=\"/static/app.css\">" + meta;
  for (const std::string& src : scripts)
    html += "<script type=\"module\" src=\"" + E(src) + "\"></script>";
  return html + "</head><body>" + Header(viewer) + "<main id=\"main\">" + main +
         "</main></body></html>\n";
}

std::string ErrorBox(const std::string& error) {
  return error.empty() ? "" : R"(<p class="error" role="alert">)" + E(error) + "</p>";
}

std::string CredentialsForm(const FormPage& form, std::string_view action, std::string_view button,
                            std::string_view autocomplete) {
  std::string html = R"(<form method="post" action=")" + std::string(action) +
                     R"(" class="card narrow"><input type="hidden" name="csrf" value=")" +
                     E(form.csrf_token) + R"(">)";
  if (!form.next.empty())
    html += R"(<input type="hidden" name="next" value=")" + E(form.next) + R"(">)";
  html += ErrorBox(form.error);
  html +=
      R"(<label for="email">Email address</label><input id="email" name="email" type="email" required autocomplete="email" value=")" +
      E(form.email) + R"(">)";
  html +=
      R"(<label for="password">Password</label><input id="password" name="password" type="password" required minlength="8" autocomplete=")" +
      std::string(autocomplete) + R"(">)";
  return html + R"(<button type="submit">)" + std::string(button) + "</button></form>";
}

std::string Percent(int64_t used, int64_t cap) {
  if (cap <= 0) return "100";
  return std::to_string(std::clamp<int64_t>(used * 100 / cap, 0, 100));
}

}  // namespace

std::string SignupPage(const FormPage& form) {
  std::string main = "<h1>Create a free account</h1>";
  if (!form.signup_open) {
    main +=
        R"(<p class="card narrow">Sign-up is closed on this server: ask its administrator for an account.</p>)";
  } else {
    main += CredentialsForm(form, "/signup", "Create account", "new-password");
    main += R"(<p class="narrow">Already have an account? <a href="/login">Sign in</a>.</p>)";
  }
  return Document("Sign up", {}, main);
}

std::string LoginPage(const FormPage& form) {
  std::string main =
      "<h1>Sign in</h1>" + CredentialsForm(form, "/login", "Sign in", "current-password");
  if (form.signup_open)
    main += R"(<p class="narrow">No account yet? <a href="/signup">Create a free one</a>.</p>)";
  return Document("Sign in", {}, main);
}

std::string AccountPage(const AccountView& view) {
  const store::Usage& u = view.usage;
  std::string unit = u.period == "credits" ? "credits" : "pages";
  std::string period = u.period == "credits" ? "spent"
                       : u.period == "month" ? "this month"
                                             : "today";
  std::string main = "<h1>Your account</h1>";
  if (!view.notice.empty()) main += R"(<p class="notice" role="status">)" + E(view.notice) + "</p>";
  main += R"(<section class="card" aria-labelledby="plan-h"><h2 id="plan-h">Plan and usage</h2>)";
  main += "<p>Signed in as <strong>" + E(view.account.name) +
          "</strong> · plan <strong id=\"plan\">" + E(u.plan) + "</strong></p>";
  main += R"(<label for="usage">)" + std::to_string(u.used) + " of " + std::to_string(u.cap) + " " +
          unit + " " + period + R"(</label><progress id="usage" max=")" + std::to_string(u.cap) +
          R"(" value=")" + std::to_string(std::min(u.used, u.cap)) + R"(" data-percent=")" +
          Percent(u.used, u.cap) + R"("></progress>)";
  main += "</section>";

  main += R"(<section class="card" aria-labelledby="tokens-h"><h2 id="tokens-h">API tokens</h2>)";
  if (view.new_token) {
    main +=
        R"(<div class="new-token" role="status"><p>Your new token. It is shown only this once: copy it now.</p>)"
        R"(<div class="copy-row"><input id="new-token" readonly aria-label="New API token" value=")" +
        E(*view.new_token) +
        R"("><button type="button" id="copy-token" data-copy="new-token">Copy</button></div>)"
        R"(<p id="copy-status" class="hint" aria-live="polite"></p></div>)";
  }
  main += R"(<p>Send a token as <code>Authorization: Bearer &lt;token&gt;</code>.</p>)";
  main +=
      R"(<form method="post" action="/account/tokens"><input type="hidden" name="csrf" value=")" +
      E(view.csrf_token) +
      R"("><button type="submit" id="create-token">Create a token</button></form>)";
  if (view.tokens.empty()) {
    main += "<p>No tokens yet.</p>";
  } else {
    main +=
        R"(<table class="tokens"><thead><tr><th scope="col">Token</th><th scope="col">Created</th><th scope="col">State</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead><tbody>)";
    for (const store::TokenInfo& t : view.tokens) {
      std::string id = std::to_string(t.id);
      main += "<tr data-token=\"" + id + "\"><td>#" + id + "</td><td>" + E(t.created_at) +
              "</td><td>" + (t.revoked_at.empty() ? "live" : "revoked " + E(t.revoked_at)) +
              "</td><td>";
      if (t.revoked_at.empty())
        main += R"(<form method="post" action="/account/tokens/)" + id +
                R"(/revoke" class="inline"><input type="hidden" name="csrf" value=")" +
                E(view.csrf_token) + R"("><button type="submit" aria-label="Revoke token #)" + id +
                R"(">Revoke</button></form>)";
      main += "</td></tr>";
    }
    main += "</tbody></table>";
  }
  main += "</section>";

  main += R"(<section class="card" aria-labelledby="jobs-h"><h2 id="jobs-h">Recent documents</h2>)";
  if (view.jobs.empty()) {
    main += R"(<p>None yet: <a href="/">recognise a document</a>.</p>)";
  } else {
    main += R"(<ul class="jobs">)";
    for (const store::JobRow& job : view.jobs)
      main += R"(<li><a href="/jobs/)" + E(job.uuid) + R"(">)" + E(job.filename) +
              "</a> <span class=\"hint\">" + E(job.status) + " · " +
              std::to_string(job.page_count) + (job.page_count == 1 ? " page" : " pages") +
              "</span></li>";
    main += "</ul>";
  }
  main += "</section>";
  return Document("Account", {view.account.name, view.csrf_token}, main, "",
                  {"/static/account.js"});
}

std::string DocumentPage(const Viewer& viewer, std::string_view job_uuid) {
  std::string meta = R"(<meta name="ocrchat-csrf" content=")" + E(viewer.csrf_token) + R"(">)";
  meta += R"(<meta name="ocrchat-user" content=")" + E(viewer.email.value_or("")) + R"(">)";
  meta += R"(<meta name="ocrchat-job" content=")" + E(job_uuid) + R"(">)";
  std::string main = R"(
<section id="upload-section" class="card" aria-labelledby="upload-h">
<h1 id="upload-h">Recognise a document</h1>
<form id="upload">
<div id="drop" class="drop"><label for="file">Drop an image or PDF here, or <span class="button-like">choose a file</span></label>
<input type="file" id="file" name="file" required accept="image/*,application/pdf,.pdf,.tif,.tiff,.webp"></div>
<p id="file-name" class="hint" aria-live="polite"></p>
<div class="options">
<div><label for="tier">Tier</label><select id="tier" name="tier"><option value="cpu">cpu (Tesseract)</option><option value="vlm">vlm (vision model)</option></select></div>
<div><label for="language">Language</label><select id="language" name="language"><option value="auto">auto-detect</option></select></div>
<div><label for="tool">Tool</label><select id="tool" name="tool"><option value="">none</option></select></div>
</div>
<button type="submit" id="submit">Recognise</button>
</form>
</section>
<section id="job" class="card" hidden aria-labelledby="job-h">
<h2 id="job-h">Document</h2>
<p id="status" role="status" aria-live="polite"></p>
<div id="progress" class="progress" hidden><progress id="progress-bar" max="1" value="0" aria-label="Pages read"></progress><ol id="page-steps" class="steps" aria-label="Pages"></ol></div>
<nav id="downloads" class="downloads" hidden aria-label="Downloads"></nav>
<div id="result" class="result" hidden>
<div id="pages" class="pages" aria-label="Page images"></div>
<article id="markdown" class="markdown" aria-label="Text"></article>
</div>
</section>
<section id="chat" class="card" hidden aria-labelledby="chat-h">
<h2 id="chat-h">Ask about this document</h2>
<div id="chat-log" class="chat-log" aria-live="polite"></div>
<form id="chat-form"><label for="question">Question</label><div class="copy-row"><input id="question" name="question" autocomplete="off" required><button type="submit">Ask</button></div></form>
<p id="chat-signin" hidden><a id="chat-signin-link" href="/login">Sign in</a> to ask questions about your documents.</p>
</section>)";
  return Document("Documents", viewer, main, meta, {"/static/app.js"});
}

std::string MessagePage(const Viewer& viewer, std::string_view title, std::string_view message) {
  return Document(title, viewer,
                  "<h1>" + E(title) + "</h1><p class=\"card narrow\">" + E(message) +
                      "</p><p class=\"narrow\"><a href=\"/\">Back to the start</a></p>");
}

}  // namespace ocrchat::web
