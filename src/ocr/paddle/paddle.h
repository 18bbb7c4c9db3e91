// PP-OCRv4 (PaddleOCR's detector and recognizer, Chinese and English) run
// through OpenCV's DNN module: a second recognizer beside Tesseract.
// Nothing outside src/ocr/paddle includes an OpenCV header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/error.h"
#include "ocr/engine.h"
#include "ocr/paddle/db.h"

namespace ocrchat::ocr::paddle {

// The converted models installed with the binary (<prefix>/share/ocrchat/
// paddle, by `cmake --install`) when they are there, else the build's own.
std::string DefaultModelDir();

// kUnavailable, saying which file is missing from `dir` and how to make
// it, when the models are not all there.
core::Status CheckModels(const std::string& dir);

// One text line as PP-OCR read it.
struct LineReading {
  std::vector<core::Word> words;  // boxes in pixels of the image passed
  float confidence = 0;           // mean probability of its characters; 0 for no text
  int characters = 0;
};

// A stateful session, not thread-safe. The recognizer's input has a fixed
// height (48 px) and one of a few widths; a network is kept per width and
// per detector input size, since OpenCV's net gives wrong output when it is
// reused for another input shape.
class PaddleEngine final : public Engine {
 public:
  // The models of `dir`; kUnavailable as CheckModels says, or, with
  // `load_now`, when OpenCV cannot load them (without it, a model that does
  // not load fails the first page that needs it).
  static core::Result<std::unique_ptr<PaddleEngine>> Open(const std::string& dir,
                                                          bool load_now = true);
  ~PaddleEngine() override;
  PaddleEngine(const PaddleEngine&) = delete;
  PaddleEngine& operator=(const PaddleEngine&) = delete;

  // The page's lines, detected and read: one block, lines top to bottom
  // (boxes on one row form one line), words with boxes; options.languages
  // is ignored (page.language is "chi_sim+eng").
  core::Result<core::Page> Recognize(const Pix* image, const RecognizeOptions& options) override;

  // Reads the one line of text inside `box` of `image` (any depth).
  core::Result<LineReading> ReadLine(const Pix* image, const core::Box& box);

  // The text lines the detector finds, in pixels of `image`.
  core::Result<std::vector<Quad>> DetectLines(const Pix* image);

 private:
  struct Nets;
  explicit PaddleEngine(std::unique_ptr<Nets> nets);
  std::unique_ptr<Nets> nets_;
};

}  // namespace ocrchat::ocr::paddle
