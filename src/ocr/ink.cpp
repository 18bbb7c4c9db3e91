// The ink of a page against a reading of it.
#include "ocr/ink.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace ocrchat::ocr {
namespace {

// The size range of a glyph on the half-size mask: from the words' median
// height, or 8-24 pt at the page's resolution.
std::pair<int, int> GlyphHeights(int word_height, int dpi) {
  if (word_height > 0) {
    int low = std::max(3, word_height * 3 / 10);
    return {low, std::max(low + 2, word_height * 3 / 2)};
  }
  int low = std::max(3, dpi / 36);
  return {low, std::max(low + 2, dpi / 6)};
}

}  // namespace

OwnedPix InkMask(const Pix* image) {
  OwnedPix gray(pixConvertTo8(const_cast<Pix*>(image), 0));
  if (!gray) return nullptr;
  OwnedPix binary(pixThresholdToBinary(gray.get(), 128));
  if (!binary) return nullptr;
  return OwnedPix(pixReduceRankBinaryCascade(binary.get(), 1, 0, 0, 0));
}

Unread UnreadInk(const Pix* ink, const core::Page& page) {
  Unread unread{OwnedPix(pixCopy(nullptr, const_cast<Pix*>(ink))), 0};
  std::vector<int> heights;
  for (const core::Block& block : page.blocks)
    for (const core::Line& line : block.lines)
      for (const core::Word& word : line.words) {
        const core::Box& b = word.bbox;
        heights.push_back(b.Height());
        int pad = std::max(2, b.Height() / 4);
        Box* box = boxCreate(b.x0 / 2 - pad / 2, b.y0 / 2 - pad / 2, b.Width() / 2 + pad,
                             b.Height() / 2 + pad);
        pixClearInRect(unread.rest.get(), box);
        boxDestroy(&box);
      }
  if (!heights.empty()) {
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    unread.word_height = heights[heights.size() / 2] / 2;
  }
  return unread;
}

std::vector<core::Box> UnreadGlyphs(const Unread& unread, int dpi) {
  std::vector<core::Box> glyphs;
  auto [low, high] = GlyphHeights(unread.word_height, dpi);
  BOXA* marks = pixConnCompBB(unread.rest.get(), 8);
  if (!marks) return glyphs;
  int n = boxaGetCount(marks);
  for (int i = 0; i < n; ++i) {
    l_int32 x, y, w, h;
    if (boxaGetBoxGeometry(marks, i, &x, &y, &w, &h) == 0 && h >= low && h <= high && w <= 3 * high)
      glyphs.push_back({x, y, x + w, y + h});
  }
  boxaDestroy(&marks);
  return glyphs;
}

InkCheck CheckInk(const Pix* ink, const core::Page& page, int dpi,
                  const std::vector<core::Box>& pictures) {
  InkCheck check;
  if (!ink) return check;
  l_int32 total = 0;
  pixCountPixels(const_cast<Pix*>(ink), &total, nullptr);
  if (total < 200) return check;  // a blank page: nothing to miss
  Unread unread = UnreadInk(ink, page);
  l_int32 left = 0;
  pixCountPixels(unread.rest.get(), &left, nullptr);
  check.coverage = 1.0 - static_cast<double>(left) / total;
  if (check.coverage > 0.9) return check;
  for (const core::Box& glyph : UnreadGlyphs(unread, dpi)) {
    const int x = glyph.x0 + glyph.x1, y = glyph.y0 + glyph.y1;  // the centre, at full size
    check.unread_glyphs += std::none_of(pictures.begin(), pictures.end(), [&](const core::Box& p) {
      return x >= p.x0 && x < p.x1 && y >= p.y0 && y < p.y1;
    });
  }
  return check;
}

std::vector<core::Box> UnreadRuns(std::vector<core::Box> glyphs, int word_height) {
  std::vector<core::Box> runs;
  if (glyphs.size() > 1500) return runs;
  std::sort(glyphs.begin(), glyphs.end(),
            [](const core::Box& a, const core::Box& b) { return a.x0 < b.x0; });
  std::vector<int> counts;
  for (const core::Box& glyph : glyphs) {
    size_t i = 0;
    for (; i < runs.size(); ++i) {
      const core::Box& run = runs[i];
      int overlap = std::min(run.y1, glyph.y1) - std::max(run.y0, glyph.y0);
      int reach = 2 * std::max(word_height, glyph.Height());
      if (overlap * 2 >= glyph.Height() && glyph.x0 - run.x1 <= reach) break;
    }
    if (i == runs.size()) {
      runs.push_back(glyph);
      counts.push_back(1);
    } else {
      runs[i] = runs[i].Union(glyph);
      ++counts[i];
    }
  }
  std::vector<core::Box> out;
  for (size_t i = 0; i < runs.size(); ++i)
    if (counts[i] >= 2 && (word_height == 0 || runs[i].Height() <= 3 * word_height))
      out.push_back({runs[i].x0 * 2, runs[i].y0 * 2, runs[i].x1 * 2, runs[i].y1 * 2});
  return out;
}

}  // namespace ocrchat::ocr
