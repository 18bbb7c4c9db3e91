// Ruling lines on a page image: the horizontal and vertical strokes that
// draw table borders and underlines, found by morphology.
#pragma once

#include <vector>

#include "core/document.h"

struct Pix;  // Leptonica

namespace ocrchat::ocr {

// Horizontal and vertical line segments on the image (any depth; not
// modified), as thin boxes in pixels of that image, origin top-left. A
// segment is at least about 1/5 inch long (never less than 1/25 of the
// image's smaller side) and at most about 1/25 inch thick; filled areas
// (photos, shaded boxes) give none. Works on a 2x-reduced copy, so lengths
// and positions are accurate to 2 pixels. Returns an empty vector for a
// null or empty image. Thread-safe (no shared state).
std::vector<core::Box> FindRules(const Pix* image);

}  // namespace ocrchat::ocr
