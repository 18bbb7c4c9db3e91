// Derived text of the document model and its JSON form.
#include "core/document.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace ocrchat::core {

using nlohmann::json;

Box Box::Union(const Box& other) const {
  if (Empty()) return other;
  if (other.Empty()) return *this;
  return {std::min(x0, other.x0), std::min(y0, other.y0), std::max(x1, other.x1),
          std::max(y1, other.y1)};
}

std::string Line::Text() const {
  std::string out;
  for (const Word& word : words) {
    if (word.text.empty()) continue;
    if (!out.empty() && !(EndsWithCjk(out) && StartsWithCjk(word.text))) out += ' ';
    out += word.text;
  }
  return out;
}

std::string Block::Text() const {
  if (table && !table->cells.empty()) {
    // Row by row, cells separated by tabs: readable in plain text.
    std::string out;
    for (int row = 0; row < table->rows; ++row) {
      std::vector<std::string> cells(table->cols);
      for (const TableCell& cell : table->cells)
        if (cell.row == row && cell.col < table->cols) cells[cell.col] = cell.text;
      std::string line;
      for (size_t i = 0; i < cells.size(); ++i) line += (i ? "\t" : "") + cells[i];
      if (!out.empty()) out += '\n';
      out += line;
    }
    return out;
  }
  std::string out;
  for (const Line& line : lines) {
    std::string text = line.Text();
    if (text.empty()) continue;
    if (!out.empty()) out += '\n';
    out += text;
  }
  return out;
}

std::string Page::Text() const {
  std::string out;
  for (const Block& block : blocks) {
    std::string text = block.Text();
    if (text.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += text;
  }
  return out;
}

float Page::MeanConfidence() const {
  double sum = 0, weight = 0;
  for (const Block& block : blocks)
    for (const Line& line : block.lines)
      for (const Word& word : line.words) {
        sum += word.confidence * word.text.size();
        weight += word.text.size();
      }
  return weight > 0 ? static_cast<float>(sum / weight) : 0.0f;
}

int Page::WordCount() const {
  int count = 0;
  for (const Block& block : blocks)
    for (const Line& line : block.lines) count += static_cast<int>(line.words.size());
  return count;
}

std::string Document::Text() const {
  std::string out;
  for (const Page& page : pages) {
    std::string text = page.Text();
    if (text.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += text;
  }
  return out;
}

float Document::MeanConfidence() const {
  double sum = 0;
  int counted = 0;
  for (const Page& page : pages) {
    if (page.WordCount() == 0) continue;
    sum += page.MeanConfidence();
    ++counted;
  }
  return counted ? static_cast<float>(sum / counted) : 0.0f;
}

const char* BlockTypeName(BlockType type) {
  switch (type) {
    case BlockType::kParagraph: return "paragraph";
    case BlockType::kHeading: return "heading";
    case BlockType::kList: return "list";
    case BlockType::kTable: return "table";
    case BlockType::kHeader: return "header";
    case BlockType::kFooter: return "footer";
    case BlockType::kCaption: return "caption";
    case BlockType::kMath: return "math";
    case BlockType::kFigure: return "figure";
  }
  return "paragraph";
}

std::optional<BlockType> BlockTypeFromName(std::string_view name) {
  for (BlockType type : {BlockType::kParagraph, BlockType::kHeading, BlockType::kList,
                         BlockType::kTable, BlockType::kHeader, BlockType::kFooter,
                         BlockType::kCaption, BlockType::kMath, BlockType::kFigure})
    if (name == BlockTypeName(type)) return type;
  return std::nullopt;
}

namespace {

json BoxJson(const Box& box) { return json::array({box.x0, box.y0, box.x1, box.y1}); }

// An int read from JSON. nlohmann's get<int>() converts a float out of
// int's range with undefined behaviour (a stored 1e300 width); such a value,
// like one of the wrong type, throws and makes the page unreadable.
int ToInt(const json& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!(d >= std::numeric_limits<int>::min() && d <= std::numeric_limits<int>::max()))
      throw std::out_of_range("a number is out of range");
    return static_cast<int>(d);
  }
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int>::max()))
      throw std::out_of_range("a number is out of range");
    return static_cast<int>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) {
    int64_t n = v.get<int64_t>();
    if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max())
      throw std::out_of_range("a number is out of range");
    return static_cast<int>(n);
  }
  return v.get<int>();  // throws json::type_error for strings, arrays, ...
}

int IntAt(const json& j, const char* key, int fallback) {
  if (!j.is_object()) return j.value(key, fallback);  // throws json::type_error
  auto it = j.find(key);
  return it == j.end() ? fallback : ToInt(*it);
}

Box BoxFrom(const json& j) {
  if (!j.is_array() || j.size() != 4) return {};
  return {ToInt(j[0]), ToInt(j[1]), ToInt(j[2]), ToInt(j[3])};
}

// Confidences are written with 4 decimals: enough, and stable in tests.
double Round4(float value) { return std::round(static_cast<double>(value) * 10000) / 10000; }

const char* SourceName(TextSource source) {
  switch (source) {
    case TextSource::kOcr: return "ocr";
    case TextSource::kPdfText: return "pdf_text";
    case TextSource::kNone: return "none";
    case TextSource::kVlm: return "vlm";
  }
  return "ocr";
}

