// Pieces the export writers share: XML escaping, language tags, positioned
// lines.
#include "export/markup.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/text.h"

namespace ocrchat::exports {

namespace {

bool IsXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string Escape(std::string_view text, bool single_line) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::u32string one(1, U' ');
  for (char32_t c : core::DecodeUtf8(text)) {
    if (!IsXmlChar(c)) continue;
    // DecodeUtf8 marks invalid bytes with U+FFFD; a genuine U+FFFD is kept
    // too, which is harmless.
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t':
      case '\n':
      case '\r':
        if (single_line) {
          out += ' ';
        } else if (c == '\r') {
          out += "&#13;";  // a raw CR would be normalised away by parsers
        } else {
          out += static_cast<char>(c);
        }
        break;
      default:
        if (c < 0x80) {
          out += static_cast<char>(c);
        } else {
          one[0] = c;
          out += core::EncodeUtf8(one);
        }
    }
  }
  return out;
}

}  // namespace

std::string EscapeXml(std::string_view text) { return Escape(text, false); }
std::string EscapeXmlLine(std::string_view text) { return Escape(text, true); }

std::string IsoFromTesseract(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 40> kCodes{{
      {"eng", "en"}, {"fra", "fr"}, {"deu", "de"}, {"spa", "es"}, {"ita", "it"},
      {"por", "pt"}, {"nld", "nl"}, {"rus", "ru"}, {"ukr", "uk"}, {"pol", "pl"},
      {"ara", "ar"}, {"heb", "he"}, {"hin", "hi"}, {"ben", "bn"}, {"tam", "ta"},
      {"chi_sim", "zh-Hans"}, {"chi_tra", "zh-Hant"}, {"jpn", "ja"}, {"kor", "ko"},
      {"tha", "th"}, {"vie", "vi"}, {"tur", "tr"}, {"ell", "el"}, {"ces", "cs"},
      {"slk", "sk"}, {"swe", "sv"}, {"dan", "da"}, {"nor", "no"}, {"fin", "fi"},
      {"hun", "hu"}, {"ron", "ro"}, {"bul", "bg"}, {"srp", "sr"}, {"hrv", "hr"},
      {"fas", "fa"}, {"urd", "ur"}, {"ind", "id"}, {"msa", "ms"}, {"cat", "ca"},
      {"lit", "lt"},
  }};
  for (const auto& [tess, iso] : kCodes)
    if (code == tess) return std::string(iso);
  return std::string(code);
}

namespace {

std::string FirstCode(std::string_view language) {
  return std::string(language.substr(0, language.find('+')));
}

}  // namespace

std::string LanguageTag(const core::Document& document) {
  if (!document.detected_language.empty()) return document.detected_language;
  for (const core::Page& page : document.pages)
    if (!page.language.empty()) return IsoFromTesseract(FirstCode(page.language));
  return "";
}

std::string LanguageTag(const core::Page& page, const core::Document& document) {
  if (!page.language.empty() && page.language.find('+') == std::string::npos)
    return IsoFromTesseract(page.language);
  return LanguageTag(document);
}

std::vector<core::Line> PositionedLines(const core::Block& block) {
  bool has_words = std::any_of(block.lines.begin(), block.lines.end(),
                               [](const core::Line& line) { return !line.words.empty(); });
  if (has_words || !block.table) return block.lines;
  std::vector<core::Line> lines;
  for (const core::TableCell& cell : block.table->cells) {
    std::string text = core::NormalizeSpace(core::StripControl(cell.text));
    if (text.empty() || cell.bbox.Empty()) continue;
    std::vector<std::string> tokens;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find(' ', start);
      if (end == std::string::npos) end = text.size();
      tokens.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    size_t total = 0;
    for (const std::string& token : tokens) total += core::DecodeUtf8(token).size() + 1;
    core::Line line;
    line.bbox = cell.bbox;
    line.confidence = block.confidence;
    size_t done = 0;
    for (const std::string& token : tokens) {
      size_t length = core::DecodeUtf8(token).size();
      core::Word word;
      word.text = token;
      word.confidence = block.confidence;
      int width = cell.bbox.Width();
      word.bbox = {cell.bbox.x0 + static_cast<int>(width * done / total), cell.bbox.y0,
                   cell.bbox.x0 + static_cast<int>(width * (done + length) / total),
                   cell.bbox.y1};
      done += length + 1;
      line.words.push_back(std::move(word));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the list marker at the start of a line, including the space
// after it; 0 when there is none.
size_t ListMarker(std::string_view line, bool* numbered) {
  static constexpr std::string_view kBullets[] = {"•", "◦", "▪", "▫", "‣", "●", "○", "■",
                                                  "□", "–", "—", "·", "-", "*", "+", "o"};
  for (std::string_view bullet : kBullets) {
    if (line.starts_with(bullet) && line.size() > bullet.size() && line[bullet.size()] == ' ') {
      *numbered = false;
      return bullet.size() + 1;
    }
  }
  size_t digits = 0;
  while (digits < line.size() && IsDigit(line[digits])) ++digits;
  if (digits > 0 && digits <= 9 && digits + 1 < line.size() &&
      (line[digits] == '.' || line[digits] == ')') && line[digits + 1] == ' ') {
    *numbered = true;
    return digits + 2;
  }
  return 0;
}

}  // namespace

std::vector<ListItem> ListItems(const core::Block& block) {
  std::vector<std::string> lines;
  for (const core::Line& line : block.lines) {
    std::string text = core::NormalizeSpace(core::StripControl(line.Text()));
    if (!text.empty()) lines.push_back(std::move(text));
  }
  bool any_marker = false;
  for (const std::string& line : lines) {
    bool numbered;
    if (ListMarker(line, &numbered)) any_marker = true;
  }
  std::vector<ListItem> items;
  for (const std::string& line : lines) {
    bool numbered = false;
    size_t marker = ListMarker(line, &numbered);
    if (marker == 0 && any_marker && !items.empty()) {
      items.back().text += ' ' + line;
      continue;
    }
    items.push_back({numbered, numbered ? line.substr(0, marker - 1) : "", line.substr(marker)});
  }
  return items;
}

bool IsRightToLeft(char32_t c) {
  return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF) ||
         (c >= 0xFE70 && c <= 0xFEFF);
}

bool StartsRightToLeft(std::u32string_view text) {
  for (char32_t c : text) {
    if (IsRightToLeft(c)) return true;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x00C0) return false;
  }
  return false;
}

float LineConfidence(const core::Line& line) {
  if (line.confidence > 0 || line.words.empty()) return line.confidence;
  double sum = 0;
  for (const core::Word& word : line.words) sum += word.confidence;
  return static_cast<float>(sum / line.words.size());
}

core::Box LineBox(const core::Line& line) {
  if (!line.bbox.Empty()) return line.bbox;
  core::Box box;
  for (const core::Word& word : line.words) box = box.Union(word.bbox);
  return box;
}

std::vector<std::vector<const core::TableCell*>> CellGrid(const core::Table& table) {
  std::vector<std::vector<const core::TableCell*>> grid(
      std::max(table.rows, 0), std::vector<const core::TableCell*>(std::max(table.cols, 0)));
  for (const core::TableCell& cell : table.cells) {
    if (cell.row < 0 || cell.col < 0 || cell.row >= table.rows || cell.col >= table.cols) continue;
    grid[cell.row][cell.col] = &cell;
  }
  return grid;
}

}  // namespace ocrchat::exports
