// The Tesseract engine: LSTM recognition with automatic page segmentation,
// checked against the ink on the page and retried another way (rotation,
// script, language, segmentation mode) when the first reading is poor.
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/text.h"
#include "ocr/band.h"
#include "ocr/engine.h"
#include "ocr/ink.h"
#include "ocr/languages.h"
#include "ocr/paddle/paddle.h"
#include "ocr/pix.h"
#include "ocr/second_reading.h"

namespace ocrchat::ocr {
namespace {

using core::ErrorCode;

struct ApiEnd {
  void operator()(tesseract::TessBaseAPI* api) const {
    api->End();
    delete api;
  }
};
using Api = std::unique_ptr<tesseract::TessBaseAPI, ApiEnd>;

// One reading of a page, with what tells how good it is.
struct Reading {
  core::Page page;
  double coverage = 0;  // share of the page's ink inside word boxes
  int unread_glyphs = 0;  // glyph-sized marks outside them
  float confidence = 0;
  bool fragmented = false;  // mostly one-letter words (see Fragments)
  double Score() const { return coverage * (0.5 + confidence); }
};

core::BlockType TypeOf(tesseract::PolyBlockType type) {
  switch (type) {
    case tesseract::PT_HEADING_TEXT: return core::BlockType::kHeading;
    case tesseract::PT_TABLE: return core::BlockType::kTable;
    case tesseract::PT_CAPTION_TEXT: return core::BlockType::kCaption;
    default: return core::BlockType::kParagraph;
  }
}

core::Box BoxAt(tesseract::ResultIterator* it, tesseract::PageIteratorLevel level) {
  int l = 0, t = 0, r = 0, b = 0;
  it->BoundingBox(level, &l, &t, &r, &b);
  return {l, t, r, b};
}

std::string TextAt(tesseract::ResultIterator* it, tesseract::PageIteratorLevel level) {
  std::unique_ptr<char[]> text(it->GetUTF8Text(level));
  return text ? core::StripControl(text.get()) : std::string();
}

// Letters counted as a reader sees them: combining marks (Thai vowel and
// tone marks, Indic vowel signs, accents) belong to the letter before.
bool IsCombiningMark(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || c == 0x0E31 || (c >= 0x0E34 && c <= 0x0E3A) ||
         (c >= 0x0E47 && c <= 0x0E4E) || (c >= 0x0900 && c <= 0x0903) ||
         (c >= 0x093A && c <= 0x094F) || (c >= 0x0981 && c <= 0x0983) ||
         (c >= 0x09BC && c <= 0x09CD) || (c >= 0x0B82 && c <= 0x0B83) ||
         (c >= 0x0BBE && c <= 0x0BCD) || (c >= 0x0591 && c <= 0x05C7) ||
         (c >= 0x064B && c <= 0x065F);
}

// Digits and ASCII punctuation: no script's letters.
bool IsScriptless(char32_t c) { return c < 0x80 && !std::isalpha(static_cast<int>(c)); }

// A model of another script reading text it does not know comes back as
// single letters between spaces ("ค ล . ก ิ ด ษ ร ั ก"), often with good
// confidence. Counted on Tesseract's own words, before the glyphs of
// scripts written without spaces are joined: Thai is a word per glyph to
// Tesseract even when read right, so such a reading is taken only with a
// confidence of kFragmentedButSure or more (a smudged English list read as
// Thai: 0.56; a degraded Thai page that OSD called Latin: 0.91).
// Han, kana and Hangul (and their punctuation), where one character is a
// word, and words of digits and punctuation alone do not count.
constexpr float kFragmentedButSure = 0.8f;

struct Fragments {
  int words = 0;
  int single = 0;  // of them, one letter
  void Count(const std::string& word) {
    int letters = 0;
    bool ideographic = false, scriptless = true;
    for (char32_t c : core::DecodeUtf8(word)) {
      ideographic = ideographic || core::IsCjk(c);
      scriptless = scriptless && IsScriptless(c);
      letters += !IsCombiningMark(c);
    }
    if (ideographic || scriptless) return;
    ++words;
    single += letters <= 1;
  }
  // True when most words are one letter.
  bool Fragmented() const { return words >= 4 && single * 2 > words; }
};

// Thai, Lao, Khmer and Myanmar: scripts written without spaces between words.
bool IsUnspacedScript(char32_t c) {
  return (c >= 0x0E00 && c <= 0x0EFF) || (c >= 0x1000 && c <= 0x109F) || (c >= 0x1780 && c <= 0x17FF);
}

// Two of Tesseract's words with no blank between them that are one word:
// glyphs of a script written without spaces.
bool JoinsUnspaced(std::string_view before, std::string_view after) {
  std::u32string a = core::DecodeUtf8(before), b = core::DecodeUtf8(after);
  return !a.empty() && !b.empty() && IsUnspacedScript(a.back()) && IsUnspacedScript(b.front());
}

// Copies Tesseract's results into the page model at once: the iterator
// dies with the next SetImage.
void CopyResults(tesseract::TessBaseAPI& api, core::Page& page, Fragments& fragments) {
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return;
  using tesseract::RIL_BLOCK, tesseract::RIL_PARA, tesseract::RIL_TEXTLINE, tesseract::RIL_WORD;
  core::BlockType block_type = core::BlockType::kParagraph;
  do {
    if (it->Empty(RIL_WORD)) continue;
    if (it->IsAtBeginningOf(RIL_BLOCK)) block_type = TypeOf(it->BlockType());
    if (it->IsAtBeginningOf(RIL_PARA) || page.blocks.empty()) {
      core::Block block;
      block.type = block_type;
      block.bbox = BoxAt(it.get(), RIL_PARA);
      block.confidence = it->Confidence(RIL_PARA) / 100.0f;
      page.blocks.push_back(std::move(block));
    }
    core::Block& block = page.blocks.back();
    if (it->IsAtBeginningOf(RIL_TEXTLINE) || block.lines.empty()) {
      core::Line line;
      line.bbox = BoxAt(it.get(), RIL_TEXTLINE);
      line.confidence = it->Confidence(RIL_TEXTLINE) / 100.0f;
      block.lines.push_back(std::move(line));
    }
    std::string text = core::NormalizeSpace(TextAt(it.get(), RIL_WORD));
    if (text.empty()) continue;
    fragments.Count(text);
    core::Word word{text, BoxAt(it.get(), RIL_WORD),
                    std::clamp(it->Confidence(RIL_WORD) / 100.0f, 0.0f, 1.0f)};
    // Scripts written without spaces (Thai, Lao, Khmer, Myanmar) come as a
    // word per glyph with no blank between them: one word, as Tesseract's
    // own text has it. CJK characters stay words of their own (the page
    // model joins them without spaces).
    // Latin words without a blank between them ("AmtRounded15.90") stay
    // apart: a label and its amount are two words.
    std::vector<core::Word>& words = block.lines.back().words;
    if (!words.empty() && it->BlanksBeforeWord() == 0 && JoinsUnspaced(words.back().text, word.text)) {
      core::Word& previous = words.back();
      const float before = static_cast<float>(previous.text.size());
      const float added = static_cast<float>(word.text.size());
      previous.confidence = (previous.confidence * before + word.confidence * added) / (before + added);
      previous.text += word.text;
      previous.bbox = previous.bbox.Union(word.bbox);
      continue;
    }
    words.push_back(std::move(word));
  } while (it->Next(RIL_WORD));
  // Drop lines and blocks that held only empty words.
  for (core::Block& block : page.blocks)
    std::erase_if(block.lines, [](const core::Line& line) { return line.words.empty(); });
  std::erase_if(page.blocks, [](const core::Block& block) { return block.lines.empty(); });
}

// The regions the layout analysis found to be pictures (drawings, photos).
std::vector<core::Box> PictureRegions(tesseract::TessBaseAPI& api) {
  std::vector<core::Box> pictures;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return pictures;
  do {
    if (PTIsImageType(it->BlockType())) pictures.push_back(BoxAt(it.get(), tesseract::RIL_BLOCK));
  } while (it->Next(tesseract::RIL_BLOCK));
  return pictures;
}

// A number as a receipt or a table prints it: "31.00", "RM12.50", "(2.15)";
// mostly digits.
bool IsAmountLike(const std::string& text) {
  int digits = 0, letters = 0;
  for (unsigned char c : text) {
    digits += std::isdigit(c) != 0;
    letters += std::isalpha(c) != 0 || c >= 0x80;
  }
  return digits >= 2 && letters * 2 <= digits;
}

// Joins the words of a line read on its own to the line beside it, sharing
// half its height, so that an amount stands on its label's line. Not across
// another block, which would be a column of its own. False when no line is
// beside it: the words are then left out, since where else they belong in
// the reading order is not known.
bool JoinBeside(core::Page& page, core::Line line) {
  const core::Box& box = line.bbox;
  const int middle = (box.x0 + box.x1) / 2;
  auto other_column_holds = [&](const core::Block* own, const core::Box& beside) {
    for (const core::Block& block : page.blocks)
      if (&block != own && block.bbox.x0 >= beside.x1 - 2 && block.bbox.x0 <= middle &&
          block.bbox.x1 >= middle)
        return true;
    return false;
  };
  core::Line* host = nullptr;
  core::Block* host_block = nullptr;
  int best = 0;
  for (core::Block& block : page.blocks)
    for (core::Line& other : block.lines) {
      int overlap = std::min(other.bbox.y1, box.y1) - std::max(other.bbox.y0, box.y0);
      if (overlap * 2 < std::min(other.bbox.Height(), box.Height()) || overlap <= best) continue;
      if (other.bbox.x1 > box.x0 && other.bbox.x0 < box.x1) continue;  // overlapping words
      const core::Box& near = other.bbox.x1 <= box.x0 ? other.bbox : box;
      if (other_column_holds(&block, near)) continue;
      host = &other;
      host_block = &block;
      best = overlap;
    }
  if (host) {
    for (core::Word& word : line.words) host->words.push_back(std::move(word));
    std::stable_sort(host->words.begin(), host->words.end(),
                     [](const core::Word& a, const core::Word& b) { return a.bbox.x0 < b.bbox.x0; });
    host->bbox = host->bbox.Union(box);
    host_block->bbox = host_block->bbox.Union(box);
    return true;
  }
  return false;
}

// Glyphs OSD judges a page from (Tesseract's default), and a band of a
// page from: 10 to 50 glyphs take 40-60 ms where 50 to 250 take 300.
constexpr int kOsdCharacters = 50;
constexpr int kQuickOsdCharacters = 10;

// A band read this much more confidently in a script's model, in words,
// than in English's is in that script.
constexpr float kClearlyBetter = 0.2f;
// ... and at least this confident: a degraded Chinese scan's band reads at
// 0.55 in Chinese and 0.04 in English.
constexpr float kFairBand = 0.5f;

// The first lines of a page in the Latin alphabet, read to tell its
// language: at least this many rows (two lines of print at 300 dpi), and
// words they must hold.
constexpr int kLanguageRows = 120;
constexpr int kBandWords = 8;
// Read below this confidence in English, they are not in the Latin alphabet
// (on the development sets such lines read at 0.29 at worst, in 4 words).
constexpr float kUnreadBand = 0.3f;

// Word heights (pixels) under kSmallText are enlarged to about kTargetText.
constexpr int kSmallText = 16;
constexpr int kTargetText = 32;

int MedianWordHeight(const core::Page& page) {
  std::vector<int> heights;
  for (const core::Block& block : page.blocks)
    for (const core::Line& line : block.lines)
      for (const core::Word& word : line.words) heights.push_back(word.bbox.Height());
  if (heights.size() < 3) return 0;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  return heights[heights.size() / 2];
}

// Runs of unread glyphs are read one by one up to this many per page, and
// their words kept from this confidence up.
constexpr size_t kMaxUnreadRuns = 40;
constexpr float kMinUnreadConfidence = 0.6f;

// Pages larger than this are scaled down before recognition.
constexpr double kMaxRecognitionPixels = 36'000'000;

// A reading that leaves more of the ink outside its words than this is tried
// again at Tesseract's estimate of the resolution (0.7 and 0.9 gave the
// same figures on the development sets).
constexpr double kMostInkRead = 0.8;

// OSD on a whole page naming a script with this confidence or more is not
// second-guessed: a poor reading in that script's model is the page's, not
// a sign of another script (a degraded Arabic page: 84; wrong scripts named
// on a whole page of the development sets, the rendered languages and the
// language tests: 10.7 at most, a Hebrew page called Thai). On a band's few
// glyphs OSD is less sure of itself and can be wrong at 37.
constexpr float kSureScript = 20.0f;

// One model per script, tried when nothing else reads the page well, the
// largest models last: the first that reads the sample surely ends the search.
constexpr const char* kScriptCandidates[] = {"eng", "rus", "ell", "ara", "heb", "hin", "ben",
                                             "tam", "tha", "chi_sim", "jpn", "kor"};

// The page in the pixels of the image it was given (turned as OSD turned
// it, page.rotation): an enlargement or reduction made for reading is
// undone, so boxes fall on the caller's image and its rules.
void InGivenPixels(core::Page& page, const Pix* given, int dpi) {
  const bool across = page.rotation % 180 != 0;
  const int width = across ? pixGetHeight(given) : pixGetWidth(given);
  const int height = across ? pixGetWidth(given) : pixGetHeight(given);
  if (width == page.width && height == page.height) return;
  const double sx = static_cast<double>(width) / std::max(1, page.width);
  const double sy = static_cast<double>(height) / std::max(1, page.height);
  auto scale = [&](core::Box& b) {
    if (b.Empty()) return;
    b = {static_cast<int>(std::lround(b.x0 * sx)), static_cast<int>(std::lround(b.y0 * sy)),
         static_cast<int>(std::lround(b.x1 * sx)), static_cast<int>(std::lround(b.y1 * sy))};
  };
  for (core::Block& block : page.blocks) {
    scale(block.bbox);
    for (core::Line& line : block.lines) {
      scale(line.bbox);
      for (core::Word& word : line.words) scale(word.bbox);
    }
  }
  page.width = width;
  page.height = height;
  page.dpi = dpi;
}

bool IsInstalledModel(const std::string& model) {
  std::vector<std::string> installed = InstalledLanguages();
  return std::find(installed.begin(), installed.end(), model) != installed.end();
}

// The part of `image` around `box`, or the whole image for an empty box.
OwnedPix SampleAt(const Pix* image, const core::Box& box) {
  Pix* source = const_cast<Pix*>(image);
  if (box.Empty()) return OwnedPix(pixClone(source));
  int pad = 20;
  Box* clip = boxCreate(std::max(0, box.x0 - pad), std::max(0, box.y0 - pad),
                        box.Width() + 2 * pad, box.Height() + 2 * pad);
  OwnedPix sample(pixClipRectangle(source, clip, nullptr));
  boxDestroy(&clip);
  return sample ? std::move(sample) : OwnedPix(pixClone(source));
}

// The first lines of text a reading found (any reading locates text even
// when it misreads it), as a smaller image for trying models on.
OwnedPix SampleOfText(Pix* image, const core::Page& page) {
  core::Box box;
  int lines = 0;
  for (const core::Block& block : page.blocks)
    for (const core::Line& line : block.lines)
      if (lines++ < 4) box = box.Union(line.bbox);
  return SampleAt(image, box);
}

class TesseractEngine final : public Engine {
 public:
  explicit TesseractEngine(int max_models,
                           std::unique_ptr<paddle::PaddleEngine> second = nullptr,
                           SecondReader second_mode = SecondReader::kOff)
      : max_models_(std::max(1, max_models)), second_(std::move(second)), second_mode_(second_mode) {
    setMsgSeverity(L_SEVERITY_NONE);
  }

