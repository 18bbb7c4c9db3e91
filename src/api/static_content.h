// What the server serves that does not depend on a request: the OpenAPI
// document and the web page.
#pragma once

#include <string>

namespace ocrchat::api {

const std::string& OpenApiDocument();
const std::string& WebPage();

}  // namespace ocrchat::api
