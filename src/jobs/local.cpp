// Recognising a file in one process.
#include "jobs/local.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "core/clock.h"
#include "core/crypto.h"

namespace ocrchat::jobs {

std::string ProgressBar(int pages_done, int page_count, double elapsed_s) {
  constexpr int kWidth = 20;
  const int total = std::max(1, page_count);
  const int done = std::clamp(pages_done, 0, total);
  const int filled = done * kWidth / total;
  std::string line = "[" + std::string(filled, '#') + std::string(kWidth - filled, ' ') + "] " +
                     std::to_string(done) + "/" + std::to_string(page_count) + " pages";
  if (done == 0) return line;
  const long left = std::lround(elapsed_s / done * (total - done));
  char time[32];
  std::snprintf(time, sizeof time, ", %ld:%02ld left", left / 60, left % 60);
  return line + time;
}

core::Result<LocalResult> RecognizeFile(std::string bytes, const std::string& filename,
                                        const Recipe& recipe, const decode::Limits& limits,
                                        const std::string& password, bool want_pdf,
                                        const LocalOptions& options) {
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
  auto first = decode::Open(bytes, limits, password);
  if (!first) return std::unexpected(first.error());
  const int count = (*first)->PageCount();
  const int threads = std::clamp(options.jobs, 1, std::max(1, count));
  std::vector<core::Page> pages(count);
  std::vector<exports::PdfPageImage> images(want_pdf && original.empty() ? count : 0);
  std::atomic<int> next{0};
  std::mutex mutex;
  std::optional<core::Error> failure;  // the lowest failed page's error, guarded by mutex
  int failed_page = INT_MAX;           // guarded by mutex
  int done = 0;                        // guarded by mutex
  // Each thread has its own source and engine: neither is thread-safe.
  auto read_pages = [&](decode::Source& source) {
    auto engine = ocr::MakeTesseractEngine(options.second_reader);
    if (!engine) {
      std::lock_guard lock(mutex);
      if (!failure) failure = engine.error();
      return;
    }
    std::unique_ptr<translate::Translator> translator;
    if (recipe.translate_to) translator = MakeTranslator(options.vlm ? *options.vlm : vlm::Config{}, {});
    for (int i = next++; i < count; i = next++) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;
      }
      auto page = ProcessPage(source, i, **engine, recipe, options.vlm);
      core::Result<exports::PdfPageImage> image = exports::PdfPageImage{};
      if (page && recipe.translate_to) TranslateInto(*page, *recipe.translate_to, translator.get());
      if (page && !images.empty()) image = PageImageForPdf(source, i);
      std::lock_guard lock(mutex);
      if (!page || !image) {
        if (i < failed_page) {
          failed_page = i;
          failure = page ? image.error() : page.error();
        }
        return;
      }
      pages[i] = std::move(*page);
      if (!images.empty()) images[i] = std::move(*image);
      ++done;
      if (options.progress) options.progress(done, count);
    }
  };
  if (options.progress) options.progress(0, count);
  std::vector<std::thread> workers;
  std::vector<std::unique_ptr<decode::Source>> sources;
  for (int t = 1; t < threads; ++t) {
    auto source = decode::Open(bytes, limits, password);
    if (!source) return std::unexpected(source.error());
    sources.push_back(std::move(*source));
  }
  for (auto& source : sources) workers.emplace_back([&, s = source.get()] { read_pages(*s); });
  read_pages(**first);
  for (std::thread& worker : workers) worker.join();
  if (failure) return std::unexpected(*failure);
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
