// The band of text language=auto looks at before reading a page.
#include "ocr/band.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "ocr/pix.h"

namespace ocrchat::ocr {

std::optional<core::Box> TextBand(const Pix* image, int min_rows, int share) {
  if (!image || pixGetWidth(image) < 1 || pixGetHeight(image) < 1) return std::nullopt;
  Pix* source = const_cast<Pix*>(image);
  OwnedPix gray(pixGetDepth(source) == 1 || pixGetDepth(source) == 8 ? pixClone(source)
                                                                      : pixConvertTo8(source, 0));
  if (!gray) return std::nullopt;
  OwnedPix binary(pixGetDepth(gray.get()) == 1 ? pixClone(gray.get())
                                               : pixThresholdToBinary(gray.get(), 128));
  if (!binary) return std::nullopt;
  const int width = pixGetWidth(binary.get()), height = pixGetHeight(binary.get());
  NUMA* counts = pixCountPixelsByRow(binary.get(), nullptr);
  if (!counts) return std::nullopt;
  std::vector<int> rows(height);
  for (int y = 0; y < height; ++y) numaGetIValue(counts, y, &rows[y]);
  numaDestroy(&counts);
  // Inked: a fifth of what the fuller rows hold (a scan's speckle stays under it).
  std::vector<int> sorted = rows;
  std::nth_element(sorted.begin(), sorted.begin() + height * 4 / 5, sorted.end());
  const int ink = std::max(2, sorted[height * 4 / 5] / 5);
  int top = 0, bottom = height - 1;
  while (top < height && rows[top] < ink) ++top;
  while (bottom > top && rows[bottom] < ink) --bottom;
  if (top >= bottom) return std::nullopt;
  int cut = std::min(bottom, top + std::max(min_rows, share > 0 ? (bottom - top) / share : 0));
  const int window = std::max(10, min_rows / 3);
  int emptiest = cut;
  for (int y = std::max(top + 1, cut - window); y <= std::min(bottom, cut + window); ++y)
    if (rows[y] < rows[emptiest]) emptiest = y;
  return core::Box{0, top, width, emptiest + 1};
}

}  // namespace ocrchat::ocr
