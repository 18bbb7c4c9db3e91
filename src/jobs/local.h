// A whole file recognised in this process, page after page: the path of
// `ocrchat ocr`, with no server and no store.
#pragma once

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

// Reads, recognises and assembles every page of `bytes`. With
// `want_pdf`, also builds the searchable PDF (the original PDF with a text
// layer, or the page images under one). With `vlm` configured, the vlm
// tier's pages are read by that model server.
core::Result<LocalResult> RecognizeFile(std::string bytes, const std::string& filename,
                                        const Recipe& recipe, const decode::Limits& limits,
                                        const std::string& password, bool want_pdf,
                                        const vlm::Config* vlm = nullptr);

}  // namespace ocrchat::jobs
