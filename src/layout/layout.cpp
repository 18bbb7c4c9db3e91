// Reading order and block types.
#include "layout/layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>

#include "core/text.h"
#include "layout/median.h"

namespace ocrchat::layout {
namespace {

using core::Block;
using core::BlockType;
using core::Box;
using core::Line;
using core::Word;

Box BoxOf(const std::vector<Line>& lines) {
  Box box;
  for (const Line& l : lines) box = box.Union(l.bbox);
  return box;
}

float MeanConfidence(const std::vector<Word>& words) {
  if (words.empty()) return 0;
  float sum = 0;
  for (const Word& w : words) sum += w.confidence;
  return sum / words.size();
}

bool IsRtlChar(char32_t c) { return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFEFC); }

bool MostlyRtl(const std::vector<Block>& blocks) {
  size_t rtl = 0, total = 0;
  for (const Block& b : blocks)
    for (const Line& l : b.lines)
      for (const Word& w : l.words)
        for (char32_t c : core::DecodeUtf8(w.text)) {
          if (c < 0x41) continue;
          ++total;
          rtl += IsRtlChar(c);
        }
  return total > 0 && rtl * 2 > total;
}

// Splits items into groups separated by gaps in their projection on one
// axis; returns the groups in axis order, or one group when no gap.
template <typename Item, typename Lo, typename Hi>
std::vector<std::vector<Item>> SplitOnGaps(std::vector<Item> items, Lo lo, Hi hi, int min_gap) {
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return lo(items[a]) < lo(items[b]); });
  std::vector<std::vector<size_t>> groups;
  int reach = 0;
  for (size_t idx : order) {
    if (groups.empty() || lo(items[idx]) - reach >= min_gap) groups.emplace_back();
    if (groups.size() == 1 && groups[0].empty()) reach = hi(items[idx]);
    groups.back().push_back(idx);
    reach = std::max(reach, hi(items[idx]));
  }
  std::vector<std::vector<Item>> out;
  for (auto& group : groups) {
    std::sort(group.begin(), group.end());  // keep the given order inside
    std::vector<Item> part;
    for (size_t idx : group) part.push_back(std::move(items[idx]));
    out.push_back(std::move(part));
  }
  return out;
}

void XyCut(std::vector<Block> blocks, bool rtl, int min_col_gap, int depth,
           std::vector<Block>& out) {
  if (blocks.size() <= 1 || depth > 40) {
    for (Block& b : blocks) out.push_back(std::move(b));
    return;
  }
  // Columns first: a vertical gap running through the whole region.
  auto columns = SplitOnGaps(
      std::move(blocks), [](const Block& b) { return b.bbox.x0; },
      [](const Block& b) { return b.bbox.x1; }, min_col_gap);
  if (columns.size() > 1) {
    if (rtl) std::reverse(columns.begin(), columns.end());
    for (auto& column : columns) XyCut(std::move(column), rtl, min_col_gap, depth + 1, out);
    return;
  }
  auto rows = SplitOnGaps(
      std::move(columns[0]), [](const Block& b) { return b.bbox.y0; },
      [](const Block& b) { return b.bbox.y1; }, 1);
  if (rows.size() > 1) {
    for (auto& row : rows) XyCut(std::move(row), rtl, min_col_gap, depth + 1, out);
    return;
  }
  for (Block& b : rows[0]) out.push_back(std::move(b));
}

