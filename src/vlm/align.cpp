// The model's words laid on the locally found words: a longest common
// subsequence of normalised tokens, then near matches inside the gaps it
// leaves, so that every word gets a real box.
#include <algorithm>
#include <cstdint>
#include <map>

#include "core/text.h"
#include "vlm/vlm.h"

namespace ocrchat::vlm {
namespace {

using core::Box;

enum class Match : uint8_t { kNone, kNear, kAgree };

bool IsPunctuation(char32_t c) {
  if (c < 0x80) return c != '_' && std::ispunct(static_cast<int>(c));
  return (c >= 0x2010 && c <= 0x205E) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
         c == 0x00AB || c == 0x00BB || c == 0x00B7;
}

char32_t Fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F))
    return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// A token as compared: case folded, without the punctuation around it.
// CJK is compared character by character, so a token is split into its
// characters there.
std::vector<std::u32string> Units(std::string_view token) {
  std::u32string text = core::DecodeUtf8(token);
  std::vector<std::u32string> units;
  std::u32string run;
  auto push = [&] {
    size_t a = 0, b = run.size();
    while (a < b && IsPunctuation(run[a])) ++a;
    while (b > a && IsPunctuation(run[b - 1])) --b;
    units.push_back(run.substr(a, b - a));
    run.clear();
  };
  for (char32_t c : text) {
    if (core::IsCjk(c)) {
      if (!run.empty()) push();
      if (!IsPunctuation(c)) units.push_back(std::u32string(1, c));
      continue;
    }
    run += Fold(c);
  }
  if (!run.empty() || units.empty()) push();
  return units;
}

struct LocalUnit {
  std::u32string norm;
  Box box;
  int line = 0;   // index of its local line, page-wide
  int block = 0;  // index of its local block
};

struct ModelUnit {
  std::u32string norm;
  int segment = 0, word = 0;  // which model word it belongs to (see Words)
  int local = -1;             // matched local unit
  Match match = Match::kNone;
};

