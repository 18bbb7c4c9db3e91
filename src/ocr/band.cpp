// The band of text language=auto looks at before reading a page.
#include "ocr/band.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <memory>

#include "ocr/pix.h"

namespace ocrchat::ocr {

std::optional<RowInk> InkOfRows(const Pix* image) {
  if (!image || pixGetWidth(image) < 1 || pixGetHeight(image) < 1) return std::nullopt;
  Pix* source = const_cast<Pix*>(image);
  OwnedPix gray(pixGetDepth(source) == 1 || pixGetDepth(source) == 8 ? pixClone(source)
                                                                      : pixConvertTo8(source, 0));
  if (!gray) return std::nullopt;
  OwnedPix binary(pixGetDepth(gray.get()) == 1 ? pixClone(gray.get())
                                               : pixThresholdToBinary(gray.get(), 128));
  if (!binary) return std::nullopt;
  const int height = pixGetHeight(binary.get());
  NUMA* counts = pixCountPixelsByRow(binary.get(), nullptr);
  if (!counts) return std::nullopt;
  RowInk out;
  out.width = pixGetWidth(binary.get());
  out.rows.resize(height);
  for (int y = 0; y < height; ++y) numaGetIValue(counts, y, &out.rows[y]);
  numaDestroy(&counts);
  // Inked: a fifth of what the fuller rows hold (a scan's speckle stays under it).
  std::vector<int> sorted = out.rows;
  std::nth_element(sorted.begin(), sorted.begin() + height * 4 / 5, sorted.end());
  const int ink = std::max(2, sorted[height * 4 / 5] / 5);
  out.top = 0;
  out.bottom = height - 1;
  while (out.top < height && out.rows[out.top] < ink) ++out.top;
  while (out.bottom > out.top && out.rows[out.bottom] < ink) --out.bottom;
  if (out.top >= out.bottom) return std::nullopt;
  return out;
}

core::Box TextBand(const RowInk& ink, int min_rows, int share) {
  const int top = ink.top, bottom = ink.bottom;
  int cut = std::min(bottom, top + std::max(min_rows, share > 0 ? (bottom - top) / share : 0));
  const int window = std::max(10, min_rows / 3);
  int emptiest = cut;
  for (int y = std::max(top + 1, cut - window); y <= std::min(bottom, cut + window); ++y)
    if (ink.rows[y] < ink.rows[emptiest]) emptiest = y;
  return core::Box{0, top, ink.width, emptiest + 1};
}

}  // namespace ocrchat::ocr
