// The document model: what recognition produces and every later stage
// (layout, exports, chat, the job object) reads. Plain values, no behaviour
// beyond deriving text; coordinates are pixels of the recognised page image,
// origin top-left; confidences are in [0, 1].
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.h"

namespace ocrchat::core {

struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int Width() const { return x1 - x0; }
  int Height() const { return y1 - y0; }
  bool Empty() const { return x1 <= x0 || y1 <= y0; }
  // The smallest box holding both; an empty box is the identity.
  Box Union(const Box& other) const;
  bool operator==(const Box&) const = default;
};

struct Word {
  std::string text;  // UTF-8
  Box bbox;
  float confidence = 0;
};

struct Line {
  std::vector<Word> words;
  Box bbox;
  float confidence = 0;
  // Words joined by single spaces (no space between CJK characters' words).
  std::string Text() const;
};

// kMath holds an equation as LaTeX (its one line's words); kFigure a
// figure's description.
enum class BlockType { kParagraph, kHeading, kList, kTable, kHeader, kFooter, kCaption, kMath, kFigure };
const char* BlockTypeName(BlockType type);
std::optional<BlockType> BlockTypeFromName(std::string_view name);

struct TableCell {
  int row = 0, col = 0, row_span = 1, col_span = 1;
  std::string text;
  Box bbox;
};

struct Table {
  int rows = 0, cols = 0;
  std::vector<TableCell> cells;
  bool header_row = false;  // row 0 is a header
};

struct Block {
  BlockType type = BlockType::kParagraph;
  int level = 0;  // heading level 1..6 for kHeading; 0 otherwise
  std::vector<Line> lines;
  Box bbox;
  float confidence = 0;
  std::optional<Table> table;  // set when type is kTable
  // Lines joined by '\n' (list items and headings keep their own lines).
  std::string Text() const;
};

// Who read the page: Tesseract, the PDF's own text, or a vision-language
// model (whose words carry the boxes of the locally found words they match).
enum class TextSource { kOcr, kPdfText, kNone, kVlm };

struct Page {
  int index = 0;  // from 0
  int width = 0, height = 0;  // pixels of the page image given to recognition (turned upright)
  int dpi = 300;
  int rotation = 0;  // degrees the content was turned to read upright
  TextSource source = TextSource::kOcr;
  std::string language;  // Tesseract codes used, e.g. "eng+fra"
  std::vector<Block> blocks;  // in reading order
  // Ruling lines (table borders, underlines) found on the image or drawn in
  // the PDF: thin boxes, horizontal or vertical. Input to table detection.
  std::vector<Box> rules;
  std::vector<std::string> warnings;
  // The tool translate: the blocks with their text in translation_language
  // (ISO 639-1), boxes kept; empty when the page was not translated.
  std::string translation_language;
  std::vector<Block> translation;
  // Blocks joined by blank lines.
  std::string Text() const;
  // Mean of word confidences weighted by characters; 0 for an empty page.
  float MeanConfidence() const;
  int WordCount() const;
};

struct Document {
  std::vector<Page> pages;
  std::string detected_language;  // ISO 639-1 where one exists
  std::vector<std::string> warnings;
  // Pages' text separated by "\n\n" (the job's "text").
  std::string Text() const;
  float MeanConfidence() const;
};

// Lossless JSON form of a page, as stored between worker and assembly and
// as served in the job's "pages" (which adds derived "text").
nlohmann::json PageToJson(const Page& page);
Page PageFromJson(const nlohmann::json& json);
// The page from its stored JSON text; kCorrupt when the text is not JSON or
// a member has the wrong type.
Result<Page> PageFromJsonText(std::string_view text);

}  // namespace ocrchat::core
