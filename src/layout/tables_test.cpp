// Tests of table detection on synthetic pages.
#include "layout/tables.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace ocrchat::layout {
namespace {

using core::Block;
using core::BlockType;
using core::Box;
using core::Line;
using core::Page;
using core::Word;

constexpr int kCharWidth = 15;
constexpr int kTextHeight = 30;

Word MakeWord(const std::string& text, int x, int y) {
  return {text, {x, y, x + static_cast<int>(text.size()) * kCharWidth, y + kTextHeight}, 0.9f};
}

// A line of words placed from x, separated by single spaces.
Line MakeLine(const std::vector<std::string>& texts, int x, int y) {
  Line line;
  for (const std::string& t : texts) {
    line.words.push_back(MakeWord(t, x, y));
    line.bbox = line.bbox.Union(line.words.back().bbox);
    x = line.words.back().bbox.x1 + 12;
  }
  line.confidence = 0.9f;
  return line;
}

Block MakeBlock(std::vector<Line> lines) {
  Block block;
  for (Line& l : lines) block.bbox = block.bbox.Union(l.bbox);
  block.lines = std::move(lines);
  block.confidence = 0.9f;
  return block;
}

// A page with its own text (a PDF's): tables without rules are found in
// the default mode there.
Page MakePage(std::vector<Block> blocks) {
  Page page;
  page.source = core::TextSource::kPdfText;
  page.width = 2480;
  page.height = 3508;
  page.blocks = std::move(blocks);
  return page;
}

const int kColumnX[] = {200, 700, 1200};

// Rows of cells, each row one text line (cells at kColumnX), from y.
Block GridBlock(const std::vector<std::vector<std::string>>& rows, int y, int pitch = 60) {
  std::vector<Line> lines;
  for (const auto& row : rows) {
    Line line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c].empty()) continue;
      Line cell = MakeLine({row[c]}, kColumnX[c], y);
      for (Word& w : cell.words) line.words.push_back(w);
      line.bbox = line.bbox.Union(cell.bbox);
    }
    line.confidence = 0.9f;
    lines.push_back(std::move(line));
    y += pitch;
  }
  return MakeBlock(std::move(lines));
}

const std::vector<std::vector<std::string>> kFruit = {
    {"Fruit", "Quantity", "Price"},
    {"apple", "3", "1.20"},
    {"pear", "12", "0.80"},
    {"plum", "7", "2.45"},
};

// Deterministic prose: words of varying length wrapped at `width`.
std::vector<Line> Prose(int lines_wanted, int x, int y, int width, unsigned seed) {
  std::vector<Line> lines;
  while (static_cast<int>(lines.size()) < lines_wanted) {
    std::vector<std::string> words;
    int used = 0;
    while (true) {
      seed = seed * 1103515245u + 12345u;
      int len = 2 + static_cast<int>((seed >> 16) % 9);
      int w = len * kCharWidth + 12;
      if (used + w > width) break;
      words.push_back(std::string(len, 'a' + (seed >> 8) % 26));
      used += w;
    }
    lines.push_back(MakeLine(words, x, y));
    y += 45;
  }
  return lines;
}

const core::TableCell* CellAt(const core::Table& table, int row, int col) {
  for (const auto& c : table.cells)
    if (c.row == row && c.col == col) return &c;
  return nullptr;
}

int CountTables(const Page& page) {
  int n = 0;
  for (const Block& b : page.blocks) n += b.type == BlockType::kTable;
  return n;
}