// Lines from words: words whose vertical extents overlap by half the
// smaller height and that sit near each other on the x axis.
std::vector<Line> GroupLines(std::vector<Word> words) {
  std::stable_sort(words.begin(), words.end(), [](const Word& a, const Word& b) {
    return a.bbox.y0 + a.bbox.y1 < b.bbox.y0 + b.bbox.y1;
  });
  std::vector<Line> lines;
  for (Word& word : words) {
    Line* home = nullptr;
    for (auto it = lines.rbegin(); it != lines.rend() && it - lines.rbegin() < 8; ++it) {
      const Box& lb = it->bbox;
      int overlap = std::min(lb.y1, word.bbox.y1) - std::max(lb.y0, word.bbox.y0);
      int smaller = std::min(lb.Height(), word.bbox.Height());
      int h = std::max(lb.Height(), word.bbox.Height());
      int gap = std::max(word.bbox.x0 - lb.x1, lb.x0 - word.bbox.x1);
      if (overlap * 2 >= smaller && gap < 3 * h) {
        home = &*it;
        break;
      }
    }
    if (!home) {
      lines.emplace_back();
      home = &lines.back();
    }
    home->bbox = home->bbox.Union(word.bbox);
    home->words.push_back(std::move(word));
  }
  for (Line& line : lines) {
    std::stable_sort(line.words.begin(), line.words.end(),
                     [](const Word& a, const Word& b) { return a.bbox.x0 < b.bbox.x0; });
    line.confidence = MeanConfidence(line.words);
  }
  return lines;
}

bool StartsListItem(const std::string& text) {
  static const std::regex kItem(
      R"(^\s*(?:[•·▪◦‣●○■□\-–—*]|\(?[0-9]{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])\s+\S)");
  return std::regex_search(text, kItem);
}

int LineHeight(const Line& line) {
  std::vector<int> heights;
  for (const Word& w : line.words) heights.push_back(w.bbox.Height());
  return Median(heights);
}

}  // namespace

std::vector<Block> ReadingOrder(std::vector<Block> blocks, bool right_to_left) {
  if (blocks.size() <= 1) return blocks;
  std::vector<int> heights;
  for (const Block& b : blocks)
    for (const Line& l : b.lines) heights.push_back(l.bbox.Height());
  int min_col_gap = std::max(8, Median(heights));
  std::vector<Block> out;
  XyCut(std::move(blocks), right_to_left, min_col_gap, 0, out);
  return out;
}

std::vector<Block> BlocksFromWords(std::vector<Word> words) {
  std::erase_if(words, [](const Word& w) { return core::NormalizeSpace(w.text).empty(); });
  if (words.empty()) return {};
  std::vector<Line> lines = GroupLines(std::move(words));
  std::vector<int> heights;
  for (const Line& l : lines) heights.push_back(l.bbox.Height());
  int line_height = std::max(1, Median(heights));

  // A line that is far from its left neighbour splits into segments (table
  // cells, columns): a segment never crosses a gap wider than 2.5 lines.
  std::vector<Line> segments;
  for (Line& line : lines) {
    Line current;
    for (Word& w : line.words) {
      if (!current.words.empty() && w.bbox.x0 - current.bbox.x1 > 5 * line_height / 2) {
        current.confidence = MeanConfidence(current.words);
        segments.push_back(std::move(current));
        current = Line();
      }
      current.bbox = current.bbox.Union(w.bbox);
      current.words.push_back(std::move(w));
    }
    current.confidence = MeanConfidence(current.words);
    segments.push_back(std::move(current));
  }

  // Blocks: consecutive segments, in vertical order, that are close below
  // each other and overlap horizontally, with similar heights.
  std::stable_sort(segments.begin(), segments.end(),
                   [](const Line& a, const Line& b) { return a.bbox.y0 < b.bbox.y0; });
  std::vector<Block> blocks;
  for (Line& seg : segments) {
    Block* home = nullptr;
    for (auto it = blocks.rbegin(); it != blocks.rend() && it - blocks.rbegin() < 6; ++it) {
      const Line& last = it->lines.back();
      int gap = seg.bbox.y0 - last.bbox.y1;
      int h = std::max(1, std::min(last.bbox.Height(), seg.bbox.Height()));
      int overlap = std::min(last.bbox.x1, seg.bbox.x1) - std::max(last.bbox.x0, seg.bbox.x0);
      double size_ratio = static_cast<double>(std::max(last.bbox.Height(), seg.bbox.Height())) / h;
      if (gap < h * 0.9 && gap > -h / 2 && overlap > 0 && size_ratio < 1.3) {
        home = &*it;
        break;
      }
    }
    if (!home) {
      blocks.emplace_back();
      home = &blocks.back();
    }
    home->lines.push_back(std::move(seg));
  }
  for (Block& b : blocks) {
    b.bbox = BoxOf(b.lines);
    float sum = 0;
    for (const Line& l : b.lines) sum += l.confidence;
    b.confidence = sum / b.lines.size();
  }
  const bool rtl = MostlyRtl(blocks);
  return ReadingOrder(std::move(blocks), rtl);
}

