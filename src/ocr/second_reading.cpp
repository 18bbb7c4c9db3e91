// The second recognizer's part in a page: which lines it reads again and
// which reading is kept.
#include "ocr/second_reading.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/text.h"
#include "ocr/paddle/paddle.h"

namespace ocrchat::ocr {
namespace {

// A page with fewer words than this may be a photo whose text Tesseract's
// segmentation missed.
constexpr int kFewWords = 8;

int LetterCount(const std::string& text) {
  int n = 0;
  for (char32_t c : core::DecodeUtf8(text)) n += c != U' ';
  return n;
}

bool IsHan(char32_t c) { return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF); }

bool Debugging() { return std::getenv("OCRCHAT_DEBUG_OCR") != nullptr; }

}  // namespace

core::Result<SecondReader> ParseSecondReader(std::string_view name) {
  if (name == "off") return SecondReader::kOff;
  if (name == "auto" || name.empty()) return SecondReader::kAuto;
  if (name == "on") return SecondReader::kOn;
  return core::Fail(core::ErrorCode::kInvalidParameter,
                    "unknown --second-reader '" + std::string(name) + "': use auto, on or off");
}

const char* SecondReaderName(SecondReader mode) {
  switch (mode) {
    case SecondReader::kOff: return "off";
    case SecondReader::kOn: return "on";
    default: return "auto";
  }
}

std::string SecondReaderSetup::Models() const {
  return models.empty() ? paddle::DefaultModelDir() : models;
}

core::Status CheckSecondReader(const SecondReaderSetup& setup) {
  if (setup.mode == SecondReader::kOff) return {};
  return paddle::CheckModels(setup.Models());
}

bool IsHanPage(const core::Page& page) {
  if (page.language.find("chi_") != std::string::npos) return true;
  int han = 0, letters = 0;
  for (char32_t c : core::DecodeUtf8(page.Text())) {
    if (c == U' ' || c == U'\n') continue;
    ++letters;
    han += IsHan(c);
  }
  return letters > 0 && han * 2 > letters;
}

void ReadAgain(const Pix* upright, core::Page& page, paddle::PaddleEngine& second,
               const RecognizeOptions& options) {
  using Clock = std::chrono::steady_clock;
  // A page where Tesseract finds little, or a Han page (whose lines its
  // segmentation breaks up on photos): PP-OCR's detector finds the lines,
  // and its reading replaces Tesseract's when it holds clearly more
  // (letters weighed by confidence, on a Han page).
  const bool han = IsHanPage(page);
  const bool few = page.WordCount() < kFewWords;
  if (few || han) {
    auto whole = second.Recognize(upright, options);
    const int letters = LetterCount(page.Text());
    const int whole_letters = whole ? LetterCount(whole->Text()) : 0;
    const float whole_confidence = whole ? whole->MeanConfidence() : 0;
    const bool more = few ? whole_letters > letters * 3 / 2 + 4
                          : whole_letters * whole_confidence > 1.1 * letters * page.MeanConfidence();
    if (whole && whole_confidence >= 0.6f && more) {
      if (Debugging())
        std::fprintf(stderr, "second reader: the page read whole (%d words for %d)\n",
                     whole->WordCount(), page.WordCount());
      page.blocks = std::move(whole->blocks);
      if (IsHanPage(*whole)) page.language = whole->language;
      return;
    }
  }
  int asked = 0, taken = 0;
  for (core::Block& block : page.blocks) {
    for (core::Line& line : block.lines) {
      if (!han && line.confidence >= kSureLine) continue;
      if (Clock::now() > options.deadline) break;
      auto reading = second.ReadLine(upright, line.bbox);
      ++asked;
      if (!reading || reading->words.empty()) continue;
      // A reading that finds far fewer letters saw only part of the line
      // (a line box spanning two rows, say).
      const int letters = LetterCount(line.Text());
      if (reading->characters * 2 < letters) continue;
      if (reading->confidence <= line.confidence) continue;
      line.words = std::move(reading->words);
      line.confidence = reading->confidence;
      ++taken;
    }
    float sum = 0;
    for (const core::Line& line : block.lines) sum += line.confidence;
    if (!block.lines.empty()) block.confidence = sum / block.lines.size();
  }
  if (Debugging())
    std::fprintf(stderr, "second reader: %d lines read again, %d readings taken%s\n", asked, taken,
                 han ? " (a Han page)" : "");
}

}  // namespace ocrchat::ocr
