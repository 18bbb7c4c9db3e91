// ocrchat: one binary, several roles. main only parses the command line
// and hands over to the module that does the work.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "api/server.h"
#include "export/export.h"
#include "jobs/config.h"
#include "jobs/local.h"
#include "jobs/preview.h"
#include "jobs/probe.h"
#include "jobs/worker.h"
#include "vlm/vlm.h"
#include "store/store.h"
#include "web/accounts.h"
#include "webhook/webhook.h"

namespace {

using namespace ocrchat;

// Debian's Tesseract uses OpenMP, which reads OMP_THREAD_LIMIT only at
// start-up; several threads per page make it slower on few cores. So the
// process restarts itself once with the limit set.
void EnsureSingleThreadedOcr(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT")) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return true;
}

struct OcrArgs {
  std::string file, lang = "auto", tier = "cpu", tool, translate_to, format = "txt", output, password;
  int dpi = 300;
  int jobs = 0;  // 0: one per core
  vlm::Config vlm;
  std::string second_reader = "auto", paddle_models;
};

// The second recognizer's flags; each also reads OCRCHAT_<NAME>.
void AddSecondReaderFlags(CLI::App* cmd, std::string& mode, std::string& models) {
  cmd->add_option("--second-reader", mode,
                  "PP-OCRv4 beside Tesseract: auto (vlm tier without a model server, Chinese "
                  "and Han pages), on (every page), off")
      ->envname("OCRCHAT_SECOND_READER");
  cmd->add_option("--paddle-models", models,
                  "folder of the converted PP-OCRv4 models (default " + ocr::SecondReaderSetup{}.Models() + ")")
      ->envname("OCRCHAT_PADDLE_MODELS");
}

// The second recognizer as the flags ask; an unusable one is an error
// when `needed`, and otherwise is turned off with a note.
core::Result<ocr::SecondReaderSetup> SecondReaderFromFlags(const std::string& mode,
                                                           const std::string& models, bool needed) {
  auto parsed = ocr::ParseSecondReader(mode);
  if (!parsed) return std::unexpected(parsed.error());
  ocr::SecondReaderSetup setup{*parsed, models};
  if (auto ok = ocr::CheckSecondReader(setup); !ok) {
    if (needed || setup.mode == ocr::SecondReader::kOn) return std::unexpected(ok.error());
    std::cerr << "ocrchat: note: " << ok.error().message << "; Tesseract reads alone\n";
    setup.mode = ocr::SecondReader::kOff;
  }
  return setup;
}

// The progress bar, redrawn in place on the terminal; cleared at the end.
void ShowProgress(int done, int total, std::chrono::steady_clock::time_point started) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "\r%s   ", jobs::ProgressBar(done, total, elapsed).c_str());
  if (done == total) std::fprintf(stderr, "\r%*s\r", 60, "");
  std::fflush(stderr);
}

// The vision-language model server's flags; each also reads OCRCHAT_<NAME>.
void AddVlmFlags(CLI::App* cmd, vlm::Config& vlm, double& timeout_s) {
  cmd->add_option("--vlm-url", vlm.server.url, "OpenAI-compatible /v1 base URL of the vlm tier's model server")
      ->envname("OCRCHAT_VLM_URL");
  cmd->add_option("--vlm-model", vlm.server.model, "the model's name on that server")
      ->envname("OCRCHAT_VLM_MODEL");
  cmd->add_option("--vlm-api-key", vlm.server.api_key, "sent as a Bearer token")
      ->envname("OCRCHAT_VLM_API_KEY");
  cmd->add_option("--vlm-timeout", timeout_s, "seconds a request may take")
      ->envname("OCRCHAT_VLM_TIMEOUT");
  cmd->add_option("--vlm-concurrency", vlm.concurrency, "pages in flight to the model per node")
      ->envname("OCRCHAT_VLM_CONCURRENCY")->check(CLI::Range(1, 256));
  cmd->add_option("--vlm-image-px", vlm.image_px, "longest side of the page image sent")
      ->envname("OCRCHAT_VLM_IMAGE_PX")->check(CLI::Range(256, 8192));
  cmd->add_option("--vlm-attempts", vlm.max_attempts, "answers tried before a page falls back")
      ->envname("OCRCHAT_VLM_ATTEMPTS")->check(CLI::Range(1, 10));
}

