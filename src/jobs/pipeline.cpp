// Page and document processing.
#include "jobs/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "core/text.h"
#include "decode/pdf_image.h"
#include "layout/layout.h"
#include "layout/tables.h"
#include "ocr/languages.h"
#include "ocr/rules.h"

namespace ocrchat::jobs {
namespace {

using core::ErrorCode;

const std::vector<ToolInfo> kTools = {
    {"extract-tables", "Find tables and export them as tables (csv download returns them)"},
    {"handwriting-to-text", "Handwriting recognition (runs on the vlm tier)"},
    {"translate", "Recognise, then translate the text into translate_to"},
    {"pdf-to-text", "Plain text of a PDF: its own text where present, OCR elsewhere"},
    {"image-to-text", "Text from a photo or scan"},
};

// Share of a word's box that lies inside another box.
double OverlapShare(const core::Box& word, const core::Box& other) {
  int w = std::min(word.x1, other.x1) - std::max(word.x0, other.x0);
  int h = std::min(word.y1, other.y1) - std::max(word.y0, other.y0);
  if (w <= 0 || h <= 0 || word.Empty()) return 0;
  return static_cast<double>(w) * h / (static_cast<double>(word.Width()) * word.Height());
}

ocr::RecognizeOptions OcrOptions(const Recipe& recipe, int dpi,
                                 std::chrono::steady_clock::time_point deadline) {
  ocr::RecognizeOptions options;
  options.languages = recipe.tesseract;
  options.dpi = dpi;
  options.accurate = recipe.tier == "vlm";
  options.deadline = deadline;
  return options;
}

core::Error OnPage(core::Error error, int index) {
  error.message = "page " + std::to_string(index + 1) + ": " + error.message;
  return error;
}

}  // namespace

const std::vector<ToolInfo>& Tools() { return kTools; }

core::Result<Recipe> MakeRecipe(const std::string& tier, const std::string& language,
                                const std::string& tool, const std::string& translate_to) {
  Recipe recipe;
  recipe.tier = tier.empty() ? "cpu" : tier;
  if (recipe.tier != "cpu" && recipe.tier != "vlm")
    return core::Fail(ErrorCode::kInvalidParameter,
                      "unknown tier '" + tier + "': use cpu or vlm");
  if (!tool.empty()) {
    bool known = std::any_of(kTools.begin(), kTools.end(),
                             [&](const ToolInfo& t) { return tool == t.slug; });
    if (!known) {
      std::string names;
      for (const ToolInfo& t : kTools) names += (names.empty() ? "" : ", ") + std::string(t.slug);
      return core::Fail(ErrorCode::kInvalidParameter,
                        "unknown tool '" + tool + "': known tools are " + names);
    }
    recipe.tool = tool;
    if (tool == "handwriting-to-text") recipe.tier = "vlm";
  }
  if (tool == "translate") {
    if (translate_to.empty())
      return core::Fail(ErrorCode::kInvalidParameter,
                        "the translate tool needs translate_to (a language code such as en)");
    recipe.translate_to = translate_to;
    recipe.warnings.push_back(
        "translation needs a language model server, and none is configured: the text is "
        "returned untranslated");
  }
  recipe.language = language.empty() ? "auto" : language;
  auto tess = ocr::ToTesseract(recipe.language);
  if (!tess) return std::unexpected(tess.error());
  recipe.tesseract = *tess;
  if (recipe.tier == "vlm")
    recipe.warnings.push_back(
        "tier vlm: no vision-language model server is configured, so the local engine ran at its "
        "most accurate settings");
  return recipe;
}

core::Error PageTimeLimitError(int64_t limit_ms) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", limit_ms / 1000.0);
  return core::MakeError(ErrorCode::kTimeout,
                         std::string("reading this page took longer than the ") + seconds +
                             " s limit (the server's --page-timeout)");
}