  core::Result<core::Page> Recognize(const Pix* image, const RecognizeOptions& requested) override {
    if (!image || pixGetWidth(image) < 3 || pixGetHeight(image) < 3)
      return core::Fail(ErrorCode::kCorrupt, "the page image is empty");
    RecognizeOptions options = requested;
    OwnedPix upright = Prepare(image, options);
    if (!upright) return core::Fail(ErrorCode::kInternal, "could not prepare the page image");

    const bool automatic = options.languages.empty();
    std::string languages = automatic ? DefaultLanguage() : options.languages;
    if (languages.empty())
      return core::Fail(ErrorCode::kUnavailable, "no Tesseract language model is installed");

    // The model the band chose has been compared with the others on it.
    std::string band_model = automatic ? ModelFromBand(upright.get(), options) : "";
    if (!band_model.empty()) languages = band_model;

    auto best = Read(upright.get(), languages, tesseract::PSM_AUTO, options);
    if (!best) return std::unexpected(best.error());

    // Small print, enlarged. The page at its own size is kept for a model
    // chosen later (below).
    OwnedPix native;
    RecognizeOptions native_options;
    if (std::optional<Sized> larger = ReadEnlarged(upright.get(), *best, languages, options)) {
      best = std::move(larger->reading);
      native = std::move(upright);
      native_options = options;
      upright = std::move(larger->image);
      options = larger->options;
    }
    int rotation = 0;
    const bool first_poor = IsPoor(*best);
    bool switched_script = false;
    bool named_surely = false;  // OSD named the script of `languages` surely
    std::string missing_script;  // the warning for a script no installed model reads

    // A poor reading: maybe the page is turned, or in another script.
    if ((options.fix_orientation || automatic) && IsPoor(*best)) {
      Orientation osd = DetectOrientation(upright.get());
      std::string script_model = automatic ? ModelForScript(osd.script) : "";
      if (automatic) missing_script = MissingScriptWarning(osd.script);
      bool turn = options.fix_orientation && osd.rotate != 0;
      bool other_script = !script_model.empty() && script_model != languages;
      if (turn || other_script) {
        OwnedPix turned(turn ? pixRotateOrth(upright.get(), osd.rotate / 90)
                             : pixClone(upright.get()));
        std::string retry_languages = other_script ? script_model : languages;
        auto retry = Read(turned.get(), retry_languages, tesseract::PSM_AUTO, options);
        if (retry && retry->Score() > best->Score()) {
          best = std::move(retry);
          upright = std::move(turned);
          switched_script = retry_languages != languages;
          languages = retry_languages;
          rotation = turn ? osd.rotate : 0;
        }
      }
      named_surely = !script_model.empty() && script_model == languages &&
                     osd.script_confidence >= kSureScript;
    }

    // Still poor in automatic mode: OSD can name the wrong script on short
    // texts, so try each installed script's model on a sample of the text
    // and read the page again with the one that reads it best; a model
    // that reads the sample surely ends the search. Not when OSD named the
    // page's script surely (kSureScript) and its model read it, nor when
    // the band chose the model: a degraded page reads poorly in every model.
    // A script whose model is not installed is not read with another
    // script's model: that gives confident garbage. The page says so.
    // Its language stays empty: no model read it.
    if (!missing_script.empty()) {
      core::Page page;
      page.rotation = rotation;
      page.width = pixGetWidth(upright.get());
      page.height = pixGetHeight(upright.get());
      page.dpi = options.dpi;
      page.warnings.push_back(missing_script);
      InGivenPixels(page, image, requested.dpi);
      return page;
    }
    // OSD's script can be wrong with confidence (Hebrew named Thai, read at
    // 0.75, in single letters): a page read in the script it named is
    // checked against the others unless that reading is good, or fair and
    // in words (a degraded Greek page read in Greek at 0.76).
    const bool has_text = best->page.WordCount() > 0 || best->unread_glyphs > 20;
    const bool doubtful = IsPoor(*best) || (switched_script && best->confidence < 0.8f &&
                                            best->fragmented);
    const bool compared = named_surely || (!band_model.empty() && band_model == languages);
    if (automatic && first_poor && has_text && doubtful && !compared) {
      OwnedPix sample = SampleOfText(upright.get(), best->page);
      const std::string winner =
          BestScriptModel(sample.get(), languages, best->confidence + 0.05f, options).model;
      if (!winner.empty()) {
        auto retry = Read(upright.get(), winner, tesseract::PSM_AUTO, options);
        // An enlargement was sized by another script's model (the heights
        // of misread marks), and the resolution assumed for an image that
        // carries none may be what made its print look small: the page as
        // it was is read again with this model, enlarged by its word
        // heights, and at Tesseract's own estimate of the resolution, and
        // the reading with the best quality score is kept (a 100-dpi Thai
        // page: 0.58 with a quarter of its ink enlarged by English's
        // sizing, 0.94 with all of it at the estimated resolution).
        std::optional<Sized> resized;
        auto consider = [&](std::optional<Sized> sized) {
          if (sized && (!resized || sized->reading.Score() > resized->reading.Score()))
            resized = std::move(sized);
        };
        if (native) {
          if (auto plain = Read(native.get(), winner, tesseract::PSM_AUTO, native_options)) {
            std::optional<Sized> larger = ReadEnlarged(native.get(), *plain, winner, native_options);
            consider(Sized{OwnedPix(pixClone(native.get())), native_options, std::move(*plain)});
            consider(std::move(larger));
          }
          if (auto estimated = Read(native.get(), winner, tesseract::PSM_AUTO, native_options,
                                    /*estimate_resolution=*/true))
            consider(Sized{OwnedPix(pixClone(native.get())), native_options, std::move(*estimated)});
        }
        if (resized && (!retry || resized->reading.Score() > retry->Score())) {
          if (resized->reading.confidence > best->confidence) {
            best = std::move(resized->reading);
            languages = winner;
            upright = std::move(resized->image);
            options = resized->options;
          }
        } else if (retry && retry->confidence > best->confidence) {
          best = std::move(retry);
          languages = winner;
        }
      }
    }

    // Automatic language: read again with the model for the language the
    // text is in, when that is not the one used.
    if (automatic) {
      std::string detected = DetectTextLanguage(best->page.Text());
      if (!detected.empty() && detected != languages && SameScriptFamily(detected, languages)) {
        auto retry = Read(upright.get(), detected, tesseract::PSM_AUTO, options);
        if (retry && retry->confidence + 0.02f >= best->confidence &&
            retry->coverage + 0.05 >= best->coverage) {
          best = std::move(retry);
          languages = detected;
        }
      }
    }

    // Automatic segmentation can drop whole regions of degraded scans: if
    // much ink is left unread, try the page as one block of text.
    // Reading the page as one block loses columns, so the retry must find
    // clearly more words, with good confidence.
    size_t chars_read = best->page.Text().size();
    if ((best->unread_glyphs > 100 && best->unread_glyphs * 4 > static_cast<int>(chars_read)) ||
        options.accurate) {
      auto retry = Read(upright.get(), languages, tesseract::PSM_SINGLE_BLOCK, options);
      if (retry && retry->confidence >= 0.6f && retry->confidence + 0.05f >= best->confidence &&
          retry->page.WordCount() > best->page.WordCount() * 3 / 2 + 2 &&
          retry->Score() > best->Score() * 1.1)
        best = std::move(retry);
    }

    // The resolution assumed for an image that carries none can make the
    // layout analysis drop whole lines (a photographed Chinese page: 28%
    // of its ink unread at 300 dpi, all of it read at Tesseract's estimate
    // of 1174): with a quarter of the ink unread, the estimate is tried.
    // A resolution the image gives is its print's: the estimate won on
    // none of the 6 pages of the development sets that gave one and tried it.
    if (best->coverage < kMostInkRead && !options.dpi_given) {
      auto retry = Read(upright.get(), languages, tesseract::PSM_AUTO, options,
                        /*estimate_resolution=*/true);
      if (retry && retry->Score() > best->Score() * 1.1) best = std::move(retry);
    }

    if (auto recovered = ReadUnread(upright.get(), languages, options, best->page); !recovered)
      return std::unexpected(recovered.error());

    core::Page page = std::move(best->page);
    page.rotation = rotation;
    page.language = languages;
    page.width = pixGetWidth(upright.get());
    page.height = pixGetHeight(upright.get());
    page.dpi = options.dpi;
    if (WantsSecondReading(page, options)) ReadAgain(upright.get(), page, *second_, options);
    InGivenPixels(page, image, requested.dpi);
    return page;
  }