int RunOcr(const OcrArgs& args) {
  auto format = exports::FormatFromName(args.format);
  if (!format) {
    std::cerr << "ocrchat: unknown format '" << args.format << "': use one of "
              << exports::KnownFormats() << "\n";
    return 2;
  }
  auto recipe = jobs::MakeRecipe(args.tier, args.lang, args.tool, args.translate_to,
                                 jobs::CapabilitiesOf(args.vlm, {}));
  if (!recipe) {
    std::cerr << "ocrchat: " << recipe.error().message << "\n";
    return 2;
  }
  recipe->dpi = args.dpi;
  const bool needs_second = (recipe->tier == "vlm" && !args.vlm.Configured()) ||
                            recipe->tesseract.find("chi_") != std::string::npos;
  auto second = SecondReaderFromFlags(args.second_reader, args.paddle_models, needs_second);
  if (!second) {
    std::cerr << "ocrchat: " << second.error().message << "\n";
    return second.error().code == core::ErrorCode::kInvalidParameter ? 2 : 1;
  }
  std::string bytes;
  if (!ReadFile(args.file, bytes)) {
    std::cerr << "ocrchat: cannot read " << args.file << "\n";
    return 1;
  }
  decode::Limits limits;
  limits.dpi = args.dpi;
  std::string name = args.file.substr(args.file.find_last_of('/') + 1);
  jobs::LocalOptions options;
  options.vlm = &args.vlm;
  options.second_reader = *second;
  options.second_reader.load_at_start = false;
  options.jobs = args.jobs > 0 ? args.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto started = std::chrono::steady_clock::now();
  if (isatty(STDERR_FILENO))
    options.progress = [started](int done, int total) { ShowProgress(done, total, started); };
  auto result = jobs::RecognizeFile(std::move(bytes), name, *recipe, limits, args.password,
                                    *format == exports::Format::kPdf, options);
  if (!result) {
    std::cerr << "ocrchat: " << args.file << ": " << result.error().message << "\n";
    return 1;
  }
  const core::Document& doc = result->document;
  std::string out;
  switch (*format) {
    case exports::Format::kTxt: out = exports::WriteText(doc); break;
    case exports::Format::kMd: out = exports::WriteMarkdown(doc); break;
    case exports::Format::kCsv: out = exports::WriteCsv(doc, exports::JobFields(result->info, doc)); break;
    case exports::Format::kHocr: out = exports::WriteHocr(doc, result->info); break;
    case exports::Format::kAlto: out = exports::WriteAlto(doc, result->info); break;
    case exports::Format::kJson: out = exports::JobObject(result->info, doc).dump(2); break;
    case exports::Format::kPdf: out = std::move(result->searchable_pdf); break;
    case exports::Format::kDocx: {
      auto docx = exports::WriteDocx(doc, result->info);
      if (!docx) {
        std::cerr << "ocrchat: " << docx.error().message << "\n";
        return 1;
      }
      out = std::move(*docx);
      break;
    }
  }
  if (args.output.empty() || args.output == "-") {
    std::cout << out;
    if (!out.empty() && out.back() != '\n' && *format != exports::Format::kPdf &&
        *format != exports::Format::kDocx)
      std::cout << "\n";
  } else {
    std::ofstream file(args.output, std::ios::binary);
    file << out;
    if (!file) {
      std::cerr << "ocrchat: cannot write " << args.output << "\n";
      return 1;
    }
  }
  return 0;
}

