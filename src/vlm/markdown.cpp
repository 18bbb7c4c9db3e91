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

std::string Trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(start, end - start + 1));
}

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
        int digit = std::isdigit(c) ? c - '0' : hex && std::isxdigit(c) ? std::tolower(c) - 'a' + 10 : -1;
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
      {"&nbsp;", " "}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"}, {"&amp;", "&"}};
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
      R"(</?(?:a|b|i|u|s|em|strong|sup|sub|span|div|p|code|small|big|font|mark|del|ins|center|img|hr|tt|strike|)"
      R"(cite|abbr|q|li|ul|ol|h[1-6]|table|thead|tbody|tfoot|tr|th|td|caption|figure|figcaption))"
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
      // Kept escaped, so that PlainText undoes it like any other escape.
      cell += "\\|";
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

// A rowspan or colspan attribute: 1 when absent or not a positive number;
// at most 1000 (the digits are read without std::stoi, which throws on a
// number past int).
int SpanOf(const std::string& attributes, const char* name) {
  std::regex pattern(std::string(name) + R"re(\s*=\s*["']?(\d+))re", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(attributes, m, pattern)) return 1;
  int span = 0;
  for (char c : m.str(1)) {
    span = span * 10 + (c - '0');
    if (span > 1000) return 1000;
  }
  return std::max(span, 1);
}

Segment HtmlTable(const std::string& html) {
  static const std::regex kRow(R"(<tr\b[^>]*>([\s\S]*?)</tr>)", std::regex::icase);
  static const std::regex kCell(R"(<(t[hd])\b([^>]*)>([\s\S]*?)</t[hd]>)", std::regex::icase);
  Segment segment;
  segment.type = core::BlockType::kTable;
  bool first_row_header = true;
  for (auto row = std::sregex_iterator(html.begin(), html.end(), kRow); row != std::sregex_iterator();
       ++row) {
    std::string inner = row->str(1);
    std::vector<SegmentCell> cells;
    bool all_th = true;
    for (auto cell = std::sregex_iterator(inner.begin(), inner.end(), kCell);
         cell != std::sregex_iterator(); ++cell) {
      std::string tag = cell->str(1);
      all_th = all_th && (tag[1] == 'h' || tag[1] == 'H');
      cells.push_back({PlainText(cell->str(3)), SpanOf(cell->str(2), "rowspan"),
                       SpanOf(cell->str(2), "colspan")});
    }
    if (cells.empty()) continue;
    if (segment.rows.empty()) first_row_header = all_th;
    segment.rows.push_back(std::move(cells));
  }
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
    const size_t indent = lines[i].find_first_not_of(" \t") == std::string::npos ? 0 : lines[i].find_first_not_of(" \t");
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
    if (line.size() >= 6 && (line.starts_with("<table") || line.starts_with("<TABLE"))) {
      flush();
      std::string html = line;
      auto closed = [&] {
        std::string lower = html;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return lower.find("</table>") != std::string::npos;
      };
      while (!closed() && i + 1 < lines.size()) html += "\n" + lines[++i];
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
        segments.push_back({core::BlockType::kHeading, static_cast<int>(m.str(1).size()), {text}, {}, false});
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
      segments.push_back({core::BlockType::kFigure, 0, {text.empty() ? "figure" : text}, {}, false});
      continue;
    }
    if (std::regex_match(line, m, kListItem)) {
      if (paragraph.type != core::BlockType::kList) flush();
      paragraph.type = core::BlockType::kList;
      std::string item = PlainText(m.str(2));
      if (!item.empty()) paragraph.lines.push_back(m[1].matched ? m.str(1) + ". " + item : "- " + item);
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
