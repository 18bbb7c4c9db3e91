// decode's entry points: size and type checks, then the image or PDF source.
#include "decode/decode.h"

#include "decode/sources.h"

namespace ocrchat::decode {

core::Result<std::unique_ptr<Source>> Open(std::string bytes, const Limits& limits,
                                           const std::string& password) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return core::Fail(core::ErrorCode::kTooLarge,
                      "the file is larger than the limit of " +
                          std::to_string(limits.max_bytes / (1024 * 1024)) + " MB");
  }
  auto format = Sniff(bytes);
  if (!format) return std::unexpected(format.error());
  if (*format == Format::kPdf) return OpenPdf(std::move(bytes), limits, password);
  return OpenImage(std::move(bytes), *format, limits);
}

core::Result<Probe> ProbeFile(std::string bytes, const Limits& limits,
                              const std::string& password) {
  // Opening reads headers (and for PDFs the cross-reference table) only.
  auto source = Open(std::move(bytes), limits, password);
  if (!source) return std::unexpected(source.error());
  return Probe{(*source)->format(), (*source)->PageCount()};
}

}  // namespace ocrchat::decode
