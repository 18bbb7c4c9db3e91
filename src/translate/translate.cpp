// Translating pages (block text out as segments, translations back in as
// lines and table cells), and Translator's one-call-per-segment default.
#include "translate/translate.h"

#include <algorithm>

#include "core/text.h"

namespace ocrchat::translate {
namespace {

using core::Block;
using core::Box;
using core::Line;
using core::Word;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view text) { return std::all_of(text.begin(), text.end(), IsSpace); }

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

bool HasWords(const Line& line) {
  return std::any_of(line.words.begin(), line.words.end(),
                     [](const Word& word) { return !IsBlank(word.text); });
}

bool HasWords(const Block& block) {
  return std::any_of(block.lines.begin(), block.lines.end(),
                     [](const Line& line) { return HasWords(line); });
}

bool HasCellText(const Block& block) {
  return block.table &&
         std::any_of(block.table->cells.begin(), block.table->cells.end(),
                     [](const core::TableCell& cell) { return !IsBlank(cell.text); });
}

// A paragraph's lines are one sentence stream to a translator: a sentence
// broken over two lines must reach it whole.
std::string JoinLines(const Block& block) {
  std::string out;
  for (const Line& line : block.lines) {
    std::string text = line.Text();
    if (IsBlank(text)) continue;
    if (!out.empty() && !(core::EndsWithCjk(out) && core::StartsWithCjk(text))) out += ' ';
    out += text;
  }
  return out;
}

// The words laid across `box` in proportion to their length in characters,
// so that positioned text (hOCR, a PDF's text layer) does not stack them;
// a word too narrow to get pixels of its own gets the whole box.
std::vector<Word> PlaceWords(const std::vector<std::string>& texts, const Box& box,
                             float confidence) {
  std::vector<size_t> lengths;
  size_t total = 0;
  for (const std::string& text : texts) {
    lengths.push_back(core::DecodeUtf8(text).size());
    total += lengths.back() + (total ? 1 : 0);
  }
  std::vector<Word> words;
  size_t done = 0;
  const long width = box.Width();
  for (size_t i = 0; i < texts.size(); ++i) {
    Box word_box = box;
    if (total > 0) {
      word_box.x0 =
          box.x0 + static_cast<int>(width * static_cast<long>(done) / static_cast<long>(total));
      word_box.x1 = box.x0 + static_cast<int>(width * static_cast<long>(done + lengths[i]) /
                                              static_cast<long>(total));
      if (word_box.Empty()) word_box = box;
    }
    words.push_back({texts[i], word_box, confidence});
    done += lengths[i] + 1;
  }
  return words;
}

Box BoxOr(const Box& box, const Box& fallback) { return box.Empty() ? fallback : box; }

Line MakeLine(const std::vector<std::string>& texts, const Box& box, float confidence) {
  Line line;
  line.bbox = box;
  line.confidence = confidence;
  line.words = PlaceWords(texts, box, confidence);
  return line;
}

// The translation over the block's lines, each line taking the share of the
// translated words that it had of the original words: a paragraph keeps its
// shape, and every word lies within the line it replaces.
void WriteAcrossLines(Block& block, const std::string& translation) {
  std::vector<const Line*> originals;
  std::vector<size_t> counts;
  size_t total = 0;
  for (const Line& line : block.lines) {
    if (!HasWords(line)) continue;
    originals.push_back(&line);
    counts.push_back(line.words.size());
    total += line.words.size();
  }
  std::vector<std::string> words = SplitWords(translation);
  std::vector<Line> lines;
  size_t cumulative = 0;
  for (size_t i = 0; i < originals.size(); ++i) {
    size_t begin = (words.size() * cumulative + total / 2) / total;
    cumulative += counts[i];
    size_t end =
        i + 1 == originals.size() ? words.size() : (words.size() * cumulative + total / 2) / total;
    if (end <= begin) continue;
    std::vector<std::string> share(words.begin() + begin, words.begin() + end);
    lines.push_back(MakeLine(share, BoxOr(originals[i]->bbox, block.bbox), block.confidence));
  }
  block.lines = std::move(lines);
}

// One line per table row, from the translated cells left to right, each
// cell's words within the cell's box.
void RebuildTableLines(Block& block) {
  std::vector<core::TableCell> cells = block.table->cells;
  std::stable_sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) {
    return std::pair(a.row, a.col) < std::pair(b.row, b.col);
  });
  std::vector<Line> lines;
  for (size_t i = 0; i < cells.size();) {
    Line line;
    line.confidence = block.confidence;
    size_t row_end = i;
    while (row_end < cells.size() && cells[row_end].row == cells[i].row) ++row_end;
    for (; i < row_end; ++i) {
      Box box = BoxOr(cells[i].bbox, block.bbox);
      for (Word& word : PlaceWords(SplitWords(cells[i].text), box, block.confidence))
        line.words.push_back(std::move(word));
      if (!IsBlank(cells[i].text)) line.bbox = line.bbox.Union(box);
    }
    if (!line.words.empty()) lines.push_back(std::move(line));
  }
  block.lines = std::move(lines);
}

