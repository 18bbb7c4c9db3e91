// Tesseract's reading of a page checked against PP-OCRv4's: the lines
// Tesseract is unsure of (every line of a Han page) are read again by
// PP-OCR's recognizer, and the reading that scores better is kept; a page
// where Tesseract finds little, or a Han page where it misses text, is
// detected and read by PP-OCR whole.
#pragma once

#include "core/document.h"
#include "ocr/engine.h"

namespace ocrchat::ocr {

namespace paddle {
class PaddleEngine;
}

// Tesseract's line confidence below which PP-OCR reads the line again.
inline constexpr float kSureLine = 0.9f;

// True when the page was read with a Chinese model, or most of its
// letters are Han.
bool IsHanPage(const core::Page& page);

// Improves `page` (Tesseract's reading, boxes in pixels of `upright`) with
// `second`'s readings, within options.deadline (past it, the lines not yet
// re-read keep Tesseract's text). A line read again keeps Tesseract's line
// box, its words get boxes from the recognizer's time steps; a page read
// whole takes PP-OCR's blocks, lines and boxes.
void ReadAgain(const Pix* upright, core::Page& page, paddle::PaddleEngine& second,
               const RecognizeOptions& options);

}  // namespace ocrchat::ocr
