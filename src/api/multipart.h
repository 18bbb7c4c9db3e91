// multipart/form-data (RFC 7578) for the upload route. cpp-httplib 0.11's
// own parser refuses bodies whose closing boundary has no CRLF after it,
// which is what Node.js 18's fetch (Debian 12's nodejs) sends, so the
// upload route reads the raw body and parses it here.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ocrchat::api {

struct FormPart {
  std::string content;
  std::string filename;  // "" for plain fields
  bool is_file = false;
};

// The boundary from a Content-Type header value; "" when there is none.
std::string MultipartBoundary(std::string_view content_type);

// Parts by field name (the first part of a name wins). kInvalidParameter
// for a body that is not multipart with that boundary.
core::Result<std::map<std::string, FormPart>> ParseMultipart(std::string_view body,
                                                             std::string_view boundary);

}  // namespace ocrchat::api