TEST(FindTables, UnruledGridBecomesTable) {
  Page page = FindTables(MakePage({GridBlock(kFruit, 300)}), false);
  ASSERT_EQ(page.blocks.size(), 1u);
  const Block& block = page.blocks[0];
  ASSERT_EQ(block.type, BlockType::kTable);
  ASSERT_TRUE(block.table.has_value());
  EXPECT_EQ(block.table->rows, 4);
  EXPECT_EQ(block.table->cols, 3);
  EXPECT_EQ(block.table->cells.size(), 12u);
  ASSERT_NE(CellAt(*block.table, 2, 2), nullptr);
  EXPECT_EQ(CellAt(*block.table, 2, 2)->text, "0.80");
  EXPECT_EQ(CellAt(*block.table, 0, 1)->text, "Quantity");
  EXPECT_TRUE(block.table->header_row);
  // Every word survives in the lines, with its confidence.
  int words = 0;
  for (const Line& l : block.lines) words += static_cast<int>(l.words.size());
  EXPECT_EQ(words, 12);
  EXPECT_FLOAT_EQ(block.confidence, 0.9f);
}

TEST(FindTables, UnruledGridOnAnOcrPageOnlyWhenAskedFor) {
  Page page = MakePage({MakeBlock(Prose(3, 200, 100, 1500, 7)), GridBlock(kFruit, 300)});
  page.source = core::TextSource::kOcr;
  Page plain = FindTables(page, false);
  EXPECT_EQ(CountTables(plain), 0);
  ASSERT_EQ(plain.blocks.size(), 2u);
  EXPECT_EQ(plain.blocks[1].Text(), page.blocks[1].Text());
  EXPECT_EQ(CountTables(FindTables(page, true)), 1);
}

TEST(FindTables, RuledGridGivesGridCells) {
  Page page = MakePage({GridBlock(kFruit, 300)});
  const int xs[] = {150, 650, 1150, 1400};
  const int ys[] = {285, 345, 405, 465, 525};
  for (int y : ys) page.rules.push_back({xs[0], y - 1, xs[3], y + 2});
  for (int x : xs) page.rules.push_back({x - 1, ys[0], x + 2, ys[4]});
  page = FindTables(std::move(page), false);
  ASSERT_EQ(page.blocks.size(), 1u);
  const auto& table = *page.blocks[0].table;
  EXPECT_EQ(table.rows, 4);
  EXPECT_EQ(table.cols, 3);
  const core::TableCell* cell = CellAt(table, 3, 0);
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->text, "plum");
  EXPECT_EQ(cell->bbox.x0, 150);
  EXPECT_EQ(cell->bbox.y1, 525);
}

TEST(FindTables, MissingInnerRuleMakesSpanningHeader) {
  std::vector<std::vector<std::string>> rows = {
      {"Fruit", "Prices", ""}, {"apple", "1.20", "1.30"}, {"pear", "0.80", "0.90"}};
  Page page = MakePage({GridBlock(rows, 300)});
  const int xs[] = {150, 650, 1150, 1400};
  const int ys[] = {285, 345, 405, 465};
  for (int y : ys) page.rules.push_back({xs[0], y, xs[3], y + 2});
  page.rules.push_back({xs[0], ys[0], xs[0] + 2, ys[3]});
  page.rules.push_back({xs[1], ys[0], xs[1] + 2, ys[3]});
  page.rules.push_back({xs[2], ys[1], xs[2] + 2, ys[3]});  // not through the header
  page.rules.push_back({xs[3], ys[0], xs[3] + 2, ys[3]});
  page = FindTables(std::move(page), false);
  ASSERT_EQ(CountTables(page), 1);
  const auto& table = *page.blocks[0].table;
  EXPECT_EQ(table.rows, 3);
  EXPECT_EQ(table.cols, 3);
  const core::TableCell* header = CellAt(table, 0, 1);
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->text, "Prices");
  EXPECT_EQ(header->col_span, 2);
  EXPECT_TRUE(table.header_row);
}

TEST(FindTables, WrappedCellTextStaysInOneCell) {
  std::vector<std::vector<std::string>> rows = {{"Fruit", "Origin", "Price"},
                                                {"apple", "Kent", "1.20"},
                                                {"pear", "Anjou", "0.80"},
                                                {"", "Loire", ""},
                                                {"plum", "Agen", "2.45"}};
  Page page = FindTables(MakePage({GridBlock(rows, 300)}), false);
  ASSERT_EQ(CountTables(page), 1);
  const auto& table = *page.blocks[0].table;
  EXPECT_EQ(table.rows, 4);
  ASSERT_NE(CellAt(table, 2, 1), nullptr);
  EXPECT_EQ(CellAt(table, 2, 1)->text, "Anjou Loire");
  ASSERT_NE(CellAt(table, 3, 0), nullptr);
  EXPECT_EQ(CellAt(table, 3, 0)->text, "plum");
}

