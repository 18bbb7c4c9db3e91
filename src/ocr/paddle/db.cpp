// DB post-processing with OpenCV's contours and minimum-area rectangles.
// The unclip step grows the region's minimum-area rectangle by the DB
// paper's distance on every side: offsetting a rectangle outwards and
// taking the minimum-area rectangle again gives exactly that.
#include "ocr/paddle/db.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ocrchat::ocr::paddle {
namespace {

float Distance(const Point& a, const Point& b) { return std::hypot(a.x - b.x, a.y - b.y); }

// The rectangle's corners clockwise from the top left.
std::array<Point, 4> Corners(const cv::RotatedRect& rect) {
  cv::Point2f p[4];
  rect.points(p);
  std::sort(p, p + 4, [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  // The two leftmost make the left edge; the two rightmost the right one.
  cv::Point2f tl = p[0].y <= p[1].y ? p[0] : p[1], bl = p[0].y <= p[1].y ? p[1] : p[0];
  cv::Point2f tr = p[2].y <= p[3].y ? p[2] : p[3], br = p[2].y <= p[3].y ? p[3] : p[2];
  return {Point{tl.x, tl.y}, Point{tr.x, tr.y}, Point{br.x, br.y}, Point{bl.x, bl.y}};
}

// Mean probability inside the contour.
float RegionScore(const cv::Mat& map, const std::vector<cv::Point>& contour) {
  cv::Rect bounds = cv::boundingRect(contour) & cv::Rect(0, 0, map.cols, map.rows);
  if (bounds.empty()) return 0;
  cv::Mat mask = cv::Mat::zeros(bounds.size(), CV_8U);
  std::vector<std::vector<cv::Point>> shifted(1);
  for (const cv::Point& p : contour) shifted[0].push_back(p - bounds.tl());
  cv::fillPoly(mask, shifted, cv::Scalar(1));
  return static_cast<float>(cv::mean(map(bounds), mask)[0]);
}

}  // namespace

float Quad::Width() const { return Distance(corners[0], corners[1]); }
float Quad::Height() const { return Distance(corners[0], corners[3]); }

std::vector<Quad> FindTextBoxes(std::span<const float> probabilities, int width, int height,
                                const DbOptions& options) {
  std::vector<Quad> out;
  if (width <= 0 || height <= 0 || probabilities.size() < static_cast<size_t>(width) * height)
    return out;
  cv::Mat map(height, width, CV_32F, const_cast<float*>(probabilities.data()));
  cv::Mat binary = map > options.threshold;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(binary, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  if (static_cast<int>(contours.size()) > options.max_candidates)
    contours.resize(static_cast<size_t>(options.max_candidates));
  for (const std::vector<cv::Point>& contour : contours) {
    if (contour.size() < 3) continue;
    cv::RotatedRect rect = cv::minAreaRect(contour);
    if (std::min(rect.size.width, rect.size.height) < options.min_size) continue;
    float score = RegionScore(map, contour);
    if (score < options.box_threshold) continue;
    double area = static_cast<double>(rect.size.width) * rect.size.height;
    double perimeter = 2.0 * (rect.size.width + rect.size.height);
    float grow = static_cast<float>(area * options.unclip_ratio / perimeter);
    cv::RotatedRect grown(rect.center, {rect.size.width + 2 * grow, rect.size.height + 2 * grow},
                          rect.angle);
    if (std::min(grown.size.width, grown.size.height) < options.min_size + 2) continue;
    Quad quad{Corners(grown), score};
    for (Point& p : quad.corners) {
      p.x = std::clamp(p.x, 0.0f, static_cast<float>(width));
      p.y = std::clamp(p.y, 0.0f, static_cast<float>(height));
    }
    out.push_back(quad);
  }
  // Top to bottom; boxes whose tops are within half a line are one row,
  // read left to right.
  std::sort(out.begin(), out.end(), [](const Quad& a, const Quad& b) {
    return a.corners[0].y < b.corners[0].y;
  });
  for (size_t i = 1; i < out.size(); ++i)
    for (size_t j = i; j > 0; --j) {
      const Quad& a = out[j - 1];
      const Quad& b = out[j];
      float row = std::max(4.0f, std::min(a.Height(), b.Height()) / 2);
      if (std::fabs(a.corners[0].y - b.corners[0].y) < row && b.corners[0].x < a.corners[0].x)
        std::swap(out[j - 1], out[j]);
      else
        break;
    }
  return out;
}

}  // namespace ocrchat::ocr::paddle
