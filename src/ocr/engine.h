// The recognition engine: one page image in, ocrchat's own page model out.
// An Engine is a stateful session: not thread-safe, one per worker thread
// or process. Nothing outside src/ocr includes a Tesseract header.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/document.h"
#include "core/error.h"

struct Pix;  // Leptonica

namespace ocrchat::ocr {

struct RecognizeOptions {
  // Tesseract codes joined by '+' ("eng+fra"); "" means detect the script
  // and language.
  std::string languages;
  int dpi = 300;
  // The dpi is the image's own (a rendered PDF page, an image's resolution
  // metadata); false when it is a default that may not fit the print.
  bool dpi_given = false;
  // Detect and fix 90/180/270 rotation when the first reading is poor.
  bool fix_orientation = true;
  bool deskew = true;
  // Try harder: a second segmentation mode even when the first looks fine.
  bool accurate = false;
  // Past it, recognition stops and Recognize returns kTimeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The page is one the second recognizer reads where Tesseract is unsure
  // (an engine with --second-reader auto; Han pages are read anyway).
  bool second_reading = false;
};

// When the second recognizer (PP-OCRv4, src/ocr/paddle) re-reads lines
// that Tesseract read with low confidence: never; on pages that ask for it
// (RecognizeOptions::second_reading) and on Han pages; on every page.
enum class SecondReader { kOff, kAuto, kOn };
// "off", "auto", "on"; kInvalidParameter otherwise.
core::Result<SecondReader> ParseSecondReader(std::string_view name);
const char* SecondReaderName(SecondReader mode);

struct SecondReaderSetup {
  SecondReader mode = SecondReader::kOff;
  std::string models;  // the converted models' folder; "" for the build's own
  // Load the models when the engine is made, so that a model that does not
  // load is a start-up error (serve, worker); otherwise at their first use
  // (the command line, where most pages never need them).
  bool load_at_start = true;
  std::string Models() const;
};

// Whether the setup can run: kUnavailable naming the missing model and
// the remedy when the mode needs models that are not there.
core::Status CheckSecondReader(const SecondReaderSetup& setup);

class Engine {
 public:
  virtual ~Engine() = default;
  // Recognises one page. The image is not modified. On success the page
  // holds blocks (Tesseract paragraphs), lines and words in reading order,
  // with boxes in pixels of the upright image (width/height set, rotation
  // set to the clockwise degrees applied, dpi set: a very large image is
  // recognised scaled down, and then width, height and dpi are the scaled
  // image's), and `language` set to the models used.
  virtual core::Result<core::Page> Recognize(const Pix* image, const RecognizeOptions& options) = 0;
};

// The Tesseract engine, LSTM only, keeping up to `max_models` initialised
// model sets (an LRU by language set) between pages.
std::unique_ptr<Engine> MakeTesseractEngine(int max_models = 3);

// The Tesseract engine with the second recognizer as `setup` says
// (kOff: the plain Tesseract engine). kUnavailable as CheckSecondReader.
core::Result<std::unique_ptr<Engine>> MakeTesseractEngine(const SecondReaderSetup& setup,
                                                          int max_models = 3);

// The engine a worker runs, by name: "tesseract" (also ""), or, for tests
// of the page time limit, "slow:MS[:LANGS]": Tesseract after a wait of MS
// milliseconds that ignores the deadline, as a decoder stuck on a hostile
// file would; with LANGS (Tesseract codes joined by '+'), only pages asked
// in one of those languages wait. kInvalidParameter for any other name;
// kUnavailable when the second recognizer's models are missing.
core::Result<std::unique_ptr<Engine>> MakeEngine(std::string_view name,
                                                 const SecondReaderSetup& second = {});

}  // namespace ocrchat::ocr
