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
// A script model ("Telugu", "HanS") names no language: "".
std::string ToIso(std::string_view tesseract);

// The installed model that reads a script OSD names ("Latin", "Telugu",
// "HanS", ...): its language's model ("tel"), else Debian's script model
// ("Telugu"); "" when neither is installed or the script is unknown.
std::string ModelForScript(std::string_view script);

// Whether a script OSD names is written in the Latin alphabet ("Latin",
// "Fraktur", "Vietnamese"), which a Latin model reads.
bool IsLatinScript(std::string_view script);

// For a script OSD names that no installed model reads, the page warning
// that says so and names the Debian packages that would ("script Telugu
// detected, but no Tesseract model for it is installed: apt-get install
// tesseract-ocr-tel (or tesseract-ocr-script-telu); its text was not
// read"). "" when a model is installed, for an unknown script, and for
// scripts in the Latin alphabet (Fraktur, Vietnamese), which a Latin model
// still reads.
std::string MissingScriptWarning(std::string_view script);

// The language of a text, as a Tesseract code ("fra"), or "" when it cannot
// be told or its model is not installed; with `reliable_only`, "" too when
// CLD2 does not call its guess reliable (most of the text in one language,
// by a clear margin). Uses CLD2.
std::string DetectTextLanguage(std::string_view utf8_text, bool reliable_only = false);

}  // namespace ocrchat::ocr
