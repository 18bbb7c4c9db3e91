// A whole file recognised in this process, page after page: the path of
// `ocrchat ocr`, with no server and no store.
#pragma once

#include <functional>
#include <string>

#include "core/document.h"
#include "core/error.h"
#include "decode/decode.h"
#include "export/export.h"
#include "jobs/pipeline.h"

namespace ocrchat::jobs {

struct LocalResult {
  core::Document document;
  exports::JobInfo info;
  std::string searchable_pdf;  // filled when asked for
};

struct LocalOptions {
  const vlm::Config* vlm = nullptr;  // the vlm tier's model server, if any
  int jobs = 1;                      // pages read at once, each on a thread with its own engine
  ocr::SecondReaderSetup second_reader;  // PP-OCRv4 beside Tesseract (off by default)
  // Called with 0 before the first page, then after each page from the
  // thread that read it (one at a time).
  std::function<void(int pages_done, int page_count)> progress;
};

// The progress line of `ocrchat ocr` on a terminal, after `pages_done` of
// `page_count` pages in `elapsed_s` seconds: "[######              ] 3/10
// pages, 0:12 left" (the time left from the pace so far; none before the
// first page).
std::string ProgressBar(int pages_done, int page_count, double elapsed_s);

// Reads, recognises and assembles every page of `bytes`, `options.jobs`
// pages at a time. With `want_pdf`, also builds the searchable PDF (the
// original PDF with a text layer, or the page images under one). The first
// page that fails fails the whole file.
core::Result<LocalResult> RecognizeFile(std::string bytes, const std::string& filename,
                                        const Recipe& recipe, const decode::Limits& limits,
                                        const std::string& password, bool want_pdf,
                                        const LocalOptions& options = {});

}  // namespace ocrchat::jobs
