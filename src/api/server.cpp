// Routes of the OCR.chat API.
#include "api/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include <httplib.h>

#include "api/chat_request.h"
#include "api/connections.h"
#include "api/errors.h"
#include "api/idempotency.h"
#include "api/multipart.h"
#include "api/static_content.h"
#include "api/web_routes.h"
#include "chat/chat.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "export/export.h"
#include "jobs/job_object.h"
#include "jobs/pipeline.h"
#include "jobs/preview.h"
#include "jobs/probe.h"
#include "jobs/supervisor.h"
#include "ocr/languages.h"
#include "translate/translate.h"
#include "vlm/vlm.h"
#include "webhook/webhook.h"

namespace ocrchat::api {
namespace {

using core::ErrorCode;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kJson = "application/json";

// The upload route reads its body raw and parses the form itself (see
// multipart.h): before routing, a multipart Content-Type moves to this
// header so that cpp-httplib leaves the body alone.
constexpr const char* kFormTypeHeader = "X-Ocrchat-Form-Type";

// The longest a POST waiting for its job goes without looking at it.
constexpr int64_t kInlineWaitMs = 250;

// A store per HTTP thread: a Store is not shared between threads.
store::Store& ThreadStore(const store::Location& location) {
  thread_local std::unique_ptr<store::Store> store;
  if (!store) {
    auto opened = store::OpenStore(location);
    if (!opened) throw std::runtime_error(opened.error().message);
    store = std::move(*opened);
  }
  return *store;
}

void Send(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void SendError(httplib::Response& res, const core::Error& error) {
  Send(res, HttpStatus(error.code), ErrorBody(error));
}

void SendError(httplib::Response& res, ErrorCode code, const std::string& message) {
  SendError(res, core::MakeError(code, message));
}

// A request the store could not serve: 503 with Retry-After when the
// fault is the database's (nothing was changed), 500 otherwise.
void SendStoreFault(httplib::Response& res, store::Fault fault) {
  using store::Fault;
  if (fault == Fault::kOther) return Send(res, 500, {{"error", "internal error"}});
  const char* message =
      fault == Fault::kBusy ? "the database is busy: another process holds it locked; nothing was "
                              "changed, try again shortly"
      : fault == Fault::kFull ? "the server is out of disk space for its database; nothing was "
                                "stored or charged, try again later"
                              : "the database cannot be reached; nothing was changed, try again later";
  SendError(res, ErrorCode::kUnavailable, message);
  res.set_header("Retry-After", fault == Fault::kBusy ? "2" : "30");
}

// Writes an upload where the probe reads it; a full disk is the server's
// fault, said as such, never a corrupt file.
core::Result<void> WriteUpload(const fs::path& path, const std::string& bytes) {
  errno = 0;
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (out) return {};
  int error = errno;
  std::error_code ignored;
  fs::remove(path, ignored);
  if (error == ENOSPC || error == EDQUOT || error == EFBIG)
    return core::Fail(ErrorCode::kUnavailable,
                      "the server is out of disk space: the upload could not be stored (nothing "
                      "was charged); try again later");
  return core::Fail(ErrorCode::kInternal, "the upload could not be stored",
                    std::string("writing ") + path.string() + ": " + std::strerror(error));
}

std::optional<std::string> HeaderOf(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

std::string FileStem(const std::string& filename) {
  std::string name = filename.empty() ? "document" : filename;
  size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  std::string safe;
  for (char c : name)
    if (static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\' && c != '/') safe += c;
  return safe.empty() ? "document" : safe;
}

// "1-3,7" -> {0, 1, 2, 6}; every page when empty.
core::Result<std::vector<int>> ParsePages(const std::string& spec, int page_count) {
  std::vector<int> pages;
  if (spec.empty()) {
    for (int i = 0; i < page_count; ++i) pages.push_back(i);
    return pages;
  }
  static const std::regex kRange(R"(^\s*(\d+)\s*(?:-\s*(\d+))?\s*$)");
  std::vector<bool> chosen(page_count, false);
  std::stringstream parts(spec);
  std::string part;
  while (std::getline(parts, part, ',')) {
    std::smatch m;
    if (!std::regex_match(part, m, kRange))
      return core::Fail(ErrorCode::kInvalidParameter,
                        "pages must look like 1-3,7 (got '" + spec + "')");
    long first = std::stol(m[1]), last = m[2].matched ? std::stol(m[2]) : first;
    if (first < 1 || last < first || last > page_count)
      return core::Fail(ErrorCode::kInvalidParameter,
                        "pages " + part + " is outside the file's " + std::to_string(page_count) +
                            " pages");
    for (long p = first; p <= last; ++p) chosen[p - 1] = true;
  }
  for (int i = 0; i < page_count; ++i)
    if (chosen[i]) pages.push_back(i);
  return pages;
}

// A place among the POSTs that wait for their pages, held until it goes
// out of scope; not held when all limit places are taken.
class InlineWait {
 public:
  InlineWait(std::atomic<int>& waiting, int limit) : waiting_(waiting) {
    held_ = waiting_.fetch_add(1) < limit;
    if (!held_) --waiting_;
  }
  ~InlineWait() {
    if (held_) --waiting_;
  }
  InlineWait(const InlineWait&) = delete;
  InlineWait& operator=(const InlineWait&) = delete;
  bool held() const { return held_; }

 private:
  std::atomic<int>& waiting_;
  bool held_ = false;
};

class Api {
 public:
  explicit Api(jobs::Config config)
      : config_(std::move(config)),
        web_(config_, [this]() -> store::Store& { return Store(); },
             [this](const httplib::Request& req) { return ClientIp(req); }) {
    can_ = jobs::CapabilitiesOf(config_.vlm, config_.Llm());
  }
  ~Api() {
    stop_ = true;
    if (backend_thread_.joinable()) backend_thread_.join();
  }

  // Asks the vlm tier's model server what it serves, logs it, and keeps
  // asking every 30 s for /healthz and /metrics.
  // The first answer comes on that thread too: a server that does not
  // answer must not hold up the start.
  void WatchModelServer() {
    if (!config_.vlm.Configured()) return;
    backend_.state = "unchecked";
    backend_thread_ = std::thread([this] {
      while (!stop_) {
        vlm::Backend backend = vlm::CheckBackend(config_.vlm);
        {
          std::lock_guard lock(backend_mutex_);
          if (backend.state != backend_.state)
            std::cerr << "ocrchat: " << vlm::Describe(config_.vlm, backend) << "\n";
          backend_ = std::move(backend);
        }
        for (int i = 0; i < 300 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }

  void Register(httplib::Server& server) {
    server.Post(R"(/api/v1/ocr/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Submit); });
    server.Get(R"(/api/v1/ocr/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::List); });
    server.Get(R"(/api/v1/ocr/([^/]+)/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Status); });
    server.Delete(R"(/api/v1/ocr/([^/]+)/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Delete); });
    server.Get(R"(/api/v1/ocr/([^/]+)/download/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Download); });
    server.Get(R"(/api/v1/ocr/([^/]+)/pages/(\d{1,6})/image/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::PageImage); });
    server.Get(R"(/api/v1/account/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::AccountInfo); });
    server.Get(R"(/api/v1/languages/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Languages); });
    server.Get(R"(/api/v1/tools/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::ToolList); });
    server.Get(R"(/api/v1/openapi\.json)", [](const auto&, auto& res) { res.set_content(OpenApiDocument(), kJson); });
    server.Get(R"(/healthz/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Health); });
    server.Get(R"(/metrics/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Metrics); });
    web_.Register(server);
    RegisterChat(server);
    server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      // The router owns a mutable Request; only the headers change here.
      auto& headers = const_cast<httplib::Request&>(req).headers;
      headers.erase(kFormTypeHeader);
      if (req.method == "POST" && std::regex_match(req.path, std::regex(R"(/api/v1/ocr/?)"))) {
        std::string type = req.get_header_value("Content-Type");
        if (!MultipartBoundary(type).empty()) {
          headers.erase("Content-Type");
          headers.emplace("Content-Type", "application/octet-stream");
          headers.emplace(kFormTypeHeader, type);
        }
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_error_handler([](const auto&, auto& res) {
      if (!res.body.empty()) return;
      std::string message = res.status == 404   ? "no such route"
                            : res.status == 413 ? "the upload is larger than the size limit"
                            : res.status == 405 ? "method not allowed"
                                                : "bad request";
      res.set_content(json{{"error", message}}.dump(), kJson);
      if (res.status == 413) res.status = 400;
    });
    server.set_exception_handler([](const auto&, auto& res, std::exception_ptr ep) {
      std::string what = "unknown";
      store::Fault fault = store::Fault::kOther;
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
        fault = store::FaultOf(e);
      }
      std::cerr << "error: " << what << "\n";
      SendStoreFault(res, fault);
    });
  }

  void SetSupervisor(jobs::Supervisor* supervisor) { supervisor_ = supervisor; }
  void SetConnections(const Connections* connections) { connections_ = connections; }

 private:
  using Handler = void (Api::*)(const httplib::Request&, httplib::Response&, const store::Caller&);

  // Authenticates, then runs the handler; counts the request.
  void Guard(const httplib::Request& req, httplib::Response& res, Handler handler) {
    ++requests_;
    auto caller = Authenticate(req);
    if (!caller) return SendError(res, caller.error());
    (this->*handler)(req, res, *caller);
  }

  store::Store& Store() { return ThreadStore(config_.StoreLocation()); }

  std::string ClientIp(const httplib::Request& req) const {
    std::string ip = req.remote_addr;
    bool trusted = std::find(config_.trusted_proxies.begin(), config_.trusted_proxies.end(), ip) !=
                   config_.trusted_proxies.end();
    if (trusted && req.has_header("X-Forwarded-For")) {
      std::string chain = req.get_header_value("X-Forwarded-For");
      size_t comma = chain.find_last_of(',');
      std::string last = comma == std::string::npos ? chain : chain.substr(comma + 1);
      last.erase(0, last.find_first_not_of(' '));
      last.erase(last.find_last_not_of(' ') + 1);
      if (!last.empty()) ip = last;
    }
    return ip;
  }

  core::Result<store::Caller> Authenticate(const httplib::Request& req) {
    store::Caller caller;
    caller.ip = ClientIp(req);
    std::string token;
    if (req.has_header("Authorization")) {
      std::string value = req.get_header_value("Authorization");
      if (value.rfind("Bearer ", 0) == 0 || value.rfind("bearer ", 0) == 0) token = value.substr(7);
      else if (value.rfind("Token ", 0) == 0) token = value.substr(6);
      else return core::Fail(ErrorCode::kUnauthorized, "the Authorization header must be 'Bearer <token>'");
      token.erase(0, token.find_first_not_of(' '));
      token.erase(token.find_last_not_of(' ') + 1);
      if (token.empty()) return core::Fail(ErrorCode::kUnauthorized, "the bearer token is empty");
    } else if (req.has_param("api_token")) {
      token = req.get_param_value("api_token");
      if (token.empty()) return core::Fail(ErrorCode::kUnauthorized, "api_token is empty");
    }
    if (!token.empty()) {
      caller.account = Store().Authenticate(token);
      if (!caller.account)
        return core::Fail(ErrorCode::kUnauthorized, "invalid or revoked API token");
      return caller;
    }
    // The web app's pages: the session cookie, and for anything but a read
    // its CSRF token in a header that only the site's own scripts can set.
    if (std::optional<store::WebSession> session = web_.SessionOf(req)) {
      const bool reads = req.method == "GET" || req.method == "HEAD";
      if (!reads && !core::ConstantTimeEquals(session->csrf_token, req.get_header_value(kCsrfHeader)))
        return core::Fail(ErrorCode::kForbidden,
                          "a signed-in request must carry the page's " + std::string(kCsrfHeader) +
                              " header; reload the page");
      caller.account = std::move(session->account);
    }
    return caller;
  }

  // The job when the caller may see it: its owner, or anyone holding the
  // uuid of an anonymous job. Everything else is 404.
  std::optional<store::JobRow> VisibleJob(const std::string& uuid, const store::Caller& caller) {
    static const std::regex kUuid("^[0-9a-f]{32}$");
    if (!std::regex_match(uuid, kUuid)) return std::nullopt;
    std::optional<store::JobRow> job = Store().GetJob(uuid);
    if (!job) return std::nullopt;
    if (job->account_id && (!caller.account || caller.account->id != *job->account_id))
      return std::nullopt;
    return job;
  }

  exports::JobInfo InfoOf(const store::JobRow& job) const { return jobs::JobInfoOf(job); }

  core::Document DocumentOf(const store::JobRow& job) { return jobs::DocumentOf(Store(), job); }

  json JobJson(const store::JobRow& job) { return jobs::JobJson(Store(), job); }

  // The answer to a request whose Idempotency-Key was used before: the job
  // as it is now, or 409 when the key was used for another request.
  void Replay(httplib::Response& res, const store::KeyUse& earlier,
              const store::IdempotencyKey& key) {
    auto same = CheckReplay(earlier, key);
    if (!same) return SendError(res, same.error());
    std::optional<store::JobRow> job = Store().GetJob(earlier.job_uuid);
    if (!job)
      return SendError(res, ErrorCode::kConflict,
                       "this Idempotency-Key was used for a job that has since been deleted; "
                       "send a new key");
    res.set_header("Idempotent-Replayed", "true");
    bool finished = job->status == "done" || job->status == "failed";
    Send(res, finished ? 200 : 202, JobJson(*job));
  }

  // A POST's webhook_url, checked, or the account's default; nullopt for none.
  core::Result<std::optional<std::string>> WebhookUrlOf(const std::string& field,
                                                        const store::Caller& caller) {
    if (field.empty()) {
      if (caller.account && !caller.account->webhook_url.empty())
        return caller.account->webhook_url;
      return std::optional<std::string>();
    }
    auto checked = webhook::CheckUrl(field, config_.webhook.allow_private);
    if (!checked) return std::unexpected(checked.error());
    return field;
  }

  void Submit(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
    std::string boundary = MultipartBoundary(req.get_header_value(kFormTypeHeader));
    if (boundary.empty())
      return SendError(res, ErrorCode::kInvalidParameter,
                       "no file: send the image or PDF as the multipart form field 'file'");
    auto form = ParseMultipart(req.body, boundary);
    if (!form) return SendError(res, form.error());
    auto found = form->find("file");
    if (found == form->end())
      return SendError(res, ErrorCode::kInvalidParameter,
                       "no file: send the image or PDF as the multipart form field 'file'");
    const FormPart& file = found->second;
    auto field = [&](const char* name) {
      auto it = form->find(name);
      return it != form->end() ? it->second.content
             : req.has_param(name) ? req.get_param_value(name) : std::string();
    };
    if (file.content.empty())
      return SendError(res, ErrorCode::kInvalidParameter, "the file is empty (0 bytes)");
    if (static_cast<int64_t>(file.content.size()) > config_.limits.max_bytes)
      return SendError(res, ErrorCode::kTooLarge,
                       "the file is " + std::to_string(file.content.size() / (1024 * 1024)) +
                           " MB; the limit is " +
                           std::to_string(config_.limits.max_bytes / (1024 * 1024)) + " MB");
    // A request sent again with its Idempotency-Key gets the first one's job.
    auto key = ReadIdempotencyKey(
        HeaderOf(req, "Idempotency-Key"), caller, file.content,
        {field("tier"), field("language"), field("tool"), field("translate_to"), field("pages")});
    if (!key) return SendError(res, key.error());
    if (*key) {
      std::optional<store::KeyUse> earlier = Store().FindIdempotencyKey((*key)->scope, (*key)->key);
      if (earlier) return Replay(res, *earlier, **key);
    }
    auto recipe = jobs::MakeRecipe(field("tier"), field("language"), field("tool"),
                                   field("translate_to"), can_);
    if (!recipe) return SendError(res, recipe.error());
    recipe->dpi = config_.limits.dpi;
    auto webhook_url = WebhookUrlOf(field("webhook_url"), caller);
    if (!webhook_url) return SendError(res, webhook_url.error());

    // Type, page count and password, found by a child process.
    fs::path tmp = fs::path(config_.data_dir) / "tmp";
    std::error_code ec;
    fs::create_directories(tmp, ec);
    std::string uuid = core::NewUuid();
    fs::path upload_path = tmp / (uuid + ".upload"), plain_path = tmp / (uuid + ".plain");
    if (auto written = WriteUpload(upload_path, file.content); !written) {
      if (written.error().code == ErrorCode::kUnavailable) res.set_header("Retry-After", "30");
      return SendError(res, written.error());
    }
    auto probe = jobs::ProbeInChild(config_.binary, upload_path, field("password"), plain_path,
                                    config_.limits, 60000);
    std::string bytes;
    if (probe && probe->decrypted) {
      std::ifstream in(plain_path, std::ios::binary);
      std::ostringstream buffer;
      buffer << in.rdbuf();
      bytes = std::move(buffer).str();
    }
    fs::remove(upload_path, ec);
    fs::remove(plain_path, ec);
    if (!probe) return SendError(res, probe.error());
    if (bytes.empty()) bytes = file.content;

    auto pages = ParsePages(field("pages"), probe->page_count);
    if (!pages) return SendError(res, pages.error());

    store::NewJob job;
    job.uuid = uuid;
    if (caller.account) job.account_id = caller.account->id;
    job.client_ip = caller.ip;
    job.plan = caller.Plan();
    job.tier = recipe->tier;
    job.price_tier = recipe->tier == "vlm" && can_.vlm ? "vlm" : "cpu";
    job.language = recipe->language;
    job.filename = file.filename.empty() ? "upload" : file.filename;
    job.format = probe->format;
    job.tool = recipe->tool;
    job.translate_to = recipe->translate_to;
    job.recipe_json = jobs::RecipeToJson(*recipe);
    job.pages = std::move(*pages);
    job.upload = std::move(bytes);
    job.warnings = recipe->warnings;
    job.idempotency_key = *key;
    job.webhook_url = *webhook_url;
    // An anonymous job's webhooks are signed with a secret of its own,
    // which only this response shows.
    if (job.webhook_url && !caller.account) job.webhook_secret = core::RandomHex(32);
    auto accepted = Store().AcceptJob(job, caller, config_.allowance);
    if (!accepted) return Send(res, 402, RefusalBody(accepted.error()));
    if (accepted->earlier) return Replay(res, *accepted->earlier, **key);
    auto respond = [&](int status, json body) {
      if (job.webhook_secret) body["webhook_secret"] = *job.webhook_secret;
      Send(res, status, body);
    };

    const int count = static_cast<int>(job.pages.size());
    // A waiting POST holds a request thread; past --inline-waits of them it
    // answers 202 at once, so that status requests always find a thread.
    std::optional<InlineWait> wait;
    // Prefer: respond-async (RFC 7240) asks for the 202 at once, as the web
    // page does to show the pages' progress.
    const bool async = req.get_header_value("Prefer").find("respond-async") != std::string::npos;
    if (count <= config_.inline_pages && !async) wait.emplace(inline_waiting_, config_.inline_waits);
    if (!wait || !wait->held()) {
      std::optional<store::JobRow> row = Store().GetJob(uuid);
      return respond(202, JobJson(*row));
    }
    // Small files answer finished: wait for the workers.
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(config_.page_timeout_ms * 2 * (count + 1));
    std::optional<store::JobRow> row;
    while (true) {
      row = Store().GetJob(uuid);
      if (!row || row->status == "done" || row->status == "failed") break;
      if (std::chrono::steady_clock::now() > deadline) break;
      // Woken when the job ends; the bound is for a wake-up that was lost.
      Store().WaitForJob(uuid, kInlineWaitMs);
    }
    if (!row) return SendError(res, ErrorCode::kNotFound, "the job was deleted");
    if (row->status == "failed" && row->error && HttpStatus(row->error->code) == 400) {
      json body = ErrorBody(*row->error);
      body["uuid"] = row->uuid;
      return respond(400, body);
    }
    respond(row->status == "done" || row->status == "failed" ? 200 : 202, JobJson(*row));
  }

  void Status(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
    auto job = VisibleJob(req.matches[1], caller);
    if (!job) return SendError(res, ErrorCode::kNotFound, "no such job");
    Send(res, 200, JobJson(*job));
  }

  void List(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
    if (!caller.account)
      return SendError(res, ErrorCode::kUnauthorized,
                       "listing jobs needs an account token; anonymous jobs are reached by uuid");
    int page = 1, page_size = 20;
    try {
      if (req.has_param("page")) page = std::stoi(req.get_param_value("page"));
      if (req.has_param("page_size")) page_size = std::stoi(req.get_param_value("page_size"));
    } catch (const std::exception&) {
      return SendError(res, ErrorCode::kInvalidParameter, "page and page_size must be numbers");
    }
    if (page < 1 || page_size < 1 || page_size > 100)
      return SendError(res, ErrorCode::kInvalidParameter,
                       "page must be >= 1 and page_size between 1 and 100");
    int64_t total = Store().CountJobs(caller.account->id);
    json results = json::array();
    for (const store::JobRow& job :
         Store().ListJobs(caller.account->id, page_size, (page - 1) * page_size)) {
      json j = exports::JobObject(InfoOf(job), core::Document{});
      j.erase("pages");
      j.erase("text");
      j.erase("markdown");
      results.push_back(std::move(j));
    }
    auto link = [&](int p) -> json {
      if (p < 1 || static_cast<int64_t>(p - 1) * page_size >= total) return nullptr;
      return "/api/v1/ocr/?page=" + std::to_string(p) + "&page_size=" + std::to_string(page_size);
    };
    Send(res, 200,
         {{"count", total}, {"next", link(page + 1)}, {"previous", link(page - 1)},
          {"results", std::move(results)}});
  }

  void Delete(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
    auto job = VisibleJob(req.matches[1], caller);
    if (!job || !Store().DeleteJob(job->uuid))
      return SendError(res, ErrorCode::kNotFound, "no such job");
    res.status = 204;
  }

  // Page n of the job (from 0, in the job's order) as a JPEG about 1500 px
  // long, turned as it was read: its boxes scale by width / page width.
  void PageImage(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
    auto job = VisibleJob(req.matches[1], caller);
    if (!job) return SendError(res, ErrorCode::kNotFound, "no such job");
    if (job->status != "done")
      return SendError(res, ErrorCode::kConflict,
                       "the job is " + job->status + ": page images are ready when it is done");
    const size_t n = std::stoul(req.matches[2]);
    std::vector<core::Page> pages = Store().PagesOf(job->uuid);
    if (n >= pages.size())
      return SendError(res, ErrorCode::kNotFound,
                       "the job has " + std::to_string(pages.size()) + " pages, numbered from 0");
    std::optional<std::string> pdf = Store().ArtifactOf(job->uuid, "pdf");
    if (!pdf) return SendError(res, ErrorCode::kNotFound, "no page image is kept for this job");
    // A PDF upload keeps all its pages; an image upload's PDF holds the
    // job's pages in order.
    const int pdf_page = job->format == "pdf" ? pages[n].index : static_cast<int>(n);
    fs::path tmp = fs::path(config_.data_dir) / "tmp";
    std::error_code ec;
    fs::create_directories(tmp, ec);
    fs::path path = tmp / (core::NewUuid() + ".preview.pdf");
    {
      std::ofstream out(path, std::ios::binary);
      out.write(pdf->data(), static_cast<std::streamsize>(pdf->size()));
    }
    auto jpeg = jobs::PreviewInChild(config_.binary, path, pdf_page, pages[n].rotation,
                                     config_.limits, 60000);
    fs::remove(path, ec);
    if (!jpeg) return SendError(res, ErrorCode::kInternal, jpeg.error().message);
    res.set_header("Cache-Control", "private, max-age=3600");
    res.set_content(std::move(*jpeg), "image/jpeg");
  }

  void Download(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
    auto job = VisibleJob(req.matches[1], caller);
    if (!job) return SendError(res, ErrorCode::kNotFound, "no such job");
    std::string name = req.has_param("format") ? req.get_param_value("format") : "json";
    auto format = exports::FormatFromName(name);
    if (!format)
      return SendError(res, ErrorCode::kInvalidParameter,
                       "unknown format '" + name + "': use one of " + exports::KnownFormats());
    if (job->status != "done")
      return SendError(res, ErrorCode::kConflict,
                       "the job is " + job->status + ": downloads are ready when it is done");
    core::Document document = DocumentOf(*job);
    exports::JobInfo info = InfoOf(*job);
    info.fields = jobs::StoredFields(Store(), *job);
    std::string body;
    switch (*format) {
      case exports::Format::kTxt: body = exports::WriteText(document); break;
      case exports::Format::kMd: body = exports::WriteMarkdown(document); break;
      case exports::Format::kCsv: body = exports::WriteCsv(document, exports::JobFields(info, document)); break;
      case exports::Format::kJson: body = exports::JobObject(info, document).dump(); break;
      case exports::Format::kHocr: body = exports::WriteHocr(document, info); break;
      case exports::Format::kAlto: body = exports::WriteAlto(document, info); break;
      case exports::Format::kDocx: {
        auto docx = exports::WriteDocx(document, info);
        if (!docx) return SendError(res, docx.error());
        body = std::move(*docx);
        break;
      }
      case exports::Format::kPdf: {
        std::optional<std::string> pdf = Store().ArtifactOf(job->uuid, "pdf");
        if (!pdf)
          return SendError(res, ErrorCode::kInternal, "the searchable PDF of this job is missing");
        body = std::move(*pdf);
        break;
      }
    }
    res.set_header("Content-Disposition", "attachment; filename=\"" + FileStem(job->filename) +
                                              "." + exports::FormatName(*format) + "\"");
    res.set_content(std::move(body), exports::ContentType(*format));
  }

  void AccountInfo(const httplib::Request&, httplib::Response& res, const store::Caller& caller) {
    if (!caller.account)
      return SendError(res, ErrorCode::kUnauthorized, "the account endpoint needs an API token");
    store::Usage usage = Store().UsageOf(caller, config_.allowance);
    Send(res, 200,
         {{"name", caller.account->name},
          {"plan", usage.plan},
          {"period", usage.period},
          {"used", usage.used},
          {"cap", usage.cap},
          {"balance", usage.balance},
          {"created_at", caller.account->created_at}});
  }

  void Languages(const httplib::Request&, httplib::Response& res, const store::Caller&) {
    json languages = json::array();
    for (const ocr::LanguageInfo& l : ocr::KnownLanguages())
      if (l.installed)
        languages.push_back({{"code", l.iso}, {"tesseract", l.tesseract}, {"name", l.name}});
    Send(res, 200, {{"auto", true}, {"languages", std::move(languages)}});
  }

  void ToolList(const httplib::Request&, httplib::Response& res, const store::Caller&) {
    json tools = json::array();
    for (const jobs::ToolInfo& t : jobs::Tools())
      tools.push_back({{"slug", t.slug}, {"description", t.description}});
    json pairs = json::array();
    for (const translate::Pair& p : can_.offline_pairs) pairs.push_back({{"from", p.from}, {"to", p.to}});
    Send(res, 200,
         {{"tools", std::move(tools)},
          {"vlm", can_.vlm},
          {"translation",
           {{"model", can_.translation_model},
            {"any_pair", can_.translation_model},
            {"offline_pairs", std::move(pairs)}}}});
  }

  vlm::Backend ModelServer() {
    std::lock_guard lock(backend_mutex_);
    return backend_;
  }

  void Health(const httplib::Request&, httplib::Response& res, const store::Caller&) {
    size_t workers = supervisor_ ? supervisor_->Workers().size() : 0;
    json body = {{"status", "ok"}, {"workers", workers}};
    vlm::Backend backend = ModelServer();
    json vlm = {{"state", backend.state}};
    if (config_.vlm.Configured()) {
      vlm["url"] = config_.vlm.server.url;
      vlm["model"] = config_.vlm.server.model;
      vlm["models"] = backend.models;
      if (!backend.detail.empty()) vlm["detail"] = backend.detail;
    }
    body["vlm"] = std::move(vlm);
    Send(res, 200, body);
  }

  void Metrics(const httplib::Request&, httplib::Response& res, const store::Caller&) {
    store::Stats s = Store().GetStats();
    std::ostringstream out;
    auto gauge = [&](const char* name, const char* help, const std::string& labels, int64_t v) {
      out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
          << name << labels << " " << v << "\n";
    };
    out << "# HELP ocrchat_jobs Jobs in the store by status\n# TYPE ocrchat_jobs gauge\n";
    out << "ocrchat_jobs{status=\"pending\"} " << s.jobs_pending << "\n";
    out << "ocrchat_jobs{status=\"processing\"} " << s.jobs_processing << "\n";
    out << "ocrchat_jobs{status=\"done\"} " << s.jobs_done << "\n";
    out << "ocrchat_jobs{status=\"failed\"} " << s.jobs_failed << "\n";
    gauge("ocrchat_pages_queued", "Page tasks waiting for a worker", "", s.pages_queued);
    gauge("ocrchat_pages_running", "Page tasks being recognised", "", s.pages_running);
    gauge("ocrchat_pages_done", "Pages recognised, of jobs still kept", "", s.pages_done_total);
    gauge("ocrchat_workers", "Worker processes running", "",
          supervisor_ ? static_cast<int64_t>(supervisor_->Workers().size()) : 0);
    out << "# HELP ocrchat_worker_restarts_total Workers replaced after dying\n"
        << "# TYPE ocrchat_worker_restarts_total counter\nocrchat_worker_restarts_total "
        << (supervisor_ ? supervisor_->Restarts() : 0) << "\n";
    const vlm::Backend backend = ModelServer();
    out << "# HELP ocrchat_vlm_up The vlm tier's model server serves the model (1), or not (0)\n"
        << "# TYPE ocrchat_vlm_up gauge\nocrchat_vlm_up{state=\"" << backend.state << "\"} "
        << (backend.state == "ok" ? 1 : 0) << "\n";
    auto counter = [&](const char* name, const char* help, int64_t v) {
      out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
          << name << " " << v << "\n";
    };
    counter("ocrchat_vlm_requests_total", "Requests to the vlm model server, all nodes",
            s.vlm_requests_total);
    counter("ocrchat_vlm_errors_total", "Requests to the vlm model server that failed",
            s.vlm_errors_total);
    counter("ocrchat_vlm_latency_ms_total", "Milliseconds spent in answered vlm requests",
            s.vlm_latency_ms_total);
    counter("ocrchat_vlm_pages_total", "Pages read by the vision-language model", s.vlm_pages_total);
    out << "# HELP ocrchat_http_requests_total API requests served\n"
        << "# TYPE ocrchat_http_requests_total counter\nocrchat_http_requests_total "
        << requests_.load() << "\n";
    out << "# HELP ocrchat_http_refused_total Requests answered 503 because every request thread was taken\n"
        << "# TYPE ocrchat_http_refused_total counter\nocrchat_http_refused_total "
        << (connections_ ? connections_->Refused() : 0) << "\n";
    gauge("ocrchat_inline_waits", "POSTs waiting for their pages", "", inline_waiting_.load());
    res.set_content(out.str(), "text/plain; version=0.0.4");
  }

  void RegisterChat(httplib::Server& server);
  void Ask(const httplib::Request& req, httplib::Response& res, const store::Caller& caller);
  void History(const httplib::Request& req, httplib::Response& res, const store::Caller& caller);

  jobs::Config config_;
  WebRoutes web_;
  jobs::Capabilities can_;
  jobs::Supervisor* supervisor_ = nullptr;
  const Connections* connections_ = nullptr;
  std::atomic<int> inline_waiting_{0};
  std::atomic<int64_t> requests_{0};
  std::atomic<bool> stop_{false};
  std::mutex backend_mutex_;
  vlm::Backend backend_;  // guarded by backend_mutex_
  std::thread backend_thread_;
};

// Chat: POST a question, GET the history. Both need an account token and
// a job of that account.
void Api::RegisterChat(httplib::Server& server) {
  server.Post(R"(/api/v1/chat/([^/]+)/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::Ask); });
  server.Get(R"(/api/v1/chat/([^/]+)/history/?)", [this](const auto& req, auto& res) { Guard(req, res, &Api::History); });
}

json CitationsJson(const std::vector<chat::Citation>& citations) {
  json out = json::array();
  for (const chat::Citation& c : citations) out.push_back({{"page", c.page}, {"snippet", c.snippet}});
  return out;
}

std::vector<chat::Citation> CitationsFrom(const std::string& text) {
  std::vector<chat::Citation> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const json& c : j) out.push_back({c.value("page", 0), c.value("snippet", "")});
  return out;
}

void Api::Ask(const httplib::Request& req, httplib::Response& res, const store::Caller& caller) {
  if (!caller.account)
    return SendError(res, ErrorCode::kUnauthorized,
                     "chat needs an account token: send Authorization: Bearer <token>");
  auto job = VisibleJob(req.matches[1], caller);
  if (!job || !job->account_id) return SendError(res, ErrorCode::kNotFound, "no such job");
  auto request = ParseChatRequest(req.body);
  if (!request) return SendError(res, request.error());
  const std::string& message = request->message;
  if (job->status != "done")
    return SendError(res, ErrorCode::kConflict,
                     "the job is " + job->status + ": chat is ready when it is done");
  std::string conversation_id;
  std::vector<chat::Message> history;
  if (!request->conversation.empty()) {
    conversation_id = request->conversation;
    std::optional<store::Conversation> found = Store().GetConversation(job->uuid, conversation_id);
    if (!found) return SendError(res, ErrorCode::kNotFound, "no such conversation on this job");
    for (const store::ConversationMessage& m : found->messages)
      history.push_back({m.role, m.content, CitationsFrom(m.citations_json)});
  }
  core::Document document = DocumentOf(*job);
  std::unique_ptr<chat::Answerer> answerer =
      config_.llm_url.empty()
          ? chat::MakeExtractiveAnswerer()
          : chat::MakeLlmAnswerer({config_.llm_url, config_.llm_model, config_.llm_api_key,
                                   static_cast<int>(config_.llm_timeout_ms)});
  auto reply = answerer->Answer(document, history, message);
  if (!reply) return SendError(res, reply.error());
  if (conversation_id.empty())
    conversation_id = Store().CreateConversation(job->uuid, caller.account->id);
  std::string now = core::NowRfc3339();
  json citations = CitationsJson(reply->message.citations);
  auto added = Store().AddMessage(conversation_id, {"user", message, "[]", now});
  if (added) added = Store().AddMessage(conversation_id, {"assistant", reply->message.content,
                                                         citations.dump(), now});
  if (!added) return SendError(res, added.error());
  json out = {{"conversation", conversation_id},
              {"message", {{"role", "assistant"},
                           {"content", reply->message.content},
                           {"citations", citations}}}};
  if (!reply->warnings.empty()) out["warnings"] = reply->warnings;
  Send(res, 200, out);
}

void Api::History(const httplib::Request& req, httplib::Response& res,
                  const store::Caller& caller) {
  if (!caller.account)
    return SendError(res, ErrorCode::kUnauthorized, "chat history needs an account token");
  auto job = VisibleJob(req.matches[1], caller);
  if (!job || !job->account_id) return SendError(res, ErrorCode::kNotFound, "no such job");
  json conversations = json::array();
  for (const store::Conversation& c : Store().History(job->uuid)) {
    json messages = json::array();
    for (const store::ConversationMessage& m : c.messages)
      messages.push_back({{"role", m.role},
                          {"content", m.content},
                          {"citations", json::parse(m.citations_json, nullptr, false)},
                          {"created_at", m.created_at}});
    conversations.push_back(
        {{"conversation", c.id}, {"created_at", c.created_at}, {"messages", std::move(messages)}});
  }
  Send(res, 200, {{"uuid", job->uuid}, {"conversations", std::move(conversations)}});
}

std::atomic<httplib::Server*> g_server{nullptr};

void OnSignal(int) {
  if (httplib::Server* server = g_server.load()) server->stop();
}

// The last OpenSSL error of this thread, as text.
std::string OpenSslError() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(last, text, sizeof(text));
  return text;
}

// Empty when --tls-cert and --tls-key are both given and readable, or both absent.
std::string CheckTlsFiles(const jobs::Config& config) {
  if (config.tls_cert.empty() != config.tls_key.empty())
    return "--tls-cert and --tls-key go together: give both (HTTPS) or neither (HTTP)";
  for (const auto& [what, path] : {std::pair<std::string, std::string>{"certificate", config.tls_cert},
                                   {"key", config.tls_key}}) {
    if (path.empty()) continue;
    std::ifstream in(path);
    if (!in)
      return "cannot read the TLS " + what + " " + path + ": " + std::strerror(errno);
  }
  return "";
}

// Loads the certificate chain and its key into ctx; false with error set otherwise.
bool LoadTls(SSL_CTX& ctx, const jobs::Config& config, std::string& error) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION);
  // A key with a passphrase fails here rather than prompting on the terminal.
  SSL_CTX_set_default_passwd_cb(&ctx, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_certificate_chain_file(&ctx, config.tls_cert.c_str()) != 1) {
    error = "the TLS certificate " + config.tls_cert +
            " is not a PEM certificate (chain): " + OpenSslError();
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, config.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    error = "the TLS key " + config.tls_key + " cannot be used with the certificate " +
            config.tls_cert + ": " + OpenSslError() +
            " (it must be that certificate's private key, in PEM, without a passphrase)";
    return false;
  }
  return true;
}

// Raises the soft limit on open files to the hard one (at most 65536); returns it.
int RaiseOpenFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) return 1024;
  rlim_t want = std::min<rlim_t>(files.rlim_max, 65536);
  if (files.rlim_cur < want) {
    files.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &files) != 0) getrlimit(RLIMIT_NOFILE, &files);
  }
  return static_cast<int>(std::min<rlim_t>(files.rlim_cur, 65536));
}

ConnectionLimits LimitsOf(const jobs::Config& config) {
  ConnectionLimits limits;
  limits.threads = config.http_threads;
  limits.queue = config.http_threads;
  limits.read_timeout_ms = config.read_timeout_ms;
  limits.write_timeout_ms = config.write_timeout_ms;
  limits.keep_alive_timeout_ms = config.keep_alive_timeout_ms;
  limits.keep_alive_max = config.keep_alive_max;
  // Idle connections cost a descriptor each, not a thread: allow many,
  // keeping some descriptors for the store, probes and workers.
  limits.max_connections = std::clamp(RaiseOpenFileLimit(), 320, 8192 + 256) - 256;
  return limits;
}

template <class Base>
std::unique_ptr<Connections> GuardConnections(GuardedServer<Base>& server,
                                              const ConnectionLimits& limits, SSL_CTX* tls) {
  auto connections = std::make_unique<Connections>(
      limits,
      [&server](httplib::Stream& stream, bool close_connection, bool& connection_closed) {
        return server.Process(stream, close_connection, connection_closed);
      },
      tls);
  server.SetConnections(connections.get());
  return connections;
}

}  // namespace

int Serve(const jobs::Config& config) {
  if (std::string error = CheckTlsFiles(config); !error.empty()) {
    std::cerr << "ocrchat: " << error << "\n";
    return 1;
  }
  const bool https = !config.tls_cert.empty();
  std::unique_ptr<httplib::Server> server_owner;
  std::unique_ptr<Connections> connections;
  const ConnectionLimits limits = LimitsOf(config);
  if (https) {
    std::string error;
    auto tls_server = std::make_unique<GuardedServer<httplib::SSLServer>>(
        [&](SSL_CTX& ctx) { return LoadTls(ctx, config, error); });
    if (!tls_server->is_valid()) {
      std::cerr << "ocrchat: " << (error.empty() ? "cannot set up TLS: " + OpenSslError() : error)
                << "\n";
      return 1;
    }
    connections = GuardConnections(*tls_server, limits, tls_server->ssl_context());
    server_owner = std::move(tls_server);
  } else {
    auto plain_server = std::make_unique<GuardedServer<httplib::Server>>();
    connections = GuardConnections(*plain_server, limits, nullptr);
    server_owner = std::move(plain_server);
  }
  httplib::Server& server = *server_owner;

  auto store = store::OpenStore(config.StoreLocation());
  if (!store) {
    std::cerr << "ocrchat: " << store.error().message << "\n";
    return 1;
  }
  store->reset();
  std::error_code ec;
  fs::remove_all(fs::path(config.data_dir) / "tmp", ec);

  // Accepted sockets go straight to the Connections (see connections.h):
  // idle ones wait in its poll loop, requests in its bounded pool.
  server.new_task_queue = [] { return new AdoptAtOnce; };
  server.set_read_timeout(std::chrono::milliseconds(config.read_timeout_ms));
  server.set_write_timeout(std::chrono::milliseconds(config.write_timeout_ms));
  // These two only fill in the Keep-Alive header; Connections enforces them.
  server.set_keep_alive_max_count(static_cast<size_t>(config.keep_alive_max));
  server.set_keep_alive_timeout(static_cast<time_t>((config.keep_alive_timeout_ms + 999) / 1000));
  // Small responses go out at once rather than waiting for the client's
  // delayed ACK (Nagle's algorithm costs ~40 ms a response otherwise).
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(static_cast<size_t>(config.limits.max_bytes) + (1 << 20));
  // The listening socket is kept out of the probe and worker processes, and
  // gets a deep accept queue: the library listens with a backlog of 5, and
  // a burst of connections beyond that is dropped and then reset.
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    fcntl(sock, F_SETFD, FD_CLOEXEC);
    listen_fd = sock;
  });
  Api api(config);
  api.Register(server);
  api.SetConnections(connections.get());
  api.WatchModelServer();
  int port = config.port;
  if (port == 0) {
    port = server.bind_to_any_port(config.host);
  } else if (!server.bind_to_port(config.host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::cerr << "ocrchat: cannot listen on " << config.host << ":" << config.port << "\n";
    return 1;
  }
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  jobs::Supervisor supervisor(config);
  supervisor.Start();
  api.SetSupervisor(&supervisor);
  g_server = &server;
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  signal(SIGPIPE, SIG_IGN);
  std::cout << "ocrchat listening on " << (https ? "https" : "http") << "://" << config.host
            << ":" << port << std::endl;
  server.listen_after_bind();
  g_server = nullptr;
  connections->Stop();
  supervisor.Stop();
  return 0;
}

}  // namespace ocrchat::api
