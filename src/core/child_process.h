// Running a program as a child process with a time limit: how the HTTP
// process has untrusted files read without reading them itself (the probe),
// and how external tools (Apertium) are run.
#pragma once

#include <string>
#include <vector>

namespace ocrchat::core {

struct ChildOutcome {
  int exit_code = -1;  // -1 when killed by a signal
  bool timed_out = false;
  std::string out;  // what it wrote to standard output
};

// Runs `binary args...`, writes `input` to its standard input, collects its
// standard output; kills it (SIGKILL) after timeout_ms.
ChildOutcome RunChild(const std::string& binary, const std::vector<std::string>& args,
                      const std::string& input, int timeout_ms);

}  // namespace ocrchat::core
