// Ruling lines by morphological opening with long thin structuring elements.
#include "ocr/rules.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <memory>

#include "ocr/pix.h"

namespace ocrchat::ocr {
namespace {

struct BoxaFree {
  void operator()(Boxa* boxa) const { boxaDestroy(&boxa); }
};
using OwnedBoxa = std::unique_ptr<Boxa, BoxaFree>;

// Thin boxes of the components that survive an opening of `binary` with a
// `hsize` x `vsize` brick, scaled back to full size.
void Segments(Pix* binary, int hsize, int vsize, int max_thickness, bool horizontal,
              std::vector<core::Box>& out) {
  // No closing first: at half resolution it would join the letters of bold
  // text (and the left edges of stacked lines) into false rules.
  OwnedPix opened(pixOpenBrick(nullptr, binary, hsize, vsize));
  if (!opened) return;
  OwnedBoxa boxes(pixConnComp(opened.get(), nullptr, 8));
  if (!boxes) return;
  const int n = boxaGetCount(boxes.get());
  for (int i = 0; i < n; ++i) {
    l_int32 x = 0, y = 0, w = 0, h = 0;
    if (boxaGetBoxGeometry(boxes.get(), i, &x, &y, &w, &h) != 0) continue;
    int thickness = horizontal ? h : w;
    if (thickness > max_thickness) continue;
    out.push_back({2 * x, 2 * y, 2 * (x + w), 2 * (y + h)});
  }
}

}  // namespace

std::vector<core::Box> FindRules(const Pix* image) {
  std::vector<core::Box> rules;
  if (!image || pixGetWidth(image) < 16 || pixGetHeight(image) < 16) return rules;
  Pix* source = const_cast<Pix*>(image);  // Leptonica's API is not const-correct
  OwnedPix gray(pixConvertTo8(source, 0));
  if (!gray) return rules;
  // Binarised at full size, then halved keeping a pixel black when two of
  // its four are: one-pixel lines survive, letters do not run together.
  OwnedPix full(pixThresholdToBinary(gray.get(), 180));
  if (!full) return rules;
  OwnedPix binary(pixReduceRankBinary2(full.get(), 2, nullptr));
  if (!binary) return rules;

  const int width = pixGetWidth(binary.get());
  const int height = pixGetHeight(binary.get());
  int dpi = pixGetXRes(source);
  if (dpi < 50 || dpi > 1200) dpi = 300;
  const int half_dpi = std::max(25, dpi / 2);
  // A fifth of an inch is longer than any run of ink inside text.
  const int length = std::max({12, half_dpi / 5, std::min(width, height) / 25});
  const int max_thickness = std::max(2, half_dpi / 25);
  Segments(binary.get(), length, 1, max_thickness, true, rules);
  Segments(binary.get(), 1, length, max_thickness, false, rules);
  return rules;
}

}  // namespace ocrchat::ocr