 private:
  struct Orientation {
    int rotate = 0;  // clockwise degrees that make the page upright
    std::string script;
    float script_confidence = 0;
  };

  struct Sized {
    OwnedPix image;
    RecognizeOptions options;
    Reading reading;
  };

  // language=auto: the model a page is read with first. English, unless
  // OSD on a band of the page's first lines (a tenth of a reading) names a
  // script outside the Latin alphabet whose model is installed and reads
  // that band well: then a page in Greek or Thai is read once, not first in
  // English. OSD alone is not trusted (it names Cyrillic on many a
  // photographed receipt), hence the reading of the band: sure, or fair, in
  // words, and clearly better than English's reading of it (a degraded
  // Russian scan: 0.67 against 0.25; receipts OSD called Cyrillic or
  // Japanese read at most 0.72 in those models, and then worse than in
  // English or with less than half its words). When OSD names the Latin
  // alphabet, the first lines tell the language (LanguageOfBand). "" for
  // English.
  std::string ModelFromBand(const Pix* upright, const RecognizeOptions& options) {
    std::optional<RowInk> ink = InkOfRows(upright);
    if (!ink) return "";
    OwnedPix sample = SampleAt(upright, TextBand(*ink));
    Orientation osd = DetectOrientation(sample.get(), kQuickOsdCharacters);
    if (osd.rotate != 0 || osd.script.empty()) return "";
    if (IsLatinScript(osd.script)) {
      return LanguageOfBand(SampleAt(upright, TextBand(*ink, kLanguageRows, 0)).get(), options);
    }
    // On so few glyphs OSD takes Chinese for Japanese and back.
    std::vector<std::string> scripts = {osd.script};
    if (osd.script == "Han" || osd.script == "Japanese")
      scripts.push_back(osd.script == "Han" ? "Japanese" : "Han");
    std::optional<core::Result<Reading>> english;
    for (const std::string& script : scripts) {
      std::string model = ModelForScript(script);
      if (model.empty()) continue;
      auto reading = Read(sample.get(), model, tesseract::PSM_AUTO, options);
      if (!reading || reading->confidence < kFairBand || reading->page.WordCount() < 3) continue;
      // Sure, as a reading that comes back as single letters must be (Thai is).
      if (reading->confidence >= kFragmentedButSure) return model;
      // Fair, in words, and clearly better than English's reading of the band.
      if (reading->fragmented) continue;
      if (!english) english = Read(sample.get(), DefaultLanguage(), tesseract::PSM_AUTO, options);
      if (*english && reading->confidence >= (*english)->confidence + kClearlyBetter &&
          reading->page.WordCount() * 2 >= (*english)->page.WordCount())
        return model;
    }
    return "";
  }

