// The md export (also the job's "markdown"): headings, paragraphs, lists,
// pipe tables, pages separated by a thematic break.
#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "export/export.h"
#include "export/markup.h"

namespace ocrchat::exports {

namespace {

constexpr std::string_view kPageBreak = "\n\n---\n\n";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Backslash-escapes inline characters that Markdown would read as markup.
std::string EscapeInline(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '|':
        out += '\\';
        break;
      default: break;
    }
    out += c;
  }
  return out;
}

// Escapes a line's start where it would begin a block construct (heading,
// quote, list item, thematic break, setext underline, fence, table), then
// the inline specials.
std::string EscapeLine(std::string_view raw) {
  std::string line = core::NormalizeSpace(core::StripControl(raw));
  std::string out = EscapeInline(line);
  if (out.empty()) return out;
  char c = out[0];
  if (c == '#' || c == '>' || c == '-' || c == '+' || c == '=' || c == '~') return "\\" + out;
  size_t digits = 0;
  while (digits < out.size() && IsDigit(out[digits])) ++digits;
  if (digits > 0 && digits <= 9 && digits < out.size() &&
      (out[digits] == '.' || out[digits] == ')') &&
      (digits + 1 == out.size() || out[digits + 1] == ' '))
    return out.substr(0, digits) + "\\" + out.substr(digits);
  return out;
}

std::string ListMarkdown(const core::Block& block) {
  std::string out;
  for (const ListItem& item : ListItems(block)) {
    if (!out.empty()) out += '\n';
    out += (item.numbered ? item.marker : "-") + ' ' + EscapeLine(item.text);
  }
  return out;
}

std::string CellMarkdown(std::string_view text) {
  std::string cell = EscapeInline(core::NormalizeSpace(core::StripControl(text)));
  return cell;
}

std::string TableMarkdown(const core::Table& table) {
  if (table.rows <= 0 || table.cols <= 0) return "";
  auto grid = CellGrid(table);
  std::string out;
  for (int row = 0; row < table.rows; ++row) {
    out += '|';
    for (int col = 0; col < table.cols; ++col) {
      const core::TableCell* cell = grid[row][col];
      std::string text = cell ? CellMarkdown(cell->text) : "";
      out += ' ' + text + (text.empty() ? "|" : " |");
    }
    out += '\n';
    if (row == 0) {
      // Pipe tables need a header row; the first row serves as one even
      // when the table has none.
      out += '|';
      for (int col = 0; col < table.cols; ++col) out += " --- |";
      out += '\n';
    }
  }
  out.pop_back();
  return out;
}

std::string BlockMarkdown(const core::Block& block) {
  switch (block.type) {
    case core::BlockType::kHeading: {
      std::string text;
      for (const core::Line& line : block.lines) {
        std::string part = core::NormalizeSpace(core::StripControl(line.Text()));
        if (part.empty()) continue;
        if (!text.empty()) text += ' ';
        text += part;
      }
      if (text.empty()) return "";
      int level = std::clamp(block.level, 1, 6);
      // After "# " only inline escapes matter, and a trailing run of '#'
      // would be taken as a closing sequence.
      std::string escaped = EscapeInline(text);
      if (escaped.back() == '#') escaped.insert(escaped.size() - 1, "\\");
      std::string heading(level, '#');
      heading += ' ';
      heading += escaped;
      return heading;
    }
    case core::BlockType::kList:
      return ListMarkdown(block);
    case core::BlockType::kMath: {
      // LaTeX goes out as written: escaping would change the equation.
      std::string latex = core::NormalizeSpace(core::StripControl(block.Text()));
      return latex.empty() ? "" : "$$\n" + latex + "\n$$";
    }
    case core::BlockType::kFigure: {
      std::string text = core::NormalizeSpace(core::StripControl(block.Text()));
      return "![" + EscapeInline(text.empty() ? "figure" : text) + "]()";
    }
    case core::BlockType::kTable:
      if (block.table && !block.table->cells.empty()) return TableMarkdown(*block.table);
      [[fallthrough]];
    default: {
      std::string out;
      for (const core::Line& line : block.lines) {
        std::string text = EscapeLine(line.Text());
        if (text.empty()) continue;
        if (!out.empty()) out += '\n';
        out += text;
      }
      return out;
    }
  }
}

}  // namespace

std::string WriteMarkdown(const core::Document& document) {
  std::string out;
  for (const core::Page& page : document.pages) {
    std::string page_md;
    for (const core::Block& block : page.blocks) {
      std::string md = BlockMarkdown(block);
      if (md.empty()) continue;
      if (!page_md.empty()) page_md += "\n\n";
      page_md += md;
    }
    if (page_md.empty()) continue;
    if (!out.empty()) out += kPageBreak;
    out += page_md;
  }
  return out;
}

}  // namespace ocrchat::exports
