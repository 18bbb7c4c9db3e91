// The SPEC's job object built from the job's facts and its document.
#include <cmath>

#include "export/export.h"

namespace ocrchat::exports {

using nlohmann::json;

namespace {

// The tool translate: the translated pages' text and Markdown, as the
// writers make them from the translated blocks; null when no page was
// translated.
json Translation(const core::Document& document) {
  core::Document translated;
  std::string language;
  for (const core::Page& page : document.pages) {
    if (page.translation_language.empty()) continue;
    language = page.translation_language;
    core::Page copy = page;
    copy.blocks = page.translation;
    translated.pages.push_back(std::move(copy));
  }
  if (translated.pages.empty()) return nullptr;
  json pages = json::array();
  for (const core::Page& page : translated.pages) {
    core::Document one;
    one.pages.push_back(page);
    pages.push_back({{"index", page.index}, {"text", page.Text()}, {"markdown", WriteMarkdown(one)}});
  }
  return {{"language", language},
          {"text", translated.Text()},
          {"markdown", WriteMarkdown(translated)},
          {"pages", std::move(pages)}};
}

}  // namespace

std::optional<fields::Fields> JobFields(const JobInfo& info, const core::Document& document) {
  if (info.status != "done") return std::nullopt;
  fields::Fields found = info.fields ? *info.fields : fields::Extract(document);
  bool asked = info.tool && *info.tool == "extract-fields";
  if (!asked && found.type == fields::DocumentType::kOther) return std::nullopt;
  return found;
}

json JobObject(const JobInfo& info, const core::Document& document) {
  bool done = info.status == "done";
  json pages = json::array();
  for (const core::Page& page : document.pages) pages.push_back(core::PageToJson(page));
  json warnings = json::array();
  for (const std::string& warning : info.warnings) warnings.push_back(warning);
  for (const std::string& warning : document.warnings) warnings.push_back(warning);
  json out = {
      {"uuid", info.uuid},
      {"status", info.status},
      {"tier", info.tier},
      {"language", info.language},
      {"detected_language", document.detected_language},
      {"tool", info.tool ? json(*info.tool) : json(nullptr)},
      {"filename", info.filename},
      {"page_count", info.page_count},
      {"pages_done", info.pages_done},
      {"mean_confidence",
       std::round(static_cast<double>(document.MeanConfidence()) * 10000) / 10000},
      {"text", done ? document.Text() : ""},
      {"markdown", done ? WriteMarkdown(document) : ""},
      {"pages", std::move(pages)},
      {"created_at", info.created_at},
      {"completed_at", info.completed_at.empty() ? json(nullptr) : json(info.completed_at)},
      {"error", info.error ? json{{"code", core::CodeName(info.error->code)},
                                  {"message", info.error->message}}
                           : json(nullptr)},
      {"warnings", std::move(warnings)},
  };
  std::optional<fields::Fields> found = JobFields(info, document);
  out["fields"] = found ? fields::ToJson(*found) : json(nullptr);
  if (done && info.tool && *info.tool == "translate") out["translation"] = Translation(document);
  return out;
}

}  // namespace ocrchat::exports
