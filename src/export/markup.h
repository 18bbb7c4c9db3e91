// Pieces the export writers share: XML escaping, language tags and the
// positioned lines of a block. Private to src/export.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"

namespace ocrchat::exports {

// Text safe inside XML 1.0 element content and quoted attributes: & < > " '
// escaped, invalid UTF-8 and characters XML 1.0 forbids (most C0 controls,
// U+FFFE/U+FFFF, lone surrogates) dropped. Tab, LF and CR are kept.
std::string EscapeXml(std::string_view text);

// Like EscapeXml but also turns tab/LF/CR into spaces: for attributes
// and single-line content.
std::string EscapeXmlLine(std::string_view text);

// The document's language as a BCP 47 / ISO 639-1 tag ("en", "ar",
// "zh"): detected_language when set, else the first Tesseract code of the
// first page that has one, mapped to ISO 639-1 where known; "" if unknown.
std::string LanguageTag(const core::Document& document);
// The same for one page: the page's first Tesseract code when set, else
// the document's tag.
std::string LanguageTag(const core::Page& page, const core::Document& document);
// ISO 639-1 for a Tesseract code ("eng" -> "en", "chi_sim" -> "zh"); the
// code itself when unknown.
std::string IsoFromTesseract(std::string_view code);

// The lines of a block with words and boxes. A table block without lines
// gives one line per non-empty cell holding one word per whitespace-separated
// token spread evenly over the cell box.
std::vector<core::Line> PositionedLines(const core::Block& block);

// One item of a list block. A line starting with a bullet glyph or a number
// ("1." "2)") starts an item; a line without one continues the item above,
// unless no line has a marker, in which case every line is an item.
struct ListItem {
  bool numbered = false;
  std::string marker;  // "1." for numbered items, "" for bullets
  std::string text;    // without the marker, spaces normalised
};
std::vector<ListItem> ListItems(const core::Block& block);

// Whether the first strongly directional character is right-to-left
// (Hebrew, Arabic and their presentation forms).
bool StartsRightToLeft(std::u32string_view text);
bool IsRightToLeft(char32_t c);

// Confidence of a line: its own when set, else the mean of its words.
float LineConfidence(const core::Line& line);

// The box of a line: its own when non-empty, else the union of its words.
core::Box LineBox(const core::Line& line);

// The cell that starts at each grid position of a table, [row][col]; nullptr
// where none starts (empty or covered by a span). Cells outside the grid are
// ignored.
std::vector<std::vector<const core::TableCell*>> CellGrid(const core::Table& table);

}  // namespace ocrchat::exports
