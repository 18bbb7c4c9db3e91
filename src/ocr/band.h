// The band of a page language=auto looks at before reading it, to choose
// the model the page is read with first.
#pragma once

#include <optional>
#include <vector>

#include "core/document.h"

struct Pix;  // Leptonica

namespace ocrchat::ocr {

// Rows a band holds at least (three lines of print at 300 dpi).
constexpr int kBandRows = 200;

// The ink of each row of a page, found without layout analysis; a row is
// inked with a fifth of the ink of the fuller rows, so a scan's speckle
// does not count.
struct RowInk {
  int width = 0;
  std::vector<int> rows;  // black pixels per row
  int top = 0, bottom = 0;  // the first and last inked rows
};
// nullopt for an image without ink. Any depth; thread-safe.
std::optional<RowInk> InkOfRows(const Pix* image);

// The top part of the inked rows: 1/`share` of them (0: none), but at least
// `min_rows`, cut at the emptiest row near there (between two lines), as a
// box the page's width wide.
core::Box TextBand(const RowInk& ink, int min_rows = kBandRows, int share = 6);

}  // namespace ocrchat::ocr
