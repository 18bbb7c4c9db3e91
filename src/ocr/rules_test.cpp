// Tests of ruling-line detection on drawn images.
#include "ocr/rules.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <chrono>
#include <memory>

#include "ocr/pix.h"

namespace ocrchat::ocr {
namespace {

// A white 8-bit letter page at 300 dpi.
OwnedPix BlankPage() {
  OwnedPix pix(pixCreate(2550, 3300, 8));
  pixSetAll(pix.get());
  pixSetResolution(pix.get(), 300, 300);
  return pix;
}

void Fill(Pix* pix, int x, int y, int w, int h) {
  pixRasterop(pix, x, y, w, h, PIX_CLR, nullptr, 0, 0);
}

int Count(const std::vector<core::Box>& boxes, bool horizontal) {
  int n = 0;
  for (const core::Box& b : boxes) n += (b.Width() > b.Height()) == horizontal;
  return n;
}

TEST(FindRules, FindsTheLinesOfAGrid) {
  OwnedPix page = BlankPage();
  for (int i = 0; i < 5; ++i) Fill(page.get(), 300, 500 + 100 * i, 1500, 2);  // one-pixel-ish
  for (int i = 0; i < 4; ++i) Fill(page.get(), 300 + 500 * i, 500, 3, 400);
  std::vector<core::Box> rules = FindRules(page.get());
  EXPECT_EQ(Count(rules, true), 5);
  EXPECT_EQ(Count(rules, false), 4);
  for (const core::Box& b : rules) {
    if (b.Width() > b.Height()) {
      EXPECT_NEAR(b.x0, 300, 2);
      EXPECT_NEAR(b.x1, 1801, 3);  // may take in the last vertical line
      EXPECT_LE(b.Height(), 4);
    }
  }
}

TEST(FindRules, IgnoresFilledAreasAndShortMarks) {
  OwnedPix page = BlankPage();
  Fill(page.get(), 400, 400, 800, 600);  // a photo
  for (int i = 0; i < 40; ++i) Fill(page.get(), 300 + 40 * i, 1500, 25, 30);  // letters
  EXPECT_TRUE(FindRules(page.get()).empty());
}

TEST(FindRules, NullOrTinyImageGivesNothing) {
  EXPECT_TRUE(FindRules(nullptr).empty());
  OwnedPix tiny(pixCreate(4, 4, 8));
  EXPECT_TRUE(FindRules(tiny.get()).empty());
}

// Prints the time a full page takes (no threshold: tests do not depend on
// the machine's speed).
TEST(FindRules, FullPageWithThirtyRules) {
  OwnedPix page = BlankPage();
  for (int i = 0; i < 30; ++i) Fill(page.get(), 300, 300 + 90 * i, 1900, 3);
  auto start = std::chrono::steady_clock::now();
  std::vector<core::Box> rules = FindRules(page.get());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rules.size(), 30u);
  RecordProperty("find_rules_ms", static_cast<int>(ms));
  std::printf("FindRules on a 2550x3300 page: %lld ms\n", static_cast<long long>(ms));
}

}  // namespace
}  // namespace ocrchat::ocr