// Where a segment's translation goes back to.
struct Slot {
  enum Kind { kAcrossLines, kLine, kCell } kind;
  size_t block;
  size_t index;  // the line (kLine) or cell (kCell) in the block
};

}  // namespace

core::Result<std::vector<std::string>> Translator::TranslateSegments(
    const std::vector<std::string>& segments, const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  out.reserve(segments.size());
  for (const std::string& segment : segments) {
    if (IsBlank(segment)) {
      out.push_back(segment);
      continue;
    }
    auto translated = Translate(segment, from, to);
    if (!translated) return std::unexpected(translated.error());
    out.push_back(std::move(*translated));
  }
  return out;
}

core::Result<core::Page> TranslatePage(const core::Page& page, const std::string& from,
                                       const std::string& to, Translator& translator) {
  core::Page out = page;
  std::vector<std::string> segments;
  std::vector<Slot> slots;
  for (size_t b = 0; b < out.blocks.size(); ++b) {
    const Block& block = out.blocks[b];
    // An equation's LaTeX is not language.
    if (block.type == core::BlockType::kMath) continue;
    if (HasCellText(block)) {
      for (size_t c = 0; c < block.table->cells.size(); ++c) {
        if (IsBlank(block.table->cells[c].text)) continue;
        segments.push_back(block.table->cells[c].text);
        slots.push_back({Slot::kCell, b, c});
      }
    } else if (!HasWords(block)) {
      continue;
    } else if (block.type == core::BlockType::kList) {
      for (size_t l = 0; l < block.lines.size(); ++l) {
        if (!HasWords(block.lines[l])) continue;
        segments.push_back(block.lines[l].Text());
        slots.push_back({Slot::kLine, b, l});
      }
    } else {
      segments.push_back(JoinLines(block));
      slots.push_back({Slot::kAcrossLines, b, 0});
    }
  }
  if (segments.empty()) return out;

  auto translated = translator.TranslateSegments(segments, from, to);
  if (!translated) return std::unexpected(translated.error());
  if (translated->size() != segments.size())
    return core::Fail(core::ErrorCode::kInternal,
                      "translation of page " + std::to_string(page.index + 1) + " failed",
                      "translator returned " + std::to_string(translated->size()) +
                          " segments for " + std::to_string(segments.size()));

  std::vector<bool> table_changed(out.blocks.size(), false);
  for (size_t k = 0; k < slots.size(); ++k) {
    Block& block = out.blocks[slots[k].block];
    const std::string& text = (*translated)[k];
    switch (slots[k].kind) {
      case Slot::kAcrossLines:
        WriteAcrossLines(block, text);
        break;
      case Slot::kLine: {
        Line& line = block.lines[slots[k].index];
        line = MakeLine(SplitWords(text), BoxOr(line.bbox, block.bbox), block.confidence);
        break;
      }
      case Slot::kCell:
        block.table->cells[slots[k].index].text = text;
        table_changed[slots[k].block] = true;
        break;
    }
  }
  for (size_t b = 0; b < out.blocks.size(); ++b)
    if (table_changed[b]) RebuildTableLines(out.blocks[b]);
  return out;
}

}  // namespace ocrchat::translate
