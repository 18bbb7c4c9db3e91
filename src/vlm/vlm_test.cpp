// Tests of the vlm tier's answer checks, Markdown reader and alignment.
#include "vlm/vlm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/text.h"

namespace ocrchat::core {
void PrintTo(const Box& box, std::ostream* out) {
  *out << "[" << box.x0 << "," << box.y0 << "," << box.x1 << "," << box.y1 << "]";
}
}  // namespace ocrchat::core

namespace ocrchat::vlm {
namespace {

using core::Block;
using core::BlockType;
using core::Box;
using core::Line;
using core::Page;
using core::Word;
using ::testing::ElementsAre;

// ---- ParseAnswer ------------------------------------------------------------

const std::string kFrontMatter =
    "---\nprimary_language: en\nis_rotation_valid: true\nrotation_correction: 0\nis_table: false\n"
    "is_diagram: false\n---\n";

std::string WithFront(const std::string& keys, const std::string& markdown = "# Title\n\ntext") {
  return "---\n" + keys + "---\n" + markdown;
}

TEST(ParseAnswer, ReadsOlmOcrFrontMatter) {
  auto answer = ParseAnswer(kFrontMatter + "# Title\n\ntext");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->front.primary_language, "en");
  EXPECT_EQ(answer->front.rotation_correction, 0);
  EXPECT_FALSE(answer->front.is_table);
  EXPECT_FALSE(answer->front.is_diagram);
  EXPECT_EQ(answer->markdown, "# Title\n\ntext");
}

TEST(ParseAnswer, ReadsTrueFlags) {
  auto answer = ParseAnswer(WithFront("primary_language: de\nis_table: true\nis_diagram: True\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->front.primary_language, "de");
  EXPECT_TRUE(answer->front.is_table);
  EXPECT_TRUE(answer->front.is_diagram);
}

TEST(ParseAnswer, UnquotesValues) {
  auto answer =
      ParseAnswer(WithFront("primary_language: \"fr\"\nrotation_correction: '90'\nis_table: "
                            "\"true\"\nis_diagram: 'false'\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->front.primary_language, "fr");
  EXPECT_EQ(answer->front.rotation_correction, 90);
  EXPECT_TRUE(answer->front.is_table);
  EXPECT_FALSE(answer->front.is_diagram);
}

TEST(ParseAnswer, NullLanguageIsEmpty) {
  for (const char* value : {"null", "Null", "\"null\"", "none", ""}) {
    auto answer =
        ParseAnswer(WithFront(std::string("primary_language: ") + value + "\nis_table: false\n"));
    ASSERT_TRUE(answer) << value;
    EXPECT_EQ(answer->front.primary_language, "") << value;
  }
}

TEST(ParseAnswer, KeepsRightAngleRotations) {
  for (int degrees : {0, 90, 180, 270}) {
    auto answer = ParseAnswer(WithFront("rotation_correction: " + std::to_string(degrees) + "\n"));
    ASSERT_TRUE(answer) << degrees;
    EXPECT_EQ(answer->front.rotation_correction, degrees);
  }
}

TEST(ParseAnswer, RefusesOtherRotations) {
  for (const char* value : {"45", "-90", "360", "ninety", "null", "", "90.5", "90 degrees"})
    EXPECT_FALSE(ParseAnswer(
        WithFront(std::string("primary_language: en\nrotation_correction: ") + value + "\n")))
        << value;
}

TEST(ParseAnswer, RefusesNonBooleanFlags) {
  EXPECT_FALSE(ParseAnswer(WithFront("primary_language: en\nis_table: maybe\n")));
  EXPECT_FALSE(ParseAnswer(WithFront("primary_language: en\nis_diagram: 2\n")));
  EXPECT_FALSE(ParseAnswer(WithFront("primary_language: en\nis_rotation_valid: sure\n")));
  EXPECT_FALSE(ParseAnswer(WithFront("primary_language: en\nis_table:\n")));
}

TEST(ParseAnswer, RefusesAnswerWithoutFrontMatter) {
  EXPECT_FALSE(ParseAnswer("# Title\n\ntext"));
  EXPECT_FALSE(ParseAnswer(""));
  EXPECT_FALSE(ParseAnswer("   \n"));
  // Opened, never closed.
  EXPECT_FALSE(ParseAnswer("---\nprimary_language: en\n# Title\n\ntext"));
  // Empty, and a line that is not a key.
  EXPECT_FALSE(ParseAnswer("---\n---\n# Title"));
  EXPECT_FALSE(ParseAnswer("---\nprimary_language: en\nthis is text\n---\n# Title"));
  // The front matter after the text.
  EXPECT_FALSE(ParseAnswer("text\n" + kFrontMatter));
}

TEST(ParseAnswer, OnlyALineOfDashesClosesTheFrontMatter) {
  // A table's delimiter row is no closing line.
  EXPECT_FALSE(ParseAnswer("---\nprimary_language: en\nnote: x\n---|---|\n| a | b |"));
  auto answer = ParseAnswer("---\nprimary_language: en\n---  \n| a | b |\n|---|---|");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->markdown, "| a | b |\n|---|---|");
}

TEST(ParseAnswer, EmptyFrontMatterDoesNotSwallowTheText) {
  // "---\n---" closes at once; the Markdown's own "key: value" lines are not
  // front matter.
  EXPECT_FALSE(ParseAnswer("---\n---\nprimary_language: en\nis_table: false\n"));
}

TEST(ParseAnswer, AcceptsCodeFencedAnswer) {
  auto answer = ParseAnswer("```markdown\n" + kFrontMatter + "# Title\n\ntext\n```");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->front.primary_language, "en");
  EXPECT_EQ(answer->markdown, "# Title\n\ntext");

  auto bare = ParseAnswer("  ```\n" + kFrontMatter + "# Title\n\ntext\n```\n");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->markdown, "# Title\n\ntext");

  // A code block inside the fenced answer stays in the Markdown.
  auto nested = ParseAnswer("```markdown\n" + kFrontMatter + "text\n\n```\ncode\n```\n```");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->markdown, "text\n\n```\ncode\n```");
}

TEST(ParseAnswer, AcceptsFenceLeftOpen) {
  auto answer = ParseAnswer("```markdown\n" + kFrontMatter + "# Title\n\ntext");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->markdown, "# Title\n\ntext");
}

