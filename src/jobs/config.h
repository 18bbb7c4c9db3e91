// Settings of the server and its workers: every figure in one place, each
// settable by a flag and an OCRCHAT_* environment variable (see main.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/decode.h"
#include "ocr/engine.h"
#include "store/store.h"
#include "vlm/vlm.h"
#include "webhook/webhook.h"

namespace ocrchat::jobs {

// How long past its page's time limit a worker may go before it is taken
// for stuck and killed.
inline constexpr int64_t kLeaseGraceMs = 5000;

// This machine's host name: the node name when none is given.
std::string HostName();

struct Config {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "./data";  // the SQLite store (without db_url) and temporary files
  std::string db_url;               // a PostgreSQL store that several nodes share
  store::Location StoreLocation() const { return {db_url, data_dir}; }
  // This machine's name among the nodes of a shared database (HostName()
  // when empty): its workers' tasks carry it.
  std::string node;
  int workers = -1;  // worker processes serve starts; -1: one per core; 0: none (an API node)
  decode::Limits limits;
  store::Allowance allowance;
  int inline_pages = 5;             // files with this many pages answer the POST done
  // A page's time limit. At the limit the worker stops the page and fails
  // it with kTimeout; a worker still busy kLeaseGraceMs later (stuck where
  // it cannot be interrupted) is killed, and the page fails the same way.
  int64_t page_timeout_ms = 120000;
  // How long a claimed task is a worker's without a word from it: a live
  // worker renews its lease every third of this while the task runs (up
  // to the time limit), so a dead worker's page is taken again within one
  // lease.
  int64_t lease_ms = 30000;
  std::string engine = "tesseract";  // ocr::MakeEngine's name
  ocr::SecondReaderSetup second_reader{ocr::SecondReader::kAuto, ""};  // PP-OCRv4 beside Tesseract
  int64_t retention_ms = 24LL * 3600 * 1000;
  std::vector<std::string> trusted_proxies;  // IPs whose X-Forwarded-For (and -Proto) is believed
  bool signup_open = true;  // /signup makes accounts; closed: only the command line does
  // The HTTP front of serve. With a certificate and key it speaks HTTPS.
  std::string tls_cert, tls_key;         // PEM files; both or neither
  int http_threads = 64;                 // requests served at once; as many more may wait, then 503
  int inline_waits = 16;                 // POSTs waiting for their pages at once; beyond: 202 at once
  int64_t read_timeout_ms = 10000;       // a request's header, and each read of its body
  int64_t write_timeout_ms = 10000;      // each write of a response
  int64_t keep_alive_timeout_ms = 5000;  // an idle connection is closed after this
  int keep_alive_max = 100;              // requests on one connection
  std::string llm_url, llm_model, llm_api_key;
  int64_t llm_timeout_ms = 30000;
  vlm::Config vlm;  // the vlm tier's model server; not configured: the local engine
  // The chat model (--llm-url): chat answers and translation.
  model::ServerConfig Llm() const {
    return {llm_url, llm_model, llm_api_key, static_cast<int>(llm_timeout_ms)};
  }
  webhook::Config webhook;  // where webhooks may go, how long an attempt may take, retries
  std::string binary = "/proc/self/exe";  // what the supervisor starts workers from
};

}  // namespace ocrchat::jobs