// Flags shared by serve and worker; each also reads OCRCHAT_<NAME>.
void AddServerFlags(CLI::App* cmd, jobs::Config& config, double& page_timeout_s, double& lease_s,
                    double& retention_h, int64_t& max_mb, double& vlm_timeout_s) {
  AddVlmFlags(cmd, config.vlm, vlm_timeout_s);
  cmd->add_option("--data", config.data_dir, "data directory (SQLite store)")
      ->envname("OCRCHAT_DATA");
  cmd->add_option("--node", config.node, "this machine's name among nodes sharing --db")
      ->envname("OCRCHAT_NODE");
  cmd->add_option("--db", config.db_url,
                  "PostgreSQL store shared by several nodes: "
                  "postgresql://user:pass@host:port/dbname")
      ->envname("OCRCHAT_DB");
  cmd->add_option("--page-timeout", page_timeout_s, "seconds a page may take")
      ->envname("OCRCHAT_PAGE_TIMEOUT");
  cmd->add_option("--lease", lease_s,
                  "seconds a dead worker's page waits before another takes it (a live worker "
                  "renews it)")
      ->check(CLI::PositiveNumber)
      ->envname("OCRCHAT_LEASE");
  cmd->add_option("--retention", retention_h, "hours results are kept")
      ->envname("OCRCHAT_RETENTION");
  cmd->add_option("--max-mb", max_mb, "largest upload in MB")->envname("OCRCHAT_MAX_MB");
  cmd->add_option("--max-pages", config.limits.max_pages, "most pages in a file")
      ->envname("OCRCHAT_MAX_PAGES");
  cmd->add_option("--max-pixels", config.limits.max_pixels, "largest page image in pixels")
      ->envname("OCRCHAT_MAX_PIXELS");
  cmd->add_option("--dpi", config.limits.dpi, "PDF render resolution")->envname("OCRCHAT_DPI");
  cmd->add_option("--llm-url", config.llm_url, "OpenAI-compatible /v1 base URL for chat and translation")
      ->envname("OCRCHAT_LLM_URL");
  cmd->add_option("--llm-model", config.llm_model)->envname("OCRCHAT_LLM_MODEL");
  cmd->add_option("--llm-api-key", config.llm_api_key)->envname("OCRCHAT_LLM_API_KEY");
  // Which recognizer the workers run; the slow ones exist for tests.
  cmd->add_option("--engine", config.engine)->envname("OCRCHAT_ENGINE")->group("");
}

core::Result<std::unique_ptr<store::Store>> OpenReported(const store::Location& location) {
  auto store = store::OpenStore(location);
  if (!store) std::cerr << "ocrchat: " << store.error().message << "\n";
  return store;
}