TEST(ParseAnswer, IgnoresUnknownKeys) {
  auto answer = ParseAnswer(WithFront(
      "page_number: 3\nprimary_language: it\nsource: scan\nis_table: false\nnotes: a: b\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->front.primary_language, "it");
  EXPECT_EQ(answer->markdown, "# Title\n\ntext");
}

TEST(ParseAnswer, MarkdownIsExactAfterTrimming) {
  auto answer = ParseAnswer(kFrontMatter + "\n\n# Title\n\n  - item\n\n| a | b |\n\ntail  \n\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->markdown, "# Title\n\n  - item\n\n| a | b |\n\ntail");
}

TEST(ParseAnswer, KeepsHorizontalRulesOfTheMarkdown) {
  auto answer = ParseAnswer(kFrontMatter + "A\n\n---\n\nB");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->markdown, "A\n\n---\n\nB");
}

TEST(ParseAnswer, FrontMatterOnlyGivesEmptyMarkdown) {
  auto answer = ParseAnswer(kFrontMatter);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->markdown, "");
  auto unterminated = ParseAnswer("---\nprimary_language: en\n---");
  ASSERT_TRUE(unterminated);
  EXPECT_EQ(unterminated->markdown, "");
}

TEST(ParseAnswer, ReadsCrLfAnswers) {
  auto answer = ParseAnswer(
      "---\r\nprimary_language: en\r\nrotation_correction: 180\r\nis_table: true\r\n---\r\n# "
      "Title\r\n\r\ntext\r\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->front.primary_language, "en");
  EXPECT_EQ(answer->front.rotation_correction, 180);
  EXPECT_TRUE(answer->front.is_table);
  EXPECT_EQ(answer->markdown, "# Title\r\n\r\ntext");
}

TEST(ParseAnswer, SkipsReasoningBeforeTheAnswer) {
  auto answer = ParseAnswer("<think>\nThe page is upright.\n</think>\n\n" + kFrontMatter + "text");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->markdown, "text");
}

// ---- IsRepetitionLoop ---------------------------------------------------------

std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

const char* const kRealPage =
    "# The Harbour Commission\n\n"
    "The commission met on the first Tuesday of March to review the accounts of the previous "
    "year. Receipts from berthing fees rose by a tenth, while the cost of dredging the eastern "
    "channel was higher than the engineers had estimated in their report of the autumn.\n\n"
    "Several members asked whether the new crane could be paid for out of current revenue. The "
    "treasurer thought it could, provided that the sale of the old warehouse went ahead before "
    "the summer and the fishing fleet kept to its present size.\n\n"
    "- Dredging: 41,200\n- Wages: 118,950\n- Repairs to the north quay: 9,310\n\n"
    "It was agreed that a sub-committee of three would visit the yards at Leith and report at "
    "the next meeting, and that the secretary would write to the railway company about the "
    "siding, which has been out of use since the flood of last November.\n";

TEST(IsRepetitionLoop, FindsARepeatedWord) {
  EXPECT_TRUE(IsRepetitionLoop("The report says " + Repeat("the ", 400)));
  // Cut off in the middle of the word, as a length limit does.
  EXPECT_TRUE(IsRepetitionLoop(Repeat("the ", 300) + "th"));
}

TEST(IsRepetitionLoop, FindsARepeatedSentence) {
  EXPECT_TRUE(IsRepetitionLoop(std::string(kRealPage) +
                               Repeat("The treasurer thought it could be paid for. ", 30)));
}

TEST(IsRepetitionLoop, FindsARepeatedLine) {
  EXPECT_TRUE(
      IsRepetitionLoop(std::string(kRealPage) + Repeat("| Total | 41,200 | 9,310 |\n", 15)));
  // Too short a run of characters for the first check: found as lines.
  EXPECT_TRUE(IsRepetitionLoop(std::string(kRealPage) + Repeat("See the minutes.\n", 15)));
  EXPECT_TRUE(IsRepetitionLoop(Repeat("See the minutes.\n", 15) + kRealPage));
}

TEST(IsRepetitionLoop, FindsARepeatedLineBetweenBlankLines) {
  // A line written over and over, each time as a paragraph of its own.
  EXPECT_TRUE(IsRepetitionLoop(std::string(kRealPage) + Repeat("See the minutes.\n\n", 15)));
  EXPECT_TRUE(IsRepetitionLoop(std::string(kRealPage) + Repeat("See the minutes.\r\n \r\n", 15)));
}

TEST(IsRepetitionLoop, FindsARepeatedParagraph) {
  std::string paragraph =
      "The commission met on the first Tuesday of March to review the accounts of the previous "
      "year, and receipts from berthing fees rose by a tenth while the cost of dredging the "
      "eastern "
      "channel was higher than the engineers had estimated in their report of the autumn.\n\n";
  ASSERT_GT(paragraph.size(), 200u);
  EXPECT_TRUE(IsRepetitionLoop(Repeat(paragraph, 10)));
}

TEST(IsRepetitionLoop, FindsLoopsOfCjkAndOfTableMarks) {
  EXPECT_TRUE(IsRepetitionLoop("文字" + Repeat("的", 200)));
  EXPECT_TRUE(IsRepetitionLoop("| a | b |\n|" + Repeat("---|", 300)));
  EXPECT_TRUE(IsRepetitionLoop("| a |" + Repeat(" |", 400)));
}

TEST(IsRepetitionLoop, RealTextIsNoLoop) {
  EXPECT_FALSE(IsRepetitionLoop(kRealPage));
  EXPECT_FALSE(IsRepetitionLoop(""));
  EXPECT_FALSE(IsRepetitionLoop("a"));
  EXPECT_FALSE(IsRepetitionLoop("ha ha ha"));
}

TEST(IsRepetitionLoop, TableWithDifferentRowsIsNoLoop) {
  std::string table = "| No. | Item | Quantity | Price |\n|---|---|---|---|\n";
  for (int i = 1; i <= 200; ++i)
    table += "| " + std::to_string(i) + " | Bolt M" + std::to_string(6 + i % 5) + " | " +
             std::to_string(10 * (i % 7) + 5) + " | 0." + std::to_string(10 + i % 90) + " |\n";
  EXPECT_FALSE(IsRepetitionLoop(table));
}

TEST(IsRepetitionLoop, DelimiterRowIsNoLoop) {
  std::string header = "| " + Repeat("Col | ", 12) + "\n";
  std::string delimiter = "|" + Repeat("---|", 12) + "\n";
  EXPECT_FALSE(IsRepetitionLoop(header + delimiter));
  EXPECT_FALSE(IsRepetitionLoop(header + "|" + Repeat(":-----------:|", 12)));
  EXPECT_FALSE(IsRepetitionLoop(std::string(kRealPage) + "\n" + header + delimiter + "| a | b |"));
}

TEST(IsRepetitionLoop, TableOfContentsIsNoLoop) {
  const char* chapters[] = {"Introduction",      "The early harbour",  "Trade and the railway",
                            "The fishing fleet", "War years",          "Decline and renewal",
                            "The new docks",     "Appendix: accounts", "Index"};
  std::string toc = "# Contents\n\n";
  int page = 1;
  for (const char* chapter : chapters) {
    std::string line = chapter;
    line += " " + std::string(60 - line.size(), '.') + " " + std::to_string(page) + "\n";
    toc += line;
    page += 17;
  }
  EXPECT_FALSE(IsRepetitionLoop(toc));
}

TEST(IsRepetitionLoop, ColumnOfShortNumbersIsNoLoop) {
  // Mostly ones, in runs, as a quantity column is.
  std::string table = "| n |\n|---|\n";
  uint32_t state = 7;
  for (int i = 0; i < 60; ++i) {
    state = state * 1103515245u + 12345u;
    table += Repeat("| 1 |\n", 1 + static_cast<int>((state >> 16) % 20));
    table += "| " + std::to_string(2 + (state >> 8) % 7) + " |\n";
  }
  table += Repeat("| 1 |\n", 20);
  EXPECT_FALSE(IsRepetitionLoop(table));
  // Rows of zeros in the middle of a table of figures.
  std::string figures = "| Year | Q1 | Q2 | Q3 | Q4 |\n|---|---|---|---|---|\n";
  for (int year = 1990; year < 2000; ++year)
    figures += "| " + std::to_string(year) + " | 1" + std::to_string(year % 7) + " | 2 | 3" +
               std::to_string(year % 3) + " | 4 |\n";
  figures += Repeat("| 0 | 0 | 0 | 0 | 0 |\n", 13);
  for (int year = 2003; year < 2013; ++year)
    figures += "| " + std::to_string(year) + " | 5" + std::to_string(year % 5) + " | 6 | 7 | 8" +
               std::to_string(year % 4) + " |\n";
  EXPECT_FALSE(IsRepetitionLoop(figures));
}

// ---- ParseMarkdown --------------------------------------------------------------

TEST(ParseMarkdown, EmptyTextGivesNoSegments) {
  EXPECT_TRUE(ParseMarkdown("").empty());
  EXPECT_TRUE(ParseMarkdown("\n\n  \n").empty());
}

TEST(ParseMarkdown, ReadsAtxHeadings) {
  auto segments = ParseMarkdown("# One\n## Two ##\n###### Six\n####### Seven\n#NoSpace\n# C#");
  ASSERT_EQ(segments.size(), 5u);
  EXPECT_EQ(segments[0].type, BlockType::kHeading);
  EXPECT_EQ(segments[0].level, 1);
  EXPECT_THAT(segments[0].lines, ElementsAre("One"));
  EXPECT_EQ(segments[1].level, 2);
  EXPECT_THAT(segments[1].lines, ElementsAre("Two"));
  EXPECT_EQ(segments[2].level, 6);
  EXPECT_THAT(segments[2].lines, ElementsAre("Six"));
  // Seven hashes and no space after the hash are text, not headings.
  EXPECT_EQ(segments[3].type, BlockType::kParagraph);
  EXPECT_THAT(segments[3].lines, ElementsAre("####### Seven", "#NoSpace"));
  EXPECT_EQ(segments[4].type, BlockType::kHeading);
  EXPECT_THAT(segments[4].lines, ElementsAre("C#"));
}

TEST(ParseMarkdown, SplitsParagraphsOnBlankLinesAndKeepsTheirLines) {
  auto segments = ParseMarkdown("First line\nsecond line\n\n\nNext paragraph\n   \nLast");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].type, BlockType::kParagraph);
  EXPECT_THAT(segments[0].lines, ElementsAre("First line", "second line"));
  EXPECT_THAT(segments[1].lines, ElementsAre("Next paragraph"));
  EXPECT_THAT(segments[2].lines, ElementsAre("Last"));
}

TEST(ParseMarkdown, ReadsBulletLists) {
  auto segments = ParseMarkdown("- one\n* two\n+ three\n  continued\n\nAfter");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0].type, BlockType::kList);
  EXPECT_THAT(segments[0].lines, ElementsAre("- one", "- two", "- three continued"));
  EXPECT_EQ(segments[1].type, BlockType::kParagraph);
  EXPECT_THAT(segments[1].lines, ElementsAre("After"));
}

