// The recipe as the queue carries it.
#include <nlohmann/json.hpp>

#include "jobs/pipeline.h"

namespace ocrchat::jobs {

std::string RecipeToJson(const Recipe& recipe) {
  nlohmann::json j = {{"language", recipe.language},   {"tesseract", recipe.tesseract},
                      {"tier", recipe.tier},           {"dpi", recipe.dpi},
                      {"page_timeout_ms", recipe.page_timeout_ms}};
  if (recipe.tool) j["tool"] = *recipe.tool;
  if (recipe.translate_to) j["translate_to"] = *recipe.translate_to;
  return j.dump();
}

Recipe RecipeFromJson(const std::string& text) {
  Recipe recipe;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return recipe;
  recipe.language = j.value("language", "auto");
  recipe.tesseract = j.value("tesseract", "");
  recipe.tier = j.value("tier", "cpu");
  recipe.dpi = j.value("dpi", 300);
  recipe.page_timeout_ms = j.value("page_timeout_ms", 0);
  if (j.contains("tool")) recipe.tool = j["tool"].get<std::string>();
  if (j.contains("translate_to")) recipe.translate_to = j["translate_to"].get<std::string>();
  return recipe;
}

}  // namespace ocrchat::jobs