// Longest common subsequence of ids (equal ids match), as index pairs.
std::vector<std::pair<int, int>> Lcs(const std::vector<int>& a, const std::vector<int>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::pair<int, int>> pairs;
  if (n == 0 || m == 0) return pairs;
  // Very long pages are aligned in proportional pieces to bound memory.
  constexpr size_t kMaxCells = 8'000'000;
  if ((n + 1) * (m + 1) > kMaxCells) {
    size_t pieces = ((n + 1) * (m + 1)) / kMaxCells + 1;
    for (size_t p = 0; p < pieces; ++p) {
      size_t a0 = n * p / pieces, a1 = n * (p + 1) / pieces;
      size_t b0 = m * p / pieces, b1 = m * (p + 1) / pieces;
      std::vector<int> sa(a.begin() + a0, a.begin() + a1), sb(b.begin() + b0, b.begin() + b1);
      for (auto [i, j] : Lcs(sa, sb)) pairs.push_back({i + static_cast<int>(a0), j + static_cast<int>(b0)});
    }
    return pairs;
  }
  std::vector<uint16_t> table((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint16_t& { return table[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      at(i, j) = (a[i] >= 0 && a[i] == b[j]) ? static_cast<uint16_t>(at(i + 1, j + 1) + 1)
                                             : std::max(at(i + 1, j), at(i, j + 1));
  size_t i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] >= 0 && a[i] == b[j]) {
      pairs.push_back({static_cast<int>(i), static_cast<int>(j)});
      ++i;
      ++j;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      ++i;
    } else {
      ++j;
    }
  }
  return pairs;
}

bool Near(const std::u32string& a, const std::u32string& b) {
  if (a.size() < 2 || b.size() < 2) return false;
  size_t longer = std::max(a.size(), b.size()), shorter = std::min(a.size(), b.size());
  if (longer > shorter * 2) return false;
  double cer = core::CharacterErrorRate(core::EncodeUtf8(a), core::EncodeUtf8(b));
  return cer <= 0.34;
}

// Near matches, in order, between the unmatched runs a[a0, a1) and b[b0, b1).
void MatchGap(std::vector<ModelUnit>& model, const std::vector<LocalUnit>& local, int a0, int a1,
              int b0, int b1) {
  if (a0 >= a1 || b0 >= b1) return;
  if (static_cast<int64_t>(a1 - a0) * (b1 - b0) > 40000) return;
  const int n = a1 - a0, m = b1 - b0;
  std::vector<int> table((n + 1) * (m + 1), 0);
  auto at = [&](int i, int j) -> int& { return table[i * (m + 1) + j]; };
  for (int i = n - 1; i >= 0; --i)
    for (int j = m - 1; j >= 0; --j) {
      bool near = Near(model[a0 + i].norm, local[b0 + j].norm);
      at(i, j) = std::max({at(i + 1, j), at(i, j + 1), near ? at(i + 1, j + 1) + 1 : 0});
    }
  int i = 0, j = 0;
  while (i < n && j < m) {
    if (at(i, j) == 0) break;
    if (at(i, j) == at(i + 1, j)) {
      ++i;
    } else if (at(i, j) == at(i, j + 1)) {
      ++j;
    } else {
      model[a0 + i].local = b0 + j;
      model[a0 + i].match = Match::kNear;
      ++i;
      ++j;
    }
  }
}

void Align(std::vector<ModelUnit>& model, const std::vector<LocalUnit>& local) {
  std::map<std::u32string, int> ids;
  auto id = [&](const std::u32string& norm) {
    if (norm.empty()) return -1;
    return ids.emplace(norm, static_cast<int>(ids.size())).first->second;
  };
  std::vector<int> b;
  for (const LocalUnit& u : local) b.push_back(id(u.norm));
  std::vector<int> a;
  for (const ModelUnit& u : model) {
    auto found = ids.find(u.norm);
    a.push_back(u.norm.empty() || found == ids.end() ? -2 : found->second);
  }
  std::vector<std::pair<int, int>> pairs = Lcs(a, b);
  for (auto [i, j] : pairs) {
    model[i].local = j;
    model[i].match = Match::kAgree;
  }
  // The gaps between (and around) the exact matches.
  int prev_a = 0, prev_b = 0;
  pairs.push_back({static_cast<int>(model.size()), static_cast<int>(local.size())});
  for (auto [i, j] : pairs) {
    MatchGap(model, local, prev_a, i, prev_b, j);
    prev_a = i + 1;
    prev_b = j + 1;
  }
}

float Confidence(Match match) {
  switch (match) {
    case Match::kAgree: return kAgree;
    case Match::kNear: return kNear;
    case Match::kNone: return kModelOnly;
  }
  return kModelOnly;
}

// The model's words, segment by segment: each segment's lines (or table
// cells) split on spaces. Math and figures are one word each: their text is
// not the page's words.
struct ModelWord {
  std::string text;
  int line = 0;  // the segment's line, or (tables) the cell's index
  Box box;
  float confidence = kModelOnly;
  int local_line = -1;  // the local line of its first matched unit
  int local_block = -1;
};

std::vector<std::vector<ModelWord>> Words(const std::vector<Segment>& segments) {
  std::vector<std::vector<ModelWord>> out(segments.size());
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& segment = segments[s];
    auto add_text = [&](const std::string& text, int line) {
      if (segment.type == core::BlockType::kMath || segment.type == core::BlockType::kFigure) {
        out[s].push_back(ModelWord{text, line, {}, kModelOnly, -1, -1});
        return;
      }
      for (const std::string& word : core::Split(text, ' ')) out[s].push_back(ModelWord{word, line, {}, kModelOnly, -1, -1});
    };
    if (segment.type == core::BlockType::kTable) {
      int cell = 0;
      for (const auto& row : segment.rows)
        for (const SegmentCell& c : row) add_text(c.text, cell++);
    } else {
      for (size_t l = 0; l < segment.lines.size(); ++l) add_text(segment.lines[l], static_cast<int>(l));
    }
  }
  return out;
}

Box Slice(const Box& box, size_t index, size_t count) {
  if (count <= 1) return box;
  int w = box.Width();
  return {box.x0 + static_cast<int>(w * index / count), box.y0,
          box.x0 + static_cast<int>(w * (index + 1) / count), box.y1};
}