int Report(const core::Status& status) {
  if (status) return 0;
  std::cerr << "ocrchat: " << status.error().message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  EnsureSingleThreadedOcr(argv);
  CLI::App app{"ocrchat: a self-hosted OCR server that speaks the OCR.chat API"};
  app.require_subcommand(1);

  OcrArgs ocr;
  double ocr_vlm_timeout_s = 60;
  CLI::App* ocr_cmd = app.add_subcommand("ocr", "Recognise one file and print or write the result");
  ocr_cmd->add_option("file", ocr.file, "Image or PDF")->required();
  ocr_cmd->add_option("--lang,--language", ocr.lang, "auto, ISO 639-1 or Tesseract codes, joined by +");
  ocr_cmd->add_option("--tier", ocr.tier, "cpu or vlm");
  ocr_cmd->add_option("--tool", ocr.tool, "a tool slug (GET /api/v1/tools/)");
  ocr_cmd->add_option("--format", ocr.format, "txt|md|json|docx|pdf|csv|hocr|alto");
  ocr_cmd->add_option("--dpi", ocr.dpi, "PDF render resolution")->check(CLI::Range(50, 1200));
  ocr_cmd->add_option("--password", ocr.password, "password of an encrypted PDF");
  ocr_cmd->add_option("-o,--output", ocr.output, "output file (default: standard output)");
  ocr_cmd->add_option("--translate-to", ocr.translate_to, "with --tool translate: the language");
  ocr_cmd->add_option("-j,--jobs", ocr.jobs, "pages read at once (default: one per core)")
      ->check(CLI::Range(0, 256));
  AddVlmFlags(ocr_cmd, ocr.vlm, ocr_vlm_timeout_s);
  AddSecondReaderFlags(ocr_cmd, ocr.second_reader, ocr.paddle_models);

  jobs::Config config;
  double page_timeout_s = 120, lease_s = 30, retention_h = 24, vlm_timeout_s = 60;
  int64_t max_mb = 50;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Run the HTTP API and its workers");
  serve_cmd->add_option("--host", config.host, "address to listen on")->envname("OCRCHAT_HOST");
  serve_cmd->add_option("--port", config.port, "port (0 picks a free one)")->envname("OCRCHAT_PORT");
  serve_cmd->add_option("--workers", config.workers,
                        "worker processes (default one per core; 0: none, an API node whose pages "
                        "`ocrchat worker` processes on the same data read)")
      ->envname("OCRCHAT_WORKERS");
  serve_cmd->add_option("--inline-pages", config.inline_pages,
                        "files with at most this many pages answer the POST finished")
      ->envname("OCRCHAT_INLINE_PAGES");
  serve_cmd->add_option("--anonymous-daily-pages", config.allowance.anonymous_pages_per_day)
      ->envname("OCRCHAT_ANONYMOUS_DAILY_PAGES");
  serve_cmd->add_option("--free-monthly-pages", config.allowance.free_pages_per_month)
      ->envname("OCRCHAT_FREE_MONTHLY_PAGES");
  serve_cmd->add_option("--cpu-credits-per-page", config.allowance.cpu_credits_per_page)
      ->envname("OCRCHAT_CPU_CREDITS_PER_PAGE");
  serve_cmd->add_option("--vlm-credits-per-page", config.allowance.vlm_credits_per_page)
      ->envname("OCRCHAT_VLM_CREDITS_PER_PAGE");
  serve_cmd->add_option("--anonymous-file-pages", config.allowance.anonymous_pages_per_file)
      ->envname("OCRCHAT_ANONYMOUS_FILE_PAGES");
  serve_cmd->add_option("--free-file-pages", config.allowance.free_pages_per_file)
      ->envname("OCRCHAT_FREE_FILE_PAGES");
  serve_cmd->add_option("--paid-file-pages", config.allowance.paid_pages_per_file)
      ->envname("OCRCHAT_PAID_FILE_PAGES");
  std::string signup = "open";
  serve_cmd->add_option("--signup", signup, "open: /signup makes free accounts; closed: only the command line")
      ->check(CLI::IsMember({"open", "closed"}))
      ->envname("OCRCHAT_SIGNUP");
  serve_cmd->add_option("--trusted-proxy", config.trusted_proxies,
                        "proxy IP whose X-Forwarded-For is believed (repeatable)")
      ->envname("OCRCHAT_TRUSTED_PROXIES")->delimiter(',');
  serve_cmd->add_option("--tls-cert", config.tls_cert, "PEM certificate (chain): serve HTTPS")
      ->envname("OCRCHAT_TLS_CERT");
  serve_cmd->add_option("--tls-key", config.tls_key, "PEM private key of --tls-cert")
      ->envname("OCRCHAT_TLS_KEY");
  double read_timeout_s = 10, write_timeout_s = 10, keep_alive_timeout_s = 5;
  serve_cmd->add_option("--read-timeout", read_timeout_s,
                        "seconds a request's header may take to arrive, and each read of its body")
      ->envname("OCRCHAT_READ_TIMEOUT")->check(CLI::Range(0.1, 3600.0));
  serve_cmd->add_option("--write-timeout", write_timeout_s, "seconds each write of a response may take")
      ->envname("OCRCHAT_WRITE_TIMEOUT")->check(CLI::Range(0.1, 3600.0));
  serve_cmd->add_option("--keep-alive-timeout", keep_alive_timeout_s,
                        "seconds an idle connection is kept open")
      ->envname("OCRCHAT_KEEP_ALIVE_TIMEOUT")->check(CLI::Range(0.1, 3600.0));
  serve_cmd->add_option("--keep-alive-max", config.keep_alive_max, "requests on one connection")
      ->envname("OCRCHAT_KEEP_ALIVE_MAX")->check(CLI::Range(1, 1000000));
  serve_cmd->add_option("--http-threads", config.http_threads,
                        "requests served at once (as many more may wait; beyond, 503)")
      ->envname("OCRCHAT_HTTP_THREADS")->check(CLI::Range(1, 4096));
  serve_cmd->add_option("--inline-waits", config.inline_waits,
                        "POSTs that wait for their pages at once; beyond, 202 at once")
      ->envname("OCRCHAT_INLINE_WAITS")->check(CLI::Range(0, 4096));
  double webhook_timeout_s = 10, webhook_retry_base_s = 10;
  serve_cmd->add_flag("--webhook-allow-private", config.webhook.allow_private,
                      "let webhooks go to loopback, private and link-local addresses")
      ->envname("OCRCHAT_WEBHOOK_ALLOW_PRIVATE");
  serve_cmd->add_option("--webhook-timeout", webhook_timeout_s,
                        "seconds a webhook attempt may take to connect, send and be answered")
      ->envname("OCRCHAT_WEBHOOK_TIMEOUT")->check(CLI::Range(0.1, 600.0));
  serve_cmd->add_option("--webhook-retry-base", webhook_retry_base_s,
                        "seconds before a failed webhook is tried again, doubled each time")
      ->envname("OCRCHAT_WEBHOOK_RETRY_BASE")->check(CLI::Range(0.1, 3600.0));
  AddServerFlags(serve_cmd, config, page_timeout_s, lease_s, retention_h, max_mb, vlm_timeout_s);
  std::string second_reader = "auto", paddle_models;
  AddSecondReaderFlags(serve_cmd, second_reader, paddle_models);

  CLI::App* worker_cmd = app.add_subcommand("worker", "Claim and recognise pages from the store");
  AddServerFlags(worker_cmd, config, page_timeout_s, lease_s, retention_h, max_mb, vlm_timeout_s);
  AddSecondReaderFlags(worker_cmd, second_reader, paddle_models);

  std::string probe_file, probe_decrypted;
  CLI::App* probe_cmd = app.add_subcommand("probe", "Read an upload's type and page count (internal)");
  probe_cmd->group("");
  probe_cmd->add_option("file", probe_file)->required();
  probe_cmd->add_option("--decrypted", probe_decrypted);
  probe_cmd->add_option("--max-bytes", config.limits.max_bytes);
  probe_cmd->add_option("--max-pages", config.limits.max_pages);
  probe_cmd->add_option("--max-pixels", config.limits.max_pixels);
  probe_cmd->add_option("--dpi", config.limits.dpi);

  std::string preview_file;
  int preview_page = 0, preview_rotate = 0, preview_longest = jobs::kPreviewPx;
  CLI::App* preview_cmd = app.add_subcommand("preview", "Render a page preview (internal)");
  preview_cmd->group("");
  preview_cmd->add_option("file", preview_file)->required();
  preview_cmd->add_option("--page", preview_page);
  preview_cmd->add_option("--rotate", preview_rotate);
  preview_cmd->add_option("--longest", preview_longest);
  preview_cmd->add_option("--max-pixels", config.limits.max_pixels);

  store::Location location;
  std::string name, plan = "free", token;
  int64_t credits = 0;
  CLI::App* account_cmd = app.add_subcommand("account", "Create and manage accounts");
  account_cmd->require_subcommand(1);
  account_cmd->add_option("--data", location.data_dir)->envname("OCRCHAT_DATA");
  account_cmd->add_option("--db", location.db_url)->envname("OCRCHAT_DB");
  CLI::App* account_create = account_cmd->add_subcommand("create", "Create an account");
  account_create->add_option("name", name)->required();
  account_create->add_option("--plan", plan)->check(CLI::IsMember({"free", "paid"}));
  CLI::App* account_list = account_cmd->add_subcommand("list", "List accounts");
  CLI::App* account_credit = account_cmd->add_subcommand("credit", "Add credits to an account");
  account_credit->add_option("name", name)->required();
  account_credit->add_option("credits", credits)->required();
  CLI::App* account_plan = account_cmd->add_subcommand("plan", "Change an account's plan");
  account_plan->add_option("name", name)->required();
  account_plan->add_option("plan", plan)->required()->check(CLI::IsMember({"free", "paid"}));

  std::string webhook_url;
  CLI::App* account_webhook = account_cmd->add_subcommand(
      "webhook", "Set the account's default webhook URL (\"\" clears it)");
  account_webhook->add_option("name", name)->required();
  account_webhook
      ->add_option("url", webhook_url, "http(s) URL its jobs are POSTed to when they end")
      ->required();
  CLI::App* account_secret = account_cmd->add_subcommand(
      "webhook-secret", "Print the secret that signs the account's webhooks");
  account_secret->add_option("name", name)->required();

  CLI::App* account_password = account_cmd->add_subcommand(
      "password", "Set the account's web sign-in password, read from standard input");
  account_password->add_option("name", name)->required();

  CLI::App* token_cmd = app.add_subcommand("token", "Create and revoke API tokens");
  token_cmd->require_subcommand(1);
  token_cmd->add_option("--data", location.data_dir)->envname("OCRCHAT_DATA");
  token_cmd->add_option("--db", location.db_url)->envname("OCRCHAT_DB");
  CLI::App* token_create = token_cmd->add_subcommand("create", "Create a token (printed once)");
  token_create->add_option("name", name, "account name")->required();
  CLI::App* token_revoke = token_cmd->add_subcommand("revoke", "Revoke a token");
  token_revoke->add_option("token", token)->required();

  // Options may come anywhere after their subcommand: `account create acme
  // --data ./x` hands --data to `account`.
  for (CLI::App* sub : {account_create, account_list, account_credit, account_plan,
                        account_webhook, account_secret, account_password, token_create,
                        token_revoke})
    sub->fallthrough();

  CLI11_PARSE(app, argc, argv);
  if (config.node.empty()) config.node = jobs::HostName();
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) config.binary = self.string();
  config.signup_open = signup == "open";
  config.page_timeout_ms = static_cast<int64_t>(page_timeout_s * 1000);
  config.lease_ms = std::max<int64_t>(1, static_cast<int64_t>(lease_s * 1000));
  config.retention_ms = static_cast<int64_t>(retention_h * 3600 * 1000);
  config.limits.max_bytes = max_mb * 1024 * 1024;
  config.vlm.server.timeout_ms = static_cast<int>(vlm_timeout_s * 1000);
  ocr.vlm.server.timeout_ms = static_cast<int>(ocr_vlm_timeout_s * 1000);
  config.webhook.timeout_ms = static_cast<int64_t>(webhook_timeout_s * 1000);
  config.read_timeout_ms = static_cast<int64_t>(read_timeout_s * 1000);
  config.write_timeout_ms = static_cast<int64_t>(write_timeout_s * 1000);
  config.keep_alive_timeout_ms = static_cast<int64_t>(keep_alive_timeout_s * 1000);
  config.webhook.retry_base_ms = static_cast<int64_t>(webhook_retry_base_s * 1000);
  if (ocr_cmd->parsed()) return RunOcr(ocr);
  if (serve_cmd->parsed() || worker_cmd->parsed()) {
    // Any request may be Chinese: the models must be there from the start.
    auto second = SecondReaderFromFlags(second_reader, paddle_models, true);
    if (!second) return Report(std::unexpected(second.error()));
    config.second_reader = *second;
  }
  if (serve_cmd->parsed()) return api::Serve(config);
  if (probe_cmd->parsed()) return jobs::RunProbeCommand(probe_file, probe_decrypted, config.limits);
  if (preview_cmd->parsed())
    return jobs::RunPreviewCommand(preview_file, preview_page, preview_rotate, preview_longest,
                                   config.limits);
  if (worker_cmd->parsed()) {
    static std::atomic<bool> stop{false};
    signal(SIGTERM, [](int) { stop = true; });
    return jobs::RunWorker(config, store::WorkerId{config.node, static_cast<int>(getpid())},
                           stop);
  }
  if (account_cmd->parsed() || token_cmd->parsed()) {
    auto store = OpenReported(location);
    if (!store) return 1;
    store::Store& s = **store;
    if (account_create->parsed()) {
      auto account = s.CreateAccount(name, plan);
      if (!account) return Report(std::unexpected(account.error()));
      std::cout << "account " << account->name << " (" << account->plan << ") created\n";
      return 0;
    }
    if (account_list->parsed()) {
      for (const store::Account& a : s.ListAccounts())
        std::cout << a.name << "\t" << a.plan << "\tcredits " << a.credits << "\tsince "
                  << a.created_at << "\n";
      return 0;
    }
    if (account_credit->parsed()) return Report(s.AddCredits(name, credits));
    if (account_plan->parsed()) return Report(s.SetPlan(name, plan));
    if (account_webhook->parsed()) {
      // The address is checked when a delivery is sent, by the server
      // (which knows --webhook-allow-private); here only the URL's form.
      if (!webhook_url.empty())
        if (auto url = webhook::ParseUrl(webhook_url); !url)
          return Report(std::unexpected(url.error()));
      auto set = s.SetAccountWebhook(name, webhook_url);
      if (!set) return Report(set);
      std::cout << (webhook_url.empty() ? "webhook of " + name + " cleared\n"
                                        : "webhook of " + name + ": " + webhook_url + "\n");
      return 0;
    }
    if (account_secret->parsed()) {
      auto secret = s.WebhookSecretOf(name);
      if (!secret) return Report(std::unexpected(secret.error()));
      std::cout << *secret << "\n";
      return 0;
    }
    if (account_password->parsed()) {
      // One line: the password as typed, without its line ending.
      std::string password;
      std::getline(std::cin, password);
      if (!password.empty() && password.back() == '\r') password.pop_back();
      auto set = web::SetPassword(s, name, password);
      if (!set) return Report(set);
      std::cout << "password of " << name << " set; its web sessions have ended\n";
      return 0;
    }
    if (token_create->parsed()) {
      auto created = s.CreateToken(name);
      if (!created) return Report(std::unexpected(created.error()));
      std::cout << "token for " << name << " (shown once; keep it safe):\n" << *created << "\n";
      return 0;
    }
    if (token_revoke->parsed()) return Report(s.RevokeToken(token));
  }
  return 0;
}
