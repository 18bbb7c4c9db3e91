// The model's words laid on the locally found words: longest common
// subsequences of normalised tokens, near matches inside the gaps they
// leave, then what the local reading saw there, so every word gets a box.
#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "core/text.h"
#include "vlm/vlm.h"

namespace ocrchat::vlm {
namespace {

using core::Box;

enum class Match : uint8_t { kNone, kNear, kAgree };

bool IsPunctuation(char32_t c) {
  if (c < 0x80) return c != '_' && std::ispunct(static_cast<int>(c));
  return (c >= 0x2010 && c <= 0x205E) || (c >= 0x3000 && c <= 0x303F) ||
         (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
         (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) || c == 0x00AB ||
         c == 0x00BB || c == 0x00B7 || c == 0x00A1 || c == 0x00BF;
}

// Case folded, full-width forms made ASCII, and the typographic quotes and
// dashes a model writes made the ASCII ones an OCR engine often reads.
char32_t Fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) ||
      (c >= 0x410 && c <= 0x42F))
    return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c == 0x130 || c == 0x131) return 'i';
  // Latin Extended-A: upper and lower case alternate.
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c + (c & 1);
  if (c == 0x178) return 0xFF;
  if (c == 0x2018 || c == 0x2019 || c == 0x201A || c == 0x201B || c == 0x2032) return '\'';
  if (c == 0x201C || c == 0x201D || c == 0x201E || c == 0x201F || c == 0x2033) return '"';
  if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212) return '-';
  return c;
}

// What of a token is compared: case folded, without the punctuation around
// it. CJK is compared character by character, so a token is split into its
// characters there; `start` is where a unit's text begins in the token (in
// code points), so that a token can be cut between its units.
struct Unit {
  std::u32string norm;
  size_t start = 0;
};

std::vector<Unit> Units(std::u32string_view token) {
  std::vector<Unit> units;
  std::u32string run, all;
  size_t run_start = 0;
  auto push = [&] {
    size_t a = 0, b = run.size();
    while (a < b && IsPunctuation(run[a])) ++a;
    while (b > a && IsPunctuation(run[b - 1])) --b;
    if (b > a) units.push_back({run.substr(a, b - a), run_start});
    run.clear();
  };
  for (size_t i = 0; i < token.size(); ++i) {
    char32_t c = Fold(token[i]);
    all += c;
    if (core::IsCjk(c)) {
      push();
      if (!IsPunctuation(c)) units.push_back({std::u32string(1, c), i});
      continue;
    }
    if (run.empty()) run_start = i;
    run += c;
  }
  push();
  // A token of punctuation alone ("-", "&", "—") is compared as itself.
  if (units.empty()) units.push_back({all, 0});
  return units;
}

struct LocalUnit {
  std::u32string norm;
  Box box;
  int line = 0;  // index of its local line, page-wide
};

struct ModelUnit {
  std::u32string norm;  // empty for math and figures: never matched
  int local = -1;       // the matched local unit
  Match match = Match::kNone;
  // Unmatched: the box of what the local reading saw in its place.
  Box place;
  int place_line = -1;
};

using Pairs = std::vector<std::pair<int, int>>;

