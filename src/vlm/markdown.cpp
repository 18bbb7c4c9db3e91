// The model's Markdown as blocks. Only what models write for documents:
// ATX and setext headings, paragraphs, lists, pipe tables, HTML tables,
// display math and figures; inline Markdown is reduced to plain text.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <regex>

#include "core/text.h"
#include "vlm/vlm.h"

namespace ocrchat::vlm {
namespace {

std::string Trim(std::string_view text) { return std::string(core::Trim(text)); }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Named entities models write, and numeric ones (&#8212; &#x2014;). &amp;
// comes last so that "&amp;lt;" stays "&lt;".
std::string DecodeEntities(std::string text) {
  std::string numeric;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool hex = i + 2 < text.size() && (text[i + 2] == 'x' || text[i + 2] == 'X');
    size_t end = i + (hex ? 3 : 2);
    uint32_t code = 0;
    if (text[i] == '&' && i + 1 < text.size() && text[i + 1] == '#') {
      for (; end < text.size() && end - i < 10; ++end) {
        unsigned char c = text[end];
        int digit = std::isdigit(c)           ? c - '0'
                    : hex && std::isxdigit(c) ? std::tolower(c) - 'a' + 10
                                              : -1;
        if (digit < 0) break;
        code = code * (hex ? 16 : 10) + digit;
      }
    }
    if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) || end >= text.size() ||
        text[end] != ';') {
      numeric += text[i];
      continue;
    }
    numeric += core::EncodeUtf8(std::u32string(1, static_cast<char32_t>(code)));
    i = end;
  }
  text = std::move(numeric);
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&nbsp;", " "}, {"&lt;", "<"},   {"&gt;", ">"}, {"&quot;", "\""},
      {"&#39;", "'"},  {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : kEntities) {
    size_t at = 0;
    while ((at = text.find(entity, at)) != std::string::npos) {
      text.replace(at, std::string_view(entity).size(), plain);
      at += std::string_view(plain).size();
    }
  }
  return text;
}

// Inline Markdown and HTML to plain text: links and images keep their
// text, emphasis and code marks go, backslash escapes are undone. Only
// the HTML tags models use for documents are tags, and only with
// name=value attributes: "a<b and c>d" is text.
std::string PlainText(std::string_view markdown) {
  static const std::regex kImage(R"(!\[([^\]]*)\]\([^)]*\))");
  static const std::regex kLink(R"(\[([^\]]*)\]\([^)]*\))");
  static const std::regex kBreak(R"(<br\s*/?>)", std::regex::icase);
  static const std::regex kTag(
      R"(</?(?:a|b|i|u|s|em|strong|sup|sub|span|div|p|code|small|big|font|mark|del|ins|)"
      R"(center|img|hr|tt|strike|cite|abbr|q|li|ul|ol|h[1-6]|table|thead|tbody|tfoot|tr|th|td|)"
      R"(caption|figure|figcaption))"
      R"((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))*\s*/?>)",
      std::regex::icase);
  std::string text(markdown);
  text = std::regex_replace(text, kImage, "$1");
  text = std::regex_replace(text, kLink, "$1");
  text = std::regex_replace(text, kBreak, " ");
  text = std::regex_replace(text, kTag, "");
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && std::ispunct(static_cast<unsigned char>(text[i + 1]))) {
      out += text[++i];
      continue;
    }
    if (c == '`') continue;
    // Emphasis marks: runs of *, __ and ~~. A run with spaces on both sides
    // is not emphasis ("2 * 3").
    size_t run = 0;
    if (c == '*') {
      while (i + run < text.size() && text[i + run] == '*') ++run;
    } else if ((c == '_' || c == '~') && i + 1 < text.size() && text[i + 1] == c) {
      while (i + run < text.size() && text[i + run] == c) ++run;
    }
    if (run > 0) {
      bool space_before = i == 0 || IsSpace(text[i - 1]);
      bool space_after = i + run >= text.size() || IsSpace(text[i + run]);
      if (space_before && space_after) out.append(run, c);
      i += run - 1;
      continue;
    }
    out += c;
  }
  return core::NormalizeSpace(DecodeEntities(out));
}

bool IsDelimiterRow(const std::string& line) {
  // A pipe is required: "---" alone is a thematic break or a setext line.
  static const std::regex kDelimiter(R"(^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$)");
  return line.find('|') != std::string::npos && std::regex_match(line, kDelimiter);
}

bool IsPipeRow(const std::string& line) {
  return line.starts_with("|") || (line.find(" | ") != std::string::npos && line.ends_with("|"));
}

std::vector<SegmentCell> PipeCells(std::string line) {
  line = Trim(line);
  if (line.starts_with("|")) line.erase(0, 1);
  if (line.ends_with("|") && !line.ends_with("\\|")) line.pop_back();
  std::vector<SegmentCell> cells;
  std::string cell;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.push_back({PlainText(cell)});
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  cells.push_back({PlainText(cell)});
  return cells;
}

