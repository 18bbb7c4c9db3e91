// PP-OCRv4 through OpenCV's DNN: the detector's map turned into boxes
// (db.cpp), each box cropped upright and read by the recognizer at a fixed
// height, its output decoded greedily (ctc.cpp).
#include <leptonica/allheaders.h>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <sstream>

#include "core/text.h"
#include "ocr/paddle/ctc.h"
#include "ocr/paddle/paddle.h"

#ifndef OCRCHAT_PADDLE_MODELS
#define OCRCHAT_PADDLE_MODELS ""
#endif

namespace ocrchat::ocr::paddle {
namespace {

using core::ErrorCode;
namespace fs = std::filesystem;

constexpr int kRecHeight = 48;
constexpr int kDetLongestSide = 960;  // the detector's input, as PaddleOCR sizes it
constexpr int kDetNetsKept = 3;       // detector input sizes kept loaded

bool ReadBytes(const fs::path& path, std::vector<uchar>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !out.empty();
}

// The widths of the recognizer files rec_<width>.onnx in `dir`, ascending.
std::vector<int> RecognizerWidths(const fs::path& dir) {
  std::vector<int> widths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("rec_") || !name.ends_with(".onnx")) continue;
    try {
      widths.push_back(std::stoi(name.substr(4, name.size() - 9)));
    } catch (const std::exception&) {
    }
  }
  std::sort(widths.begin(), widths.end());
  return widths;
}

// Any Leptonica image as 8-bit BGR.
cv::Mat ToBgr(const Pix* image) {
  Pix* rgb = pixConvertTo32(const_cast<Pix*>(image));
  if (!rgb) return {};
  cv::Mat rgba(pixGetHeight(rgb), pixGetWidth(rgb), CV_8UC4, pixGetData(rgb),
               static_cast<size_t>(pixGetWpl(rgb)) * 4);
  cv::Mat bgr(rgba.size(), CV_8UC3);
  // A Leptonica word is 0xRRGGBBAA: on a little-endian machine its bytes
  // are A, B, G, R.
  const int from_to[] = {1, 0, 2, 1, 3, 2};
  cv::mixChannels(&rgba, 1, &bgr, 1, from_to, 3);
  pixDestroy(&rgb);
  return bgr;
}

core::Box BoundsOf(const std::array<Point, 4>& corners) {
  float x0 = corners[0].x, y0 = corners[0].y, x1 = x0, y1 = y0;
  for (const Point& p : corners) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  return {static_cast<int>(std::floor(x0)), static_cast<int>(std::floor(y0)),
          static_cast<int>(std::ceil(x1)), static_cast<int>(std::ceil(y1))};
}

core::Box Clip(const core::Box& box, int width, int height) {
  return {std::clamp(box.x0, 0, width), std::clamp(box.y0, 0, height), std::clamp(box.x1, 0, width),
          std::clamp(box.y1, 0, height)};
}

Point Lerp(const Point& a, const Point& b, float t) {
  return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
}

// The quad grown by a sixth of its height above and below and a third at
// either end, along its own axes, inside the image.
std::array<Point, 4> WithMargin(const Quad& quad, int width, int height) {
  const auto& c = quad.corners;
  float w = std::max(1.0f, quad.Width()), h = std::max(1.0f, quad.Height());
  float side = std::min(w, h);  // a vertical column's "height" is its width
  Point u{(c[1].x - c[0].x) / w, (c[1].y - c[0].y) / w};  // along the text
  Point v{(c[3].x - c[0].x) / h, (c[3].y - c[0].y) / h};  // across it
  float along = side / 3, across = side / 6;
  auto at = [&](const Point& p, float du, float dv) {
    return Point{std::clamp(p.x + u.x * du + v.x * dv, 0.0f, static_cast<float>(width)),
                 std::clamp(p.y + u.y * du + v.y * dv, 0.0f, static_cast<float>(height))};
  };
  return {at(c[0], -along, -across), at(c[1], along, -across), at(c[2], along, across),
          at(c[3], -along, across)};
}