core::Page ClassifyBlocks(core::Page page) {
  std::vector<int> heights;  // one entry per word: the body size wins
  for (const Block& b : page.blocks)
    for (const Line& l : b.lines)
      for (size_t i = 0; i < l.words.size(); ++i) heights.push_back(LineHeight(l));
  const int body = std::max(1, Median(heights));
  const int page_height = page.height > 0 ? page.height : 1;

  for (Block& block : page.blocks) {
    if (block.type == BlockType::kTable || block.lines.empty()) continue;
    const std::string text = block.Text();
    const size_t n_lines = block.lines.size();
    const bool tesseract_heading = block.type == BlockType::kHeading;
    block.type = BlockType::kParagraph;
    block.level = 0;

    // Page furniture: short text in the top or bottom margin.
    if (page.blocks.size() > 1 && n_lines <= 2 && text.size() <= 120) {
      if (block.bbox.y1 < page_height * 0.07) {
        block.type = BlockType::kHeader;
        continue;
      }
      if (block.bbox.y0 > page_height * 0.93) {
        block.type = BlockType::kFooter;
        continue;
      }
    }

    // Lists: most lines start an item; other lines continue the item above.
    size_t items = 0;
    for (const Line& l : block.lines) items += StartsListItem(l.Text());
    bool bullet_line = n_lines == 1 && std::regex_search(
        text, std::regex(R"(^\s*[•·▪◦‣●○■□*–—-]\s+\S)"));
    if ((n_lines >= 2 && items * 2 >= n_lines && StartsListItem(block.lines[0].Text())) ||
        bullet_line) {
      std::vector<Line> merged;
      for (Line& l : block.lines) {
        if (merged.empty() || StartsListItem(l.Text())) {
          merged.push_back(std::move(l));
        } else {
          merged.back().bbox = merged.back().bbox.Union(l.bbox);
          for (Word& w : l.words) merged.back().words.push_back(std::move(w));
        }
      }
      block.lines = std::move(merged);
      block.type = BlockType::kList;
      continue;
    }

    // Headings: short, not a sentence, and larger than the body text (or
    // marked as a heading by the segmenter and still short).
    int height = 0;
    for (const Line& l : block.lines) height = std::max(height, LineHeight(l));
    double ratio = static_cast<double>(height) / body;
    bool sentence = !text.empty() && (text.back() == '.' || text.back() == ',' ||
                                      text.back() == ';');
    bool short_text = n_lines <= 3 && text.size() <= 150;
    if (short_text && !sentence && (ratio >= 1.3 || (tesseract_heading && n_lines <= 2 && ratio >= 1.1))) {
      block.type = BlockType::kHeading;
      block.level = ratio >= 2.0 ? 1 : ratio >= 1.5 ? 2 : 3;
    }
  }
  return page;
}

core::Page Arrange(core::Page page) {
  // Tesseract's own block order already follows its column analysis, and
  // measured better than re-cutting its blocks (8087_054: CER 0.078 against
  // 0.35 after XY-cut); BlocksFromWords orders the PDF's own words.
  return ClassifyBlocks(std::move(page));
}

}  // namespace ocrchat::layout