TEST(FindTables, SparselyRuledTableSplitsTextRows) {
  Page page = MakePage({GridBlock(kFruit, 300)});
  // Rules around the header and the body only, with column rules.
  const int xs[] = {150, 650, 1150, 1400};
  const int ys[] = {285, 345, 525};
  for (int y : ys) page.rules.push_back({xs[0], y, xs[3], y + 2});
  for (int x : xs) page.rules.push_back({x, ys[0], x + 2, ys[2]});
  page = FindTables(std::move(page), false);
  ASSERT_EQ(CountTables(page), 1);
  const auto& table = *page.blocks[0].table;
  EXPECT_EQ(table.rows, 4);
  ASSERT_NE(CellAt(table, 3, 2), nullptr);
  EXPECT_EQ(CellAt(table, 3, 2)->text, "2.45");
}

// A booktabs-style table: rules above and below the header, one between
// two groups of body rows and one at the bottom, with column rules.
TEST(FindTables, RowsBetweenSparseRulesAreSplitHoweverManyBands) {
  std::vector<std::vector<std::string>> rows = {{"Model", "Score", "Time"},
                                                {"first", "39.2", "1.5"},
                                                {"second", "35.4", "1.7"},
                                                {"third", "39.6", "1.9"},
                                                {"ours", "41.2", "2.1"},
                                                {"ours+", "40.9", "2.3"}};
  Page page = MakePage({GridBlock(rows, 300)});
  const int ys[] = {285, 345, 525, 645};
  for (int y : ys) page.rules.push_back({150, y, 1400, y + 2});
  for (int x : {150, 650, 1150, 1400}) page.rules.push_back({x, 285, x + 2, 645});
  page = FindTables(std::move(page), false);
  ASSERT_EQ(CountTables(page), 1);
  const auto& table = *page.blocks[0].table;
  EXPECT_EQ(table.rows, 6);
  ASSERT_NE(CellAt(table, 2, 1), nullptr);
  EXPECT_EQ(CellAt(table, 2, 1)->text, "35.4");
  ASSERT_NE(CellAt(table, 5, 0), nullptr);
  EXPECT_EQ(CellAt(table, 5, 0)->text, "ours+");
}

// The OCR engine can read a caption into one block with the table's first
// row: the caption still comes first.
TEST(FindTables, CaptionInTheTablesBlockStaysAboveIt) {
  Block block = GridBlock(kFruit, 300);
  block.lines.insert(block.lines.begin(), MakeLine({"Table", "3:", "prices", "of", "fruit"}, 200, 220));
  block.bbox = block.bbox.Union(block.lines.front().bbox);
  Page page = MakePage({block});
  const int xs[] = {150, 650, 1150, 1400};
  const int ys[] = {285, 345, 405, 465, 525};
  for (int y : ys) page.rules.push_back({xs[0], y - 1, xs[3], y + 2});
  for (int x : xs) page.rules.push_back({x - 1, ys[0], x + 2, ys[4]});
  page = FindTables(std::move(page), false);
  ASSERT_EQ(page.blocks.size(), 2u);
  EXPECT_EQ(page.blocks[0].type, BlockType::kParagraph);
  EXPECT_EQ(page.blocks[0].Text(), "Table 3: prices of fruit");
  EXPECT_EQ(page.blocks[1].type, BlockType::kTable);
}

