// Tests of TranslatePage and Translator's default TranslateSegments with fake
// translators, and of core::RunChild, which the Apertium translator runs on.
#include "translate/translate.h"

#include <gtest/gtest.h>

#include <cctype>

#include "core/child_process.h"

namespace ocrchat::translate {
namespace {

using core::Block;
using core::BlockType;
using core::Box;
using core::Line;
using core::Word;

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Upper-cases, writing each word `repeat` times (a language that needs more
// words); records what it was asked.
class FakeTranslator : public Translator {
 public:
  explicit FakeTranslator(int repeat = 1) : repeat_(repeat) {}

  core::Result<std::string> Translate(const std::string& text, const std::string&,
                                      const std::string&) override {
    translated.push_back(text);
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      size_t end = text.find(' ', i);
      if (end == std::string::npos) end = text.size();
      std::string word = Upper(text.substr(i, end - i));
      for (int r = 0; r < repeat_; ++r) out += (out.empty() ? "" : " ") + word;
      i = end + 1;
    }
    return out;
  }

  core::Result<std::vector<std::string>> TranslateSegments(const std::vector<std::string>& segments,
                                                           const std::string& from,
                                                           const std::string& to) override {
    batches.push_back(segments);
    return Translator::TranslateSegments(segments, from, to);
  }

  bool Supports(const std::string&, const std::string&) const override { return true; }

  std::vector<std::vector<std::string>> batches;
  std::vector<std::string> translated;

 private:
  int repeat_;
};

Line MakeLine(const std::vector<std::string>& texts, Box box) {
  Line line;
  line.bbox = box;
  line.confidence = 0.9f;
  int x = box.x0;
  for (const std::string& text : texts) {
    line.words.push_back({text, {x, box.y0, x + 40, box.y1}, 0.9f});
    x += 50;
  }
  return line;
}

Block MakeBlock(BlockType type, std::vector<Line> lines, float confidence = 0.8f) {
  Block block;
  block.type = type;
  block.lines = std::move(lines);
  for (const Line& line : block.lines) block.bbox = block.bbox.Union(line.bbox);
  block.confidence = confidence;
  return block;
}

// A heading, a two-line paragraph, a list, a 2x2 table and a figure (no
// words), as layout makes them.
core::Page SamplePage() {
  core::Page page;
  page.index = 2;
  page.width = 2480;
  page.height = 3508;
  page.language = "eng";
  Block heading =
      MakeBlock(BlockType::kHeading, {MakeLine({"Annual", "report"}, {100, 100, 900, 180})});
  heading.level = 1;
  page.blocks.push_back(heading);
  page.blocks.push_back(
      MakeBlock(BlockType::kParagraph, {MakeLine({"The", "house", "is"}, {100, 300, 1200, 350}),
                                        MakeLine({"red", "and", "big."}, {100, 360, 800, 410})}));
  page.blocks.push_back(
      MakeBlock(BlockType::kList, {MakeLine({"-", "apples"}, {100, 500, 600, 550}),
                                   MakeLine({"-", "pears"}, {100, 560, 600, 610})}));
  Block table = MakeBlock(BlockType::kTable, {MakeLine({"Name", "Price"}, {100, 700, 1000, 750}),
                                              MakeLine({"Apple", "3"}, {100, 760, 1000, 810})});
  core::Table cells;
  cells.rows = 2;
  cells.cols = 2;
  cells.header_row = true;
  cells.cells = {{0, 0, 1, 1, "Name", {100, 700, 500, 750}},
                 {0, 1, 1, 1, "Price", {550, 700, 1000, 750}},
                 {1, 0, 1, 1, "Apple", {100, 760, 500, 810}},
                 {1, 1, 1, 1, "3", {550, 760, 1000, 810}}};
  table.table = cells;
  page.blocks.push_back(table);
  Block figure;
  figure.type = BlockType::kCaption;
  figure.bbox = {100, 900, 1000, 1500};
  page.blocks.push_back(figure);
  return page;
}

bool Inside(const Box& inner, const Box& outer) {
  return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 &&
         inner.y1 <= outer.y1;
}

void ExpectBoxesSound(const core::Page& page) {
  for (const Block& block : page.blocks)
    for (const Line& line : block.lines) {
      EXPECT_FALSE(line.bbox.Empty()) << line.Text();
      EXPECT_TRUE(Inside(line.bbox, block.bbox)) << line.Text();
      for (const Word& word : line.words) {
        EXPECT_FALSE(word.bbox.Empty()) << word.text;
        EXPECT_TRUE(Inside(word.bbox, line.bbox)) << word.text;
        EXPECT_FLOAT_EQ(word.confidence, block.confidence) << word.text;
      }
    }
}

TEST(TranslatePageTest, TranslatesEveryBlockAndKeepsStructure) {
  core::Page page = SamplePage();
  FakeTranslator translator;
  auto result = TranslatePage(page, "en", "es", translator);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  const core::Page& out = *result;

  ASSERT_EQ(out.blocks.size(), page.blocks.size());
  for (size_t b = 0; b < page.blocks.size(); ++b) {
    EXPECT_EQ(out.blocks[b].type, page.blocks[b].type);
    EXPECT_EQ(out.blocks[b].bbox, page.blocks[b].bbox);
  }
  EXPECT_EQ(out.index, 2);
  EXPECT_EQ(out.width, 2480);
  EXPECT_EQ(out.blocks[0].level, 1);
  EXPECT_EQ(out.blocks[0].Text(), "ANNUAL REPORT");
  EXPECT_EQ(out.blocks[1].Text(), "THE HOUSE IS\nRED AND BIG.");
  ASSERT_EQ(out.blocks[1].lines.size(), 2u);
  EXPECT_EQ(out.blocks[1].lines[0].bbox, page.blocks[1].lines[0].bbox);
  EXPECT_EQ(out.blocks[1].lines[1].bbox, page.blocks[1].lines[1].bbox);
  EXPECT_EQ(out.blocks[2].Text(), "- APPLES\n- PEARS");
  ASSERT_TRUE(out.blocks[3].table.has_value());
  const core::Table& table = *out.blocks[3].table;
  EXPECT_EQ(table.rows, 2);
  EXPECT_EQ(table.cols, 2);
  EXPECT_TRUE(table.header_row);
  ASSERT_EQ(table.cells.size(), 4u);
  EXPECT_EQ(table.cells[0].text, "NAME");
  EXPECT_EQ(table.cells[1].text, "PRICE");
  EXPECT_EQ(table.cells[2].text, "APPLE");
  EXPECT_EQ(table.cells[3].text, "3");
  for (size_t c = 0; c < 4; ++c)
    EXPECT_EQ(table.cells[c].bbox, page.blocks[3].table->cells[c].bbox);
  ASSERT_EQ(out.blocks[3].lines.size(), 2u);
  EXPECT_EQ(out.blocks[3].lines[0].Text(), "NAME PRICE");
  EXPECT_EQ(out.blocks[3].lines[1].Text(), "APPLE 3");
  EXPECT_TRUE(Inside(out.blocks[3].lines[1].words[1].bbox, table.cells[3].bbox));
  EXPECT_TRUE(out.blocks[4].lines.empty());
  EXPECT_EQ(out.blocks[4].bbox, page.blocks[4].bbox);
  ExpectBoxesSound(out);
}

TEST(TranslatePageTest, SendsThePageInOneCallSegmentPerBlockItemAndCell) {
  core::Page page = SamplePage();
  FakeTranslator translator;
  ASSERT_TRUE(TranslatePage(page, "en", "es", translator).has_value());
  ASSERT_EQ(translator.batches.size(), 1u);
  EXPECT_EQ(translator.batches[0],
            (std::vector<std::string>{"Annual report", "The house is red and big.", "- apples",
                                      "- pears", "Name", "Price", "Apple", "3"}));
}

TEST(TranslatePageTest, DistributesALongerTranslationOverTheOriginalLines) {
  core::Page page = SamplePage();
  FakeTranslator translator(/*repeat=*/2);
  auto result = TranslatePage(page, "en", "fr", translator);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  const Block& paragraph = result->blocks[1];
  ASSERT_EQ(paragraph.lines.size(), 2u);
  EXPECT_EQ(paragraph.lines[0].Text(), "THE THE HOUSE HOUSE IS IS");
  EXPECT_EQ(paragraph.lines[1].Text(), "RED RED AND AND BIG. BIG.");
  // The words of a line are laid out left to right without overlapping.
  for (size_t w = 1; w < paragraph.lines[0].words.size(); ++w)
    EXPECT_LE(paragraph.lines[0].words[w - 1].bbox.x1, paragraph.lines[0].words[w].bbox.x0);
  ExpectBoxesSound(*result);
}

TEST(TranslatePageTest, AShorterTranslationDropsLinesItCannotFill) {
  core::Page page;
  page.blocks.push_back(MakeBlock(BlockType::kParagraph, {MakeLine({"a", "b"}, {0, 0, 100, 20}),
                                                          MakeLine({"c", "d"}, {0, 30, 100, 50}),
                                                          MakeLine({"e", "f"}, {0, 60, 100, 80})}));
  class OneWord : public FakeTranslator {
    core::Result<std::string> Translate(const std::string&, const std::string&,
                                        const std::string&) override {
      return std::string("Hola");
    }
  } translator;
  auto result = TranslatePage(page, "en", "es", translator);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->blocks[0].lines.size(), 1u);
  EXPECT_EQ(result->blocks[0].Text(), "Hola");
  ExpectBoxesSound(*result);
}

TEST(TranslatePageTest, APageWithoutTextIsNotSent) {
  core::Page page = SamplePage();
  page.blocks = {page.blocks[4]};
  FakeTranslator translator;
  auto result = TranslatePage(page, "en", "es", translator);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(translator.batches.empty());
  EXPECT_EQ(result->blocks.size(), 1u);
}

TEST(TranslatePageTest, LeavesEquationsAsTheyAre) {
  core::Page page;
  page.blocks.push_back(
      MakeBlock(BlockType::kMath, {MakeLine({"\\frac{a}{b}", "=", "c"}, {0, 0, 300, 40})}));
  page.blocks.push_back(
      MakeBlock(BlockType::kFigure, {MakeLine({"a", "red", "house"}, {0, 50, 300, 90})}));
  FakeTranslator translator;
  auto result = TranslatePage(page, "en", "es", translator);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(translator.batches.size(), 1u);
  EXPECT_EQ(translator.batches[0], (std::vector<std::string>{"a red house"}));
  EXPECT_EQ(result->blocks[0].Text(), "\\frac{a}{b} = c");
  EXPECT_EQ(result->blocks[1].Text(), "A RED HOUSE");
}

TEST(TranslatePageTest, PassesTheTranslatorsErrorOn) {
  class Failing : public FakeTranslator {
    core::Result<std::string> Translate(const std::string&, const std::string&,
                                        const std::string&) override {
      return core::Fail(core::ErrorCode::kUnavailable, "translation server is down");
    }
  } translator;
  auto result = TranslatePage(SamplePage(), "en", "es", translator);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "translation server is down");
}

