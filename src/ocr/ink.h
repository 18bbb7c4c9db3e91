// The ink of a page against a reading of it: how much of it the words
// account for, and where glyphs were left unread. The engine judges its
// readings by it and reads what was left.
#pragma once

#include <vector>

#include "core/document.h"
#include "ocr/pix.h"

namespace ocrchat::ocr {

// A 1-bit, half-size copy of the image's ink, for measuring coverage.
OwnedPix InkMask(const Pix* image);

// The ink left once every word's box is cleared from a half-size ink mask,
// and the median word height on that mask (0 without words).
struct Unread {
  OwnedPix rest;
  int word_height = 0;
};
Unread UnreadInk(const Pix* ink, const core::Page& page);

// Glyph-sized marks of the unread ink, as boxes on the half-size mask:
// from 3/10 to 3/2 of the words' median height, or 8-24 pt at `dpi`.
std::vector<core::Box> UnreadGlyphs(const Unread& unread, int dpi);

struct InkCheck {
  double coverage = 1.0;  // share of the ink inside the words' boxes
  int unread_glyphs = 0;  // glyph-sized marks outside them
};

// How much of the ink (a mask from InkMask) the words account for, and how
// many glyph-sized marks they leave unread (text the segmentation missed,
// as opposed to photos, rules and halftone dots). Marks inside `pictures`
// (full-size boxes of regions the layout analysis found to be pictures)
// are a drawing's strokes, not unread glyphs.
InkCheck CheckInk(const Pix* ink, const core::Page& page, int dpi,
                  const std::vector<core::Box>& pictures = {});

// Unread glyphs grouped into runs along a line: a glyph joins a run that
// shares half its height and ends less than two glyph heights before it.
// Runs of two glyphs or more, in full-size pixels; none on a page whose
// unread marks are too many to be text the segmentation dropped (halftone,
// a photo's texture).
std::vector<core::Box> UnreadRuns(std::vector<core::Box> glyphs, int word_height);

}  // namespace ocrchat::ocr