TEST(ParseMarkdown, ReadsNumberedLists) {
  auto segments = ParseMarkdown("Intro:\n1. first\n2. **second**\n10. tenth");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_THAT(segments[0].lines, ElementsAre("Intro:"));
  EXPECT_EQ(segments[1].type, BlockType::kList);
  EXPECT_THAT(segments[1].lines, ElementsAre("1. first", "2. second", "10. tenth"));
}

TEST(ParseMarkdown, EmphasisAtLineStartIsNoList) {
  auto segments = ParseMarkdown("**Note** this is text\n*Italic* too");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].type, BlockType::kParagraph);
  EXPECT_THAT(segments[0].lines, ElementsAre("Note this is text", "Italic too"));
}

TEST(ParseMarkdown, ThematicBreaksAreNoText) {
  auto segments = ParseMarkdown("Before\n\n---\n\nAfter\n\n***\n\n___\n\nEnd");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_THAT(segments[0].lines, ElementsAre("Before"));
  EXPECT_THAT(segments[1].lines, ElementsAre("After"));
  EXPECT_THAT(segments[2].lines, ElementsAre("End"));
}

TEST(ParseMarkdown, ReadsSetextHeadings) {
  auto segments = ParseMarkdown("Title\n=====\n\nSection\n-------\ntext");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].type, BlockType::kHeading);
  EXPECT_EQ(segments[0].level, 1);
  EXPECT_THAT(segments[0].lines, ElementsAre("Title"));
  EXPECT_EQ(segments[1].type, BlockType::kHeading);
  EXPECT_EQ(segments[1].level, 2);
  EXPECT_THAT(segments[1].lines, ElementsAre("Section"));
  EXPECT_THAT(segments[2].lines, ElementsAre("text"));
}

TEST(ParseMarkdown, ReadsPipeTableWithDelimiterRow) {
  auto segments = ParseMarkdown(
      "Before\n\n| Name | Age |\n|:-----|----:|\n| **Ann** | 31 |\n| Bob | 4\\|5 |\n\nAfter");
  ASSERT_EQ(segments.size(), 3u);
  const Segment& table = segments[1];
  EXPECT_EQ(table.type, BlockType::kTable);
  EXPECT_TRUE(table.header_row);
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_THAT(table.rows[0], ElementsAre(SegmentCell{"Name"}, SegmentCell{"Age"}));
  EXPECT_THAT(table.rows[1], ElementsAre(SegmentCell{"Ann"}, SegmentCell{"31"}));
  EXPECT_THAT(table.rows[2], ElementsAre(SegmentCell{"Bob"}, SegmentCell{"4|5"}));
  EXPECT_THAT(segments[2].lines, ElementsAre("After"));
}

TEST(ParseMarkdown, ReadsPipeTableWithoutDelimiterRow) {
  auto segments = ParseMarkdown("| a | b |\n| c | d |");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].type, BlockType::kTable);
  EXPECT_FALSE(segments[0].header_row);
  ASSERT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments[0].rows[1], ElementsAre(SegmentCell{"c"}, SegmentCell{"d"}));
}

TEST(ParseMarkdown, StripsInlineMarkdownInCells) {
  auto segments =
      ParseMarkdown("| `code` | [link](http://x) | *it* | a<br>b | &amp; |\n|---|---|---|---|---|");
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_EQ(segments[0].rows.size(), 1u);
  EXPECT_THAT(segments[0].rows[0],
              ElementsAre(SegmentCell{"code"}, SegmentCell{"link"}, SegmentCell{"it"},
                          SegmentCell{"a b"}, SegmentCell{"&"}));
  EXPECT_TRUE(segments[0].header_row);
}

TEST(ParseMarkdown, KeepsEmptyCells) {
  auto segments = ParseMarkdown("| a |  | c |\n|---|---|---|\n|  | e |  |");
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments[0].rows[1], ElementsAre(SegmentCell{""}, SegmentCell{"e"}, SegmentCell{""}));
}

TEST(ParseMarkdown, ReadsPipeTableWithoutOuterPipes) {
  auto segments = ParseMarkdown("Name | Age\n--- | ---\nAnn | 31");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].type, BlockType::kTable);
  EXPECT_TRUE(segments[0].header_row);
  ASSERT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments[0].rows[1], ElementsAre(SegmentCell{"Ann"}, SegmentCell{"31"}));
}

TEST(ParseMarkdown, ThematicBreakAfterTableIsNoDelimiterRow) {
  auto segments = ParseMarkdown("| a | b |\n| c | d |\n---\nAfter");
  ASSERT_GE(segments.size(), 2u);
  EXPECT_EQ(segments[0].type, BlockType::kTable);
  EXPECT_FALSE(segments[0].header_row);
  EXPECT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments.back().lines, ElementsAre("After"));
}

TEST(ParseMarkdown, ReadsHtmlTableWithHeaderAndSpans) {
  auto segments = ParseMarkdown(
      "<table>\n<tr><th colspan=\"2\">Total</th><th>Year</th></tr>\n"
      "<tr><td rowspan='2'>North</td><td>5</td><td>2020</td></tr>\n"
      "<tr><td>7</td><td>2021</td></tr>\n</table>\nAfter");
  ASSERT_EQ(segments.size(), 2u);
  const Segment& table = segments[0];
  EXPECT_EQ(table.type, BlockType::kTable);
  EXPECT_TRUE(table.header_row);
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_THAT(table.rows[0], ElementsAre(SegmentCell{"Total", 1, 2}, SegmentCell{"Year"}));
  EXPECT_THAT(table.rows[1],
              ElementsAre(SegmentCell{"North", 2, 1}, SegmentCell{"5"}, SegmentCell{"2020"}));
  EXPECT_THAT(table.rows[2], ElementsAre(SegmentCell{"7"}, SegmentCell{"2021"}));
  EXPECT_THAT(segments[1].lines, ElementsAre("After"));
}

TEST(ParseMarkdown, HtmlTableWithoutThHasNoHeader) {
  auto segments = ParseMarkdown(
      "<table><tr><td><b>a</b></td><td>b &amp; c</td></tr><tr><td>d</td></tr></table>");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_FALSE(segments[0].header_row);
  ASSERT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments[0].rows[0], ElementsAre(SegmentCell{"a"}, SegmentCell{"b & c"}));
}

TEST(ParseMarkdown, HtmlTableWithHugeSpanDoesNotThrow) {
  std::vector<Segment> segments;
  EXPECT_NO_THROW(
      segments = ParseMarkdown(
          "<table><tr><td rowspan=\"99999999999999\" colspan=\"-3\">a</td></tr></table>"));
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_EQ(segments[0].rows.size(), 1u);
  EXPECT_GE(segments[0].rows[0][0].row_span, 1);
  EXPECT_EQ(segments[0].rows[0][0].col_span, 1);
}

TEST(ParseMarkdown, ReadsLargeHtmlTable) {
  std::string html = "<table>";
  for (int r = 0; r < 400; ++r) {
    html += "<tr>";
    for (int c = 0; c < 8; ++c)
      html += "<td>cell " + std::to_string(r) + "." + std::to_string(c) + "</td>";
    html += "</tr>\n";
  }
  html += "</table>";
  auto segments = ParseMarkdown(html);
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_EQ(segments[0].rows.size(), 400u);
  EXPECT_EQ(segments[0].rows[399][7].text, "cell 399.7");
}

TEST(ParseMarkdown, ReadsNestedAndParenthesisedListItems) {
  auto segments = ParseMarkdown("- a\n  - b\n1) c\n   2. d");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].type, BlockType::kList);
  EXPECT_THAT(segments[0].lines, ElementsAre("- a", "- b", "1. c", "2. d"));
}

TEST(ParseMarkdown, TableRightAfterAParagraph) {
  auto segments = ParseMarkdown("Intro\n|a|b|\n|-|-|\n|1|2|\nOutro");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_THAT(segments[0].lines, ElementsAre("Intro"));
  EXPECT_EQ(segments[1].type, BlockType::kTable);
  EXPECT_TRUE(segments[1].header_row);
  ASSERT_EQ(segments[1].rows.size(), 2u);
  EXPECT_THAT(segments[1].rows[1], ElementsAre(SegmentCell{"1"}, SegmentCell{"2"}));
  EXPECT_THAT(segments[2].lines, ElementsAre("Outro"));
}

TEST(ParseMarkdown, ReadsHtmlTableWithoutEndTags) {
  auto segments = ParseMarkdown("<TABLE><TR><TH>a<TH COLSPAN=2>b<TR><TD>1<TD>2<td>3</TABLE>");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_TRUE(segments[0].header_row);
  ASSERT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments[0].rows[0], ElementsAre(SegmentCell{"a"}, SegmentCell{"b", 1, 2}));
  EXPECT_THAT(segments[0].rows[1],
              ElementsAre(SegmentCell{"1"}, SegmentCell{"2"}, SegmentCell{"3"}));
}