bool HasHan(const std::string& text) {
  for (char32_t c : core::DecodeUtf8(text))
    if ((c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF)) return true;
  return false;
}

// For each decoded character, the widest run of blank columns between it
// and the one before, as a share of the line image's height: where the
// spaces the model did not read are. `line` is the recognizer's input
// before padding; a time step covers `step_px` of its columns.
std::vector<float> BlankGaps(const cv::Mat& line, const std::vector<DecodedChar>& chars,
                             float step_px) {
  std::vector<float> gaps(chars.size(), 0.0f);
  if (chars.size() < 2) return gaps;
  cv::Mat gray, ink;
  cv::cvtColor(line, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, ink, 0, 1, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  if (static_cast<size_t>(cv::countNonZero(ink)) * 2 > ink.total()) ink = 1 - ink;  // light on dark
  cv::Mat columns;
  cv::reduce(ink, columns, 0, cv::REDUCE_SUM, CV_32S);
  auto column_of = [&](const DecodedChar& c) {
    int x = static_cast<int>((c.first_step + c.last_step + 1) * step_px / 2);
    return std::clamp(x, 0, line.cols - 1);
  };
  for (size_t i = 1; i < chars.size(); ++i) {
    int run = 0, widest = 0;
    for (int x = column_of(chars[i - 1]); x <= column_of(chars[i]); ++x) {
      run = columns.at<int>(0, x) < 2 ? run + 1 : 0;  // a speck is no ink
      widest = std::max(widest, run);
    }
    gaps[i] = static_cast<float>(widest) / line.rows;
  }
  return gaps;
}

// One recognizer pass over an upright crop: its words, with their extents
// as fractions of the crop's width.
struct CropReading {
  struct Piece {
    std::string text;
    float from = 0, to = 0;  // 0..1 of the crop's width
    float confidence = 0;
  };
  std::vector<Piece> words;
  float confidence = 0;
  int characters = 0;
};

}  // namespace

struct PaddleEngine::Nets {
  fs::path dir;
  std::vector<uchar> det_model;
  std::list<std::pair<cv::Size, cv::dnn::Net>> det;  // most recently used first
  std::vector<int> rec_widths;
  std::map<int, cv::dnn::Net> rec;
  std::vector<std::string> keys;

  cv::dnn::Net& Detector(cv::Size size) {
    for (auto it = det.begin(); it != det.end(); ++it)
      if (it->first == size) {
        det.splice(det.begin(), det, it);
        return det.front().second;
      }
    det.emplace_front(size, cv::dnn::readNetFromONNX(det_model));
    while (static_cast<int>(det.size()) > kDetNetsKept) det.pop_back();
    return det.front().second;
  }

  cv::dnn::Net& Recognizer(int width) {
    auto it = rec.find(width);
    if (it != rec.end()) return it->second;
    fs::path file = dir / ("rec_" + std::to_string(width) + ".onnx");
    return rec.emplace(width, cv::dnn::readNetFromONNX(file.string())).first->second;
  }