// A rowspan or colspan attribute of a cell's lower-cased attributes: 1 when
// absent or not a positive number; at most 1000. Read by hand: a regex
// built per cell costs more than the rest of the table, and std::stoi
// throws on a number past int.
int SpanOf(std::string_view attributes, std::string_view name) {
  for (size_t at = attributes.find(name); at != std::string_view::npos;
       at = attributes.find(name, at + 1)) {
    if (at > 0 && std::isalnum(static_cast<unsigned char>(attributes[at - 1]))) continue;
    size_t i = at + name.size();
    while (i < attributes.size() && IsSpace(attributes[i])) ++i;
    if (i >= attributes.size() || attributes[i] != '=') continue;
    ++i;
    while (i < attributes.size() &&
           (IsSpace(attributes[i]) || attributes[i] == '"' || attributes[i] == '\''))
      ++i;
    int span = 0;
    for (; i < attributes.size() && std::isdigit(static_cast<unsigned char>(attributes[i])); ++i)
      span = std::min(1000, span * 10 + (attributes[i] - '0'));
    return std::max(span, 1);
  }
  return 1;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// An HTML table's cells, read by scanning its tags once (std::regex over a
// long table is slow). A cell ends at its end tag or at the next cell, row
// or table tag, a row at its end tag or the next row: HTML lets both end
// tags out.
Segment HtmlTable(const std::string& html) {
  const std::string lower = Lower(html);
  Segment segment;
  segment.type = core::BlockType::kTable;
  std::vector<SegmentCell> row;
  bool in_row = false, row_all_th = true, first_row_header = false;
  size_t cell_start = std::string::npos;  // where the open cell's content starts
  SegmentCell cell;
  bool cell_th = false;
  auto end_cell = [&](size_t at) {
    if (cell_start == std::string::npos) return;
    cell.text = PlainText(std::string_view(html).substr(cell_start, at - cell_start));
    row.push_back(cell);
    row_all_th = row_all_th && cell_th;
    cell_start = std::string::npos;
  };
  auto end_row = [&] {
    if (!in_row) return;
    if (!row.empty()) {
      if (segment.rows.empty()) first_row_header = row_all_th;
      segment.rows.push_back(std::move(row));
    }
    row.clear();
    in_row = false;
  };
  for (size_t at = lower.find('<'); at != std::string::npos; at = lower.find('<', at + 1)) {
    size_t close = lower.find('>', at);
    if (close == std::string::npos) break;
    const bool closing = at + 1 < lower.size() && lower[at + 1] == '/';
    size_t name_start = at + (closing ? 2 : 1), name_end = name_start;
    while (name_end < close && std::isalnum(static_cast<unsigned char>(lower[name_end])))
      ++name_end;
    const std::string name = lower.substr(name_start, name_end - name_start);
    if (name == "td" || name == "th") {
      end_cell(at);
      if (!closing) {
        if (!in_row) {
          in_row = true;
          row_all_th = true;
        }
        std::string_view attributes = std::string_view(lower).substr(name_end, close - name_end);
        cell = SegmentCell{"", SpanOf(attributes, "rowspan"), SpanOf(attributes, "colspan")};
        cell_th = name == "th";
        cell_start = close + 1;
      }
    } else if (name == "tr") {
      end_cell(at);
      end_row();
      if (!closing) {
        in_row = true;
        row_all_th = true;
      }
    } else if (name == "table" && closing) {
      end_cell(at);
      end_row();
      break;
    } else if (name == "thead" || name == "tbody" || name == "tfoot") {
      end_cell(at);
      end_row();
    }
    at = close;
  }
  end_cell(html.size());
  end_row();
  segment.header_row = !segment.rows.empty() && first_row_header;
  return segment;
}

bool IsThematicBreak(const std::string& line) {
  static const std::regex kBreak(R"(^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$)");
  return std::regex_match(line, kBreak);
}

// A setext heading's underline: its level, or 0.
int SetextLevel(const std::string& line) {
  if (line.find_first_not_of('=') == std::string::npos) return 1;
  if (line.size() >= 2 && line.find_first_not_of('-') == std::string::npos) return 2;
  return 0;
}

}  // namespace