TEST(ParseMarkdown, ReadsHtmlTableOverLinesWithSections) {
  auto segments = ParseMarkdown(
      "<table border=\"1\">\n  <thead>\n    <tr><th>Name</th><th>Note</th></tr>\n  </thead>\n  "
      "<tbody>\n"
      "    <tr><td>Ann</td><td>a <b>bold</b><br/>word</td></tr>\n  </tbody>\n</table>\n\nAfter");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_TRUE(segments[0].header_row);
  ASSERT_EQ(segments[0].rows.size(), 2u);
  EXPECT_THAT(segments[0].rows[1], ElementsAre(SegmentCell{"Ann"}, SegmentCell{"a bold word"}));
  EXPECT_THAT(segments[1].lines, ElementsAre("After"));
}

TEST(ParseMarkdown, ReadsDisplayMath) {
  auto segments = ParseMarkdown(
      "Text\n\n$$E = mc^2$$\n\n$$\n\\int_0^1 x\\,dx\n= \\frac{1}{2}\n$$\n\\[ a^2 + b^2 = c^2 "
      "\\]\n\\[\n"
      "x_{n+1}\n\\]\nAfter");
  ASSERT_EQ(segments.size(), 6u);
  EXPECT_THAT(segments[0].lines, ElementsAre("Text"));
  EXPECT_EQ(segments[1].type, BlockType::kMath);
  EXPECT_THAT(segments[1].lines, ElementsAre("E = mc^2"));
  EXPECT_EQ(segments[2].type, BlockType::kMath);
  EXPECT_THAT(segments[2].lines, ElementsAre("\\int_0^1 x\\,dx = \\frac{1}{2}"));
  EXPECT_EQ(segments[3].type, BlockType::kMath);
  EXPECT_THAT(segments[3].lines, ElementsAre("a^2 + b^2 = c^2"));
  EXPECT_EQ(segments[4].type, BlockType::kMath);
  EXPECT_THAT(segments[4].lines, ElementsAre("x_{n+1}"));
  EXPECT_THAT(segments[5].lines, ElementsAre("After"));
}

TEST(ParseMarkdown, UnclosedMathEndsAtBlankLine) {
  auto segments = ParseMarkdown("$$\nx + y\n\nA paragraph after.\n\n# Heading");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].type, BlockType::kMath);
  EXPECT_THAT(segments[0].lines, ElementsAre("x + y"));
  EXPECT_THAT(segments[1].lines, ElementsAre("A paragraph after."));
  EXPECT_EQ(segments[2].type, BlockType::kHeading);
}

TEST(ParseMarkdown, ReadsFigures) {
  auto segments =
      ParseMarkdown("![A bar chart of sales](figure)\n\n![](x.png)\nSee ![icon](i.png) here");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].type, BlockType::kFigure);
  EXPECT_THAT(segments[0].lines, ElementsAre("A bar chart of sales"));
  EXPECT_EQ(segments[1].type, BlockType::kFigure);
  EXPECT_THAT(segments[1].lines, ElementsAre("figure"));
  // An image inside a line is text.
  EXPECT_EQ(segments[2].type, BlockType::kParagraph);
  EXPECT_THAT(segments[2].lines, ElementsAre("See icon here"));
}

TEST(ParseMarkdown, ReducesInlineMarkdownToPlainText) {
  auto segments = ParseMarkdown(
      "**bold** and *it* and __under__ and `code` and [a link](http://x.org) and ~~gone~~<br>next "
      "&amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39; \\*star\\* <span class=\"x\">span</span>");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_THAT(
      segments[0].lines,
      ElementsAre(
          "bold and it and under and code and a link and gone next & <tag> \"q\" 's' *star* span"));
}

TEST(ParseMarkdown, KeepsComparisonsAndArithmetic) {
  auto segments = ParseMarkdown("if a<b and c>d then 2 * 3 > 5 &#8212; done &#x41;");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_THAT(segments[0].lines, ElementsAre("if a<b and c>d then 2 * 3 > 5 \xE2\x80\x94 done A"));
}

TEST(ParseMarkdown, ReadsBlockQuotesAsText) {
  auto segments = ParseMarkdown("> quoted words\n> more");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_THAT(segments[0].lines, ElementsAre("quoted words", "more"));
}

TEST(ParseMarkdown, ReadsCrLfLineEnds) {
  auto segments = ParseMarkdown(
      "# Title\r\n\r\nline one\r\nline two\r\n\r\n- a\r\n- b\r\n\r\n| x | y |\r\n|---|---|\r\n| 1 "
      "| 2 |\r\n\r\n"
      "$$\r\nx\r\n$$\r\n");
  ASSERT_EQ(segments.size(), 5u);
  EXPECT_EQ(segments[0].type, BlockType::kHeading);
  EXPECT_THAT(segments[0].lines, ElementsAre("Title"));
  EXPECT_THAT(segments[1].lines, ElementsAre("line one", "line two"));
  EXPECT_EQ(segments[2].type, BlockType::kList);
  EXPECT_THAT(segments[2].lines, ElementsAre("- a", "- b"));
  EXPECT_EQ(segments[3].type, BlockType::kTable);
  EXPECT_TRUE(segments[3].header_row);
  ASSERT_EQ(segments[3].rows.size(), 2u);
  EXPECT_THAT(segments[3].rows[1], ElementsAre(SegmentCell{"1"}, SegmentCell{"2"}));
  EXPECT_EQ(segments[4].type, BlockType::kMath);
  EXPECT_THAT(segments[4].lines, ElementsAre("x"));
}

// ---- LayOnLocal -------------------------------------------------------------------

constexpr int kCharWidth = 20;
constexpr int kLineHeight = 40;

// One local line of words from x at y, a space of one character between
// words (CJK words are as wide as two Latin characters per character).
Line LocalLine(const std::vector<std::string>& texts, int x, int y) {
  Line line;
  for (const std::string& text : texts) {
    int chars = static_cast<int>(core::DecodeUtf8(text).size());
    int width = chars * kCharWidth * (core::StartsWithCjk(text) ? 2 : 1);
    line.words.push_back({text, {x, y, x + width, y + kLineHeight}, 0.9f});
    line.bbox = line.bbox.Union(line.words.back().bbox);
    x += width + kCharWidth;
  }
  line.confidence = 0.9f;
  return line;
}

Block LocalBlock(std::vector<Line> lines) {
  Block block;
  for (const Line& line : lines) block.bbox = block.bbox.Union(line.bbox);
  block.lines = std::move(lines);
  block.confidence = 0.9f;
  return block;
}

Page LocalPage(std::vector<Block> blocks) {
  Page page;
  page.index = 4;
  page.width = 2000;
  page.height = 3000;
  page.dpi = 200;
  page.rotation = 90;
  page.language = "eng";
  page.source = core::TextSource::kOcr;
  page.blocks = std::move(blocks);
  return page;
}

// Two blocks of two lines each.
Page SamplePage() {
  return LocalPage({LocalBlock({LocalLine({"Hello", "world", "of", "text"}, 100, 100),
                                LocalLine({"the", "quick", "brown", "fox"}, 100, 160)}),
                    LocalBlock({LocalLine({"Please", "receive", "the", "parcel"}, 100, 400),
                                LocalLine({"before", "noon", "today."}, 100, 460)})});
}

Segment Paragraph(std::vector<std::string> lines) {
  Segment segment;
  segment.lines = std::move(lines);
  return segment;
}

Segment OfType(BlockType type, std::vector<std::string> lines) {
  Segment segment;
  segment.type = type;
  segment.lines = std::move(lines);
  return segment;
}

std::vector<const Word*> AllWords(const Page& page) {
  std::vector<const Word*> out;
  for (const Block& block : page.blocks)
    for (const Line& line : block.lines)
      for (const Word& word : line.words) out.push_back(&word);
  return out;
}

// The local word's box by its text (the first with that text).
Box LocalBox(const Page& page, const std::string& text) {
  for (const Word* word : AllWords(page))
    if (word->text == text) return word->bbox;
  ADD_FAILURE() << "no local word " << text;
  return {};
}

const Word* Find(const Page& page, const std::string& text) {
  for (const Word* word : AllWords(page))
    if (word->text == text) return word;
  return nullptr;
}

bool Inside(const Box& inner, const Box& outer) {
  return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 &&
         inner.y1 <= outer.y1;
}

void ExpectEveryBoxNonEmpty(const Page& page) {
  for (const Block& block : page.blocks) {
    EXPECT_FALSE(block.bbox.Empty());
    for (const Line& line : block.lines) {
      EXPECT_FALSE(line.bbox.Empty());
      for (const Word& word : line.words) {
        EXPECT_FALSE(word.bbox.Empty()) << word.text;
        EXPECT_NE(word.bbox, Box{}) << word.text;
      }
    }
    if (block.table) {
      for (const core::TableCell& cell : block.table->cells)
        EXPECT_FALSE(cell.bbox.Empty()) << cell.text;
    }
  }
}