TEST(TranslatePageTest, AWrongNumberOfSegmentsIsAnError) {
  class Short : public FakeTranslator {
    core::Result<std::vector<std::string>> TranslateSegments(const std::vector<std::string>&,
                                                             const std::string&,
                                                             const std::string&) override {
      return std::vector<std::string>{"ONE"};
    }
  } translator;
  auto result = TranslatePage(SamplePage(), "en", "es", translator);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::kInternal);
}

TEST(TranslatorTest, DefaultTranslateSegmentsTranslatesEachAndSkipsBlankOnes) {
  FakeTranslator translator;
  auto result =
      translator.Translator::TranslateSegments({"one", "", "two three", " \n"}, "en", "es");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, (std::vector<std::string>{"ONE", "", "TWO THREE", " \n"}));
  EXPECT_EQ(translator.translated, (std::vector<std::string>{"one", "two three"}));
}

// core has no test file of its own; RunChild is tested here, where the
// translator that needs it is.

std::string MebibyteOfText() {
  std::string text;
  while (text.size() < (1u << 20)) text += "line " + std::to_string(text.size()) + " of input\n";
  return text;
}

TEST(RunChildTest, AChildThatWritesWhileItReadsGetsAllInputAndGivesAllOutput) {
  // More than both pipe buffers: writing all input before reading any output
  // deadlocked here.
  std::string input = MebibyteOfText();
  core::ChildOutcome outcome = core::RunChild("/bin/cat", {}, input, 120000);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out.size(), input.size());
  EXPECT_TRUE(outcome.out == input);
}

TEST(RunChildTest, TheDeadlineHoldsWhileTheChildDoesNotRead) {
  core::ChildOutcome outcome = core::RunChild("/bin/sleep", {"60"}, MebibyteOfText(), 300);
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, -1);
}

TEST(RunChildTest, AChildThatIsTooSlowIsKilled) {
  core::ChildOutcome outcome = core::RunChild("/bin/sleep", {"60"}, "", 300);
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, -1);
}

TEST(RunChildTest, AChildThatExitsWithoutReadingIsNotAnError) {
  core::ChildOutcome outcome = core::RunChild("/bin/true", {}, MebibyteOfText(), 120000);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_TRUE(outcome.out.empty());
}

TEST(RunChildTest, ReportsTheExitCodeAndOutput) {
  core::ChildOutcome outcome =
      core::RunChild("/bin/sh", {"-c", "read x; echo \"got $x\"; exit 3"}, "hello\n", 120000);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(outcome.out, "got hello\n");
}

TEST(RunChildTest, AMissingProgramExitsWith127) {
  core::ChildOutcome outcome = core::RunChild("/nonexistent/program", {}, "input", 120000);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, 127);
}

}  // namespace
}  // namespace ocrchat::translate
