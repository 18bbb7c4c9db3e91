// Identifies a file's type from its leading bytes, and names the types.
#include <algorithm>
#include <cctype>
#include <string>

#include "decode/decode.h"

namespace ocrchat::decode {
namespace {

constexpr const char* kAccepted = "PDF, PNG, JPEG, TIFF, WEBP, GIF, BMP or PNM";

bool StartsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.substr(0, prefix.size()) == prefix;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True when the bytes read as UTF-8 text with few control characters. A
// multi-byte sequence cut off at the end of the sample is allowed.
bool LooksLikeText(std::string_view sample) {
  size_t controls = 0;
  size_t i = 0;
  while (i < sample.size()) {
    unsigned char c = sample[i];
    if (c < 0x80) {
      if (c == 0) return false;
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++controls;
      ++i;
      continue;
    }
    int len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0) return false;
    if (i + len > sample.size()) break;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(sample[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return controls * 20 <= sample.size();
}

bool IsBmp(std::string_view bytes) {
  if (!StartsWith(bytes, "BM") || bytes.size() < 18) return false;
  unsigned dib = static_cast<unsigned char>(bytes[14]) |
                 static_cast<unsigned char>(bytes[15]) << 8 |
                 static_cast<unsigned char>(bytes[16]) << 16 |
                 static_cast<unsigned>(static_cast<unsigned char>(bytes[17])) << 24;
  return dib == 12 || dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
         dib == 124;
}

bool IsPnm(std::string_view bytes) {
  return bytes.size() >= 3 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7' &&
         std::isspace(static_cast<unsigned char>(bytes[2]));
}

// What unsupported bytes look like, for the error message.
std::string Describe(std::string_view bytes) {
  if (bytes.empty()) return "an empty file";
  if (StartsWith(bytes, "PK\x03\x04") || StartsWith(bytes, "PK\x05\x06")) {
    return "a ZIP archive (docx/xlsx?)";
  }
  if (StartsWith(bytes, "\xD0\xCF\x11\xE0")) return "an old Office document (doc/xls?)";
  if (StartsWith(bytes, "\x1F\x8B")) return "a gzip archive";
  if (StartsWith(bytes, "%!PS")) return "PostScript";
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") {
    std::string brand(bytes.substr(8, 4));
    if (brand == "heic" || brand == "heix" || brand == "mif1" || brand == "avif") {
      return "a HEIC/AVIF image";
    }
    return "a video or ISO media file";
  }
  std::string_view sample = bytes.substr(0, 4096);
  std::string head = Lower(sample);
  std::string_view body = head;
  if (StartsWith(body, "\xEF\xBB\xBF")) body.remove_prefix(3);
  size_t first = body.find_first_not_of(" \t\r\n");
  body = first == std::string_view::npos ? std::string_view() : body.substr(first);
  if (StartsWith(body, "<!doctype html") || StartsWith(body, "<html") ||
      head.find("<html") != std::string::npos) {
    return "HTML";
  }
  if (head.find("<svg") != std::string::npos) return "an SVG image";
  if (StartsWith(body, "<?xml")) return "XML";
  if (StartsWith(body, "{\\rtf")) return "an RTF document";
  if (head.find("endobj") != std::string::npos || head.find("/type") != std::string::npos) {
    return "a damaged PDF (no %PDF header)";
  }
  if (LooksLikeText(sample)) return "plain text";
  return "unrecognised binary data";
}

}  // namespace

const char* FormatName(Format format) {
  switch (format) {
    case Format::kPng:
      return "png";
    case Format::kJpeg:
      return "jpeg";
    case Format::kWebp:
      return "webp";
    case Format::kGif:
      return "gif";
    case Format::kBmp:
      return "bmp";
    case Format::kTiff:
      return "tiff";
    case Format::kPdf:
      return "pdf";
    case Format::kPnm:
      return "pnm";
  }
  return "unknown";
}

const char* FormatMimeType(Format format) {
  switch (format) {
    case Format::kPng:
      return "image/png";
    case Format::kJpeg:
      return "image/jpeg";
    case Format::kWebp:
      return "image/webp";
    case Format::kGif:
      return "image/gif";
    case Format::kBmp:
      return "image/bmp";
    case Format::kTiff:
      return "image/tiff";
    case Format::kPdf:
      return "application/pdf";
    case Format::kPnm:
      return "image/x-portable-anymap";
  }
  return "application/octet-stream";
}

core::Result<Format> Sniff(std::string_view bytes) {
  if (StartsWith(bytes, "\x89PNG\r\n\x1A\n")) return Format::kPng;
  if (StartsWith(bytes, "\xFF\xD8\xFF")) return Format::kJpeg;
  if (StartsWith(bytes, "GIF87a") || StartsWith(bytes, "GIF89a")) return Format::kGif;
  if (StartsWith(bytes, "RIFF") && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP") {
    return Format::kWebp;
  }
  if (StartsWith(bytes, std::string_view("II*\0", 4)) ||
      StartsWith(bytes, std::string_view("MM\0*", 4)) ||
      StartsWith(bytes, std::string_view("II+\0", 4)) ||
      StartsWith(bytes, std::string_view("MM\0+", 4))) {
    return Format::kTiff;
  }
  if (IsBmp(bytes)) return Format::kBmp;
  // PDF readers accept the header anywhere in the first 1024 bytes.
  if (bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos) return Format::kPdf;
  if (IsPnm(bytes)) return Format::kPnm;
  return core::Fail(core::ErrorCode::kUnsupportedType, "unsupported file type: this looks like " +
                                                           Describe(bytes) + "; send a " +
                                                           kAccepted + " file");
}

}  // namespace ocrchat::decode