  CropReading Read(const cv::Mat& crop) {
    CropReading out;
    if (crop.empty() || crop.cols < 2 || crop.rows < 2 || rec_widths.empty()) return out;
    int wanted = static_cast<int>(std::ceil(static_cast<double>(kRecHeight) * crop.cols / crop.rows));
    wanted = std::max(wanted, 8);
    auto bucket = std::lower_bound(rec_widths.begin(), rec_widths.end(), wanted);
    int net_width = bucket == rec_widths.end() ? rec_widths.back() : *bucket;
    int content = std::min(wanted, net_width);  // wider lines are squeezed into the widest net
    cv::Mat resized, scaled;
    cv::resize(crop, resized, {content, kRecHeight}, 0, 0, cv::INTER_LINEAR);
    resized.convertTo(scaled, CV_32FC3, 1 / 127.5, -1.0);
    cv::Mat canvas = cv::Mat::zeros(kRecHeight, net_width, CV_32FC3);
    scaled.copyTo(canvas(cv::Rect(0, 0, content, kRecHeight)));
    cv::Mat blob = cv::dnn::blobFromImage(canvas);
    cv::dnn::Net& net = Recognizer(net_width);
    net.setInput(blob);
    cv::Mat output = net.forward();
    if (output.dims != 3) return out;
    const int steps = output.size[1], classes = output.size[2];
    std::vector<DecodedChar> chars = DecodeGreedy(
        std::span<const float>(output.ptr<float>(), static_cast<size_t>(steps) * classes), steps,
        classes);
    const float step_share = static_cast<float>(net_width) / steps / content;
    std::vector<float> gaps = BlankGaps(resized, chars, static_cast<float>(net_width) / steps);
    float sum = 0;
    for (const DecodedWord& word : ToWords(chars, keys, gaps)) {
      out.words.push_back({word.text, std::clamp(word.first_step * step_share, 0.0f, 1.0f),
                           std::clamp((word.last_step + 1) * step_share, 0.0f, 1.0f),
                           word.confidence});
    }
    for (const DecodedChar& c : chars) {
      if (static_cast<size_t>(c.label - 1) >= keys.size()) continue;  // the space
      sum += c.probability;
      ++out.characters;
    }
    out.confidence = out.characters > 0 ? sum / out.characters : 0;
    return out;
  }
};

std::string DefaultModelDir() {
  std::error_code ec;
  fs::path binary = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = binary.parent_path().parent_path() / OCRCHAT_INSTALLED_MODELS;
    if (fs::is_regular_file(installed / "det.onnx", ec)) return installed.string();
  }
  return OCRCHAT_PADDLE_MODELS;
}

core::Status CheckModels(const std::string& dir) {
  const std::string advice =
      " (scripts/setup.sh installs the models and the build converts them; or give another "
      "folder with --paddle-models, or turn the second recognizer off with --second-reader off)";
  if (dir.empty())
    return core::Fail(ErrorCode::kUnavailable, "no folder of PP-OCR models is set" + advice);
  for (const char* file : {"det.onnx", "keys.txt"})
    if (!fs::is_regular_file(fs::path(dir) / file))
      return core::Fail(ErrorCode::kUnavailable,
                        "the PP-OCR model " + (fs::path(dir) / file).string() + " is missing" + advice);
  if (RecognizerWidths(dir).empty())
    return core::Fail(ErrorCode::kUnavailable,
                      "the PP-OCR recognizer (rec_<width>.onnx) is missing from " + dir + advice);
  return {};
}

core::Result<std::unique_ptr<PaddleEngine>> PaddleEngine::Open(const std::string& dir, bool load_now) {
  if (auto ok = CheckModels(dir); !ok) return std::unexpected(ok.error());
  auto nets = std::make_unique<Nets>();
  nets->dir = dir;
  nets->rec_widths = RecognizerWidths(dir);
  if (!ReadBytes(nets->dir / "det.onnx", nets->det_model))
    return core::Fail(ErrorCode::kUnavailable, "the PP-OCR detector in " + dir + " cannot be read");
  std::ifstream keys(nets->dir / "keys.txt");
  for (std::string line; std::getline(keys, line);) nets->keys.push_back(line);
  if (nets->keys.empty())
    return core::Fail(ErrorCode::kUnavailable, "the PP-OCR key list in " + dir + " is empty");
  // One thread per page, as Tesseract runs: workers are one per core.
  cv::setNumThreads(1);
  // A model that does not load is found now, not on the first page.
  if (load_now) {
    try {
      nets->Detector({kDetLongestSide, kDetLongestSide});
      nets->Recognizer(nets->rec_widths.front());
    } catch (const cv::Exception& e) {
      return core::Fail(ErrorCode::kUnavailable,
                        "the PP-OCR models in " + dir + " could not be loaded: " + e.what());
    }
  }
  return std::unique_ptr<PaddleEngine>(new PaddleEngine(std::move(nets)));
}

PaddleEngine::PaddleEngine(std::unique_ptr<Nets> nets) : nets_(std::move(nets)) {}
PaddleEngine::~PaddleEngine() = default;

