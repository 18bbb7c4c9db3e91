// Tests of the ink check, on drawn pages.
#include "ocr/ink.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include "ocr/pix.h"

namespace ocrchat::ocr {
namespace {

constexpr int kMarks = 8, kMarkWidth = 20, kMarkHeight = 30, kPitch = 40;

// Draws kMarks glyph-sized marks in a row from (x, y).
void DrawRow(Pix* page, int x, int y) {
  for (int i = 0; i < kMarks; ++i)
    pixRasterop(page, x + i * kPitch, y, kMarkWidth, kMarkHeight, PIX_CLR, nullptr, 0, 0);
}

// A white page with two rows of marks: one read as a word, one not.
struct Drawn {
  OwnedPix image;
  core::Page page;
  core::Box unread_row;
};

Drawn TwoRows() {
  Drawn drawn{OwnedPix(pixCreate(1000, 600, 8)), {}, {}};
  pixSetAll(drawn.image.get());
  DrawRow(drawn.image.get(), 100, 100);
  DrawRow(drawn.image.get(), 600, 400);
  const int row_width = (kMarks - 1) * kPitch + kMarkWidth;
  core::Block block;
  block.lines.push_back({});
  block.lines[0].words.push_back({"read", {100, 100, 100 + row_width, 100 + kMarkHeight}, 0.9f});
  drawn.page.blocks.push_back(block);
  drawn.unread_row = {600, 400, 600 + row_width, 400 + kMarkHeight};
  return drawn;
}

TEST(InkCheck, CountsTheGlyphsNoWordCovers) {
  Drawn drawn = TwoRows();
  OwnedPix ink = InkMask(drawn.image.get());
  ASSERT_TRUE(ink);
  InkCheck check = CheckInk(ink.get(), drawn.page, 300);
  EXPECT_NEAR(check.coverage, 0.5, 0.02);
  EXPECT_EQ(check.unread_glyphs, kMarks);
  // The unread marks make one run along their line, in full-size pixels.
  Unread unread = UnreadInk(ink.get(), drawn.page);
  std::vector<core::Box> runs = UnreadRuns(UnreadGlyphs(unread, 300), unread.word_height);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_NEAR(runs[0].x0, drawn.unread_row.x0, 2);
  EXPECT_NEAR(runs[0].x1, drawn.unread_row.x1, 2);
  EXPECT_NEAR(runs[0].y0, drawn.unread_row.y0, 2);
}

// Marks inside a region the layout analysis called a picture are its
// strokes (an engraving's hatching), not text it dropped; the ink is still
// ink no word covers.
TEST(InkCheck, MarksInsideAPictureAreNotUnreadGlyphs) {
  Drawn drawn = TwoRows();
  OwnedPix ink = InkMask(drawn.image.get());
  ASSERT_TRUE(ink);
  core::Box picture = {drawn.unread_row.x0 - 30, drawn.unread_row.y0 - 30, drawn.unread_row.x1 + 30,
                       drawn.unread_row.y1 + 30};
  InkCheck check = CheckInk(ink.get(), drawn.page, 300, {picture});
  EXPECT_EQ(check.unread_glyphs, 0);
  EXPECT_NEAR(check.coverage, 0.5, 0.02);
  // A picture elsewhere changes nothing.
  core::Box elsewhere = {0, 500, 300, 600};
  EXPECT_EQ(CheckInk(ink.get(), drawn.page, 300, {elsewhere}).unread_glyphs, kMarks);
}

TEST(InkCheck, ABlankPageMissesNothing) {
  OwnedPix blank(pixCreate(400, 300, 8));
  pixSetAll(blank.get());
  OwnedPix ink = InkMask(blank.get());
  InkCheck check = CheckInk(ink.get(), core::Page{}, 300);
  EXPECT_EQ(check.coverage, 1.0);
  EXPECT_EQ(check.unread_glyphs, 0);
}

}  // namespace
}  // namespace ocrchat::ocr
