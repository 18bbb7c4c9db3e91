// What the server serves that does not depend on a request: the OpenAPI
// document. (The web app's pages and assets come from src/web.)
#pragma once

#include <string>

namespace ocrchat::api {

const std::string& OpenApiDocument();

}  // namespace ocrchat::api
