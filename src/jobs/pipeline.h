// The story of one page and of one document, shared by `ocrchat ocr` and
// the worker: take the PDF's own text where it is real, OCR otherwise, then
// lay out. Not thread-safe (the engine is a session).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/error.h"
#include "decode/decode.h"
#include "export/export.h"
#include "ocr/engine.h"
#include "translate/translate.h"
#include "vlm/vlm.h"

namespace ocrchat::jobs {

// What a request asks of the recognition, validated.
struct Recipe {
  std::string language = "auto";  // as requested
  std::string tesseract;          // "" for auto
  std::string tier = "cpu";       // cpu | vlm
  std::optional<std::string> tool;
  std::optional<std::string> translate_to;
  int dpi = 300;
  int page_timeout_ms = 0;  // the page's time limit (0: none); set by the worker
  std::vector<std::string> warnings;  // e.g. vlm served by the local pipeline
};

// What the server can do beyond the local engine.
struct Capabilities {
  bool vlm = false;                // a vision-language model server reads the vlm tier
  bool translation_model = false;  // a chat model translates (--llm-url, else --vlm-url)
  std::vector<translate::Pair> offline_pairs;  // what Apertium translates here
};

// What a node with these model servers can do (llm: the chat model; either
// may be unconfigured), with the Apertium pairs installed here.
Capabilities CapabilitiesOf(const vlm::Config& vlm, const model::ServerConfig& llm);

// The translator such a node uses: the chat model, else the vlm server's
// model, else Apertium.
std::unique_ptr<translate::Translator> MakeTranslator(const vlm::Config& vlm,
                                                      const model::ServerConfig& llm);

// Checks tier, language, tool and translate_to against what the server can
// do; kInvalidParameter names what is wrong (a translation no translator
// here can make among them). The tool presets live here.
core::Result<Recipe> MakeRecipe(const std::string& tier, const std::string& language,
                                const std::string& tool, const std::string& translate_to,
                                const Capabilities& can = {});

// The recipe as page tasks carry it.
std::string RecipeToJson(const Recipe& recipe);
Recipe RecipeFromJson(const std::string& json);

struct ToolInfo {
  const char* slug;
  const char* description;
};
const std::vector<ToolInfo>& Tools();

// The error of a page that ran past its time limit, whoever noticed.
core::Error PageTimeLimitError(int64_t limit_ms);

// One page: its own text for a born-digital page (plus OCR of any image
// text beside it), OCR for the rest; then reading order and block types.
// With recipe.page_timeout_ms, the page fails with kTimeout when it is not
// finished within that time, wherever the time went.
// On the vlm tier with `vlm` configured, an image page is read by the model
// (its words on the local reading's boxes, page.source kVlm); when the
// model's reading cannot be used the local reading stands, with a warning
// naming the page and the cause.
core::Result<core::Page> ProcessPage(decode::Source& source, int index, ocr::Engine& engine,
                                     const Recipe& recipe, const vlm::Config* vlm = nullptr,
                                     vlm::Counters* counters = nullptr);

// The tool translate: the page's blocks in `to` (ISO 639-1), in
// page.translation. A page that cannot be translated keeps its text and
// gains a warning saying why; it is never passed off as translated. A page
// already in `to` is its own translation.
void TranslateInto(core::Page& page, const std::string& to, translate::Translator* translator);

// The page's image as a searchable PDF should hold it (image uploads).
core::Result<exports::PdfPageImage> PageImageForPdf(decode::Source& source, int index);

// The document from its pages in order: detected language, warnings.
core::Document Assemble(std::vector<core::Page> pages);

}  // namespace ocrchat::jobs