// Lengths of the longest common subsequences of a[a0, a1) with the prefixes
// b[b0, b0 + j) (forward) or with the suffixes b[b0 + j, b1) (backward).
std::vector<int> LcsLengths(const std::vector<int>& a, int a0, int a1, const std::vector<int>& b,
                            int b0, int b1, bool forward) {
  const int m = b1 - b0;
  std::vector<int> prev(m + 1, 0), cur(m + 1, 0);
  for (int step = 0; step < a1 - a0; ++step) {
    const int x = a[forward ? a0 + step : a1 - 1 - step];
    if (forward) {
      for (int j = 1; j <= m; ++j)
        cur[j] = x == b[b0 + j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    } else {
      cur[m] = 0;
      for (int j = m - 1; j >= 0; --j)
        cur[j] = x == b[b0 + j] ? prev[j + 1] + 1 : std::max(prev[j], cur[j + 1]);
    }
    std::swap(prev, cur);
  }
  return prev;
}

// Longest common subsequence of a[a0, a1) and b[b0, b1) (ids, all
// non-negative; equal ids match), appended to `pairs` in order. A problem
// too large for one table is halved the way Hirschberg does it (exact, in
// linear memory), so that a long page is aligned as a whole.
void Lcs(const std::vector<int>& a, int a0, int a1, const std::vector<int>& b, int b0, int b1,
         Pairs& pairs) {
  while (a0 < a1 && b0 < b1 && a[a0] == b[b0]) pairs.push_back({a0++, b0++});
  Pairs suffix;
  while (a0 < a1 && b0 < b1 && a[a1 - 1] == b[b1 - 1]) suffix.push_back({--a1, --b1});
  const int n = a1 - a0, m = b1 - b0;
  // 4M cells of 2 bytes: min(n, m) stays under 2048, so uint16_t holds
  // every length.
  constexpr int64_t kMaxCells = 4'000'000;
  if (n > 0 && m > 0 && static_cast<int64_t>(n + 1) * (m + 1) <= kMaxCells) {
    std::vector<uint16_t> table(static_cast<size_t>(n + 1) * (m + 1), 0);
    auto at = [&](int i, int j) -> uint16_t& {
      return table[static_cast<size_t>(i) * (m + 1) + j];
    };
    for (int i = n; i-- > 0;)
      for (int j = m; j-- > 0;)
        at(i, j) = a[a0 + i] == b[b0 + j] ? static_cast<uint16_t>(at(i + 1, j + 1) + 1)
                                          : std::max(at(i + 1, j), at(i, j + 1));
    int i = 0, j = 0;
    while (i < n && j < m) {
      if (a[a0 + i] == b[b0 + j]) {
        pairs.push_back({a0 + i++, b0 + j++});
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        ++i;
      } else {
        ++j;
      }
    }
  } else if (n == 1) {
    // Halving stops here: one unit pairs with its first equal.
    for (int j = b0; j < b1; ++j)
      if (a[a0] == b[j]) {
        pairs.push_back({a0, j});
        break;
      }
  } else if (n > 0 && m > 0) {
    const int mid = a0 + n / 2;
    std::vector<int> head = LcsLengths(a, a0, mid, b, b0, b1, true);
    std::vector<int> tail = LcsLengths(a, mid, a1, b, b0, b1, false);
    int split = 0;
    for (int j = 1; j <= m; ++j)
      if (head[j] + tail[j] > head[split] + tail[split]) split = j;
    Lcs(a, a0, mid, b, b0, b0 + split, pairs);
    Lcs(a, mid, a1, b, b0 + split, b1, pairs);
  }
  pairs.insert(pairs.end(), suffix.rbegin(), suffix.rend());
}

bool Near(const std::u32string& a, const std::u32string& b) {
  if (a.size() < 2 || b.size() < 2) return false;
  size_t longer = std::max(a.size(), b.size()), shorter = std::min(a.size(), b.size());
  if (longer > shorter * 2) return false;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return static_cast<double>(prev[b.size()]) / a.size() <= 0.34;
}

class Aligner {
 public:
  Aligner(std::vector<ModelUnit>& model, const std::vector<LocalUnit>& local)
      : model_(model), local_(local), used_(local.size(), false) {}

  void Run() {
    std::unordered_map<std::u32string, int> ids;
    for (const LocalUnit& u : local_) ids.emplace(u.norm, static_cast<int>(ids.size()));
    local_ids_.resize(local_.size());
    for (size_t j = 0; j < local_.size(); ++j) local_ids_[j] = ids.at(local_[j].norm);
    model_ids_.assign(model_.size(), -1);
    for (size_t i = 0; i < model_.size(); ++i)
      if (auto found = ids.find(model_[i].norm); !model_[i].norm.empty() && found != ids.end())
        model_ids_[i] = found->second;
    ExactPass(false);
    // The model may read columns, sidebars or a running title in another
    // order than the local engine: what the first pass left is aligned
    // again, and kept where it matches in runs (a lone common word found
    // elsewhere on the page is no evidence).
    for (int round = 0; round < 4 && ExactPass(true); ++round) {
    }
    for (auto [a0, a1] : Gaps()) NearGap(a0, a1);
    for (auto [a0, a1] : Gaps()) PlaceGap(a0, a1);
  }

 private:
  // One exact alignment of the unmatched units with ids; true when it
  // matched any.
  bool ExactPass(bool leftovers) {
    std::vector<int> ai, bi, a, b;
    std::vector<int> model_count, local_count;
    if (leftovers) {
      model_count.assign(local_.size(), 0);
      local_count.assign(local_.size(), 0);
      for (int id : model_ids_)
        if (id >= 0) ++model_count[id];
      for (int id : local_ids_) ++local_count[id];
    }
    std::vector<bool> wanted(local_.size(), false);
    for (size_t i = 0; i < model_.size(); ++i)
      if (model_ids_[i] >= 0 && model_[i].local < 0) wanted[model_ids_[i]] = true;
    for (size_t i = 0; i < model_.size(); ++i)
      if (model_ids_[i] >= 0 && model_[i].local < 0) {
        ai.push_back(static_cast<int>(i));
        a.push_back(model_ids_[i]);
      }
    for (size_t j = 0; j < local_.size(); ++j)
      if (!used_[j] && wanted[local_ids_[j]]) {
        bi.push_back(static_cast<int>(j));
        b.push_back(local_ids_[j]);
      }
    Pairs pairs;
    Lcs(a, 0, static_cast<int>(a.size()), b, 0, static_cast<int>(b.size()), pairs);
    bool any = false;
    for (size_t k = 0; k < pairs.size();) {
      size_t end = k + 1;
      while (end < pairs.size() && pairs[end].first == pairs[end - 1].first + 1 &&
             pairs[end].second == pairs[end - 1].second + 1)
        ++end;
      const int id = a[pairs[k].first];
      const bool unique = model_count.empty() || (model_count[id] == 1 && local_count[id] == 1 &&
                                                  local_[bi[pairs[k].second]].norm.size() >= 2);
      if (!leftovers || end - k >= 2 || unique) {
        for (size_t p = k; p < end; ++p) {
          ModelUnit& unit = model_[ai[pairs[p].first]];
          unit.local = bi[pairs[p].second];
          unit.match = Match::kAgree;
          used_[unit.local] = true;
          any = true;
        }
      }
      k = end;
    }
    return any;
  }

  // The maximal runs [a0, a1) of model units without a local unit.
  std::vector<std::pair<int, int>> Gaps() const {
    std::vector<std::pair<int, int>> gaps;
    const int n = static_cast<int>(model_.size());
    for (int i = 0; i < n;) {
      if (model_[i].local >= 0) {
        ++i;
        continue;
      }
      int start = i;
      while (i < n && model_[i].local < 0) ++i;
      gaps.push_back({start, i});
    }
    return gaps;
  }

  // The unused local units where the model's gap [a0, a1) falls: between
  // the local units of the matched units around it. When those are in the
  // other order (the model read on elsewhere), the unused units after the
  // one before, or else before the one after.
  std::vector<int> LocalGap(int a0, int a1) const {
    const int m = static_cast<int>(local_.size());
    const int before = a0 > 0 ? model_[a0 - 1].local : -1;
    const int after = a1 < static_cast<int>(model_.size()) ? model_[a1].local : -1;
    std::vector<int> out;
    auto collect = [&](int from, int to) {
      for (int j = from; j < to; ++j)
        if (!used_[j]) out.push_back(j);
    };
    if (before >= 0 && after >= 0 && before < after) {
      collect(before + 1, after);
      return out;
    }
    if (before >= 0) {
      int to = before + 1;
      while (to < m && !used_[to]) ++to;
      collect(before + 1, to);
    }
    if (out.empty() && after >= 0) {
      int from = after;
      while (from > 0 && !used_[from - 1]) --from;
      collect(from, after);
    }
    if (before < 0 && after < 0) collect(0, m);
    return out;
  }

  // Near matches, in order, between the gap's model units and its local
  // units. A large gap is cut in proportional pieces to bound the work.
  void NearGap(int a0, int a1) {
    std::vector<int> candidates = LocalGap(a0, a1);
    const int64_t cells = static_cast<int64_t>(a1 - a0) * static_cast<int64_t>(candidates.size());
    if (cells == 0) return;
    constexpr int64_t kMaxCells = 250'000;
    int pieces = 1;
    while (cells > kMaxCells * pieces * pieces) ++pieces;
    const int n_all = a1 - a0, m_all = static_cast<int>(candidates.size());
    for (int p = 0; p < pieces; ++p) {
      const int i0 = a0 + n_all * p / pieces, i1 = a0 + n_all * (p + 1) / pieces;
      const int j0 = m_all * p / pieces, j1 = m_all * (p + 1) / pieces;
      const int n = i1 - i0, m = j1 - j0;
      if (n == 0 || m == 0) continue;
      std::vector<int> table(static_cast<size_t>(n + 1) * (m + 1), 0);
      auto at = [&](int i, int j) -> int& { return table[static_cast<size_t>(i) * (m + 1) + j]; };
      for (int i = n - 1; i >= 0; --i)
        for (int j = m - 1; j >= 0; --j) {
          bool near = Near(model_[i0 + i].norm, local_[candidates[j0 + j]].norm);
          at(i, j) = std::max({at(i + 1, j), at(i, j + 1), near ? at(i + 1, j + 1) + 1 : 0});
        }
      int i = 0, j = 0;
      while (i < n && j < m && at(i, j) > 0) {
        if (at(i, j) == at(i + 1, j)) {
          ++i;
        } else if (at(i, j) == at(i, j + 1)) {
          ++j;
        } else {
          ModelUnit& unit = model_[i0 + i];
          unit.local = candidates[j0 + j];
          unit.match = Match::kNear;
          used_[unit.local] = true;
          ++i;
          ++j;
        }
      }
    }
  }

  // The gap's model units on the local units in their place, shared out in
  // order: what the local engine misread, or the equation or handwriting it
  // read as noise. A word keeps to one local line; an equation or a figure
  // (empty norm) takes all it is given.
  void PlaceGap(int a0, int a1) {
    std::vector<int> candidates = LocalGap(a0, a1);
    if (candidates.empty()) return;
    const size_t k_count = a1 - a0, m = candidates.size();
    for (size_t k = 0; k < k_count; ++k) {
      ModelUnit& unit = model_[a0 + k];
      size_t lo = k * m / k_count, hi = std::max(lo + 1, (k + 1) * m / k_count);
      unit.place_line = local_[candidates[lo]].line;
      for (size_t c = lo; c < hi; ++c) {
        const LocalUnit& local = local_[candidates[c]];
        if (!unit.norm.empty() && local.line != unit.place_line) continue;
        unit.place = unit.place.Union(local.box);
      }
    }
    for (int j : candidates) used_[j] = true;
  }

  std::vector<ModelUnit>& model_;
  const std::vector<LocalUnit>& local_;
  std::vector<bool> used_;
  std::vector<int> local_ids_, model_ids_;
};

float Confidence(Match match) {
  switch (match) {
    case Match::kAgree:
      return kAgree;
    case Match::kNear:
      return kNear;
    case Match::kNone:
      return kModelOnly;
  }
  return kModelOnly;
}

// A word of the model: one of a segment's lines (or table cells) split on
// spaces. Math and figures are one word each: their text is not the page's
// words.
struct ModelWord {
  std::u32string text;
  int segment = 0;
  int line = 0;  // the segment's line, or (tables) the cell's index
  bool block_like = false;
  std::vector<Unit> units;
  int unit0 = 0;  // its first unit in the model's sequence
  Box box;
  float confidence = kModelOnly;
  int local_line = -1;  // the local line its box is on
};

std::vector<ModelWord> Words(const std::vector<Segment>& segments) {
  std::vector<ModelWord> out;
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& segment = segments[s];
    const bool block_like =
        segment.type == core::BlockType::kMath || segment.type == core::BlockType::kFigure;
    auto push = [&](std::u32string text, int line, std::vector<Unit> units) {
      ModelWord word;
      word.text = std::move(text);
      word.segment = static_cast<int>(s);
      word.line = line;
      word.block_like = block_like;
      word.units = std::move(units);
      out.push_back(std::move(word));
    };
    auto add_text = [&](const std::string& text, int line) {
      if (block_like) {
        std::string whole = core::NormalizeSpace(text);
        if (!whole.empty()) push(core::DecodeUtf8(whole), line, std::vector<Unit>(1));
        return;
      }
      std::u32string chars = core::DecodeUtf8(text);
      for (size_t i = 0; i < chars.size();) {
        while (i < chars.size() &&
               (chars[i] == ' ' || chars[i] == '\t' || chars[i] == '\n' || chars[i] == '\r'))
          ++i;
        size_t end = i;
        while (end < chars.size() && chars[end] != ' ' && chars[end] != '\t' &&
               chars[end] != '\n' && chars[end] != '\r')
          ++end;
        if (end > i) {
          std::u32string word = chars.substr(i, end - i);
          std::vector<Unit> units = Units(word);
          push(std::move(word), line, std::move(units));
        }
        i = end;
      }
    };
    if (segment.type == core::BlockType::kTable) {
      int cell = 0;
      for (const auto& row : segment.rows)
        for (const SegmentCell& c : row) add_text(c.text, cell++);
    } else {
      for (size_t l = 0; l < segment.lines.size(); ++l)
        add_text(segment.lines[l], static_cast<int>(l));
    }
  }
  return out;
}

