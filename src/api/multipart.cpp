// multipart/form-data parsing.
#include "api/multipart.h"

#include <algorithm>
#include <cctype>

namespace ocrchat::api {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of `key=` in a header such as Content-Disposition, quoted or not.
std::string Parameter(std::string_view header, std::string_view key) {
  std::string lowered = Lower(header);
  size_t at = 0;
  while ((at = lowered.find(key, at)) != std::string::npos) {
    bool starts = at == 0 || lowered[at - 1] == ';' || lowered[at - 1] == ' ';
    size_t eq = at + key.size();
    if (!starts || eq >= header.size() || header[eq] != '=') {
      at = eq;
      continue;
    }
    size_t start = eq + 1;
    if (start < header.size() && header[start] == '"') {
      std::string value;
      for (size_t i = start + 1; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      return value;
    }
    size_t end = header.find(';', start);
    std::string_view value = header.substr(start, end == std::string_view::npos ? end : end - start);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
  }
  return "";
}

}  // namespace

std::string MultipartBoundary(std::string_view content_type) {
  if (Lower(content_type).rfind("multipart/form-data", 0) != 0) return "";
  return Parameter(content_type, "boundary");
}

core::Result<std::map<std::string, FormPart>> ParseMultipart(std::string_view body,
                                                             std::string_view boundary) {
  auto bad = [] {
    return core::Fail(core::ErrorCode::kInvalidParameter,
                      "the multipart/form-data body could not be read");
  };
  if (boundary.empty()) return bad();
  const std::string delimiter = "--" + std::string(boundary);
  std::map<std::string, FormPart> parts;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return bad();
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts;  // closing boundary, CRLF or not
    if (body.substr(at, 2) != "\r\n") return bad();
    at += 2;
    size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos) return bad();
    std::string_view headers = body.substr(at, headers_end - at);
    size_t content_start = headers_end + 4;
    size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) return bad();
    std::string name, filename;
    bool is_file = false;
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      std::string_view line = headers.substr(
          line_start, line_end == std::string_view::npos ? line_end : line_end - line_start);
      if (Lower(line).rfind("content-disposition:", 0) == 0) {
        name = Parameter(line, "name");
        filename = Parameter(line, "filename");
        is_file = Lower(line).find("filename") != std::string::npos;
      }
      if (line_end == std::string_view::npos) break;
      line_start = line_end + 2;
    }
    if (!name.empty() && !parts.count(name))
      parts[name] = FormPart{std::string(body.substr(content_start, next - content_start)),
                             filename, is_file};
    at = next + 2;
  }
}

}  // namespace ocrchat::api