core::Result<LineReading> PaddleEngine::ReadLine(const Pix* image, const core::Box& box) {
  if (!image) return core::Fail(ErrorCode::kCorrupt, "the page image is empty");
  const int width = pixGetWidth(image), height = pixGetHeight(image);
  // A little of the page around Tesseract's tight line box, as the
  // recognizer was trained on.
  const int pad_y = std::max(2, box.Height() / 6), pad_x = std::max(2, box.Height() / 3);
  core::Box crop{std::max(0, box.x0 - pad_x), std::max(0, box.y0 - pad_y),
                 std::min(width, box.x1 + pad_x), std::min(height, box.y1 + pad_y)};
  LineReading out;
  if (crop.Width() < 4 || crop.Height() < 4) return out;
  try {
    Box* clip = boxCreate(crop.x0, crop.y0, crop.Width(), crop.Height());
    Pix* part = pixClipRectangle(const_cast<Pix*>(image), clip, nullptr);
    boxDestroy(&clip);
    if (!part) return core::Fail(ErrorCode::kInternal, "could not crop the line");
    cv::Mat bgr = ToBgr(part);
    pixDestroy(&part);
    CropReading reading = nets_->Read(bgr);
    for (const CropReading::Piece& piece : reading.words) {
      int x0 = crop.x0 + static_cast<int>(std::lround(piece.from * crop.Width()));
      int x1 = crop.x0 + static_cast<int>(std::lround(piece.to * crop.Width()));
      out.words.push_back({piece.text,
                           {std::clamp(x0, box.x0, box.x1), box.y0,
                            std::clamp(std::max(x1, x0 + 1), box.x0, box.x1), box.y1},
                           piece.confidence});
    }
    out.confidence = reading.confidence;
    out.characters = reading.characters;
  } catch (const cv::Exception& e) {
    return core::Fail(ErrorCode::kInternal, std::string("PP-OCR could not read the line: ") + e.what());
  }
  return out;
}

core::Result<std::vector<Quad>> PaddleEngine::DetectLines(const Pix* image) {
  if (!image || pixGetWidth(image) < 3 || pixGetHeight(image) < 3)
    return core::Fail(ErrorCode::kCorrupt, "the page image is empty");
  try {
    cv::Mat bgr = ToBgr(image);
    if (bgr.empty()) return core::Fail(ErrorCode::kInternal, "could not convert the page image");
    double ratio = std::min(1.0, static_cast<double>(kDetLongestSide) / std::max(bgr.cols, bgr.rows));
    auto round32 = [](double v) { return std::max(32, static_cast<int>(std::lround(v / 32)) * 32); };
    cv::Size size(round32(bgr.cols * ratio), round32(bgr.rows * ratio));
    cv::Mat resized, scaled;
    cv::resize(bgr, resized, size);
    resized.convertTo(scaled, CV_32FC3, 1 / 255.0);
    // PaddleOCR's normalisation, applied to the channels in B, G, R order.
    cv::subtract(scaled, cv::Scalar(0.485, 0.456, 0.406), scaled);
    cv::divide(scaled, cv::Scalar(0.229, 0.224, 0.225), scaled);
    cv::dnn::Net& net = nets_->Detector(size);
    net.setInput(cv::dnn::blobFromImage(scaled));
    cv::Mat map = net.forward();
    if (map.dims != 4 || map.size[2] != size.height || map.size[3] != size.width)
      return core::Fail(ErrorCode::kInternal, "the PP-OCR detector gave an unexpected output");
    std::vector<Quad> quads = FindTextBoxes(
        std::span<const float>(map.ptr<float>(), static_cast<size_t>(size.area())), size.width,
        size.height);
    const float sx = static_cast<float>(bgr.cols) / size.width;
    const float sy = static_cast<float>(bgr.rows) / size.height;
    for (Quad& quad : quads)
      for (Point& p : quad.corners) {
        p.x *= sx;
        p.y *= sy;
      }
    return quads;
  } catch (const cv::Exception& e) {
    return core::Fail(ErrorCode::kInternal, std::string("PP-OCR detection failed: ") + e.what());
  }
}

