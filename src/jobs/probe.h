// The probe: what the API must know before it answers a POST (type, page
// count, limits, password), found in a child process so that the HTTP
// process never parses an untrusted file.
#pragma once

#include <string>

#include "core/error.h"
#include "decode/decode.h"

namespace ocrchat::jobs {

struct ProbeOutcome {
  std::string format;  // decode's name: "pdf", "png", ...
  int page_count = 0;
  bool decrypted = false;  // the decrypted PDF was written to decrypted_path
};

// `ocrchat probe`: reads the file at `path` (password on standard input),
// prints one JSON object and exits 0. With a password and an encrypted PDF,
// writes the PDF without its encryption to `decrypted_path`.
int RunProbeCommand(const std::string& path, const std::string& decrypted_path,
                    const decode::Limits& limits);

// Runs the probe as a child of `binary` with a time limit. A child that
// crashes or overruns gives kCorrupt (the file could not be read).
core::Result<ProbeOutcome> ProbeInChild(const std::string& binary, const std::string& path,
                                        const std::string& password,
                                        const std::string& decrypted_path,
                                        const decode::Limits& limits, int timeout_ms);

}  // namespace ocrchat::jobs
