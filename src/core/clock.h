// Wall-clock time as ocrchat writes it.
#pragma once

#include <cstdint>
#include <string>

namespace ocrchat::core {

int64_t NowUnixMs();
// "2026-11-25T12:00:00Z" for a Unix time in milliseconds.
std::string Rfc3339(int64_t unix_ms);
inline std::string NowRfc3339() { return Rfc3339(NowUnixMs()); }

}  // namespace ocrchat::core
