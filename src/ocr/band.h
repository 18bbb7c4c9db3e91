// The band of a page language=auto looks at before reading it, to choose
// the model the page is read with first.
#pragma once

#include <optional>

#include "core/document.h"

struct Pix;  // Leptonica

namespace ocrchat::ocr {

// Rows a band holds at least (three lines of print at 300 dpi).
constexpr int kBandRows = 200;

// The top part of the page's inked rows: 1/`share` of them (0: none), but
// at least `min_rows`, cut at the emptiest row near there (between two
// lines), as a box the page's width wide. Found from the ink of each row
// alone, without layout analysis: a row is inked with a fifth of the ink
// of the fuller rows, so a scan's speckle does not count. nullopt for an
// image without ink. Any depth; thread-safe.
std::optional<core::Box> TextBand(const Pix* image, int min_rows = kBandRows, int share = 6);

}  // namespace ocrchat::ocr
