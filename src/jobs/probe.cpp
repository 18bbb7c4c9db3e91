// Probing uploads in a child process.
#include "jobs/probe.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "export/export.h"
#include "core/child_process.h"

namespace ocrchat::jobs {
namespace {

using nlohmann::json;

core::ErrorCode CodeFromName(const std::string& name) {
  for (auto code : {core::ErrorCode::kInvalidParameter, core::ErrorCode::kUnsupportedType,
                    core::ErrorCode::kTooLarge, core::ErrorCode::kCorrupt,
                    core::ErrorCode::kEncrypted})
    if (core::CodeName(code) == name) return code;
  return core::ErrorCode::kCorrupt;
}

int Print(const json& j) {
  std::cout << j.dump() << std::endl;
  return 0;
}

}  // namespace

int RunProbeCommand(const std::string& path, const std::string& decrypted_path,
                    const decode::Limits& limits) {
  std::string password((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = std::move(buffer).str();
  std::string copy = password.empty() ? std::string() : bytes;
  auto probe = decode::ProbeFile(std::move(bytes), limits, password);
  if (!probe)
    return Print({{"ok", false},
                  {"code", core::CodeName(probe.error().code)},
                  {"message", probe.error().message}});
  bool decrypted = false;
  if (!password.empty() && probe->format == decode::Format::kPdf) {
    auto plain = exports::DecryptPdf(copy, password);
    if (plain) {
      std::ofstream out(decrypted_path, std::ios::binary);
      out << *plain;
      decrypted = static_cast<bool>(out);
    }
  }
  return Print({{"ok", true},
                {"format", decode::FormatName(probe->format)},
                {"page_count", probe->page_count},
                {"decrypted", decrypted}});
}

core::Result<ProbeOutcome> ProbeInChild(const std::string& binary, const std::string& path,
                                        const std::string& password,
                                        const std::string& decrypted_path,
                                        const decode::Limits& limits, int timeout_ms) {
  core::ChildOutcome child = core::RunChild(
      binary,
      {"probe", path, "--decrypted", decrypted_path, "--max-bytes",
       std::to_string(limits.max_bytes), "--max-pages", std::to_string(limits.max_pages),
       "--max-pixels", std::to_string(limits.max_pixels), "--dpi", std::to_string(limits.dpi)},
      password, timeout_ms);
  if (child.timed_out)
    return core::Fail(core::ErrorCode::kCorrupt,
                      "the file could not be read in time: it may be damaged or hostile");
  json j = json::parse(child.out, nullptr, false);
  if (child.exit_code != 0 || !j.is_object())
    return core::Fail(core::ErrorCode::kCorrupt, "the file is damaged and cannot be read",
                      "probe exit " + std::to_string(child.exit_code));
  if (!j.value("ok", false))
    return core::Fail(CodeFromName(j.value("code", "")), j.value("message", "unreadable file"));
  ProbeOutcome outcome;
  outcome.format = j.value("format", "");
  outcome.page_count = j.value("page_count", 0);
  outcome.decrypted = j.value("decrypted", false);
  return outcome;
}

}  // namespace ocrchat::jobs