  // Each installed script's model but `tried` on `sample`: the one that
  // reads it most confidently above `floor`, in words or surely; a model
  // that reads it surely ends the search. Chinese, Japanese and Korean,
  // the largest models, come last.
  struct ScriptChoice {
    std::string model;  // "" when none read above the floor
    float confidence = 0;
    bool sure = false;
  };
  ScriptChoice BestScriptModel(const Pix* sample, const std::string& tried, float floor,
                               const RecognizeOptions& options) {
    ScriptChoice best{"", floor, false};
    for (const char* model : kScriptCandidates) {
      if (model == tried || !IsInstalledModel(model)) continue;
      auto trial = Read(sample, model, tesseract::PSM_AUTO, options);
      if (trial && trial->page.WordCount() >= 2 && trial->confidence > best.confidence &&
          (!trial->fragmented || trial->confidence >= kFragmentedButSure)) {
        best = {model, trial->confidence,
                trial->confidence >= kFragmentedButSure && trial->page.WordCount() >= 3};
        if (best.sure) break;
      }
    }
    return best;
  }

  // A band OSD calls Latin, read with the default model: the Latin
  // language CLD2 reliably finds in its words, when that is not English
  // and its model is installed ("deu"), so that a German page is read once
  // and not first in English. When English reads its words hardly at all,
  // OSD was wrong on the few glyphs (degraded Thai and Chinese pages called
  // Latin, read at 0.04 and 0.13 in English): the script model that reads
  // them surely, or fairly and clearly better than English (as in
  // ModelFromBand). "" otherwise.
  std::string LanguageOfBand(const Pix* sample, const RecognizeOptions& options) {
    const std::string english = DefaultLanguage();
    auto reading = Read(sample, english, tesseract::PSM_AUTO, options);
    if (!reading || reading->page.WordCount() < kBandWords) return "";
    if (reading->confidence < kUnreadBand) {
      ScriptChoice choice =
          BestScriptModel(sample, english, reading->confidence + kClearlyBetter, options);
      return choice.sure || choice.confidence >= kFairBand ? choice.model : "";
    }
    if (IsPoor(*reading)) return "";
    std::string detected = DetectTextLanguage(reading->page.Text(), /*reliable_only=*/true);
    if (detected.empty() || detected == english || !SameScriptFamily(detected, english)) return "";
    return detected;
  }

