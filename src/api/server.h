// api: the OCR.chat REST API over HTTP, the web page, health and metrics.
// Routes are thin: each parses the request, calls the store, the jobs
// module or chat, and turns the outcome into JSON; errors become HTTP
// codes in one table (errors.cpp).
#pragma once

#include "jobs/config.h"

namespace ocrchat::api {

// Runs the server and its workers until SIGINT or SIGTERM. Logs the
// address it listens on (with --port 0, the port it picked). Returns the
// process exit code.
int Serve(const jobs::Config& config);

}  // namespace ocrchat::api