// Part `index` of `count` of a box cut across its width, never empty when
// the box is not.
Box Slice(const Box& box, size_t index, size_t count) {
  if (count <= 1 || box.Empty()) return box;
  const int64_t w = box.Width();
  int x0 = box.x0 + static_cast<int>(w * static_cast<int64_t>(index) / static_cast<int64_t>(count));
  int x1 =
      box.x0 + static_cast<int>(w * static_cast<int64_t>(index + 1) / static_cast<int64_t>(count));
  if (x1 <= x0) {
    x1 = std::min(x0 + 1, box.x1);
    x0 = x1 - 1;
  }
  return {x0, box.y0, x1, box.y1};
}

// The words' boxes, confidences and local lines from their units. A CJK
// run the model wrote as one word but the page wraps over several lines is
// cut where the local lines change, so that no word spans two lines.
std::vector<ModelWord> Resolve(std::vector<ModelWord> words, const std::vector<ModelUnit>& model,
                               const std::vector<LocalUnit>& locals) {
  std::vector<ModelWord> out;
  for (ModelWord& word : words) {
    auto line_of = [&](const ModelUnit& unit) {
      return unit.local >= 0 ? locals[unit.local].line : unit.place_line;
    };
    size_t first = 0;
    int current = -1;
    auto emit = [&](size_t from, size_t to) {
      ModelWord piece = word;
      size_t begin = from == 0 ? 0 : word.units[from].start;
      size_t end = to == word.units.size() ? word.text.size() : word.units[to].start;
      piece.text = word.text.substr(begin, end - begin);
      piece.units.assign(word.units.begin() + from, word.units.begin() + to);
      piece.unit0 = word.unit0 + static_cast<int>(from);
      bool all_matched = true;
      float confidence = 1.0f;
      for (size_t u = from; u < to; ++u) {
        const ModelUnit& unit = model[word.unit0 + u];
        if (unit.local >= 0) {
          piece.box = piece.box.Union(locals[unit.local].box);
          confidence = std::min(confidence, Confidence(unit.match));
        } else {
          piece.box = piece.box.Union(unit.place);
          all_matched = false;
        }
        if (piece.local_line < 0) piece.local_line = line_of(unit);
      }
      piece.confidence = all_matched ? confidence : kModelOnly;
      out.push_back(std::move(piece));
    };
    for (size_t u = 0; u < word.units.size(); ++u) {
      int line = line_of(model[word.unit0 + u]);
      if (line < 0) continue;
      if (current >= 0 && line != current) {
        emit(first, u);
        first = u;
      }
      current = line;
    }
    emit(first, word.units.size());
  }
  return out;
}