core::Result<core::Page> PaddleEngine::Recognize(const Pix* image, const RecognizeOptions& options) {
  auto quads = DetectLines(image);
  if (!quads) return std::unexpected(quads.error());
  core::Page page;
  page.width = pixGetWidth(image);
  page.height = pixGetHeight(image);
  page.dpi = options.dpi;
  core::Block block;
  try {
    cv::Mat bgr = ToBgr(image);
    for (const Quad& quad : *quads) {
      if (std::chrono::steady_clock::now() > options.deadline)
        return core::Fail(ErrorCode::kTimeout, "recognition took longer than the page time limit");
      // A margin around the detector's tight box, as the recognizer was
      // trained on (without it, spaces go unread).
      std::array<Point, 4> c = WithMargin(quad, page.width, page.height);
      int w = static_cast<int>(std::lround(std::hypot(c[1].x - c[0].x, c[1].y - c[0].y)));
      int h = static_cast<int>(std::lround(std::hypot(c[3].x - c[0].x, c[3].y - c[0].y)));
      if (w < 2 || h < 2) continue;
      cv::Point2f from[4], to[4] = {{0, 0}, {static_cast<float>(w), 0},
                                    {static_cast<float>(w), static_cast<float>(h)},
                                    {0, static_cast<float>(h)}};
      for (int i = 0; i < 4; ++i) from[i] = {c[i].x, c[i].y};
      cv::Mat crop;
      cv::warpPerspective(bgr, crop, cv::getPerspectiveTransform(from, to), {w, h},
                          cv::INTER_CUBIC, cv::BORDER_REPLICATE);
      const bool vertical = h >= w * 3 / 2;  // a column of characters: read it turned
      if (vertical) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
      CropReading reading = nets_->Read(crop);
      if (reading.words.empty()) continue;
      core::Box bounds = Clip(BoundsOf(quad.corners), page.width, page.height);
      std::vector<core::Word> words;
      for (const CropReading::Piece& piece : reading.words) {
        core::Box word_box = BoundsOf({Lerp(c[0], c[1], piece.from), Lerp(c[0], c[1], piece.to),
                               Lerp(c[3], c[2], piece.to), Lerp(c[3], c[2], piece.from)});
        word_box = {std::clamp(word_box.x0, bounds.x0, bounds.x1), bounds.y0,
                    std::clamp(word_box.x1, bounds.x0, bounds.x1), bounds.y1};
        if (vertical) word_box = bounds;
        words.push_back({piece.text, word_box, piece.confidence});
      }
      // Boxes on the row of the previous line continue it.
      bool same_row = !block.lines.empty() &&
                      std::abs(bounds.y0 - block.lines.back().bbox.y0) < bounds.Height() / 2 &&
                      bounds.x0 >= block.lines.back().bbox.x1 - bounds.Height();
      if (!same_row) block.lines.push_back({});
      core::Line& line = block.lines.back();
      line.words.insert(line.words.end(), words.begin(), words.end());
      line.bbox = line.bbox.Union(bounds);
      block.bbox = block.bbox.Union(bounds);
    }
  } catch (const cv::Exception& e) {
    return core::Fail(ErrorCode::kInternal, std::string("PP-OCR could not read the page: ") + e.what());
  }
  float total = 0;
  int count = 0;
  for (core::Line& line : block.lines) {
    float sum = 0;
    for (const core::Word& word : line.words) sum += word.confidence;
    line.confidence = line.words.empty() ? 0 : sum / line.words.size();
    total += sum;
    count += static_cast<int>(line.words.size());
  }
  block.confidence = count > 0 ? total / count : 0;
  if (!block.lines.empty()) page.blocks.push_back(std::move(block));
  page.language = HasHan(page.Text()) ? "chi_sim" : "eng";
  return page;
}

}  // namespace ocrchat::ocr::paddle