json BlocksToJson(const std::vector<Block>& page_blocks) {
  json blocks = json::array();
  for (const Block& block : page_blocks) {
    json lines = json::array();
    for (const Line& line : block.lines) {
      json words = json::array();
      for (const Word& word : line.words)
        words.push_back(
            {{"text", word.text}, {"bbox", BoxJson(word.bbox)}, {"confidence", Round4(word.confidence)}});
      lines.push_back({{"text", line.Text()},
                       {"bbox", BoxJson(line.bbox)},
                       {"confidence", Round4(line.confidence)},
                       {"words", std::move(words)}});
    }
    json b = {{"type", BlockTypeName(block.type)},
              {"text", block.Text()},
              {"bbox", BoxJson(block.bbox)},
              {"confidence", Round4(block.confidence)}};
    if (block.type == BlockType::kHeading) b["level"] = block.level;
    if (block.table) {
      json cells = json::array();
      for (const TableCell& cell : block.table->cells)
        cells.push_back({{"row", cell.row},
                         {"col", cell.col},
                         {"row_span", cell.row_span},
                         {"col_span", cell.col_span},
                         {"text", cell.text},
                         {"bbox", BoxJson(cell.bbox)}});
      b["rows"] = block.table->rows;
      b["cols"] = block.table->cols;
      b["header_row"] = block.table->header_row;
      b["cells"] = std::move(cells);
    }
    b["lines"] = std::move(lines);
    blocks.push_back(std::move(b));
  }
  return blocks;
}

std::vector<Block> BlocksFromJson(const json& j) {
  std::vector<Block> blocks;
  for (const json& jb : j) {
    Block block;
    block.type = BlockTypeFromName(jb.value("type", "paragraph")).value_or(BlockType::kParagraph);
    block.level = IntAt(jb, "level", 0);
    block.bbox = BoxFrom(jb.value("bbox", json()));
    block.confidence = jb.value("confidence", 0.0f);
    for (const json& jl : jb.value("lines", json::array())) {
      Line line;
      line.bbox = BoxFrom(jl.value("bbox", json()));
      line.confidence = jl.value("confidence", 0.0f);
      for (const json& jw : jl.value("words", json::array()))
        line.words.push_back({jw.value("text", ""), BoxFrom(jw.value("bbox", json())),
                              jw.value("confidence", 0.0f)});
      block.lines.push_back(std::move(line));
    }
    if (jb.contains("cells")) {
      Table table;
      table.rows = IntAt(jb, "rows", 0);
      table.cols = IntAt(jb, "cols", 0);
      table.header_row = jb.value("header_row", false);
      for (const json& jc : jb["cells"])
        table.cells.push_back({IntAt(jc, "row", 0), IntAt(jc, "col", 0), IntAt(jc, "row_span", 1),
                               IntAt(jc, "col_span", 1), jc.value("text", ""),
                               BoxFrom(jc.value("bbox", json()))});
      block.table = std::move(table);
    }
    blocks.push_back(std::move(block));
  }
  return blocks;
}

}  // namespace

json PageToJson(const Page& page) {
  json blocks = BlocksToJson(page.blocks);
  json out = {{"index", page.index},
              {"width", page.width},
              {"height", page.height},
              {"dpi", page.dpi},
              {"rotation", page.rotation},
              {"source", SourceName(page.source)},
              {"language", page.language},
              {"confidence", Round4(page.MeanConfidence())},
              {"text", page.Text()},
              {"blocks", std::move(blocks)}};
  if (!page.warnings.empty()) out["warnings"] = page.warnings;
  if (!page.translation_language.empty())
    out["translation"] = {{"language", page.translation_language},
                          {"blocks", BlocksToJson(page.translation)}};
  if (!page.rules.empty()) {
    json rules = json::array();
    for (const Box& rule : page.rules) rules.push_back(BoxJson(rule));
    out["rules"] = std::move(rules);
  }
  return out;
}

Page PageFromJson(const json& j) {
  Page page;
  page.index = IntAt(j, "index", 0);
  page.width = IntAt(j, "width", 0);
  page.height = IntAt(j, "height", 0);
  page.dpi = IntAt(j, "dpi", 300);
  page.rotation = IntAt(j, "rotation", 0);
  std::string source = j.value("source", "ocr");
  page.source = source == "pdf_text" ? TextSource::kPdfText
                : source == "none"   ? TextSource::kNone
                : source == "vlm"    ? TextSource::kVlm
                                     : TextSource::kOcr;
  page.language = j.value("language", "");
  if (j.contains("warnings")) page.warnings = j["warnings"].get<std::vector<std::string>>();
  for (const json& rule : j.value("rules", json::array())) page.rules.push_back(BoxFrom(rule));
  page.blocks = BlocksFromJson(j.value("blocks", json::array()));
  if (j.contains("translation") && j["translation"].is_object()) {
    page.translation_language = j["translation"].value("language", "");
    page.translation = BlocksFromJson(j["translation"].value("blocks", json::array()));
  }
  return page;
}

Result<Page> PageFromJsonText(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Fail(ErrorCode::kCorrupt, "a stored page is not a JSON object");
  try {
    return PageFromJson(j);
  } catch (const std::exception& e) {  // json::exception, std::out_of_range
    return Fail(ErrorCode::kCorrupt, "a stored page is damaged", e.what());
  }
}

}  // namespace ocrchat::core