struct Layout {
  int page_width = 1;
  Box text_area;                // the local words' extent, or the page
  std::vector<Box> line_boxes;  // by local line
};

// Boxes for the words the local reading gave nothing to. Beside the
// neighbour of the same block, on its line: a word the local engine missed
// at a line's start or end. Between two neighbours on one line: the space
// between them. A word of a block of its own (a heading the local engine
// missed, a figure): between the lines of the blocks around it.
void PlaceUnmatched(std::vector<ModelWord>& words, const Layout& layout) {
  auto line_box = [&](const ModelWord& w) {
    return w.local_line >= 0 && w.local_line < static_cast<int>(layout.line_boxes.size())
               ? layout.line_boxes[w.local_line].Union(w.box)
               : w.box;
  };
  auto char_width = [](const ModelWord& w) {
    return std::max(1, w.box.Width() / std::max(1, static_cast<int>(w.text.size())));
  };
  for (size_t i = 0; i < words.size();) {
    if (!words[i].box.Empty()) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < words.size() && words[end].box.Empty()) ++end;
    const ModelWord* before = i > 0 ? &words[i - 1] : nullptr;
    const ModelWord* after = end < words.size() ? &words[end] : nullptr;
    auto beside = [&](const ModelWord* neighbour, const ModelWord& w) {
      return neighbour && w.segment == neighbour->segment && !w.block_like &&
             !neighbour->block_like;
    };
    // [i, head) beside `before`, [tail, end) beside `after`, the rest between.
    size_t head = i, tail = end;
    while (head < end && beside(before, words[head])) ++head;
    while (tail > head && beside(after, words[tail - 1])) --tail;
    if (head == end && beside(after, words[i]) && before->local_line >= 0 &&
        before->local_line == after->local_line) {
      Box gap{before->box.x1, std::min(before->box.y0, after->box.y0), after->box.x0,
              std::max(before->box.y1, after->box.y1)};
      Box region = gap.Width() >= static_cast<int>(end - i) ? gap : before->box.Union(after->box);
      for (size_t k = i; k < end; ++k) {
        words[k].box = Slice(region, k - i, end - i);
        words[k].local_line = before->local_line;
      }
      i = end;
      continue;
    }
    int x = before ? before->box.x1 : 0;
    for (size_t k = i; k < head; ++k) {
      const int space = char_width(*before), width = static_cast<int>(words[k].text.size()) * space;
      Box box{x + space, before->box.y0, std::min(layout.page_width, x + space + width),
              before->box.y1};
      words[k].box = box.Empty() ? before->box : box;
      words[k].local_line = before->local_line;
      x = words[k].box.x1;
    }
    x = after ? after->box.x0 : 0;
    for (size_t k = end; k > tail; --k) {
      ModelWord& word = words[k - 1];
      const int space = char_width(*after), width = static_cast<int>(word.text.size()) * space;
      Box box{std::max(0, x - space - width), after->box.y0, x - space, after->box.y1};
      word.box = box.Empty() ? after->box : box;
      word.local_line = after->local_line;
      x = word.box.x0;
    }
    if (head < tail) {
      Box region;
      if (before && after) {
        Box top = line_box(*before), bottom = line_box(*after);
        region = top.y1 < bottom.y0 ? Box{std::min(top.x0, bottom.x0), top.y1,
                                          std::max(top.x1, bottom.x1), bottom.y0}
                                    : top;
      } else if (before) {
        region = line_box(*before);
      } else if (after) {
        region = line_box(*after);
      }
      // The words of one model line share the region across its width; with
      // nothing around them, each has the page.
      const bool nowhere = region.Empty();
      if (nowhere) region = layout.text_area;
      for (size_t k = head; k < tail;) {
        size_t line_end = k;
        while (line_end < tail && words[line_end].segment == words[k].segment &&
               words[line_end].line == words[k].line)
          ++line_end;
        for (size_t q = k; q < line_end; ++q)
          words[q].box = nowhere ? region : Slice(region, q - k, line_end - k);
        k = line_end;
      }
    }
    i = end;
  }
}

