// The model's Markdown as blocks. Only what models write for documents:
// ATX headings, paragraphs, lists, pipe tables, HTML tables, display math
// and figures; inline Markdown is reduced to plain text.
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

std::string DecodeEntities(std::string text) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&nbsp;", " "}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
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
// text, emphasis and code marks go, backslash escapes are undone.
std::string PlainText(std::string_view markdown) {
  static const std::regex kImage(R"(!\[([^\]]*)\]\([^)]*\))");
  static const std::regex kLink(R"(\[([^\]]*)\]\([^)]*\))");
  static const std::regex kBreak(R"(<br\s*/?>)", std::regex::icase);
  static const std::regex kTag(R"(</?[A-Za-z][^>]*>)");
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
    } else if (c == '*' || c == '`' || (c == '~' && i + 1 < text.size() && text[i + 1] == '~')) {
      if (c == '~') ++i;
    } else if (c == '_' && i + 1 < text.size() && text[i + 1] == '_') {
      ++i;
    } else {
      out += c;
    }
  }
  return core::NormalizeSpace(DecodeEntities(out));
}

bool IsPipeRow(const std::string& line) { return line.starts_with("|") || (line.find(" | ") != std::string::npos && line.ends_with("|")); }

bool IsDelimiterRow(const std::string& line) {
  static const std::regex kDelimiter(R"(^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$)");
  return std::regex_match(line, kDelimiter);
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

int SpanOf(const std::string& attributes, const char* name) {
  std::regex pattern(std::string(name) + R"re(\s*=\s*["']?(\d+))re", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(attributes, m, pattern)) return 1;
  return std::clamp(std::stoi(m.str(1)), 1, 1000);
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
      all_th = all_th && (tag == "th" || tag == "TH");
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

}  // namespace

std::vector<Segment> ParseMarkdown(const std::string& markdown) {
  static const std::regex kHeading(R"(^(#{1,6})\s+(.*?)\s*#*\s*$)");
  static const std::regex kListItem(R"(^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$)");
  static const std::regex kFigure(R"(^!\[([^\]]*)\]\([^)]*\)\s*$)");
  std::vector<std::string> lines = core::Split(markdown, '\n');
  // Split drops empty pieces; blank lines matter here, so split again.
  lines.clear();
  {
    size_t start = 0;
    while (start <= markdown.size()) {
      size_t end = markdown.find('\n', start);
      if (end == std::string::npos) end = markdown.size();
      lines.push_back(markdown.substr(start, end - start));
      start = end + 1;
    }
  }
  std::vector<Segment> segments;
  Segment paragraph;
  auto flush = [&] {
    if (!paragraph.lines.empty()) segments.push_back(std::move(paragraph));
    paragraph = Segment{};
  };
  auto add_paragraph_line = [&](const std::string& text) {
    std::string plain = PlainText(text);
    if (!plain.empty()) paragraph.lines.push_back(plain);
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = Trim(lines[i]);
    std::smatch m;
    if (line.empty()) {
      flush();
      continue;
    }
    // Display math: $$ ... $$ or \[ ... \], on one line or several.
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
      while (html.find("</table>") == std::string::npos && html.find("</TABLE>") == std::string::npos &&
             i + 1 < lines.size())
        html += "\n" + lines[++i];
      Segment table = HtmlTable(html);
      if (!table.rows.empty()) segments.push_back(std::move(table));
      continue;
    }
    if (IsPipeRow(line) && i + 1 < lines.size() &&
        (IsDelimiterRow(Trim(lines[i + 1])) || IsPipeRow(Trim(lines[i + 1])))) {
      flush();
      Segment table;
      table.type = core::BlockType::kTable;
      for (; i < lines.size(); ++i) {
        std::string row = Trim(lines[i]);
        if (!IsPipeRow(row) && !IsDelimiterRow(row)) {
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
    if (std::regex_match(line, m, kFigure)) {
      flush();
      std::string text = PlainText(m.str(1));
      segments.push_back({core::BlockType::kFigure, 0, {text.empty() ? "figure" : text}, {}, false});
      continue;
    }
    if (std::regex_match(lines[i], m, kListItem)) {
      if (paragraph.type != core::BlockType::kList) flush();
      paragraph.type = core::BlockType::kList;
      std::string marker = Trim(lines[i]).substr(0, Trim(lines[i]).find_first_of(" \t"));
      std::string item = PlainText(m.str(1));
      if (!item.empty())
        paragraph.lines.push_back(std::isdigit(static_cast<unsigned char>(marker[0])) ? marker + " " + item
                                                                                      : "- " + item);
      continue;
    }
    if (paragraph.type == core::BlockType::kList) {
      // A continuation line of the last item.
      if (!paragraph.lines.empty() && lines[i].starts_with("  ")) {
        paragraph.lines.back() += " " + PlainText(line);
        continue;
      }
      flush();
    }
    add_paragraph_line(line);
  }
  flush();
  return segments;
}

}  // namespace ocrchat::vlm
