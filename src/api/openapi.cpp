// The OpenAPI 3 description of every route.
#include <nlohmann/json.hpp>

#include "api/static_content.h"

namespace ocrchat::api {
namespace {

using nlohmann::json;

json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }
json FieldOrNull() { return {{"oneOf", {Ref("Field"), {{"type", "null"}}}}}; }

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

// The headers a webhook POST carries.
json WebhookHeaders() {
  auto header = [](const char* name, const char* description, json schema) {
    return json{{"name", name}, {"in", "header"}, {"required", true},
                {"description", description}, {"schema", std::move(schema)}};
  };
  return json::array(
      {header("X-Ocrchat-Delivery", "The delivery's id: the same on every retry",
              {{"type", "string"}}),
       header("X-Ocrchat-Event", "What happened",
              {{"type", "string"}, {"enum", {"job.done", "job.failed"}}}),
       header("X-Ocrchat-Signature",
              "sha256= and the hex HMAC-SHA256 of the exact body under the webhook secret (the "
              "account's, from `ocrchat account webhook-secret NAME`; an anonymous job's, from "
              "its POST answer)",
              {{"type", "string"}, {"pattern", "^sha256=[0-9a-f]{64}$"}})});
}

json WebhookEvent(const char* summary) {
  return {{"post",
           {{"summary", summary},
            {"description",
             "POSTed to the job's webhook_url (or its account's default) when the job ends. "
             "A 2xx answer is a delivery; anything else, no connection or no answer within "
             "the timeout is retried after 10 s, 20 s, 40 s ... (at most an hour apart) for "
             "24 hours."},
            {"parameters", WebhookHeaders()},
            {"requestBody",
             {{"required", true}, {"content", {{"application/json", {{"schema", Ref("Job")}}}}}}},
            {"responses", {{"2XX", {{"description", "Delivered"}}}}}}}};
}

json Build() {
  json replayed = {{"Idempotent-Replayed",
                    {{"description", "true when the Idempotency-Key was used before: the job is "
                                     "that request's, as it is now, and nothing was charged"},
                     {"schema", {{"type", "string"}, {"enum", {"true"}}}}}}};
  json job_responses = Errors({400, 401, 402});
  job_responses["200"] = JsonResponse("Done (files of 5 pages or fewer), or a replay of a done "
                                      "or failed job",
                                      Ref("Job"));
  job_responses["200"]["headers"] = replayed;
  job_responses["202"] = JsonResponse("Accepted, or a replay of a job not finished, or a small "
                                      "file while --inline-waits POSTs already wait; poll the job",
                                      Ref("Job"));
  job_responses["503"] = JsonResponse(
      "The server is saturated (every request thread busy and as many requests waiting); "
      "sent again after Retry-After (1 s). Any route may answer this",
      Ref("Error"));
  job_responses["202"]["headers"] = replayed;
  job_responses["409"] = JsonResponse(
      "This Idempotency-Key was used for a different file or different parameters (or its job "
      "has been deleted)",
      Ref("Error"));
  json paths = {
      {"/api/v1/ocr/",
       {{"post",
         {{"summary", "Recognise an image or PDF"},
          {"parameters",
           {{{"name", "Idempotency-Key"},
             {"in", "header"},
             {"description",
              "Makes the POST safe to send again: for 24 hours the same key from the same caller "
              "(account, or IP for anonymous callers) returns the same job and charges once. "
              "The same key with another file or other tier, language, tool, translate_to or "
              "pages is a 409."},
             {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}}}},
            {{"name", "Prefer"},
             {"in", "header"},
             {"description",
              "respond-async (RFC 7240): answer 202 at once, even for a file of 5 pages or "
              "fewer, and let the caller poll the job (as the web page does, to show each page "
              "as it is read)"},
             {"schema", {{"type", "string"}, {"example", "respond-async"}}}}}},
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
                    {"pages", {{"type", "string"}, {"example", "1-3,7"}}},
                    {"webhook_url",
                     {{"type", "string"},
                      {"format", "uri"},
                      {"description",
                       "http(s) URL the job is POSTed to, signed, when it ends (see webhooks); "
                       "loopback, private and link-local addresses are refused unless the "
                       "server allows them. Without it, the account's default, if any."}}}}}}}}}}}}},
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
      {"/api/v1/ocr/{uuid}/pages/{n}/image",
       {{"get",
         {{"summary", "A preview of page n (from 0) as JPEG, about 1500 px, turned as it was read"},
          {"parameters",
           {UuidParam(),
            {{"name", "n"}, {"in", "path"}, {"required", true},
             {"schema", {{"type", "integer"}, {"minimum", 0}}}}}},
          {"responses",
           {{"200", {{"description", "The page image"},
                     {"content", {{"image/jpeg", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}}},
            {"404", Errors({404})["404"]},
            {"409", Errors({409})["409"]}}}}}}},
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
                 {"translation", {{"oneOf", {Ref("Translation"), {{"type", "null"}}}}}},
                 {"fields",
                  {{"oneOf", {Ref("Fields"), {{"type", "null"}}}},
                   {"description",
                    "Invoice or receipt fields, when the finished document reads as one (always "
                    "with the tool extract-fields); null otherwise"}}},
                 {"webhook", {{"oneOf", {Ref("Webhook"), {{"type", "null"}}}}}},
                 {"webhook_secret",
                  {{"type", "string"},
                   {"description",
                    "Only in the POST answer of an anonymous job with a webhook: the secret "
                    "that signs its deliveries, shown once"}}}}}}},
      {"Field",
       {{"type", "object"},
        {"required", {"text", "value", "page", "bbox", "confidence"}},
        {"properties",
         {{"text", {{"type", "string"}, {"description", "the value as printed"}}},
          {"value",
           {{"type", "string"},
            {"description",
             "normalised: an ISO 8601 date (YYYY-MM-DD), a decimal amount with a point "
             "(\"1234.56\"), an ISO 4217 code, or the text"}}},
          {"label", {{"type", {"string", "null"}}, {"description", "the label it was paired with, as printed"}}},
          {"page", {{"type", "integer"}, {"minimum", 1}, {"description", "from 1"}}},
          {"bbox", box},
          {"confidence", {{"type", "number"}}},
          {"currency", {{"type", {"string", "null"}}, {"description", "amounts only: ISO 4217"}}}}}}},
      {"LineItem",
       {{"type", "object"},
        {"properties",
         {{"description", {{"type", "string"}}},
          {"quantity", {{"type", {"string", "null"}}}},
          {"unit_price", {{"type", {"string", "null"}}}},
          {"amount", {{"type", "string"}}},
          {"text", {{"type", "string"}}},
          {"page", {{"type", "integer"}, {"minimum", 1}}},
          {"bbox", box}}}}},
      {"Fields",
       {{"type", "object"},
        {"required", {"document_type", "line_items", "line_items_partial"}},
        {"properties",
         {{"document_type", {{"type", "string"}, {"enum", {"invoice", "receipt", "other"}}}},
          {"invoice_number", FieldOrNull()},
          {"issue_date", FieldOrNull()},
          {"due_date", FieldOrNull()},
          {"total", FieldOrNull()},
          {"subtotal", FieldOrNull()},
          {"tax", FieldOrNull()},
          {"currency", FieldOrNull()},
          {"issuer", FieldOrNull()},
          {"issuer_address", FieldOrNull()},
          {"customer", FieldOrNull()},
          {"line_items", {{"type", "array"}, {"items", Ref("LineItem")}}},
          {"line_items_partial",
           {{"type", "boolean"},
            {"description", "the items do not add up to the subtotal or total: rows were missed"}}}}}}},
      {"Webhook", {{"type", "object"},
                   {"properties",
                    {{"url", {{"type", "string"}}},
                     {"deliveries", {{"type", "array"}, {"items", Ref("WebhookDelivery")}}}}}}},
      {"WebhookDelivery",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"event", {{"type", "string"}, {"enum", {"job.done", "job.failed"}}}},
          {"attempts", {{"type", "integer"}}},
          {"status", {{"type", "string"}, {"enum", {"pending", "delivered", "failed"}}}},
          {"last_status_code", {{"type", {"integer", "null"}}}},
          {"last_error", {{"type", {"string", "null"}}}},
          {"next_attempt_at", {{"type", {"string", "null"}}, {"format", "date-time"}}}}}}},
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
              {"query", {{"type", "apiKey"}, {"in", "query"}, {"name", "api_token"}}},
              {"session",
               {{"type", "apiKey"},
                {"in", "cookie"},
                {"name", "ocrchat_session"},
                {"description",
                 "The web app's sign-in session. A request other than GET or HEAD made with it "
                 "must also send the session's CSRF token in the X-CSRF-Token header, or it is "
                 "refused with 403 (code forbidden)."}}}}}}},
          {"security",
           {{{"bearer", json::array()}},
            {{"query", json::array()}},
            {{"session", json::array()}},
            json::object()}},
          {"paths", paths},
          {"webhooks",
           {{"job.done", WebhookEvent("A job is done")},
            {"job.failed", WebhookEvent("A job has failed")}}}};
}

}  // namespace

const std::string& OpenApiDocument() {
  static const std::string document = Build().dump(2);
  return document;
}

}  // namespace ocrchat::api
