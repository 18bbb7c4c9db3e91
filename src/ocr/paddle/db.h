// DB (differentiable binarisation) post-processing: the text boxes in a
// detector's probability map. The header has no OpenCV types.
#pragma once

#include <array>
#include <span>
#include <vector>

namespace ocrchat::ocr::paddle {

struct Point {
  float x = 0, y = 0;
};

// A text line's rotated rectangle: corners clockwise from the top left
// (as the text reads), in pixels of the map; score in 0..1.
struct Quad {
  std::array<Point, 4> corners;
  float score = 0;
  float Width() const;   // top edge length
  float Height() const;  // left edge length
};

struct DbOptions {
  float threshold = 0.3f;      // a pixel is text above this probability
  float box_threshold = 0.6f;  // a region is kept when its mean probability is above this
  float unclip_ratio = 1.5f;   // the shrunk region is grown by area * ratio / perimeter
  float min_size = 3;          // shorter side, in map pixels, before growing
  int max_candidates = 1000;
};

// The text regions of a `width` x `height` probability map (row-major):
// pixels above the threshold, as connected contours, each scored by the
// mean probability inside it, grown back by the unclip distance, as the
// smallest rotated rectangle around it. Boxes are clipped to the map and
// ordered top to bottom, then left to right.
std::vector<Quad> FindTextBoxes(std::span<const float> map, int width, int height,
                                const DbOptions& options = {});

}  // namespace ocrchat::ocr::paddle
