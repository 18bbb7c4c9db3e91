// The worker: claims tasks from the store and carries them out, one at a
// time, until stopped. Runs as its own process (`ocrchat worker`), started
// by `serve` or on another machine against a shared store.
#pragma once

#include <atomic>

#include "jobs/config.h"

namespace ocrchat::jobs {

// Runs until `stop` becomes true. Returns the process exit code.
int RunWorker(const Config& config, const store::WorkerId& worker, const std::atomic<bool>& stop);

}  // namespace ocrchat::jobs
