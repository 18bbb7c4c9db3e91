// Recognising a file in one process.
#include "jobs/local.h"

#include "core/clock.h"
#include "core/crypto.h"

namespace ocrchat::jobs {

core::Result<LocalResult> RecognizeFile(std::string bytes, const std::string& filename,
                                        const Recipe& recipe, const decode::Limits& limits,
                                        const std::string& password, bool want_pdf,
                                        const vlm::Config* vlm) {
  LocalResult result;
  result.info.uuid = core::NewUuid();
  result.info.created_at = core::NowRfc3339();
  result.info.filename = filename;
  result.info.tier = recipe.tier;
  result.info.language = recipe.language;
  result.info.tool = recipe.tool;
  result.info.warnings = recipe.warnings;

  auto format = decode::Sniff(bytes);
  if (!format) return std::unexpected(format.error());
  std::string original = want_pdf && *format == decode::Format::kPdf ? bytes : std::string();
  auto source = decode::Open(std::move(bytes), limits, password);
  if (!source) return std::unexpected(source.error());
  auto engine = ocr::MakeTesseractEngine();
  std::unique_ptr<translate::Translator> translator;
  if (recipe.translate_to)
    translator = vlm && vlm->Configured() ? translate::MakeModelTranslator(vlm->server)
                                          : translate::MakeApertiumTranslator();
  std::vector<core::Page> pages;
  std::vector<exports::PdfPageImage> images;
  const int count = (*source)->PageCount();
  for (int i = 0; i < count; ++i) {
    auto page = ProcessPage(**source, i, *engine, recipe, vlm);
    if (!page) return std::unexpected(page.error());
    if (recipe.translate_to) TranslateInto(*page, *recipe.translate_to, translator.get());
    pages.push_back(std::move(*page));
    if (want_pdf && original.empty()) {
      auto image = PageImageForPdf(**source, i);
      if (!image) return std::unexpected(image.error());
      images.push_back(std::move(*image));
    }
  }
  result.document = Assemble(std::move(pages));
  result.info.page_count = count;
  result.info.pages_done = count;
  result.info.completed_at = core::NowRfc3339();
  if (want_pdf) {
    auto pdf = original.empty() ? exports::WriteSearchablePdf(result.document, images)
                                : exports::AddTextLayerToPdf(original, result.document, password);
    if (!pdf) return std::unexpected(pdf.error());
    result.searchable_pdf = std::move(*pdf);
  }
  return result;
}

}  // namespace ocrchat::jobs