// Cells placed on a grid, spans occupying the cells they cover (a row span
// ends at the last row); each cell's box the union of its words', an empty
// cell's that of its column across its row.
core::Table TableOf(const Segment& segment,
                    const std::vector<std::vector<const ModelWord*>>& cell_words,
                    const Box& block_box) {
  core::Table table;
  table.header_row = segment.header_row;
  const int rows = static_cast<int>(segment.rows.size());
  std::vector<std::vector<bool>> taken(rows);
  size_t cell_index = 0;
  for (int r = 0; r < rows; ++r) {
    int col = 0;
    for (const SegmentCell& cell : segment.rows[r]) {
      auto occupied = [&](int c) { return c < static_cast<int>(taken[r].size()) && taken[r][c]; };
      while (occupied(col)) ++col;
      const int row_span = std::clamp(cell.row_span, 1, rows - r),
                col_span = std::max(1, cell.col_span);
      for (int dr = 0; dr < row_span; ++dr) {
        std::vector<bool>& row = taken[r + dr];
        if (static_cast<int>(row.size()) < col + col_span) row.resize(col + col_span);
        for (int dc = 0; dc < col_span; ++dc) row[col + dc] = true;
      }
      core::TableCell out{r, col, row_span, col_span, cell.text, {}};
      if (cell_index < cell_words.size())
        for (const ModelWord* w : cell_words[cell_index]) out.bbox = out.bbox.Union(w->box);
      table.cells.push_back(std::move(out));
      table.cols = std::max(table.cols, col + col_span);
      col += col_span;
      ++cell_index;
    }
  }
  table.rows = rows;
  for (core::TableCell& cell : table.cells) {
    if (!cell.bbox.Empty()) continue;
    Box across, down;
    for (const core::TableCell& other : table.cells) {
      if (other.bbox.Empty()) continue;
      if (other.col == cell.col && other.col_span == cell.col_span)
        across = across.Union(other.bbox);
      if (other.row == cell.row && other.row_span == cell.row_span) down = down.Union(other.bbox);
    }
    cell.bbox =
        !across.Empty() && !down.Empty() ? Box{across.x0, down.y0, across.x1, down.y1} : block_box;
  }
  return table;
}

}  // namespace