TEST(LayOnLocal, EqualWordsTakeTheLocalBoxes) {
  Page local = SamplePage();
  Page page = LayOnLocal({Paragraph({"Hello world of text", "the quick brown fox"}),
                          Paragraph({"Please receive the parcel", "before noon today."})},
                         local);
  ASSERT_EQ(page.blocks.size(), 2u);
  for (size_t b = 0; b < 2; ++b) {
    ASSERT_EQ(page.blocks[b].lines.size(), local.blocks[b].lines.size());
    for (size_t l = 0; l < page.blocks[b].lines.size(); ++l) {
      const Line& got = page.blocks[b].lines[l];
      const Line& want = local.blocks[b].lines[l];
      ASSERT_EQ(got.words.size(), want.words.size());
      for (size_t w = 0; w < got.words.size(); ++w) {
        EXPECT_EQ(got.words[w].text, want.words[w].text);
        EXPECT_EQ(got.words[w].bbox, want.words[w].bbox) << want.words[w].text;
        EXPECT_FLOAT_EQ(got.words[w].confidence, kAgree);
      }
      EXPECT_EQ(got.bbox, want.bbox);
      EXPECT_FLOAT_EQ(got.confidence, kAgree);
    }
    EXPECT_EQ(page.blocks[b].bbox, local.blocks[b].bbox);
    EXPECT_EQ(page.blocks[b].type, BlockType::kParagraph);
  }
  EXPECT_DOUBLE_EQ(MatchedShare(page), 1.0);
}

TEST(LayOnLocal, CaseAndPunctuationStillMatch) {
  Page local = SamplePage();
  Page page = LayOnLocal({Paragraph({"hello, WORLD (of) \"text\"!"}), Paragraph({"today"})}, local);
  for (auto [model, local_text] :
       std::vector<std::pair<std::string, std::string>>{{"hello,", "Hello"},
                                                        {"WORLD", "world"},
                                                        {"(of)", "of"},
                                                        {"\"text\"!", "text"},
                                                        {"today", "today."}}) {
    const Word* word = Find(page, model);
    ASSERT_NE(word, nullptr) << model;
    EXPECT_EQ(word->bbox, LocalBox(local, local_text)) << model;
    EXPECT_FLOAT_EQ(word->confidence, kAgree) << model;
  }
}