TEST(FindTables, TableBetweenParagraphsKeepsReadingOrder) {
  Block before = MakeBlock(Prose(4, 200, 100, 1500, 7));
  Block after = MakeBlock(Prose(4, 200, 700, 1500, 9));
  Page page = FindTables(MakePage({before, GridBlock(kFruit, 350), after}), false);
  ASSERT_EQ(page.blocks.size(), 3u);
  EXPECT_EQ(page.blocks[0].type, BlockType::kParagraph);
  EXPECT_EQ(page.blocks[1].type, BlockType::kTable);
  EXPECT_EQ(page.blocks[2].type, BlockType::kParagraph);
  EXPECT_EQ(page.blocks[0].Text(), before.Text());
  EXPECT_EQ(page.blocks[2].Text(), after.Text());
}

TEST(FindTables, ProseIsNotATable) {
  for (bool eager : {false, true}) {
    Page page = FindTables(MakePage({MakeBlock(Prose(30, 200, 100, 2000, 1))}), eager);
    EXPECT_EQ(CountTables(page), 0) << "eager " << eager;
  }
}

TEST(FindTables, TwoProseColumnsAreNotATable) {
  Page page = MakePage({MakeBlock(Prose(30, 150, 100, 1000, 3)),
                        MakeBlock(Prose(30, 1300, 100, 1000, 5))});
  Page out = FindTables(page, false);
  EXPECT_EQ(CountTables(out), 0);
  ASSERT_EQ(out.blocks.size(), 2u);
  EXPECT_EQ(out.blocks[1].Text(), page.blocks[1].Text());
}

TEST(FindTables, UnderlinesAndFramesAreNotTables) {
  Page page = MakePage({MakeBlock(Prose(6, 200, 100, 1500, 11))});
  page.rules.push_back({200, 131, 700, 133});  // an underline
  // A frame around the paragraph.
  page.rules.push_back({180, 80, 1720, 82});
  page.rules.push_back({180, 380, 1720, 382});
  page.rules.push_back({180, 80, 182, 382});
  page.rules.push_back({1718, 80, 1720, 382});
  EXPECT_EQ(CountTables(FindTables(page, false)), 0);
}

// Chinese print at the wrong scale: the strokes of 一 and 二 are long
// enough to be found as rules, but they lie inside the words' boxes. Four
// lines of such words, with two "rules" in each, are no table, and the
// strokes are not kept as rules; a rule between the lines is.
TEST(FindTables, StrokesInsideWordsAreNotRules) {
  std::vector<Line> lines;
  for (int row = 0; row < 4; ++row)
    lines.push_back(MakeLine({"一二三四五六", "七八九十", "二零一五年"}, 200, 200 + 80 * row));
  Page page = MakePage({MakeBlock(std::move(lines))});
  for (int row = 0; row < 4; ++row) {
    const int y = 200 + 80 * row + kTextHeight / 2;
    page.rules.push_back({210, y, 260, y + 2});
    page.rules.push_back({480, y, 560, y + 2});
  }
  page.rules.push_back({200, 268, 1000, 270});  // between the first two lines
  Page out = FindTables(page, false);
  EXPECT_EQ(CountTables(out), 0);
  ASSERT_EQ(out.rules.size(), 1u);
  EXPECT_EQ(out.rules[0].y0, 268);
}

// Prints the time a full page takes (no threshold: tests do not depend on
// the machine's speed; bench/ measures speed).
TEST(FindTables, FullPageWithManyRules) {
  Page page = MakePage({MakeBlock(Prose(70, 150, 100, 1000, 3)),
                        MakeBlock(Prose(70, 1300, 100, 1000, 5)), GridBlock(kFruit, 3300)});
  for (int i = 0; i < 40; ++i) page.rules.push_back({150, 100 + 80 * i, 1150, 102 + 80 * i});
  auto start = std::chrono::steady_clock::now();
  page = FindTables(std::move(page), true);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(CountTables(page), 1);
  std::printf("FindTables on a page of %d words: %lld ms\n", page.WordCount(),
              static_cast<long long>(ms));
}

TEST(FindTables, EmptyPageIsUnchanged) {
  Page page = FindTables(MakePage({}), true);
  EXPECT_TRUE(page.blocks.empty());
}

}  // namespace
}  // namespace ocrchat::layout