  // Small print (a screenshot, a low-resolution scan): Tesseract reads best
  // at 20-40 px per text line. When `reading` (of `image`, with
  // `languages`) has words under kSmallText px, the page enlarged to about
  // kTargetText and read again, if that reads at least as confidently.
  std::optional<Sized> ReadEnlarged(const Pix* image, const Reading& reading,
                                    const std::string& languages, const RecognizeOptions& options) {
    int height = MedianWordHeight(reading.page);
    if (height <= 0 || height >= kSmallText) return std::nullopt;
    float factor = std::min(4.0f, static_cast<float>(kTargetText) / height);
    OwnedPix larger(pixScale(const_cast<Pix*>(image), factor, factor));
    if (!larger || static_cast<double>(pixGetWidth(larger.get())) * pixGetHeight(larger.get()) >
                       kMaxRecognitionPixels)
      return std::nullopt;
    RecognizeOptions scaled = options;
    scaled.dpi = static_cast<int>(std::lround(options.dpi * factor));
    auto retry = Read(larger.get(), languages, tesseract::PSM_AUTO, scaled);
    if (!retry || retry->confidence < reading.confidence) return std::nullopt;
    return Sized{std::move(larger), scaled, std::move(*retry)};
  }

  // Gray (or bilevel) copy, deskewed when the skew is large enough to hurt.
  // Very large pages are scaled down first (options.dpi follows): text on
  // them is large anyway, and a worker must stay small in memory.
  OwnedPix Prepare(const Pix* image, RecognizeOptions& options) {
    Pix* source = const_cast<Pix*>(image);
    const double pixels = static_cast<double>(pixGetWidth(source)) * pixGetHeight(source);
    OwnedPix work;
    if (pixels > kMaxRecognitionPixels) {
      float factor = static_cast<float>(std::sqrt(kMaxRecognitionPixels / pixels));
      work.reset(pixGetDepth(source) == 1 ? pixScaleToGray(source, factor)
                                          : pixScale(source, factor, factor));
      if (work && pixGetDepth(work.get()) != 8) work.reset(pixConvertTo8(work.get(), 0));
      options.dpi = std::max(1, static_cast<int>(std::lround(options.dpi * factor)));
    } else {
      work.reset(pixGetDepth(source) == 1 || pixGetDepth(source) == 8 ? pixClone(source)
                                                                     : pixConvertTo8(source, 0));
    }
    if (!work || !options.deskew) return work;
    l_float32 angle = 0, conf = 0;
    OwnedPix binary(pixGetDepth(work.get()) == 1 ? pixClone(work.get())
                                                 : pixThresholdToBinary(work.get(), 128));
    if (binary && pixFindSkewSweepAndSearch(binary.get(), &angle, &conf, 4, 2, 7.0f, 1.0f,
                                            0.01f) == 0 &&
        conf > 3.0f && std::fabs(angle) >= 0.8f) {
      OwnedPix rotated(pixRotate(work.get(), angle * 3.14159265f / 180.0f, L_ROTATE_AREA_MAP,
                                 L_BRING_IN_WHITE, 0, 0));
      if (rotated) return rotated;
    }
    return work;
  }