TEST(LayOnLocal, TypographicQuotesAndDashesMatch) {
  Page local = LocalPage({LocalBlock({LocalLine({"don't", "stop", "-", "now"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"don\xE2\x80\x99t stop \xE2\x80\x93 now"})}, local);
  ASSERT_EQ(AllWords(page).size(), 4u);
  for (const Word* word : AllWords(page)) EXPECT_FLOAT_EQ(word->confidence, kAgree) << word->text;
  EXPECT_EQ(AllWords(page)[0]->bbox, LocalBox(local, "don't"));
  EXPECT_EQ(AllWords(page)[2]->bbox, LocalBox(local, "-"));
}

TEST(LayOnLocal, NearMissMatchesAsNear) {
  Page local =
      LocalPage({LocalBlock({LocalLine({"Please", "recieve", "the", "parcel"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"Please receive the parcel"})}, local);
  const Word* word = Find(page, "receive");
  ASSERT_NE(word, nullptr);
  EXPECT_EQ(word->bbox, LocalBox(local, "recieve"));
  EXPECT_FLOAT_EQ(word->confidence, kNear);
  EXPECT_FLOAT_EQ(Find(page, "Please")->confidence, kAgree);
  EXPECT_FLOAT_EQ(Find(page, "parcel")->confidence, kAgree);
}

TEST(LayOnLocal, ModelOnlyWordGetsTheRegionBetweenItsNeighbours) {
  Page local = LocalPage({LocalBlock({LocalLine({"the", "quick", "fox", "jumps"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"the quick brown fox jumps"})}, local);
  const Word* brown = Find(page, "brown");
  ASSERT_NE(brown, nullptr);
  EXPECT_FLOAT_EQ(brown->confidence, kModelOnly);
  EXPECT_FALSE(brown->bbox.Empty());
  Box quick = LocalBox(local, "quick"), fox = LocalBox(local, "fox");
  EXPECT_TRUE(Inside(brown->bbox, quick.Union(fox)));
  EXPECT_EQ(brown->bbox.y0, quick.y0);
  EXPECT_EQ(brown->bbox.y1, quick.y1);
  ASSERT_EQ(page.blocks.size(), 1u);
  EXPECT_EQ(page.blocks[0].lines.size(), 1u);
}

TEST(LayOnLocal, ModelOnlyWordAtTheEdgesTakesItsNeighbourRegion) {
  Page local = LocalPage({LocalBlock({LocalLine({"quick", "fox"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"The quick fox jumped"})}, local);
  const Word* first = Find(page, "The");
  const Word* last = Find(page, "jumped");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(last, nullptr);
  EXPECT_FLOAT_EQ(first->confidence, kModelOnly);
  EXPECT_FLOAT_EQ(last->confidence, kModelOnly);
  EXPECT_FALSE(first->bbox.Empty());
  EXPECT_FALSE(last->bbox.Empty());
  // On the line of the neighbour.
  EXPECT_EQ(first->bbox.y0, 100);
  EXPECT_EQ(last->bbox.y1, 100 + kLineHeight);
}

TEST(LayOnLocal, MisreadWordTakesTheBoxOfTheLocalWordInItsPlace) {
  // The local engine read something else where the model read "brown".
  Page local = LocalPage({LocalBlock({LocalLine({"the", "quick", "6r0wu", "fox"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"the quick brown fox"})}, local);
  const Word* brown = Find(page, "brown");
  ASSERT_NE(brown, nullptr);
  EXPECT_FLOAT_EQ(brown->confidence, kModelOnly);
  EXPECT_EQ(brown->bbox, LocalBox(local, "6r0wu"));
}

TEST(LayOnLocal, SegmentsWithoutMatchesGetRealBoxes) {
  Page local = SamplePage();
  // An equation between the blocks, and lines the local engine read as noise.
  local.blocks.insert(local.blocks.begin() + 1, LocalBlock({LocalLine({"E", "=", "rnc2"}, 300, 250),
                                                            LocalLine({"~~", "j,"}, 300, 300)}));
  Page page = LayOnLocal(
      {Paragraph({"Hello world of text the quick brown fox"}),
       OfType(BlockType::kMath, {"E = mc^2"}), OfType(BlockType::kFigure, {"a drawing of a ship"}),
       Paragraph({"Dear Sir, I write"}),
       Paragraph({"Please receive the parcel before noon today."})},
      local);
  ExpectEveryBoxNonEmpty(page);
  ASSERT_EQ(page.blocks.size(), 5u);
  EXPECT_EQ(page.blocks[1].type, BlockType::kMath);
  EXPECT_EQ(page.blocks[1].Text(), "E = mc^2");
  EXPECT_EQ(page.blocks[2].type, BlockType::kFigure);
  for (size_t b = 1; b <= 3; ++b)
    for (const Line& line : page.blocks[b].lines)
      for (const Word& word : line.words) EXPECT_FLOAT_EQ(word.confidence, kModelOnly) << word.text;
  // The equation lies where the local engine saw something between the
  // paragraphs.
  const Box& math = page.blocks[1].bbox;
  EXPECT_GE(math.y0, 160 + kLineHeight);
  EXPECT_LE(math.y1, 400);
}

TEST(LayOnLocal, FigureWithoutLocalWordsLiesBetweenItsNeighbours) {
  Page local = SamplePage();
  Page page = LayOnLocal({Paragraph({"Hello world of text the quick brown fox"}),
                          OfType(BlockType::kFigure, {"a drawing of a ship"}),
                          Paragraph({"Please receive the parcel before noon today."})},
                         local);
  ExpectEveryBoxNonEmpty(page);
  ASSERT_EQ(page.blocks.size(), 3u);
  const Box& figure = page.blocks[1].bbox;
  EXPECT_GE(figure.y0, 160);
  EXPECT_LE(figure.y1, 400 + kLineHeight);
}

TEST(LayOnLocal, PageWithoutLocalWordsGivesThePageBox) {
  Page empty = LocalPage({});
  Page blank_blocks = LocalPage({LocalBlock({Line{}})});
  for (const Page& local : {empty, blank_blocks}) {
    Page page =
        LayOnLocal({OfType(BlockType::kHeading, {"Title"}),
                    Paragraph({"some words here", "and more"}), OfType(BlockType::kMath, {"x^2"})},
                   local);
    ASSERT_EQ(page.blocks.size(), 3u);
    EXPECT_EQ(page.blocks[0].type, BlockType::kHeading);
    for (const Word* word : AllWords(page)) {
      EXPECT_EQ(word->bbox, (Box{0, 0, 2000, 3000})) << word->text;
      EXPECT_FLOAT_EQ(word->confidence, kModelOnly);
    }
    EXPECT_DOUBLE_EQ(MatchedShare(page), 0.0);
  }
}

TEST(LayOnLocal, ModelOrderIsKeptWhenItDiffersFromTheLocalOrder) {
  // Two columns; the local engine read the left one first, the model the
  // right one.
  Page local = LocalPage({LocalBlock({LocalLine({"alpha", "beta", "gamma"}, 100, 100),
                                      LocalLine({"delta", "epsilon", "zeta"}, 100, 160)}),
                          LocalBlock({LocalLine({"one", "two", "three"}, 1100, 100),
                                      LocalLine({"four", "five", "six"}, 1100, 160)})});
  Page page = LayOnLocal({Paragraph({"one two three four five six"}),
                          Paragraph({"alpha beta gamma delta epsilon zeta"})},
                         local);
  ASSERT_EQ(page.blocks.size(), 2u);
  EXPECT_EQ(page.blocks[0].Text(), "one two three\nfour five six");
  EXPECT_EQ(page.blocks[1].Text(), "alpha beta gamma\ndelta epsilon zeta");
  for (const Word* word : AllWords(page)) {
    EXPECT_EQ(word->bbox, LocalBox(local, word->text)) << word->text;
    EXPECT_FLOAT_EQ(word->confidence, kAgree) << word->text;
  }
  EXPECT_DOUBLE_EQ(MatchedShare(page), 1.0);
}

TEST(LayOnLocal, MovedHeadingFindsItsBox) {
  // The model put the running title first; the local engine read it last.
  Page local = LocalPage({LocalBlock({LocalLine({"body", "text", "of", "the", "page"}, 100, 300)}),
                          LocalBlock({LocalLine({"Annual", "Report"}, 100, 100)})});
  Page page = LayOnLocal(
      {OfType(BlockType::kHeading, {"Annual Report"}), Paragraph({"body text of the page"})},
      local);
  for (const Word* word : AllWords(page)) {
    EXPECT_EQ(word->bbox, LocalBox(local, word->text)) << word->text;
    EXPECT_FLOAT_EQ(word->confidence, kAgree) << word->text;
  }
}

TEST(LayOnLocal, LinesBreakWhereTheLocalLinesDo) {
  Page local = LocalPage({LocalBlock({LocalLine({"It", "was", "agreed", "that"}, 100, 100),
                                      LocalLine({"a", "committee", "of", "three"}, 100, 160),
                                      LocalLine({"would", "visit"}, 100, 220)})});
  Page page =
      LayOnLocal({Paragraph({"It was agreed that a committee of three would visit"})}, local);
  ASSERT_EQ(page.blocks.size(), 1u);
  const Block& block = page.blocks[0];
  ASSERT_EQ(block.lines.size(), 3u);
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_EQ(block.lines[l].bbox, local.blocks[0].lines[l].bbox);
    EXPECT_EQ(block.lines[l].bbox.Height(), kLineHeight);
    EXPECT_EQ(block.lines[l].Text(), local.blocks[0].lines[l].Text());
  }
}

TEST(LayOnLocal, ModelOnlyWordAtALineEndStaysOnOneLine) {
  Page local = LocalPage({LocalBlock({LocalLine({"It", "was", "agreed"}, 100, 100),
                                      LocalLine({"a", "committee", "of", "three"}, 100, 160)})});
  Page page = LayOnLocal({Paragraph({"It was agreed that a committee of three"})}, local);
  ASSERT_EQ(page.blocks.size(), 1u);
  for (const Line& line : page.blocks[0].lines)
    EXPECT_EQ(line.bbox.Height(), kLineHeight) << line.Text();
}

TEST(LayOnLocal, PipeTableCellsTakeTheirWordsBoxes) {
  Page local = LocalPage(
      {LocalBlock({LocalLine({"Name"}, 100, 100), LocalLine({"Age", "(years)"}, 600, 100)}),
       LocalBlock({LocalLine({"Ann", "Lee"}, 100, 160), LocalLine({"31"}, 600, 160)})});
  for (bool header : {true, false}) {
    std::string markdown = header ? "| Name | Age (years) |\n|---|---|\n| Ann Lee | 31 |"
                                  : "| Name | Age (years) |\n| Ann Lee | 31 |";
    Page page = LayOnLocal(ParseMarkdown(markdown), local);
    ASSERT_EQ(page.blocks.size(), 1u);
    const Block& block = page.blocks[0];
    EXPECT_EQ(block.type, BlockType::kTable);
    ASSERT_TRUE(block.table);
    EXPECT_EQ(block.table->rows, 2);
    EXPECT_EQ(block.table->cols, 2);
    EXPECT_EQ(block.table->header_row, header);
    ASSERT_EQ(block.table->cells.size(), 4u);
    auto cell = [&](int row, int col) {
      for (const core::TableCell& c : block.table->cells)
        if (c.row == row && c.col == col) return c;
      ADD_FAILURE() << "no cell at " << row << "," << col;
      return core::TableCell{};
    };
    EXPECT_EQ(cell(0, 0).text, "Name");
    EXPECT_EQ(cell(0, 0).bbox, LocalBox(local, "Name"));
    EXPECT_EQ(cell(0, 1).text, "Age (years)");
    EXPECT_EQ(cell(0, 1).bbox, LocalBox(local, "Age").Union(LocalBox(local, "(years)")));
    EXPECT_EQ(cell(1, 0).bbox, LocalBox(local, "Ann").Union(LocalBox(local, "Lee")));
    EXPECT_EQ(cell(1, 1).bbox, LocalBox(local, "31"));
    // One line per row.
    ASSERT_EQ(block.lines.size(), 2u);
    EXPECT_EQ(block.lines[0].Text(), "Name Age (years)");
    EXPECT_EQ(block.lines[1].Text(), "Ann Lee 31");
    EXPECT_DOUBLE_EQ(MatchedShare(page), 1.0);
  }
}

TEST(LayOnLocal, HtmlTableSpansPlaceTheCells) {
  Page local = LocalPage({LocalBlock({LocalLine({"Total"}, 300, 100)}),
                          LocalBlock({LocalLine({"North"}, 100, 160), LocalLine({"5"}, 600, 160)}),
                          LocalBlock({LocalLine({"7"}, 600, 220)})});
  Page page = LayOnLocal(ParseMarkdown("<table><tr><th colspan=\"2\">Total</th></tr>"
                                       "<tr><td rowspan=\"2\">North</td><td>5</td></tr>"
                                       "<tr><td>7</td></tr></table>"),
                         local);
  ASSERT_EQ(page.blocks.size(), 1u);
  ASSERT_TRUE(page.blocks[0].table);
  const core::Table& table = *page.blocks[0].table;
  EXPECT_TRUE(table.header_row);
  EXPECT_EQ(table.rows, 3);
  EXPECT_EQ(table.cols, 2);
  ASSERT_EQ(table.cells.size(), 4u);
  auto expect_cell = [&](size_t i, const std::string& text, int row, int col, int row_span,
                         int col_span) {
    EXPECT_EQ(table.cells[i].text, text);
    EXPECT_EQ(table.cells[i].row, row) << text;
    EXPECT_EQ(table.cells[i].col, col) << text;
    EXPECT_EQ(table.cells[i].row_span, row_span) << text;
    EXPECT_EQ(table.cells[i].col_span, col_span) << text;
    EXPECT_EQ(table.cells[i].bbox, LocalBox(local, text)) << text;
  };
  expect_cell(0, "Total", 0, 0, 1, 2);
  expect_cell(1, "North", 1, 0, 2, 1);
  expect_cell(2, "5", 1, 1, 1, 1);
  expect_cell(3, "7", 2, 1, 1, 1);
}

TEST(LayOnLocal, RowSpanPastTheLastRowDoesNotAddRows) {
  Page local = LocalPage({LocalBlock({LocalLine({"a", "b"}, 100, 100)})});
  Page page = LayOnLocal(
      ParseMarkdown("<table><tr><td rowspan=\"500\">a</td><td>b</td></tr></table>"), local);
  ASSERT_EQ(page.blocks.size(), 1u);
  ASSERT_TRUE(page.blocks[0].table);
  EXPECT_EQ(page.blocks[0].table->rows, 1);
  EXPECT_EQ(page.blocks[0].table->cols, 2);
  EXPECT_EQ(page.blocks[0].table->cells[0].row_span, 1);
}

TEST(LayOnLocal, EmptyTableCellLiesInItsRowAndColumn) {
  Page local = LocalPage({LocalBlock({LocalLine({"Name"}, 100, 100), LocalLine({"Age"}, 600, 100)}),
                          LocalBlock({LocalLine({"Ann"}, 100, 160)})});
  Page page = LayOnLocal(ParseMarkdown("| Name | Age |\n|---|---|\n| Ann |  |"), local);
  ASSERT_EQ(page.blocks.size(), 1u);
  ASSERT_TRUE(page.blocks[0].table);
  const core::Table& table = *page.blocks[0].table;
  ASSERT_EQ(table.cells.size(), 4u);
  const core::TableCell& empty = table.cells[3];
  EXPECT_EQ(empty.row, 1);
  EXPECT_EQ(empty.col, 1);
  Box age = LocalBox(local, "Age"), ann = LocalBox(local, "Ann");
  EXPECT_EQ(empty.bbox, (Box{age.x0, ann.y0, age.x1, ann.y1}));
}

TEST(LayOnLocal, CjkRunMatchesCharacterByCharacter) {
  Page local = LocalPage({LocalBlock({LocalLine({"中文", "测", "试"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"中文测试。"})}, local);
  ASSERT_EQ(AllWords(page).size(), 1u);
  const Word& word = *AllWords(page)[0];
  EXPECT_EQ(word.text, "中文测试。");
  EXPECT_EQ(word.bbox, LocalBox(local, "中文").Union(LocalBox(local, "试")));
  EXPECT_FLOAT_EQ(word.confidence, kAgree);
  EXPECT_DOUBLE_EQ(MatchedShare(page), 1.0);
}

TEST(LayOnLocal, CjkFullWidthPunctuationIsIgnored) {
  Page local = LocalPage({LocalBlock({LocalLine({"你好", "吗"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"你好吗？：；"})}, local);
  ASSERT_EQ(AllWords(page).size(), 1u);
  EXPECT_FLOAT_EQ(AllWords(page)[0]->confidence, kAgree);
}

TEST(LayOnLocal, CjkRunOverTwoLocalLinesIsBrokenThere) {
  Page local = LocalPage(
      {LocalBlock({LocalLine({"中文", "测试"}, 100, 100), LocalLine({"文字", "内容"}, 100, 160)})});
  Page page = LayOnLocal({Paragraph({"中文测试文字内容"})}, local);
  ASSERT_EQ(page.blocks.size(), 1u);
  const Block& block = page.blocks[0];
  ASSERT_EQ(block.lines.size(), 2u);
  EXPECT_EQ(block.lines[0].Text(), "中文测试");
  EXPECT_EQ(block.lines[1].Text(), "文字内容");
  EXPECT_EQ(block.lines[0].bbox, local.blocks[0].lines[0].bbox);
  EXPECT_EQ(block.lines[1].bbox, local.blocks[0].lines[1].bbox);
  EXPECT_EQ(block.Text(), "中文测试\n文字内容");
}

TEST(LayOnLocal, CopiesThePageFieldsOfTheLocalReading) {
  Page local = SamplePage();
  local.warnings = {"page 5: something"};
  Page page = LayOnLocal({Paragraph({"Hello"})}, local);
  EXPECT_EQ(page.index, 4);
  EXPECT_EQ(page.width, 2000);
  EXPECT_EQ(page.height, 3000);
  EXPECT_EQ(page.dpi, 200);
  EXPECT_EQ(page.rotation, 90);
  EXPECT_EQ(page.source, core::TextSource::kVlm);
  EXPECT_EQ(page.language, "eng");
}

TEST(LayOnLocal, EquationTakesTheNoiseTheLocalEngineReadInItsPlace) {
  Page local = SamplePage();
  local.blocks.insert(local.blocks.begin() + 1, LocalBlock({LocalLine({"E", "=", "rnc2"}, 300, 250),
                                                            LocalLine({"~~", "j,"}, 300, 300)}));
  Page page = LayOnLocal({Paragraph({"Hello world of text the quick brown fox"}),
                          OfType(BlockType::kMath, {"E = mc^2 \\quad (1)"}),
                          Paragraph({"Please receive the parcel before noon today."})},
                         local);
  ASSERT_EQ(page.blocks.size(), 3u);
  EXPECT_EQ(page.blocks[1].type, BlockType::kMath);
  EXPECT_EQ(page.blocks[1].bbox, local.blocks[1].bbox);
  EXPECT_FLOAT_EQ(page.blocks[1].confidence, kModelOnly);
  EXPECT_DOUBLE_EQ(MatchedShare(page), 15.0 / 16.0);
}

TEST(LayOnLocal, HandwrittenLineTakesTheBoxesOfWhatTheLocalEngineSaw) {
  Page local = LocalPage({LocalBlock({LocalLine({"Deor", "5ir,", "1", "wnte"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"Dear Sir, I write"})}, local);
  ASSERT_EQ(AllWords(page).size(), 4u);
  // "Deor" is near "Dear"; the rest lie on the words read in their place.
  EXPECT_FLOAT_EQ(AllWords(page)[0]->confidence, kNear);
  const char* const local_texts[] = {"Deor", "5ir,", "1", "wnte"};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(AllWords(page)[i]->bbox, LocalBox(local, local_texts[i])) << i;
}

TEST(LayOnLocal, HeadingTheLocalEngineMissedLiesBetweenItsNeighbours) {
  Page local = SamplePage();
  Page page = LayOnLocal({Paragraph({"Hello world of text the quick brown fox"}),
                          OfType(BlockType::kHeading, {"Chapter Two"}),
                          Paragraph({"Please receive the parcel before noon today."})},
                         local);
  ASSERT_EQ(page.blocks.size(), 3u);
  const Block& heading = page.blocks[1];
  EXPECT_EQ(heading.type, BlockType::kHeading);
  ASSERT_EQ(heading.lines.size(), 1u);
  EXPECT_GE(heading.bbox.y0, 160 + kLineHeight);
  EXPECT_LE(heading.bbox.y1, 400);
  // Its two words side by side.
  const Line& line = heading.lines[0];
  ASSERT_EQ(line.words.size(), 2u);
  EXPECT_LE(line.words[0].bbox.x1, line.words[1].bbox.x0);
}

TEST(LayOnLocal, ThreeBlocksReadInAnotherOrder) {
  Page local = LocalPage({LocalBlock({LocalLine({"first", "block", "words"}, 100, 100)}),
                          LocalBlock({LocalLine({"second", "block", "text"}, 100, 300)}),
                          LocalBlock({LocalLine({"third", "one", "here"}, 100, 500)})});
  Page page = LayOnLocal({Paragraph({"third one here"}), Paragraph({"first block words"}),
                          Paragraph({"second block text"})},
                         local);
  ASSERT_EQ(page.blocks.size(), 3u);
  EXPECT_EQ(page.blocks[0].bbox, local.blocks[2].bbox);
  EXPECT_EQ(page.blocks[1].bbox, local.blocks[0].bbox);
  EXPECT_EQ(page.blocks[2].bbox, local.blocks[1].bbox);
  EXPECT_DOUBLE_EQ(MatchedShare(page), 1.0);
}

TEST(LayOnLocal, TableTheLocalEngineReadColumnByColumn) {
  Page local = LocalPage({LocalBlock({LocalLine({"Name"}, 100, 100), LocalLine({"Ann"}, 100, 160),
                                      LocalLine({"Bobby"}, 100, 220)}),
                          LocalBlock({LocalLine({"Age"}, 600, 100), LocalLine({"31"}, 600, 160),
                                      LocalLine({"40"}, 600, 220)})});
  Page page =
      LayOnLocal(ParseMarkdown("| Name | Age |\n|---|---|\n| Ann | 31 |\n| Bobby | 40 |"), local);
  ASSERT_EQ(page.blocks.size(), 1u);
  ASSERT_TRUE(page.blocks[0].table);
  for (const core::TableCell& cell : page.blocks[0].table->cells)
    EXPECT_EQ(cell.bbox, LocalBox(local, cell.text));
  EXPECT_DOUBLE_EQ(MatchedShare(page), 1.0);
}

TEST(LayOnLocal, PunctuationWordsMatchThemselves) {
  Page local =
      LocalPage({LocalBlock({LocalLine({"Smith", "&", "Sons", "-", "est.", "1901"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"Smith & Sons \xE2\x80\x94 est. 1901"})}, local);
  for (const Word* word : AllWords(page)) EXPECT_FLOAT_EQ(word->confidence, kAgree) << word->text;
  EXPECT_EQ(Find(page, "&")->bbox, LocalBox(local, "&"));
}

TEST(LayOnLocal, CaseIsFoldedBeyondAscii) {
  Page local = LocalPage({LocalBlock({LocalLine({"ΑΘΗΝΑ", "ŁÓDŹ", "МОСКВА", "ÉTÉ"}, 100, 100)})});
  Page page = LayOnLocal({Paragraph({"αθηνα łódź москва été"})}, local);
  for (const Word* word : AllWords(page)) EXPECT_FLOAT_EQ(word->confidence, kAgree) << word->text;
}

TEST(LayOnLocal, LocalWordsWithoutBoxesStillGiveBoxes) {
  Page local = LocalPage({LocalBlock({LocalLine({"alpha", "beta", "gamma"}, 100, 100)})});
  local.blocks[0].lines[0].words[1].bbox = {};
  Page page = LayOnLocal({Paragraph({"alpha beta gamma"})}, local);
  ExpectEveryBoxNonEmpty(page);
  ASSERT_EQ(page.blocks.size(), 1u);
  EXPECT_EQ(page.blocks[0].lines.size(), 1u);
}

TEST(LayOnLocal, SegmentsWithoutTextGiveNoBlocks) {
  Segment empty_table;
  empty_table.type = BlockType::kTable;
  empty_table.rows = {{SegmentCell{""}, SegmentCell{" "}}};
  Page page = LayOnLocal({Paragraph({""}), Paragraph({"  "}), empty_table,
                          OfType(BlockType::kMath, {" "}), Paragraph({"Hello"})},
                         SamplePage());
  ASSERT_EQ(page.blocks.size(), 1u);
  EXPECT_EQ(page.blocks[0].Text(), "Hello");
}

TEST(LayOnLocal, ModelSkippingLocalWordsKeepsItsOwn) {
  Page local = SamplePage();
  Page page = LayOnLocal({Paragraph({"Hello text fox today."})}, local);
  for (const Word* word : AllWords(page)) {
    EXPECT_EQ(word->bbox, LocalBox(local, word->text)) << word->text;
    EXPECT_FLOAT_EQ(word->confidence, kAgree);
  }
  // Broken where the local lines change: three lines of the page.
  ASSERT_EQ(page.blocks.size(), 1u);
  EXPECT_EQ(page.blocks[0].lines.size(), 3u);
}

TEST(LayOnLocal, KeepsSegmentTypesAndLevels) {
  Page local = SamplePage();
  Page page = LayOnLocal(
      {OfType(BlockType::kHeading, {"Hello world"}), OfType(BlockType::kList, {"- of text"})},
      local);
  ASSERT_EQ(page.blocks.size(), 2u);
  EXPECT_EQ(page.blocks[0].type, BlockType::kHeading);
  EXPECT_EQ(page.blocks[1].type, BlockType::kList);
  EXPECT_EQ(page.blocks[1].Text(), "- of text");
  EXPECT_FLOAT_EQ(Find(page, "of")->confidence, kAgree);
  EXPECT_FALSE(Find(page, "-")->bbox.Empty());
}

TEST(LayOnLocal, HeadingLevelIsKept) {
  Segment heading = OfType(BlockType::kHeading, {"Hello world"});
  heading.level = 3;
  Page page = LayOnLocal({heading}, SamplePage());
  ASSERT_EQ(page.blocks.size(), 1u);
  EXPECT_EQ(page.blocks[0].level, 3);
}

TEST(LayOnLocal, NoSegmentsGiveNoBlocks) {
  Page page = LayOnLocal({}, SamplePage());
  EXPECT_TRUE(page.blocks.empty());
  EXPECT_DOUBLE_EQ(MatchedShare(page), 0.0);
}

TEST(MatchedShare, IsOneWhenAllMatchAndZeroWithNone) {
  Page local = SamplePage();
  EXPECT_DOUBLE_EQ(MatchedShare(LayOnLocal({Paragraph({"Hello world of text"})}, local)), 1.0);
  EXPECT_DOUBLE_EQ(MatchedShare(LayOnLocal({Paragraph({"zzz yyy xxx"})}, local)), 0.0);
  EXPECT_DOUBLE_EQ(MatchedShare(LayOnLocal({Paragraph({"Hello zzz"})}, local)), 0.5);
  EXPECT_DOUBLE_EQ(MatchedShare(Page{}), 0.0);
}

// Words of a made-up language, from a fixed seed.
class WordMaker {
 public:
  explicit WordMaker(uint32_t seed) : state_(seed) {}
  uint32_t Next() {
    state_ = state_ * 1664525u + 1013904223u;
    return state_ >> 8;
  }
  std::string Text() {
    static const char* const kSyllables[] = {"ka",  "lo",   "mi",  "ne",  "ru",  "sa",
                                             "to",  "vi",   "dor", "fen", "gal", "hum",
                                             "pri", "stra", "ble", "qua"};
    std::string word;
    int count = 1 + static_cast<int>(Next() % 3);
    for (int i = 0; i < count; ++i) word += kSyllables[Next() % 16];
    return word;
  }

 private:
  uint32_t state_;
};

// A page of `count` words in lines of 10 and blocks of 10 lines.
Page LargePage(const std::vector<std::string>& words) {
  std::vector<Block> blocks;
  for (size_t b = 0; b * 100 < words.size(); ++b) {
    std::vector<Line> lines;
    for (size_t l = b * 100; l < std::min(words.size(), (b + 1) * 100); l += 10) {
      std::vector<std::string> texts(words.begin() + l,
                                     words.begin() + std::min(words.size(), l + 10));
      lines.push_back(LocalLine(texts, 100, static_cast<int>(100 + (l / 10) * 50)));
    }
    blocks.push_back(LocalBlock(std::move(lines)));
  }
  Page page = LocalPage(std::move(blocks));
  page.height = 100 + static_cast<int>(words.size() / 10 + 1) * 50;
  return page;
}

TEST(LayOnLocal, LargePageWithChangedWordsMostlyMatches) {
  WordMaker gen(42);
  std::vector<std::string> local_words;
  for (int i = 0; i < 3000; ++i) local_words.push_back(gen.Text());
  // 5% of the words changed: replaced, dropped, or with a word added.
  std::vector<std::string> model_words;
  std::vector<int> origin;  // the local word a model word was kept from, or -1
  for (size_t i = 0; i < local_words.size(); ++i) {
    uint32_t roll = gen.Next() % 60;
    if (roll == 0) {
      model_words.push_back("zz" + gen.Text());
      origin.push_back(-1);
    } else if (roll == 1) {
      continue;
    } else {
      model_words.push_back(local_words[i]);
      origin.push_back(static_cast<int>(i));
      if (roll == 2) {
        model_words.push_back("xq" + gen.Text());
        origin.push_back(-1);
      }
    }
  }
  Page local = LargePage(local_words);
  std::vector<Segment> segments;
  for (size_t i = 0; i < model_words.size(); i += 100) {
    std::string text;
    for (size_t k = i; k < std::min(model_words.size(), i + 100); ++k)
      text += (text.empty() ? "" : " ") + model_words[k];
    segments.push_back(Paragraph({text}));
  }
  Page page = LayOnLocal(segments, local);
  EXPECT_EQ(page.WordCount(), static_cast<int>(model_words.size()));
  EXPECT_GE(MatchedShare(page), 0.9);
  ExpectEveryBoxNonEmpty(page);
  // The words kept have the boxes of the very local words they were.
  std::vector<const Word*> local_flat = AllWords(local), model_flat = AllWords(page);
  ASSERT_EQ(model_flat.size(), origin.size());
  int own = 0, kept = 0;
  for (size_t i = 0; i < origin.size(); ++i) {
    if (origin[i] < 0) continue;
    ++kept;
    own += model_flat[i]->bbox == local_flat[origin[i]]->bbox;
  }
  EXPECT_GE(own, kept * 98 / 100);
  // Line by line, every line of the result is one line of the page.
  for (const Block& block : page.blocks)
    for (const Line& line : block.lines) EXPECT_EQ(line.bbox.Height(), kLineHeight) << line.Text();
}

TEST(LayOnLocal, LargePageReadInAnotherOrderMostlyMatches) {
  WordMaker gen(7);
  std::vector<std::string> local_words;
  for (int i = 0; i < 3000; ++i) local_words.push_back(gen.Text());
  Page local = LargePage(local_words);
  // The model read the second half of the page first, and a header the
  // local engine did not see.
  std::vector<std::string> model_words;
  for (int i = 0; i < 40; ++i) model_words.push_back("hdr" + gen.Text());
  model_words.insert(model_words.end(), local_words.begin() + 1500, local_words.end());
  model_words.insert(model_words.end(), local_words.begin(), local_words.begin() + 1500);
  std::vector<Segment> segments;
  for (size_t i = 0; i < model_words.size(); i += 100) {
    std::string text;
    for (size_t k = i; k < std::min(model_words.size(), i + 100); ++k)
      text += (text.empty() ? "" : " ") + model_words[k];
    segments.push_back(Paragraph({text}));
  }
  Page page = LayOnLocal(segments, local);
  EXPECT_EQ(page.WordCount(), static_cast<int>(model_words.size()));
  EXPECT_GE(MatchedShare(page), 0.9);
  ExpectEveryBoxNonEmpty(page);
}

}  // namespace
}  // namespace ocrchat::vlm
