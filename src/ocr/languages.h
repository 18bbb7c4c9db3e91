// Language codes: the one table that maps what callers send (ISO 639-1,
// the seed's "ch", Tesseract codes, "+"-joined lists, "auto") to Tesseract
// model names and back, and what is installed. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ocrchat::ocr {

// The folder holding *.traineddata: $TESSDATA_PREFIX, else Debian's.
std::string TessdataDir();

// Tesseract codes with an installed model (osd excluded), sorted.
std::vector<std::string> InstalledLanguages();

struct LanguageInfo {
  std::string tesseract;  // "chi_sim"
  std::string iso;        // "zh"; the Tesseract code where ISO has none
  std::string name;       // "Chinese (Simplified)"
  bool installed = false;
};
// Every language the table knows, installed or not.
std::vector<LanguageInfo> KnownLanguages();

// Maps a request's language to Tesseract's "a+b" form. "auto" (or "")
// returns "". An unknown code, or one whose model is not installed, is a
// kInvalidParameter that names it.
core::Result<std::string> ToTesseract(std::string_view request);

// "eng+fra" -> "en"; the first language decides. Unknown -> the code as is.
std::string ToIso(std::string_view tesseract);

// The Tesseract model for a script named by OSD ("Latin", "Han", ...), or
// "" when none is installed.
std::string ModelForScript(std::string_view script);

// The Tesseract model that reads a script OSD names, installed or not ("tel"
// for "Telugu"); "" for a script we know no model of.
std::string ScriptModel(std::string_view script);

// The language of a text, as a Tesseract code ("fra"), or "" when it cannot
// be told reliably. Uses CLD2.
std::string DetectTextLanguage(std::string_view utf8_text);

}  // namespace ocrchat::ocr