core::Page LayOnLocal(const std::vector<Segment>& segments, const core::Page& local) {
  // The local reading as units with boxes.
  std::vector<LocalUnit> locals;
  Layout layout;
  layout.page_width = std::max(1, local.width);
  for (const core::Block& block : local.blocks)
    for (const core::Line& line : block.lines) {
      const int line_id = static_cast<int>(layout.line_boxes.size());
      Box line_box;
      for (const core::Word& word : line.words) {
        std::vector<Unit> units = Units(core::DecodeUtf8(word.text));
        for (size_t u = 0; u < units.size(); ++u)
          locals.push_back({std::move(units[u].norm), Slice(word.bbox, u, units.size()), line_id});
        line_box = line_box.Union(word.bbox);
      }
      layout.line_boxes.push_back(line_box);
      layout.text_area = layout.text_area.Union(line_box);
    }
  if (layout.text_area.Empty())
    layout.text_area = {0, 0, std::max(1, local.width), std::max(1, local.height)};

  std::vector<ModelWord> words = Words(segments);
  std::vector<ModelUnit> model;
  for (size_t w = 0; w < words.size(); ++w) {
    words[w].unit0 = static_cast<int>(model.size());
    for (const Unit& unit : words[w].units)
      model.push_back(
          {words[w].block_like ? std::u32string() : unit.norm, -1, Match::kNone, {}, -1});
  }
  Aligner(model, locals).Run();
  words = Resolve(std::move(words), model, locals);
  PlaceUnmatched(words, layout);
  for (ModelWord& word : words)
    if (word.box.Empty()) word.box = layout.text_area;

  core::Page page;
  page.index = local.index;
  page.width = local.width;
  page.height = local.height;
  page.dpi = local.dpi;
  page.rotation = local.rotation;
  page.source = core::TextSource::kVlm;
  page.language = local.language;
  page.warnings = local.warnings;
  size_t next = 0;
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& segment = segments[s];
    std::vector<const ModelWord*> own;
    for (; next < words.size() && words[next].segment == static_cast<int>(s); ++next)
      own.push_back(&words[next]);
    if (own.empty()) continue;
    core::Block block;
    block.type = segment.type;
    block.level = segment.level;
    auto add = [](core::Line& line, const ModelWord& w) {
      line.words.push_back({core::EncodeUtf8(w.text), w.box, w.confidence});
      line.bbox = line.bbox.Union(w.box);
    };
    std::vector<std::vector<const ModelWord*>> cell_words;
    if (segment.type == core::BlockType::kTable) {
      // Table lines are rows: a cell never starts a line of its own.
      size_t cells = 0;
      for (const auto& row : segment.rows) cells += row.size();
      cell_words.resize(cells);
      for (const ModelWord* w : own)
        if (w->line >= 0 && static_cast<size_t>(w->line) < cells) cell_words[w->line].push_back(w);
      size_t cell_index = 0;
      for (const auto& row : segment.rows) {
        core::Line line;
        for (size_t c = 0; c < row.size(); ++c, ++cell_index)
          for (const ModelWord* w : cell_words[cell_index]) add(line, *w);
        if (!line.words.empty()) block.lines.push_back(std::move(line));
      }
    } else {
      // Lines follow the model's lines, broken again where the local
      // reading saw a new line, so that each line's box is one line of the
      // page.
      int current_line = -1, current_local = -1;
      for (const ModelWord* w : own) {
        bool new_line =
            block.lines.empty() || w->line != current_line ||
            (w->local_line >= 0 && current_local >= 0 && w->local_line != current_local);
        if (new_line) {
          block.lines.emplace_back();
          current_line = w->line;
          current_local = -1;
        }
        if (w->local_line >= 0) current_local = w->local_line;
        add(block.lines.back(), *w);
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
    if (segment.type == core::BlockType::kTable)
      block.table = TableOf(segment, cell_words, block.bbox);
    page.blocks.push_back(std::move(block));
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
