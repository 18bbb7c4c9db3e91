// Page previews for people (GET /api/v1/ocr/<uuid>/pages/<n>/image): the
// page rendered from the job's searchable PDF, turned as the page was read
// and scaled to about 1500 px, as JPEG. Rendering parses what the user sent,
// so it happens in a child process (`ocrchat preview`), as the probe does.
#pragma once

#include <string>

#include "core/error.h"
#include "decode/decode.h"

namespace ocrchat::jobs {

inline constexpr int kPreviewPx = 1500;

// `ocrchat preview`: renders page `page` (from 0) of the PDF at `path`,
// turned `rotate` degrees clockwise, longest side at most `longest_px`, and
// writes the JPEG to standard output. Exit 0, or 1 with a message on stderr.
int RunPreviewCommand(const std::string& path, int page, int rotate, int longest_px,
                      const decode::Limits& limits);

// Runs the preview as a child of `binary` with a time limit. kCorrupt when
// the child fails or overruns.
core::Result<std::string> PreviewInChild(const std::string& binary, const std::string& pdf_path,
                                         int page, int rotate, const decode::Limits& limits,
                                         int timeout_ms);

}  // namespace ocrchat::jobs
