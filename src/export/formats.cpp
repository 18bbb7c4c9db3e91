// Names and content types of the export formats.
#include <array>

#include "export/export.h"

namespace ocrchat::exports {

namespace {

constexpr std::array<Format, 8> kFormats{Format::kTxt, Format::kMd,   Format::kDocx,
                                         Format::kPdf, Format::kCsv,  Format::kJson,
                                         Format::kHocr, Format::kAlto};

}  // namespace

std::optional<Format> FormatFromName(std::string_view name) {
  for (Format format : kFormats)
    if (name == FormatName(format)) return format;
  return std::nullopt;
}

const char* FormatName(Format format) {
  switch (format) {
    case Format::kTxt: return "txt";
    case Format::kMd: return "md";
    case Format::kDocx: return "docx";
    case Format::kPdf: return "pdf";
    case Format::kCsv: return "csv";
    case Format::kJson: return "json";
    case Format::kHocr: return "hocr";
    case Format::kAlto: return "alto";
  }
  return "txt";
}

const char* ContentType(Format format) {
  switch (format) {
    case Format::kTxt: return "text/plain; charset=utf-8";
    case Format::kMd: return "text/markdown; charset=utf-8";
    case Format::kDocx:
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case Format::kPdf: return "application/pdf";
    case Format::kCsv: return "text/csv; charset=utf-8";
    case Format::kJson: return "application/json";
    case Format::kHocr: return "application/xhtml+xml; charset=utf-8";
    case Format::kAlto: return "application/xml; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string KnownFormats() {
  std::string out;
  for (Format format : kFormats) {
    if (!out.empty()) out += ", ";
    out += FormatName(format);
  }
  return out;
}

}  // namespace ocrchat::exports