std::vector<Segment> ParseMarkdown(const std::string& markdown) {
  // The closing hashes of "## Two ##" go; those of "# C#" are the text's.
  static const std::regex kHeading(R"(^(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$)");
  static const std::regex kListItem(R"(^(?:[-*+]|(\d{1,3})[.)])\s+(.*)$)");
  static const std::regex kFigure(R"(^!\[([^\]]*)\]\([^)]*\)$)");
  // Lines with blank ones kept (they end paragraphs), without the \r of a
  // CRLF: ECMAScript's "." and "$" stop at it.
  std::vector<std::string> lines;
  for (size_t start = 0; start <= markdown.size();) {
    size_t end = markdown.find('\n', start);
    if (end == std::string::npos) end = markdown.size();
    std::string line = markdown.substr(start, end - start);
    if (line.ends_with('\r')) line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  std::vector<Segment> segments;
  Segment paragraph;
  auto flush = [&] {
    if (!paragraph.lines.empty()) segments.push_back(std::move(paragraph));
    paragraph = Segment{};
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t indent = lines[i].find_first_not_of(" \t") == std::string::npos
                              ? 0
                              : lines[i].find_first_not_of(" \t");
    std::string line = Trim(lines[i]);
    // Block quotes are read as their text.
    while (line.starts_with(">")) line = Trim(line.substr(1));
    std::smatch m;
    if (line.empty()) {
      flush();
      continue;
    }
    // Display math: $$ ... $$ or \[ ... \], on one line or several. LaTeX
    // has no blank line inside an equation: one ends an equation left open.
    if (line.starts_with("$$") || line.starts_with("\\[")) {
      flush();
      const std::string close = line.starts_with("$$") ? "$$" : "\\]";
      std::string latex = line.substr(2);
      bool closed = false;
      if (size_t end = latex.find(close); end != std::string::npos) {
        latex = latex.substr(0, end);
        closed = true;
      }
      while (!closed && i + 1 < lines.size()) {
        std::string next = Trim(lines[++i]);
        if (next.empty()) break;
        if (size_t end = next.find(close); end != std::string::npos) {
          latex += " " + next.substr(0, end);
          closed = true;
        } else {
          latex += " " + next;
        }
      }
      latex = core::NormalizeSpace(latex);
      if (!latex.empty()) segments.push_back({core::BlockType::kMath, 0, {latex}, {}, false});
      continue;
    }
    if (Lower(line.substr(0, 6)) == "<table") {
      flush();
      std::string html = line;
      for (bool closed = Lower(line).find("</table>") != std::string::npos;
           !closed && i + 1 < lines.size();) {
        html += "\n" + lines[++i];
        closed = Lower(lines[i]).find("</table>") != std::string::npos;
      }
      Segment table = HtmlTable(html);
      if (!table.rows.empty()) segments.push_back(std::move(table));
      continue;
    }
    // A pipe table: rows with pipes, or a header row of any line with a pipe
    // over a delimiter row (the outer pipes are optional).
    const std::string next = i + 1 < lines.size() ? Trim(lines[i + 1]) : "";
    const bool delimited = line.find('|') != std::string::npos && IsDelimiterRow(next);
    if (!IsDelimiterRow(line) && (delimited || (IsPipeRow(line) && IsPipeRow(next)))) {
      flush();
      Segment table;
      table.type = core::BlockType::kTable;
      for (; i < lines.size(); ++i) {
        std::string row = Trim(lines[i]);
        const bool pipes = IsPipeRow(row) || (delimited && row.find('|') != std::string::npos);
        if (!pipes) {
          --i;
          break;
        }
        if (IsDelimiterRow(row)) {
          if (table.rows.size() == 1) table.header_row = true;
          continue;
        }
        table.rows.push_back(PipeCells(row));
      }
      segments.push_back(std::move(table));
      continue;
    }
    if (std::regex_match(line, m, kHeading)) {
      flush();
      std::string text = PlainText(m.str(2));
      if (!text.empty())
        segments.push_back(
            {core::BlockType::kHeading, static_cast<int>(m.str(1).size()), {text}, {}, false});
      continue;
    }
    // A line of = or - under a paragraph makes it a heading; else a line of
    // three -, * or _ is a thematic break, no text.
    if (int level = SetextLevel(line);
        level > 0 && paragraph.type == core::BlockType::kParagraph && !paragraph.lines.empty()) {
      std::string text;
      for (const std::string& l : paragraph.lines) text += (text.empty() ? "" : " ") + l;
      paragraph = Segment{};
      segments.push_back({core::BlockType::kHeading, level, {text}, {}, false});
      continue;
    }
    if (IsThematicBreak(line)) {
      flush();
      continue;
    }
    if (std::regex_match(line, m, kFigure)) {
      flush();
      std::string text = PlainText(m.str(1));
      segments.push_back(
          {core::BlockType::kFigure, 0, {text.empty() ? "figure" : text}, {}, false});
      continue;
    }
    if (std::regex_match(line, m, kListItem)) {
      if (paragraph.type != core::BlockType::kList) flush();
      paragraph.type = core::BlockType::kList;
      std::string item = PlainText(m.str(2));
      if (!item.empty())
        paragraph.lines.push_back(m[1].matched ? m.str(1) + ". " + item : "- " + item);
      continue;
    }
    if (paragraph.type == core::BlockType::kList) {
      // A continuation line of the last item.
      if (!paragraph.lines.empty() && indent >= 2) {
        paragraph.lines.back() += " " + PlainText(line);
        continue;
      }
      flush();
    }
    std::string plain = PlainText(line);
    if (!plain.empty()) paragraph.lines.push_back(plain);
  }
  flush();
  return segments;
}

}  // namespace ocrchat::vlm
