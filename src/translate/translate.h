// translate: text from one language into another, by a language model
// server (the configured chat model) or offline by Apertium (Debian's
// apertium and its language pairs). Language codes are ISO 639-1 ("en").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/error.h"
#include "model/model.h"

namespace ocrchat::translate {

struct Pair {
  std::string from, to;  // ISO 639-1
  bool operator==(const Pair&) const = default;
};

// Translates plain text; newlines separate paragraphs and are kept. A
// Translator may be called from several threads at once.
class Translator {
 public:
  virtual ~Translator() = default;
  // kInvalidParameter when the pair is not available; kUnavailable when the
  // backend could not be run or did not answer. Never returns the input
  // untranslated as if it were a translation.
  virtual core::Result<std::string> Translate(const std::string& text, const std::string& from,
                                              const std::string& to) = 0;
  // Translates many segments in one go (one call to the backend where it
  // can); the result has one entry per segment, in order.
  virtual core::Result<std::vector<std::string>> TranslateSegments(
      const std::vector<std::string>& segments, const std::string& from, const std::string& to);
  // True when this translator can translate from -> to.
  virtual bool Supports(const std::string& from, const std::string& to) const = 0;
};

// ---- Apertium -----------------------------------------------------------

// The pairs the installed Apertium modes translate, as ISO 639-1 codes,
// sorted; empty when Apertium is not installed. Read once per process
// from `modes_dir` (Debian: /usr/share/apertium/modes).
std::vector<Pair> ApertiumPairs(const std::string& modes_dir = "/usr/share/apertium/modes");

// Runs `apertium` as a child process per call (timeout_ms each).
std::unique_ptr<Translator> MakeApertiumTranslator(int timeout_ms = 60000,
                                                   const std::string& modes_dir =
                                                       "/usr/share/apertium/modes");

// ---- A model server -------------------------------------------------------

// Translates with the chat model of an OpenAI-compatible server; supports
// every pair (the model decides what it can do).
std::unique_ptr<Translator> MakeModelTranslator(model::ServerConfig server);

// ---- Documents ----------------------------------------------------------

// The page with every block's text (and table cells) translated; boxes and
// structure kept, so the writers give the translation's text and Markdown.
core::Result<core::Page> TranslatePage(const core::Page& page, const std::string& from,
                                       const std::string& to, Translator& translator);

}  // namespace ocrchat::translate