// The box between two boxes of the page: the gap between their lines when
// one is above the other, else their union.
Box Between(const Box& before, const Box& after) {
  if (before.y1 < after.y0)
    return {std::min(before.x0, after.x0), before.y1, std::max(before.x1, after.x1), after.y0};
  return before.Union(after);
}

core::Table TableOf(const Segment& segment, const std::vector<ModelWord>& words) {
  core::Table table;
  table.header_row = segment.header_row;
  // Cells placed on a grid, spans occupying the cells they cover.
  std::vector<std::vector<bool>> taken;
  int cell_index = 0;
  for (size_t r = 0; r < segment.rows.size(); ++r) {
    int col = 0;
    for (const SegmentCell& cell : segment.rows[r]) {
      auto occupied = [&](int row, int c) {
        return row < static_cast<int>(taken.size()) && c < static_cast<int>(taken[row].size()) &&
               taken[row][c];
      };
      while (occupied(static_cast<int>(r), col)) ++col;
      for (int dr = 0; dr < cell.row_span; ++dr) {
        size_t row = r + dr;
        if (taken.size() <= row) taken.resize(row + 1);
        if (static_cast<int>(taken[row].size()) < col + cell.col_span) taken[row].resize(col + cell.col_span);
        for (int dc = 0; dc < cell.col_span; ++dc) taken[row][col + dc] = true;
      }
      core::TableCell out{static_cast<int>(r), col, cell.row_span, cell.col_span, cell.text, {}};
      for (const ModelWord& w : words)
        if (w.line == cell_index) out.bbox = out.bbox.Union(w.box);
      table.cells.push_back(std::move(out));
      table.cols = std::max(table.cols, col + cell.col_span);
      col += cell.col_span;
      ++cell_index;
    }
  }
  table.rows = static_cast<int>(taken.size());
  return table;
}

}  // namespace

