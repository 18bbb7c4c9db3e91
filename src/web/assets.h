// The web app's static files (src/web/assets: plain ES modules and a
// stylesheet), built into the binary so that it serves them without a CDN
// or a folder beside it.
#pragma once

#include <optional>
#include <string_view>

namespace ocrchat::web {

struct Asset {
  std::string_view content;
  std::string_view content_type;
};

// The file named `name` ("app.js"); nullopt when there is none.
std::optional<Asset> FindAsset(std::string_view name);

}  // namespace ocrchat::web
