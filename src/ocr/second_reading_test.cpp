// Tesseract with PP-OCRv4 as second recognizer, on rendered pages: the
// real engines and models.
#include "ocr/second_reading.h"

#include <leptonica/allheaders.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/text.h"
#include "ocr/engine.h"
#include "ocr/pix.h"

namespace ocrchat::ocr {
namespace {

namespace fs = std::filesystem;

// `text` drawn by pango-view at 300 dpi; with `photo`, blurred and
// speckled as a phone picture of it would be.
OwnedPix Render(const std::string& text, const std::string& font, bool photo = false) {
  fs::path dir = fs::temp_directory_path() / ("second_reading_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "text.txt") << text;
  std::string command = "pango-view --no-display -q --margin=40 --dpi=300 --font='" + font +
                        "' -o '" + (dir / "page.png").string() + "' '" +
                        (dir / "text.txt").string() + "'";
  OwnedPix pix;
  if (std::system(command.c_str()) == 0) pix.reset(pixRead((dir / "page.png").c_str()));
  fs::remove_all(dir);
  if (!pix || !photo) return pix;
  // Enlarged, turned 2 degrees, blurred, with noise and a shadow.
  OwnedPix gray(pixConvertTo8(pix.get(), 0));
  OwnedPix large(pixScale(gray.get(), 2.0f, 2.0f));
  OwnedPix turned(pixRotate(large.get(), 0.035f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
  OwnedPix blurred(pixBlockconv(turned.get(), 3, 3));
  const int w = pixGetWidth(blurred.get()), h = pixGetHeight(blurred.get());
  uint32_t state = 12345;  // a fixed linear congruential sequence: the same noise every run
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      l_uint32 v = 0;
      pixGetPixel(blurred.get(), x, y, &v);
      int noise = 0;
      for (int k = 0; k < 4; ++k) {
        state = state * 1664525u + 1013904223u;
        noise += static_cast<int>(state >> 24) - 128;
      }
      int value = static_cast<int>(v) - 25 * y / h + noise * 14 / 148;
      pixSetPixel(blurred.get(), x, y, static_cast<l_uint32>(std::clamp(value, 0, 255)));
    }
  return blurred;
}

double Cer(const std::string& truth, const std::string& read) {
  auto squeeze = [](const std::string& s) {
    std::string out;
    for (char c : s)
      if (c != ' ' && c != '\n') out += c;
    return out;
  };
  return core::CharacterErrorRate(squeeze(truth), squeeze(read));
}

const std::string kChinese =
    "今天天气很好,我们去公园散步。\n公园里有很多人在跑步和打太极拳。\n湖边的柳树已经发芽了,春天真的来了。";

TEST(SecondReader, ModesByName) {
  EXPECT_EQ(*ParseSecondReader("off"), SecondReader::kOff);
  EXPECT_EQ(*ParseSecondReader("auto"), SecondReader::kAuto);
  EXPECT_EQ(*ParseSecondReader("on"), SecondReader::kOn);
  auto bad = ParseSecondReader("always");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidParameter);
  EXPECT_STREQ(SecondReaderName(SecondReader::kOn), "on");
}

TEST(SecondReader, MissingModelsAreAnErrorOnlyWhenTheModeNeedsThem) {
  SecondReaderSetup missing{SecondReader::kAuto, "/nonexistent/models"};
  auto status = CheckSecondReader(missing);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(status.error().message.find("/nonexistent/models"), std::string::npos);
  auto engine = MakeTesseractEngine(missing);
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error().code, core::ErrorCode::kUnavailable);
  missing.mode = SecondReader::kOff;
  EXPECT_TRUE(CheckSecondReader(missing));
  EXPECT_TRUE(MakeTesseractEngine(missing));
  EXPECT_FALSE(MakeEngine("tesseract", {SecondReader::kOn, "/nonexistent/models"}));
}

TEST(SecondReader, HanPages) {
  core::Page page;
  page.language = "chi_sim";
  EXPECT_TRUE(IsHanPage(page));
  page.language = "eng";
  page.blocks.push_back({});
  page.blocks[0].lines.push_back({});
  page.blocks[0].lines[0].words = {{"发票号码", {}, 1}, {"12", {}, 1}};
  EXPECT_TRUE(IsHanPage(page));
  page.blocks[0].lines[0].words = {{"Invoice", {}, 1}, {"发", {}, 1}};
  EXPECT_FALSE(IsHanPage(page));
}

// A photographed Chinese page: PP-OCR reads it (its words are runs of Han
// text, where Tesseract gives one per character), whole or line by line,
// whichever scores better.
TEST(SecondReader, ReadsAPhotographedChinesePage) {
  OwnedPix pix = Render(kChinese, "Noto Sans CJK SC 12", true);
  ASSERT_TRUE(pix);
  RecognizeOptions options;
  options.languages = "chi_sim";
  options.dpi = 600;
  auto alone = MakeTesseractEngine()->Recognize(pix.get(), options);
  auto both_engine = MakeTesseractEngine({SecondReader::kAuto, ""});
  ASSERT_TRUE(both_engine) << both_engine.error().message;
  auto both = (*both_engine)->Recognize(pix.get(), options);
  ASSERT_TRUE(alone && both);
  EXPECT_LT(Cer(kChinese, both->Text()), 0.05) << both->Text();
  EXPECT_LT(both->WordCount() * 3, alone->WordCount()) << alone->Text();
  int lines = 0;
  for (const core::Block& block : both->blocks)
    for (const core::Line& line : block.lines) {
      ++lines;
      for (const core::Word& word : line.words) {
        EXPECT_GE(word.bbox.x0, line.bbox.x0);
        EXPECT_LE(word.bbox.x1, line.bbox.x1);
        EXPECT_LE(word.bbox.y1, both->height);
      }
    }
  EXPECT_EQ(lines, 3);
  EXPECT_EQ(both->width, alone->width);
}

// An English page that does not ask for it is Tesseract's alone.
TEST(SecondReader, AutoLeavesOtherPagesToTesseract) {
  OwnedPix pix = Render("The quick brown fox jumps over the lazy dog.\nTotal 45.90", "DejaVu Serif 12");
  ASSERT_TRUE(pix);
  RecognizeOptions options;
  options.languages = "eng";
  auto alone = MakeTesseractEngine()->Recognize(pix.get(), options);
  auto both_engine = MakeTesseractEngine({SecondReader::kAuto, ""});
  ASSERT_TRUE(both_engine) << both_engine.error().message;
  auto both = (*both_engine)->Recognize(pix.get(), options);
  ASSERT_TRUE(alone && both);
  EXPECT_EQ(both->Text(), alone->Text());
  EXPECT_EQ(both->MeanConfidence(), alone->MeanConfidence());
}

}  // namespace
}  // namespace ocrchat::ocr