  bool WantsSecondReading(const core::Page& page, const RecognizeOptions& options) const {
    if (!second_ || second_mode_ == SecondReader::kOff) return false;
    return second_mode_ == SecondReader::kOn || options.second_reading || IsHanPage(page);
  }

  std::string DefaultLanguage() const {
    std::vector<std::string> installed = InstalledLanguages();
    if (std::find(installed.begin(), installed.end(), "eng") != installed.end()) return "eng";
    return installed.empty() ? "" : installed.front();
  }

  static bool IsPoor(const Reading& reading) {
    return reading.confidence < 0.6f || (reading.coverage < 0.35 && reading.page.WordCount() < 5);
  }

  // Latin-script models are interchangeable as a first guess; others only
  // with their own script's relatives.
  static bool SameScriptFamily(const std::string& a, const std::string& b) {
    static const std::vector<std::vector<std::string>> kFamilies = {
        {"rus", "ukr", "bel", "bul", "srp", "mkd", "kaz", "kir", "mon", "tgk", "tat"},
        {"chi_sim", "chi_tra"},
        {"hin", "mar", "nep", "san"},
        {"ara", "fas", "urd", "pus", "snd", "uig"},
    };
    for (const auto& family : kFamilies) {
      bool in_a = std::find(family.begin(), family.end(), a) != family.end();
      bool in_b = std::find(family.begin(), family.end(), b) != family.end();
      if (in_a || in_b) return in_a && in_b;
    }
    static const std::vector<std::string> kOwnScript = {"jpn", "kor", "heb", "ell", "tha",
                                                        "ben", "tam", "tel", "kan", "mal",
                                                        "guj", "pan", "hye", "kat", "amh"};
    auto own = [&](const std::string& x) {
      return std::find(kOwnScript.begin(), kOwnScript.end(), x) != kOwnScript.end();
    };
    return !own(a) && !own(b);
  }