core::Page LayOnLocal(const std::vector<Segment>& segments, const core::Page& local) {
  // The local reading as units with boxes.
  std::vector<LocalUnit> locals;
  Box text_area;
  int line_id = 0;
  for (size_t b = 0; b < local.blocks.size(); ++b)
    for (const core::Line& line : local.blocks[b].lines) {
      for (const core::Word& word : line.words) {
        std::vector<std::u32string> units = Units(word.text);
        for (size_t u = 0; u < units.size(); ++u)
          locals.push_back({units[u], Slice(word.bbox, u, units.size()), line_id, static_cast<int>(b)});
        text_area = text_area.Union(word.bbox);
      }
      ++line_id;
    }
  if (text_area.Empty()) text_area = {0, 0, std::max(1, local.width), std::max(1, local.height)};

  std::vector<std::vector<ModelWord>> words = Words(segments);
  std::vector<ModelUnit> model;
  for (size_t s = 0; s < words.size(); ++s)
    for (size_t w = 0; w < words[s].size(); ++w) {
      if (segments[s].type == core::BlockType::kMath || segments[s].type == core::BlockType::kFigure) {
        model.push_back({U"", static_cast<int>(s), static_cast<int>(w), -1, Match::kNone});
        continue;
      }
      for (std::u32string& unit : Units(words[s][w].text))
        model.push_back({std::move(unit), static_cast<int>(s), static_cast<int>(w), -1, Match::kNone});
    }
  Align(model, locals);

  // Matched units give their words boxes and confidence.
  std::vector<std::vector<std::vector<int>>> word_units(words.size());
  for (size_t s = 0; s < words.size(); ++s) word_units[s].resize(words[s].size());
  for (size_t i = 0; i < model.size(); ++i) word_units[model[i].segment][model[i].word].push_back(static_cast<int>(i));
  for (size_t s = 0; s < words.size(); ++s)
    for (size_t w = 0; w < words[s].size(); ++w) {
      ModelWord& word = words[s][w];
      float confidence = 1.0f;
      bool any = false;
      for (int i : word_units[s][w]) {
        const ModelUnit& unit = model[i];
        confidence = std::min(confidence, Confidence(unit.match));
        if (unit.local < 0) continue;
        word.box = word.box.Union(locals[unit.local].box);
        if (!any) {
          word.local_line = locals[unit.local].line;
          word.local_block = locals[unit.local].block;
        }
        any = true;
      }
      word.confidence = any ? confidence : kModelOnly;
    }
  // Unmatched words: the region between the nearest matched words around
  // them; failing that, the text area of the page.
  std::vector<ModelWord*> flat;
  for (auto& segment : words)
    for (ModelWord& word : segment) flat.push_back(&word);
  for (size_t i = 0; i < flat.size(); ++i) {
    if (!flat[i]->box.Empty()) continue;
    const ModelWord* before = nullptr;
    const ModelWord* after = nullptr;
    for (size_t k = i; k-- > 0;)
      if (flat[k]->local_line >= 0) {
        before = flat[k];
        break;
      }
    for (size_t k = i + 1; k < flat.size(); ++k)
      if (flat[k]->local_line >= 0) {
        after = flat[k];
        break;
      }
    Box region;
    if (before && after && before->local_line == after->local_line)
      region = before->box.Union(after->box);
    else if (before && after)
      region = Between(before->box, after->box);
    else if (before)
      region = before->box;
    else if (after)
      region = after->box;
    flat[i]->box = region.Empty() ? text_area : region;
  }

  core::Page page;
  page.index = local.index;
  page.width = local.width;
  page.height = local.height;
  page.dpi = local.dpi;
  page.rotation = local.rotation;
  page.source = core::TextSource::kVlm;
  page.language = local.language;
  page.warnings = local.warnings;
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& segment = segments[s];
    core::Block block;
    block.type = segment.type;
    block.level = segment.level;
    // Lines follow the model's lines, broken again where the local reading
    // saw a new line, so that each line's box is one line of the page.
    int current_line = -1, current_local = -1;
    for (const ModelWord& w : words[s]) {
      bool new_line = block.lines.empty() || w.line != current_line ||
                      (w.local_line >= 0 && current_local >= 0 && w.local_line != current_local &&
                       segment.type != core::BlockType::kTable);
      if (segment.type == core::BlockType::kTable && !block.lines.empty()) {
        // Table lines are rows: a cell never starts a line of its own.
        new_line = false;
      }
      if (new_line) {
        block.lines.emplace_back();
        current_line = w.line;
        current_local = -1;
      }
      if (w.local_line >= 0) current_local = w.local_line;
      core::Line& line = block.lines.back();
      line.words.push_back({w.text, w.box, w.confidence});
      line.bbox = line.bbox.Union(w.box);
    }
    if (segment.type == core::BlockType::kTable) {
      block.table = TableOf(segment, words[s]);
      // One line per row.
      block.lines.clear();
      int cell_index = 0;
      for (const auto& row : segment.rows) {
        core::Line line;
        for (size_t c = 0; c < row.size(); ++c, ++cell_index)
          for (const ModelWord& w : words[s])
            if (w.line == cell_index) {
              line.words.push_back({w.text, w.box, w.confidence});
              line.bbox = line.bbox.Union(w.box);
            }
        if (!line.words.empty()) block.lines.push_back(std::move(line));
      }
    }
    float sum = 0;
    int count = 0;
    for (core::Line& line : block.lines) {
      float line_sum = 0;
      for (const core::Word& w : line.words) line_sum += w.confidence;
      line.confidence = line.words.empty() ? 0 : line_sum / line.words.size();
      block.bbox = block.bbox.Union(line.bbox);
      sum += line_sum;
      count += static_cast<int>(line.words.size());
    }
    block.confidence = count ? sum / count : 0;
    if (block.bbox.Empty() && block.type != core::BlockType::kTable) continue;
    if (block.type == core::BlockType::kTable && block.table)
      for (core::TableCell& cell : block.table->cells)
        if (cell.bbox.Empty()) cell.bbox = block.bbox;
    if (!block.lines.empty()) page.blocks.push_back(std::move(block));
  }
  return page;
}

double MatchedShare(const core::Page& page) {
  int words = 0, matched = 0;
  for (const core::Block& block : page.blocks)
    for (const core::Line& line : block.lines)
      for (const core::Word& word : line.words) {
        ++words;
        if (word.confidence > kModelOnly) ++matched;
      }
  return words ? static_cast<double>(matched) / words : 0.0;
}

}  // namespace ocrchat::vlm
