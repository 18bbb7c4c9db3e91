// Page and document processing.
#include "jobs/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>

#include "core/text.h"
#include "decode/pdf_image.h"
#include "layout/layout.h"
#include "layout/tables.h"
#include "ocr/languages.h"
#include "ocr/rules.h"
#include "translate/translate.h"

namespace ocrchat::jobs {
namespace {

using core::ErrorCode;

const std::vector<ToolInfo> kTools = {
    {"extract-tables", "Find tables and export them as tables (csv download returns them)"},
    {"handwriting-to-text", "Handwriting recognition (runs on the vlm tier)"},
    {"translate", "Recognise, then translate the text into translate_to"},
    {"pdf-to-text", "Plain text of a PDF: its own text where present, OCR elsewhere"},
    {"image-to-text", "Text from a photo or scan"},
    {"extract-fields",
     "Invoice and receipt fields (number, dates, total, tax, currency, issuer, customer, line "
     "items) in the job's `fields`, whatever the document looks like"},
};

// Share of a word's box that lies inside another box.
double OverlapShare(const core::Box& word, const core::Box& other) {
  int w = std::min(word.x1, other.x1) - std::max(word.x0, other.x0);
  int h = std::min(word.y1, other.y1) - std::max(word.y0, other.y0);
  if (w <= 0 || h <= 0 || word.Empty()) return 0;
  return static_cast<double>(w) * h / (static_cast<double>(word.Width()) * word.Height());
}

ocr::RecognizeOptions OcrOptions(const Recipe& recipe, const decode::PageImage& image,
                                 std::chrono::steady_clock::time_point deadline) {
  ocr::RecognizeOptions options;
  options.languages = recipe.tesseract;
  options.dpi = image.dpi;
  options.dpi_given = image.dpi_given;
  options.accurate = recipe.tier == "vlm";
  options.deadline = deadline;
  // The second recognizer reads where the vlm tier is served locally, and
  // Chinese (detected Han pages too: the engine sees those).
  options.second_reading = recipe.tier == "vlm" || recipe.tesseract.find("chi_") != std::string::npos;
  return options;
}

core::Error OnPage(core::Error error, int index) {
  error.message = "page " + std::to_string(index + 1) + ": " + error.message;
  return error;
}

std::string PairList(const std::vector<translate::Pair>& pairs) {
  std::string out;
  for (const translate::Pair& p : pairs) out += (out.empty() ? "" : ", ") + p.from + "->" + p.to;
  return out.empty() ? "none" : out;
}

// translate_to as an ISO 639-1 code that some translator here can reach
// from the requested language (any language for a model; Apertium's pairs
// otherwise, from the requested language, or for auto into translate_to).
core::Result<std::string> CheckTranslation(const Recipe& recipe, const std::string& translate_to,
                                           const Capabilities& can) {
  if (translate_to.empty())
    return core::Fail(ErrorCode::kInvalidParameter,
                      "the translate tool needs translate_to (a language code such as en)");
  auto target = ocr::ToTesseract(translate_to);
  std::string to = target ? ocr::ToIso(*target) : "";
  if (!target || to.find('+') != std::string::npos || to.size() != 2)
    return core::Fail(ErrorCode::kInvalidParameter,
                      "translate_to '" + translate_to + "' is not a language code (use e.g. en, de, es)");
  if (can.translation_model) return to;
  const std::string advice =
      "; configure a model server (--llm-url or --vlm-url) to translate between any languages";
  if (recipe.language != "auto") {
    std::string from = ocr::ToIso(recipe.tesseract);
    bool found = std::any_of(can.offline_pairs.begin(), can.offline_pairs.end(),
                             [&](const translate::Pair& p) { return p.from == from && p.to == to; });
    if (from != to && !found)
      return core::Fail(ErrorCode::kInvalidParameter,
                        "no offline translation from " + from + " to " + to +
                            " is installed (available: " + PairList(can.offline_pairs) + ")" + advice);
    return to;
  }
  bool into = std::any_of(can.offline_pairs.begin(), can.offline_pairs.end(),
                          [&](const translate::Pair& p) { return p.to == to; });
  if (!into)
    return core::Fail(ErrorCode::kInvalidParameter,
                      "no offline translation into " + to + " is installed (available: " +
                          PairList(can.offline_pairs) + ")" + advice);
  return to;
}

}  // namespace

Capabilities CapabilitiesOf(const vlm::Config& vlm, const model::ServerConfig& llm) {
  Capabilities can;
  can.vlm = vlm.Configured();
  can.translation_model = llm.Configured() || vlm.Configured();
  can.offline_pairs = translate::ApertiumPairs();
  return can;
}

std::unique_ptr<translate::Translator> MakeTranslator(const vlm::Config& vlm,
                                                      const model::ServerConfig& llm) {
  if (llm.Configured()) return translate::MakeModelTranslator(llm);
  if (vlm.Configured()) return translate::MakeModelTranslator(vlm.server);
  return translate::MakeApertiumTranslator();
}

const std::vector<ToolInfo>& Tools() { return kTools; }

core::Result<Recipe> MakeRecipe(const std::string& tier, const std::string& language,
                                const std::string& tool, const std::string& translate_to,
                                const Capabilities& can) {
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
  recipe.language = language.empty() ? "auto" : language;
  auto tess = ocr::ToTesseract(recipe.language);
  if (!tess) return std::unexpected(tess.error());
  recipe.tesseract = *tess;
  if (tool == "translate") {
    auto checked = CheckTranslation(recipe, translate_to, can);
    if (!checked) return std::unexpected(checked.error());
    recipe.translate_to = *checked;
  }
  if (recipe.tier == "vlm" && !can.vlm)
    recipe.warnings.push_back(
        recipe.tool == "handwriting-to-text"
            ? "handwriting needs a vision-language model server (--vlm-url), and none is "
              "configured: Tesseract read the page, and it reads print, not handwriting"
            : "tier vlm: no vision-language model server is configured (--vlm-url), so the local "
              "engine read the pages at its most accurate settings, at the cpu price");
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

// The page read locally. `rendered`, when given, is the image of a page
// already found to have no text of its own (and is consumed).
core::Result<core::Page> ReadPage(decode::Source& source, int index, ocr::Engine& engine,
                                  const Recipe& recipe,
                                  std::chrono::steady_clock::time_point deadline,
                                  std::optional<decode::PageImage> rendered = std::nullopt) {
  core::Page page;
  std::optional<decode::TextLayer> layer = rendered ? std::nullopt : source.PageText(index);
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
        auto ocred = engine.Recognize(image->pix.get(), OcrOptions(recipe, *image, deadline));
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
    core::Result<decode::PageImage> image =
        rendered ? core::Result<decode::PageImage>(std::move(*rendered)) : source.RenderPage(index);
    if (!image) return std::unexpected(OnPage(image.error(), index));
    auto ocred = engine.Recognize(image->pix.get(), OcrOptions(recipe, *image, deadline));
    if (!ocred) return std::unexpected(OnPage(ocred.error(), index));
    page = std::move(*ocred);
    // Rules are found on the image as rendered: only when the engine read it
    // at that size and orientation.
    if (page.rotation == 0 && page.dpi == image->dpi)
      page.rules = ocr::FindRules(image->pix.get());
    // The engine's warnings, then the rendering's.
    page.warnings.insert(page.warnings.end(), image->warnings.begin(), image->warnings.end());
    for (std::string& warning : page.warnings)
      if (!warning.starts_with("page ")) warning = "page " + std::to_string(index + 1) + ": " + warning;
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

// The model's reading on the local page's boxes.
core::Page FromModel(const vlm::Reading& reading, const core::Page& local) {
  core::Page page = vlm::LayOnLocal(vlm::ParseMarkdown(reading.answer.markdown), local);
  if (!reading.answer.front.primary_language.empty()) {
    auto models = ocr::ToTesseract(reading.answer.front.primary_language);
    if (models) page.language = *models;
  }
  return page;
}

}  // namespace

core::Result<core::Page> ProcessPage(decode::Source& source, int index, ocr::Engine& engine,
                                     const Recipe& recipe, const vlm::Config* vlm,
                                     vlm::Counters* counters) {
  using Clock = std::chrono::steady_clock;
  const bool limited = recipe.page_timeout_ms > 0;
  const Clock::time_point started = Clock::now();
  const Clock::time_point deadline =
      limited ? started + std::chrono::milliseconds(recipe.page_timeout_ms) : Clock::time_point::max();
  // The vlm tier: the model reads the page image while the local engine
  // finds the words whose boxes the model's words will take. A PDF page
  // with its own text keeps it: that text is exact.
  const bool by_model = recipe.tier == "vlm" && vlm && vlm->Configured();
  std::optional<decode::PageImage> rendered;
  decode::PixPtr for_model;
  std::future<core::Result<vlm::Reading>> asked;
  if (by_model) {
    std::optional<decode::TextLayer> layer = source.PageText(index);
    if (!layer || layer->words.empty()) {
      auto image = source.RenderPage(index);
      if (!image) return std::unexpected(OnPage(image.error(), index));
      for_model = decode::CopyPix(image->pix.get());
      rendered = std::move(*image);
      // The model may use most of the page's time; the rest is kept for
      // laying its words out.
      Clock::time_point model_deadline =
          limited ? started + std::chrono::milliseconds(recipe.page_timeout_ms * 9 / 10) : deadline;
      const bool handwriting = recipe.tool == "handwriting-to-text";
      asked = std::async(std::launch::async, [&, model_deadline, handwriting] {
        return vlm::Ask(*vlm, for_model.get(), handwriting, model_deadline, counters);
      });
    }
  }
  Recipe local_recipe = recipe;
  if (asked.valid()) local_recipe.tier = "cpu";  // boxes only: no need to try harder
  auto page = ReadPage(source, index, engine, local_recipe, deadline, std::move(rendered));
  if (asked.valid()) {
    core::Result<vlm::Reading> reading = asked.get();
    if (page && reading) {
      page = FromModel(*reading, *page);
    } else if (page) {
      page->warnings.push_back("page " + std::to_string(index + 1) +
                               ": the vision-language model's reading could not be used (" +
                               reading.error().message +
                               "), so the local engine read it, at the cpu price");
    }
  }
  // However the time went (rendering, recognition, layout), a page past its
  // limit fails the same way.
  if (limited && (Clock::now() > deadline || (!page && page.error().code == ErrorCode::kTimeout)))
    return std::unexpected(OnPage(PageTimeLimitError(recipe.page_timeout_ms), index));
  return page;
}

void TranslateInto(core::Page& page, const std::string& to, translate::Translator* translator) {
  std::string text = page.Text();
  if (core::NormalizeSpace(text).empty()) return;
  std::string from = page.source == core::TextSource::kPdfText || page.language.empty()
                         ? ocr::DetectTextLanguage(text)
                         : page.language;
  from = ocr::ToIso(from);
  auto fail = [&](const std::string& why) {
    page.warnings.push_back("page " + std::to_string(page.index + 1) + " was not translated: " + why);
  };
  if (from.empty()) return fail("its language could not be told");
  if (from == to) {
    page.translation_language = to;
    page.translation = page.blocks;
    return;
  }
  if (!translator) return fail("no translator is configured");
  if (!translator->Supports(from, to))
    return fail("there is no offline translation from " + from + " to " + to +
                "; configure a model server (--llm-url) for other pairs");
  auto translated = translate::TranslatePage(page, from, to, *translator);
  if (!translated) return fail(translated.error().message);
  page.translation_language = to;
  page.translation = std::move(translated->blocks);
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
    std::string iso = ocr::ToIso(language);  // "" for a script model: no language claimed
    if (!iso.empty() && !text.empty()) weight[iso] += text.size();
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