  // One reading of `image`; with `estimate_resolution`, Tesseract sizes the
  // text by its own estimate of the resolution instead of options.dpi.
  core::Result<Reading> Read(const Pix* image, const std::string& languages,
                             tesseract::PageSegMode mode, const RecognizeOptions& options,
                             bool estimate_resolution = false) {
    auto api = Acquire(languages);
    if (!api) return std::unexpected(api.error());
    tesseract::TessBaseAPI& tess = **api;
    tess.SetPageSegMode(mode);
    tess.SetImage(const_cast<Pix*>(image));
    // 0: Tesseract estimates the resolution from the size of the text.
    tess.SetSourceResolution(estimate_resolution ? 0 : std::clamp(options.dpi, 70, 2400));
    tesseract::ETEXT_DESC monitor;
    if (options.deadline != std::chrono::steady_clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          options.deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return core::Fail(ErrorCode::kTimeout, "recognition took longer than the page time limit");
      monitor.set_deadline_msecs(static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX)));
    }
    if (tess.Recognize(&monitor) != 0) {
      tess.Clear();
      return core::Fail(ErrorCode::kTimeout, "recognition took longer than the page time limit");
    }
    Reading reading;
    Fragments fragments;
    CopyResults(tess, reading.page, fragments);
    reading.fragmented = fragments.Fragmented();
    std::vector<core::Box> pictures = PictureRegions(tess);
    tess.Clear();
    InkCheck ink = CheckInk(InkMask(image).get(), reading.page, options.dpi, pictures);
    reading.coverage = ink.coverage;
    reading.unread_glyphs = ink.unread_glyphs;
    reading.confidence = reading.page.MeanConfidence();
    // Automatic segmentation that finds no text at all on a page with ink
    // (a short strip of large text, say): read it as one block instead.
    if (mode == tesseract::PSM_AUTO && reading.page.WordCount() == 0 && reading.coverage < 0.5) {
      auto block = Read(image, languages, tesseract::PSM_SINGLE_BLOCK, options);
      if (block && block->confidence >= 0.6f) return block;
    }
    if (std::getenv("OCRCHAT_DEBUG_OCR"))
      std::fprintf(stderr, "read %s psm %d: %d words, confidence %.3f, coverage %.3f, unread %d\n",
                   languages.c_str(), static_cast<int>(mode), reading.page.WordCount(),
                   reading.confidence, reading.coverage, reading.unread_glyphs);
    return reading;
  }

