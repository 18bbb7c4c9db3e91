// PP-OCRv4 through OpenCV on text rendered by pango-view: the real models
// as the build converted them.
#include "ocr/paddle/paddle.h"

#include <leptonica/allheaders.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/text.h"
#include "ocr/pix.h"

namespace ocrchat::ocr::paddle {
namespace {

namespace fs = std::filesystem;

fs::path TempDir() {
  fs::path dir = fs::temp_directory_path() / ("paddle_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// `text` drawn by pango-view in `font` (a Pango description).
OwnedPix Render(const std::string& text, const std::string& font, const std::string& name) {
  fs::path text_file = TempDir() / (name + ".txt"), png = TempDir() / (name + ".png");
  std::ofstream(text_file) << text;
  std::string command = "pango-view --no-display -q --margin=20 --font='" + font + "' -o '" +
                        png.string() + "' '" + text_file.string() + "'";
  if (std::system(command.c_str()) != 0) return nullptr;
  return OwnedPix(pixRead(png.c_str()));
}

std::string Joined(const LineReading& reading) {
  core::Line line;
  line.words = reading.words;
  return line.Text();
}

class PaddleEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto opened = PaddleEngine::Open(DefaultModelDir());
    ASSERT_TRUE(opened) << opened.error().message;
    engine_ = std::move(*opened).release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    fs::remove_all(TempDir());
  }
  static core::Box Whole(const Pix* pix) { return {0, 0, pixGetWidth(pix), pixGetHeight(pix)}; }
  static PaddleEngine* engine_;
};
PaddleEngine* PaddleEngineTest::engine_ = nullptr;

TEST_F(PaddleEngineTest, ReadsAnEnglishLineWithItsSpaces) {
  OwnedPix pix = Render("Total amount due: 45.90 RM", "DejaVu Sans 22", "en");
  ASSERT_TRUE(pix);
  auto reading = engine_->ReadLine(pix.get(), Whole(pix.get()));
  ASSERT_TRUE(reading) << reading.error().message;
  EXPECT_EQ(Joined(*reading), "Total amount due: 45.90 RM");
  EXPECT_GT(reading->confidence, 0.8f);
  ASSERT_EQ(reading->words.size(), 5u);
  // Word boxes follow the text from left to right, inside the line.
  for (size_t i = 1; i < reading->words.size(); ++i)
    EXPECT_GT(reading->words[i].bbox.x0, reading->words[i - 1].bbox.x0);
  EXPECT_GE(reading->words.front().bbox.x0, 0);
  EXPECT_LE(reading->words.back().bbox.x1, pixGetWidth(pix.get()));
}

TEST_F(PaddleEngineTest, ReadsAChineseLineNormalised) {
  OwnedPix pix = Render("今天天气很好，我们去公园散步。", "Noto Sans CJK SC 22", "zh");
  ASSERT_TRUE(pix);
  auto reading = engine_->ReadLine(pix.get(), Whole(pix.get()));
  ASSERT_TRUE(reading) << reading.error().message;
  // NFKC folds the full-width comma; the ideographic full stop stays.
  EXPECT_EQ(Joined(*reading), "今天天气很好,我们去公园散步。");
  EXPECT_EQ(reading->characters, 15);
}

TEST_F(PaddleEngineTest, DetectsAndReadsTheLinesOfAPage) {
  OwnedPix pix = Render("Invoice 2024-031\n发票号码 12345\nTotal 45.90", "Noto Sans CJK SC 24", "page");
  ASSERT_TRUE(pix);
  auto page = engine_->Recognize(pix.get(), {});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->blocks.size(), 1u);
  ASSERT_EQ(page->blocks[0].lines.size(), 3u);
  EXPECT_EQ(page->blocks[0].lines[0].Text(), "Invoice 2024-031");
  EXPECT_EQ(page->blocks[0].lines[1].Text(), "发票号码 12345");
  EXPECT_EQ(page->blocks[0].lines[2].Text(), "Total 45.90");
  EXPECT_EQ(page->language, "chi_sim");
  EXPECT_EQ(page->width, pixGetWidth(pix.get()));
  for (const core::Line& line : page->blocks[0].lines) {
    EXPECT_GE(line.bbox.x0, 0);
    EXPECT_LE(line.bbox.y1, page->height);
  }
}

// One OpenCV net reused for another input shape gave all-zero output: the
// engine keeps a net per shape, so each size still finds its text.
TEST_F(PaddleEngineTest, DetectsOnPagesOfDifferentSizesInTurn) {
  OwnedPix small = Render("First page", "DejaVu Sans 20", "small");
  OwnedPix large = Render("A second page\nof two lines", "DejaVu Sans 40", "large");
  ASSERT_TRUE(small && large);
  for (int round = 0; round < 2; ++round) {
    auto a = engine_->DetectLines(small.get());
    auto b = engine_->DetectLines(large.get());
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->size(), 1u) << "round " << round;
    EXPECT_EQ(b->size(), 2u) << "round " << round;
  }
}

TEST_F(PaddleEngineTest, ABlankOrTinyLineReadsAsNothing) {
  OwnedPix blank(pixCreate(200, 40, 8));
  pixSetAll(blank.get());
  auto reading = engine_->ReadLine(blank.get(), {0, 0, 200, 40});
  ASSERT_TRUE(reading);
  EXPECT_TRUE(reading->words.empty());
  auto tiny = engine_->ReadLine(blank.get(), {10, 10, 11, 11});
  ASSERT_TRUE(tiny);
  EXPECT_TRUE(tiny->words.empty());
  EXPECT_FALSE(engine_->ReadLine(nullptr, {0, 0, 5, 5}));
}

TEST(PaddleModels, MissingModelsAreAClearError) {
  auto opened = PaddleEngine::Open("/nonexistent/paddle");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("/nonexistent/paddle/det.onnx"), std::string::npos);
  EXPECT_NE(opened.error().message.find("--second-reader off"), std::string::npos);
}

TEST(PaddleModels, DamagedModelsAreAnErrorNotACrash) {
  fs::path dir = fs::temp_directory_path() / ("paddle_damaged_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* name : {"det.onnx", "rec_320.onnx"}) std::ofstream(dir / name) << "not a model";
  std::ofstream(dir / "keys.txt") << "a\nb\n";
  auto opened = PaddleEngine::Open(dir.string());
  fs::remove_all(dir);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("could not be loaded"), std::string::npos);
}

TEST(PaddleModels, LoadedAtFirstUseDamagedModelsFailThatPage) {
  fs::path dir = fs::temp_directory_path() / ("paddle_lazy_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* name : {"det.onnx", "rec_320.onnx"}) std::ofstream(dir / name) << "not a model";
  std::ofstream(dir / "keys.txt") << "a\nb\n";
  auto opened = PaddleEngine::Open(dir.string(), /*load_now=*/false);
  ASSERT_TRUE(opened) << opened.error().message;
  OwnedPix page(pixCreate(200, 100, 8));
  pixSetAll(page.get());
  auto whole = (*opened)->Recognize(page.get(), {});
  auto line = (*opened)->ReadLine(page.get(), {10, 10, 190, 40});
  fs::remove_all(dir);
  EXPECT_FALSE(whole);
  EXPECT_FALSE(line);
}

}  // namespace
}  // namespace ocrchat::ocr::paddle
