#include "ocr/paddle/db.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ocrchat::ocr::paddle {
namespace {

struct Map {
  int width, height;
  std::vector<float> values;
  Map(int w, int h) : width(w), height(h), values(static_cast<size_t>(w) * h, 0.0f) {}
  void Fill(int x0, int y0, int x1, int y1, float p) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) values[static_cast<size_t>(y) * width + x] = p;
  }
};

TEST(FindTextBoxes, GrowsEachRegionByTheUnclipDistance) {
  Map map(200, 100);
  map.Fill(20, 20, 120, 30, 0.9f);  // a 100 x 10 shrunk text region
  auto boxes = FindTextBoxes(map.values, map.width, map.height);
  ASSERT_EQ(boxes.size(), 1u);
  // distance = area * 1.5 / perimeter for the contour's rectangle (99 x 9
  // between pixel centres): about 6.2 px on every side.
  const Quad& q = boxes[0];
  double d = 99.0 * 9 * 1.5 / (2 * (99.0 + 9));
  EXPECT_NEAR(q.Width(), 99 + 2 * d, 1.5);
  EXPECT_NEAR(q.Height(), 9 + 2 * d, 1.5);
  EXPECT_NEAR(q.corners[0].x, 20 - d, 1.5);
  EXPECT_NEAR(q.corners[0].y, 20 - d, 1.5);
  EXPECT_NEAR(q.score, 0.9f, 0.01f);
}

TEST(FindTextBoxes, DropsFaintTinyRegionsAndOrdersRows) {
  Map map(300, 120);
  map.Fill(150, 10, 250, 22, 0.8f);  // row 1, right
  map.Fill(10, 12, 100, 24, 0.8f);   // row 1, left (a little lower)
  map.Fill(10, 60, 200, 72, 0.8f);   // row 2
  map.Fill(10, 95, 200, 105, 0.45f);  // above the pixel threshold, below the box threshold
  map.Fill(280, 100, 282, 102, 0.9f);  // too small
  auto boxes = FindTextBoxes(map.values, map.width, map.height);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_LT(boxes[0].corners[0].x, 20);   // row 1, left
  EXPECT_GT(boxes[1].corners[0].x, 130);  // row 1, right
  EXPECT_GT(boxes[2].corners[0].y, 40);   // row 2
}

TEST(FindTextBoxes, FindsTheAngleOfATurnedLine) {
  Map map(200, 200);
  // A line turned by about 20 degrees.
  for (int i = 0; i < 120; ++i)
    for (int j = 0; j < 10; ++j) {
      double a = 20 * M_PI / 180;
      int x = static_cast<int>(40 + i * std::cos(a) - j * std::sin(a));
      int y = static_cast<int>(40 + i * std::sin(a) + j * std::cos(a));
      map.Fill(x, y, x + 2, y + 2, 0.9f);
    }
  auto boxes = FindTextBoxes(map.values, map.width, map.height);
  ASSERT_EQ(boxes.size(), 1u);
  const Quad& q = boxes[0];
  double angle = std::atan2(q.corners[1].y - q.corners[0].y, q.corners[1].x - q.corners[0].x);
  EXPECT_NEAR(angle * 180 / M_PI, 20, 3);
  EXPECT_GT(q.Width(), 3 * q.Height());
}

TEST(FindTextBoxes, EmptyOrShortMapsGiveNothing) {
  Map map(50, 50);
  EXPECT_TRUE(FindTextBoxes(map.values, 50, 50).empty());
  EXPECT_TRUE(FindTextBoxes(map.values, 60, 50).empty());
  EXPECT_TRUE(FindTextBoxes({}, 0, 0).empty());
}

}  // namespace
}  // namespace ocrchat::ocr::paddle