  // Numbers the segmentation left out (the amounts column of a receipt,
  // beside its labels; an equation's number): each run of unread glyphs is
  // read as one line, and its amount-like words are kept when they read
  // confidently and join a line beside them. Words, or lines of their own,
  // recovered this way made pages worse as often as better on the
  // development sets; numbers beside a line made every kind better.
  core::Result<void> ReadUnread(const Pix* image, const std::string& languages,
                                const RecognizeOptions& options, core::Page& page) {
    OwnedPix ink = InkMask(image);
    if (!ink) return {};
    Unread unread = UnreadInk(ink.get(), page);
    std::vector<core::Box> runs = UnreadRuns(UnreadGlyphs(unread, options.dpi), unread.word_height);
    if (runs.size() > kMaxUnreadRuns) return {};  // not text the segmentation dropped
    for (const core::Box& run : runs) {
      int pad = std::max(4, run.Height() / 2);
      Box* clip = boxCreate(std::max(0, run.x0 - pad), std::max(0, run.y0 - pad),
                            run.Width() + 2 * pad, run.Height() + 2 * pad);
      OwnedPix crop(pixClipRectangle(const_cast<Pix*>(image), clip, nullptr));
      int dx = 0, dy = 0;
      boxGetGeometry(clip, &dx, &dy, nullptr, nullptr);
      boxDestroy(&clip);
      if (!crop) continue;
      // Small print reads better enlarged, as for the whole page.
      float factor = std::clamp(static_cast<float>(kTargetText) / std::max(1, run.Height()), 1.0f, 4.0f);
      if (factor > 1.2f) crop.reset(pixScale(crop.get(), factor, factor));
      else factor = 1.0f;
      if (!crop) continue;
      RecognizeOptions scaled = options;
      scaled.dpi = static_cast<int>(std::lround(options.dpi * factor));
      auto reading = Read(crop.get(), languages, tesseract::PSM_SINGLE_LINE, scaled);
      if (!reading) {
        if (reading.error().code == ErrorCode::kTimeout) return std::unexpected(reading.error());
        continue;
      }
      core::Line line;
      for (core::Block& block : reading->page.blocks)
        for (core::Line& read : block.lines)
          for (core::Word& word : read.words) {
            if (!IsAmountLike(word.text) || word.confidence < kMinUnreadConfidence) continue;
            auto back = [factor](int v, int offset) { return static_cast<int>(std::lround(v / factor)) + offset; };
            word.bbox = {back(word.bbox.x0, dx), back(word.bbox.y0, dy), back(word.bbox.x1, dx),
                         back(word.bbox.y1, dy)};
            line.bbox = line.bbox.Union(word.bbox);
            line.confidence += word.confidence;
            line.words.push_back(std::move(word));
          }
      if (line.words.empty()) continue;
      line.confidence /= static_cast<float>(line.words.size());
      if (std::getenv("OCRCHAT_DEBUG_OCR"))
        std::fprintf(stderr, "unread run at %d,%d: %s (%.2f)\n", run.x0, run.y0,
                     line.Text().c_str(), line.confidence);
      JoinBeside(page, std::move(line));
    }
    return {};
  }

  // OSD on `image`, judging from `characters` to five times as many glyphs.
  Orientation DetectOrientation(const Pix* image, int characters = kOsdCharacters) {
    Orientation out;
    if (!osd_) {
      Api api(new tesseract::TessBaseAPI());
      // OSD's model is of the legacy engine.
      if (api->Init(TessdataDir().c_str(), "osd", tesseract::OEM_TESSERACT_ONLY) != 0) return out;
      api->SetVariable("debug_file", "/dev/null");
      osd_ = std::move(api);
    }
    osd_->SetVariable("min_characters_to_try", std::to_string(characters).c_str());
    osd_->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    osd_->SetImage(const_cast<Pix*>(image));
    int degrees = 0;
    float orient_conf = 0, script_conf = 0;
    const char* script = nullptr;
    if (osd_->DetectOrientationScript(&degrees, &orient_conf, &script, &script_conf)) {
      // degrees: how far the image is turned clockwise; undo it.
      out.rotate = (360 - degrees) % 360;
      if (script) out.script = script;
      out.script_confidence = script_conf;
      if (std::getenv("OCRCHAT_DEBUG_OCR"))
        std::fprintf(stderr, "osd: rotate %d (confidence %.2f), script %s (confidence %.2f)\n",
                     out.rotate, orient_conf, out.script.c_str(), script_conf);
    }
    osd_->Clear();
    return out;
  }

  // The initialised engine for a language set, most recently used first.
  core::Result<tesseract::TessBaseAPI*> Acquire(const std::string& languages) {
    for (auto it = models_.begin(); it != models_.end(); ++it) {
      if (it->first != languages) continue;
      models_.splice(models_.begin(), models_, it);
      return models_.front().second.get();
    }
    Api api(new tesseract::TessBaseAPI());
    if (api->Init(TessdataDir().c_str(), languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
      return core::Fail(ErrorCode::kInvalidParameter,
                        "the language model '" + languages + "' could not be loaded");
    api->SetVariable("debug_file", "/dev/null");
    models_.emplace_front(languages, std::move(api));
    while (static_cast<int>(models_.size()) > max_models_) models_.pop_back();
    return models_.front().second.get();
  }

  int max_models_;
  std::list<std::pair<std::string, Api>> models_;
  Api osd_;
  std::unique_ptr<paddle::PaddleEngine> second_;
  SecondReader second_mode_;
};

}  // namespace

std::unique_ptr<Engine> MakeTesseractEngine(int max_models) {
  return std::make_unique<TesseractEngine>(max_models);
}

core::Result<std::unique_ptr<Engine>> MakeTesseractEngine(const SecondReaderSetup& setup,
                                                          int max_models) {
  if (setup.mode == SecondReader::kOff) return MakeTesseractEngine(max_models);
  auto second = paddle::PaddleEngine::Open(setup.Models(), setup.load_at_start);
  if (!second) return std::unexpected(second.error());
  return std::make_unique<TesseractEngine>(max_models, std::move(*second), setup.mode);
}

}  // namespace ocrchat::ocr