namespace {

core::Result<core::Page> ReadPage(decode::Source& source, int index, ocr::Engine& engine,
                                  const Recipe& recipe,
                                  std::chrono::steady_clock::time_point deadline) {
  core::Page page;
  std::optional<decode::TextLayer> layer = source.PageText(index);
  if (layer && !layer->words.empty()) {
    std::vector<core::Word> words = std::move(layer->words);
    page.width = layer->width;
    page.height = layer->height;
    page.dpi = layer->dpi;
    page.source = core::TextSource::kPdfText;
    // Text drawn as an image beside the real text: read it too.
    if (layer->uncovered_ink > 0.25) {
      auto image = source.RenderPage(index);
      if (image) {
        auto ocred = engine.Recognize(image->pix.get(), OcrOptions(recipe, image->dpi, deadline));
        if (!ocred && ocred.error().code == ErrorCode::kTimeout) return std::unexpected(ocred.error());
        if (ocred && ocred->rotation == 0) {
          for (const core::Block& b : ocred->blocks)
            for (const core::Line& l : b.lines)
              for (const core::Word& w : l.words) {
                bool covered = std::any_of(words.begin(), words.end(), [&](const core::Word& p) {
                  return OverlapShare(w.bbox, p.bbox) > 0.3;
                });
                if (!covered && w.confidence > 0.3f) words.push_back(w);
              }
          page.language = ocred->language;
        }
      }
    }
    page.blocks = layout::BlocksFromWords(std::move(words));
  } else {
    auto image = source.RenderPage(index);
    if (!image) return std::unexpected(OnPage(image.error(), index));
    auto ocred = engine.Recognize(image->pix.get(), OcrOptions(recipe, image->dpi, deadline));
    if (!ocred) return std::unexpected(OnPage(ocred.error(), index));
    page = std::move(*ocred);
    // Rules are found on the image as rendered: only when the engine read it
    // at that size and orientation.
    if (page.rotation == 0 && page.dpi == image->dpi)
      page.rules = ocr::FindRules(image->pix.get());
    page.warnings = std::move(image->warnings);
    page.source = core::TextSource::kOcr;
  }
  page.index = index;
  page = layout::Arrange(std::move(page));
  // A born-digital page's drawn rules show only once it is rendered, which
  // costs a render: done for the table tool only.
  const bool eager = recipe.tool == "extract-tables";
  if (eager && page.source == core::TextSource::kPdfText) {
    auto image = source.RenderPage(index);
    if (image && image->pix) page.rules = ocr::FindRules(image->pix.get());
  }
  return layout::FindTables(std::move(page), eager);
}

}  // namespace

core::Result<core::Page> ProcessPage(decode::Source& source, int index, ocr::Engine& engine,
                                     const Recipe& recipe) {
  using Clock = std::chrono::steady_clock;
  const bool limited = recipe.page_timeout_ms > 0;
  const Clock::time_point deadline =
      limited ? Clock::now() + std::chrono::milliseconds(recipe.page_timeout_ms)
              : Clock::time_point::max();
  auto page = ReadPage(source, index, engine, recipe, deadline);
  // However the time went (rendering, recognition, layout), a page past its
  // limit fails the same way.
  if (limited && (Clock::now() > deadline || (!page && page.error().code == ErrorCode::kTimeout)))
    return std::unexpected(OnPage(PageTimeLimitError(recipe.page_timeout_ms), index));
  return page;
}

core::Result<exports::PdfPageImage> PageImageForPdf(decode::Source& source, int index) {
  auto image = source.RenderPage(index);
  if (!image) return std::unexpected(OnPage(image.error(), index));
  auto encoded = decode::EncodeForPdf(image->pix.get());
  if (!encoded) return std::unexpected(OnPage(encoded.error(), index));
  exports::PdfPageImage out;
  out.codec = encoded->codec == decode::EncodedImage::Codec::kCcittG4
                  ? exports::PdfPageImage::Codec::kCcittG4
                  : exports::PdfPageImage::Codec::kJpeg;
  out.data = std::move(encoded->data);
  out.width = encoded->width;
  out.height = encoded->height;
  out.bits_per_component = encoded->bits_per_component;
  out.components = encoded->components;
  out.dpi = image->dpi;
  return out;
}

core::Document Assemble(std::vector<core::Page> pages) {
  core::Document document;
  std::map<std::string, size_t> weight;
  for (const core::Page& page : pages) {
    std::string text = page.Text();
    std::string language = page.source == core::TextSource::kPdfText
                               ? ocr::DetectTextLanguage(text)
                               : page.language;
    if (!language.empty() && !text.empty()) weight[ocr::ToIso(language)] += text.size();
    for (const std::string& w : page.warnings) document.warnings.push_back(w);
  }
  size_t best = 0;
  for (const auto& [iso, size] : weight)
    if (size > best) {
      best = size;
      document.detected_language = iso;
    }
  document.pages = std::move(pages);
  return document;
}

}  // namespace ocrchat::jobs
