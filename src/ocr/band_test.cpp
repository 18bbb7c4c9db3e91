// Tests of the band language=auto looks at, on drawn pages.
#include "ocr/band.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <memory>

#include "ocr/pix.h"

namespace ocrchat::ocr {
namespace {

constexpr int kTop = 200, kLineHeight = 30, kPitch = 70, kLines = 20;

// A white page with kLines "lines of print" (dark bars broken into words)
// from kTop, and speckle: one pixel in `speckle` set black at random.
OwnedPix Page(int speckle) {
  OwnedPix pix(pixCreate(1700, 2200, 8));
  pixSetAll(pix.get());
  for (int l = 0; l < kLines; ++l)
    for (int x = 150; x < 1500; x += 90)
      pixRasterop(pix.get(), x, kTop + l * kPitch, 70, kLineHeight, PIX_CLR, nullptr, 0, 0);
  unsigned seed = 7;
  if (speckle > 0)
    for (int i = 0; i < 1700 * 2200 / speckle; ++i) {
      seed = seed * 1103515245u + 12345u;
      int x = static_cast<int>((seed >> 8) % 1700);
      seed = seed * 1103515245u + 12345u;
      int y = static_cast<int>((seed >> 8) % 2200);
      pixSetPixel(pix.get(), x, y, 0);
    }
  return pix;
}

void ExpectBandOfFirstLines(const Pix* page) {
  std::optional<RowInk> ink = InkOfRows(page);
  ASSERT_TRUE(ink.has_value());
  core::Box band = TextBand(*ink);
  EXPECT_EQ(band.y0, kTop);
  EXPECT_EQ(band.Width(), 1700);
  // A sixth of the text (20 lines: about three), ending between two lines.
  const int text = (kLines - 1) * kPitch + kLineHeight;
  EXPECT_GE(band.Height(), text / 6 - kPitch);
  EXPECT_LE(band.Height(), text / 6 + kPitch);
  EXPECT_GE((band.y1 - 1 - kTop) % kPitch, kLineHeight) << band.y1;
}

TEST(TextBand, FirstLinesCutBetweenTwoLines) { ExpectBandOfFirstLines(Page(0).get()); }

TEST(TextBand, SpeckleIsNotInk) { ExpectBandOfFirstLines(Page(80).get()); }

TEST(TextBand, RowsAloneGiveTheFirstTwoLines) {
  OwnedPix page = Page(0);
  std::optional<RowInk> ink = InkOfRows(page.get());
  ASSERT_TRUE(ink.has_value());
  core::Box band = TextBand(*ink, 120, 0);
  EXPECT_EQ(band.y0, kTop);
  // 120 rows: the first two lines (pitch 70), cut in the gap after them.
  EXPECT_GT(band.y1, kTop + kPitch + kLineHeight);
  EXPECT_LE(band.y1, kTop + 2 * kPitch);
}

TEST(TextBand, BlankPageHasNone) {
  OwnedPix blank(pixCreate(800, 600, 8));
  pixSetAll(blank.get());
  EXPECT_FALSE(InkOfRows(blank.get()).has_value());
  EXPECT_FALSE(InkOfRows(nullptr).has_value());
}

}  // namespace
}  // namespace ocrchat::ocr
