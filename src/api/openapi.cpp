// The OpenAPI 3 description of every route.
#include <nlohmann/json.hpp>

#include "api/static_content.h"

namespace ocrchat::api {
namespace {

using nlohmann::json;

json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json JsonResponse(const std::string& description, const json& schema) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

json Errors(std::initializer_list<int> codes) {
  json out = json::object();
  for (int code : codes) {
    std::string name = code == 402 ? "Refusal" : "Error";
    out[std::to_string(code)] = JsonResponse(
        code == 400   ? "Bad request: no file, unsupported type, too large, corrupt, bad parameter"
        : code == 401 ? "Token present but invalid, or a token is needed"
        : code == 402 ? "Out of pages or credits, or the file has more pages than the plan allows"
        : code == 404 ? "No such job, or not the caller's"
                      : "The job is not done yet",
        Ref(name));
  }
  return out;
}

json UuidParam() {
  return {{"name", "uuid"}, {"in", "path"}, {"required", true},
          {"schema", {{"type", "string"}, {"pattern", "^[0-9a-f]{32}$"}}}};
}

json Build() {
  json job_responses = Errors({400, 401, 402});
  job_responses["200"] = JsonResponse("Done (files of 5 pages or fewer)", Ref("Job"));
  job_responses["202"] = JsonResponse("Accepted; poll the job", Ref("Job"));
  json paths = {
      {"/api/v1/ocr/",
       {{"post",
         {{"summary", "Recognise an image or PDF"},
          {"requestBody",
           {{"required", true},
            {"content",
             {{"multipart/form-data",
               {{"schema",
                 {{"type", "object"},
                  {"required", {"file"}},
                  {"properties",
                   {{"file", {{"type", "string"}, {"format", "binary"}}},
                    {"tier", {{"type", "string"}, {"enum", {"cpu", "vlm"}}}},
                    {"language", {{"type", "string"}, {"default", "auto"}}},
                    {"tool", {{"type", "string"}}},
                    {"translate_to", {{"type", "string"}}},
                    {"password", {{"type", "string"}}},
                    {"pages", {{"type", "string"}, {"example", "1-3,7"}}}}}}}}}}}}},
          {"responses", job_responses}}},
        {"get",
         {{"summary", "The caller's jobs, newest first"},
          {"parameters",
           {{{"name", "page"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}}}},
            {{"name", "page_size"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"maximum", 100}}}}}},
          {"responses", {{"200", JsonResponse("A page of jobs", Ref("JobList"))}, {"401", Errors({401})["401"]}}}}}}},
      {"/api/v1/ocr/{uuid}/",
       {{"get", {{"summary", "The job"}, {"parameters", {UuidParam()}},
                 {"responses", {{"200", JsonResponse("The job", Ref("Job"))}, {"404", Errors({404})["404"]}}}}},
        {"delete", {{"summary", "Delete the job and its results now"}, {"parameters", {UuidParam()}},
                    {"responses", {{"204", {{"description", "Deleted"}}}, {"404", Errors({404})["404"]}}}}}}},
      {"/api/v1/ocr/{uuid}/download/",
       {{"get",
         {{"summary", "Download a result"},
          {"parameters",
           {UuidParam(),
            {{"name", "format"}, {"in", "query"}, {"required", true},
             {"schema", {{"type", "string"}, {"enum", {"txt", "md", "docx", "pdf", "csv", "json", "hocr", "alto"}}}}}}},
          {"responses", [] {
             json r = Errors({400, 404, 409});
             r["200"] = {{"description", "The export, as an attachment"}};
             return r;
           }()}}}}},
      {"/api/v1/chat/{uuid}/",
       {{"post",
         {{"summary", "Ask a question about a finished job"},
          {"parameters", {UuidParam()}},
          {"requestBody",
           {{"required", true},
            {"content",
             {{"application/json",
               {{"schema",
                 {{"type", "object"}, {"required", {"message"}},
                  {"properties", {{"message", {{"type", "string"}}}, {"conversation", {{"type", "string"}}}}}}}}}}}}},
          {"responses", [] {
             json r = Errors({400, 401, 404, 409});
             r["200"] = JsonResponse("The answer", Ref("ChatReply"));
             return r;
           }()}}}}},
      {"/api/v1/chat/{uuid}/history/",
       {{"get", {{"summary", "Every conversation on the job, oldest first"}, {"parameters", {UuidParam()}},
                 {"responses", {{"200", JsonResponse("Conversations", {{"type", "object"}})},
                                {"401", Errors({401})["401"]}, {"404", Errors({404})["404"]}}}}}}},
      {"/api/v1/account/",
       {{"get", {{"summary", "Plan, used, cap and balance"},
                 {"responses", {{"200", JsonResponse("The account", Ref("Account"))}, {"401", Errors({401})["401"]}}}}}}},
      {"/api/v1/languages/", {{"get", {{"summary", "Installed languages"}, {"responses", {{"200", {{"description", "Languages"}}}}}}}}},
      {"/api/v1/tools/", {{"get", {{"summary", "Tool presets"}, {"responses", {{"200", {{"description", "Tools"}}}}}}}}},
      {"/api/v1/openapi.json", {{"get", {{"summary", "This document"}, {"responses", {{"200", {{"description", "OpenAPI 3"}}}}}}}}},
      {"/healthz", {{"get", {{"summary", "Liveness and workers"}, {"responses", {{"200", {{"description", "ok"}}}}}}}}},
      {"/metrics", {{"get", {{"summary", "Prometheus metrics"}, {"responses", {{"200", {{"description", "Text format"}}}}}}}}},
  };
  json box = {{"type", "array"}, {"items", {{"type", "integer"}}}, {"minItems", 4}, {"maxItems", 4}};
  json schemas = {
      {"Error", {{"type", "object"}, {"required", {"error"}},
                 {"properties", {{"error", {{"type", "string"}}}, {"code", {{"type", "string"}}}}}}},
      {"Refusal", {{"type", "object"},
                   {"properties", {{"error", {{"type", "string"}}}, {"used", {{"type", "integer"}}},
                                   {"cap", {{"type", "integer"}}},
                                   {"period", {{"type", "string"}, {"enum", {"day", "month", "credits", "file"}}}}}}}},
      {"Block", {{"type", "object"},
                 {"properties", {{"type", {{"type", "string"},
                                           {"enum", {"paragraph", "heading", "list", "table", "header",
                                                     "footer", "caption", "math", "figure"}}}},
                                 {"text", {{"type", "string"}}},
                                 {"bbox", box}, {"confidence", {{"type", "number"}}}}}}},
      {"Page", {{"type", "object"},
                {"properties", {{"index", {{"type", "integer"}}}, {"width", {{"type", "integer"}}},
                                {"height", {{"type", "integer"}}}, {"text", {{"type", "string"}}},
                                {"source", {{"type", "string"}, {"enum", {"ocr", "pdf_text", "vlm", "none"}}}},
                                {"blocks", {{"type", "array"}, {"items", Ref("Block")}}}}}}},
      {"Translation", {{"type", "object"},
                       {"properties",
                        {{"language", {{"type", "string"}}}, {"text", {{"type", "string"}}},
                         {"markdown", {{"type", "string"}}},
                         {"pages", {{"type", "array"},
                                    {"items", {{"type", "object"},
                                               {"properties", {{"index", {{"type", "integer"}}},
                                                               {"text", {{"type", "string"}}},
                                                               {"markdown", {{"type", "string"}}}}}}}}}}}}},
      {"Job", {{"type", "object"},
               {"properties",
                {{"uuid", {{"type", "string"}}},
                 {"status", {{"type", "string"}, {"enum", {"pending", "processing", "done", "failed"}}}},
                 {"tier", {{"type", "string"}}}, {"language", {{"type", "string"}}},
                 {"detected_language", {{"type", "string"}}}, {"tool", {{"type", {"string", "null"}}}},
                 {"filename", {{"type", "string"}}}, {"page_count", {{"type", "integer"}}},
                 {"pages_done", {{"type", "integer"}}}, {"mean_confidence", {{"type", "number"}}},
                 {"text", {{"type", "string"}}}, {"markdown", {{"type", "string"}}},
                 {"pages", {{"type", "array"}, {"items", Ref("Page")}}},
                 {"created_at", {{"type", "string"}, {"format", "date-time"}}},
                 {"completed_at", {{"type", {"string", "null"}}}},
                 {"error", {{"type", {"object", "null"}}}},
                 {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                 {"translation", {{"oneOf", {Ref("Translation"), {{"type", "null"}}}}}}}}}},
      {"JobList", {{"type", "object"},
                   {"properties", {{"count", {{"type", "integer"}}}, {"next", {{"type", {"string", "null"}}}},
                                   {"previous", {{"type", {"string", "null"}}}},
                                   {"results", {{"type", "array"}, {"items", Ref("Job")}}}}}}},
      {"ChatReply", {{"type", "object"},
                     {"properties", {{"conversation", {{"type", "string"}}},
                                     {"message", {{"type", "object"}}}}}}},
      {"Account", {{"type", "object"},
                   {"properties", {{"plan", {{"type", "string"}}}, {"used", {{"type", "integer"}}},
                                   {"cap", {{"type", "integer"}}}, {"balance", {{"type", "integer"}}},
                                   {"period", {{"type", "string"}}}}}}},
  };
  return {{"openapi", "3.1.0"},
          {"info", {{"title", "ocrchat: the OCR.chat API"}, {"version", "1"}}},
          {"servers", {{{"url", "/"}}}},
          {"components",
           {{"schemas", schemas},
            {"securitySchemes",
             {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
              {"query", {{"type", "apiKey"}, {"in", "query"}, {"name", "api_token"}}}}}}},
          {"security", {{{"bearer", json::array()}}, {{"query", json::array()}}, json::object()}},
          {"paths", paths}};
}

}  // namespace

const std::string& OpenApiDocument() {
  static const std::string document = Build().dump(2);
  return document;
}

}  // namespace ocrchat::api
