// Tests of the txt and md exports.
#include <gtest/gtest.h>

#include <algorithm>

#include "export/export.h"
#include "export/test_document.h"

namespace ocrchat::exports {
namespace {

using testing::MakeBlock;
using testing::MakeLine;
using testing::SampleDocument;

core::Document OnePage(std::vector<core::Block> blocks) {
  core::Document doc;
  core::Page page;
  page.width = 1000;
  page.height = 1000;
  page.blocks = std::move(blocks);
  doc.pages.push_back(std::move(page));
  return doc;
}

TEST(TextWriterTest, PagesSeparatedByFormFeed) {
  core::Document doc = SampleDocument();
  std::string text = WriteText(doc);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\f'), 2);
  EXPECT_EQ(text.substr(0, text.find('\f')).find("Quarterly Report"), 0u);
  EXPECT_NE(text.find("Chapter 3"), std::string::npos);
  EXPECT_NE(text.find("<&> \"quoted\" it's"), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_NE(text.find("مرحبا"), std::string::npos);
  EXPECT_NE(text.find("日本語"), std::string::npos);
}

TEST(TextWriterTest, FormFeedInTextDoesNotSplitPages) {
  core::Document doc = OnePage({MakeBlock(core::BlockType::kParagraph, {MakeLine({"a\fb"}, 0, 0)})});
  EXPECT_EQ(WriteText(doc), "ab");
}

TEST(TextWriterTest, EmptyDocument) {
  EXPECT_EQ(WriteText(core::Document{}), "");
  EXPECT_EQ(WriteMarkdown(core::Document{}), "");
}

TEST(MarkdownWriterTest, SampleDocument) {
  std::string md = WriteMarkdown(SampleDocument());
  std::string first_page = md.substr(0, md.find("\n\n---\n\n"));
  EXPECT_EQ(first_page,
            "# Quarterly Report\n"
            "\n"
            "Profit \\<&> \"quoted\" it's fine\n"
            "\\#1 bellhere \\*stars\\*\n"
            "\n"
            "## Details\n"
            "\n"
            "- first item\n"
            "- second item\n"
            "1. numbered item\n"
            "\n"
            "| Name | Value |\n"
            "| --- | --- |\n"
            "| alpha | 1,5 \"x\" |\n"
            "| merged\\|cell | |\n"
            "\n"
            "Arabic مرحبا and CJK 日本語");
  // Three pages, two breaks.
  size_t breaks = 0;
  for (size_t at = md.find("\n\n---\n\n"); at != std::string::npos;
       at = md.find("\n\n---\n\n", at + 1))
    ++breaks;
  EXPECT_EQ(breaks, 2u);
  EXPECT_NE(md.find("# Chapter 3"), std::string::npos);
}

TEST(MarkdownWriterTest, LeadingMarkupIsEscaped) {
  core::Document doc = OnePage({MakeBlock(core::BlockType::kParagraph,
                                          {MakeLine({"#", "not", "heading"}, 0, 0),
                                           MakeLine({"-", "not", "a", "list"}, 0, 100),
                                           MakeLine({"2024.", "not", "numbered"}, 0, 200),
                                           MakeLine({">", "not", "quote"}, 0, 300),
                                           MakeLine({"==="}, 0, 400),
                                           MakeLine({"[link](x)", "`code`", "a_b"}, 0, 500)})});
  EXPECT_EQ(WriteMarkdown(doc),
            "\\# not heading\n"
            "\\- not a list\n"
            "2024\\. not numbered\n"
            "\\> not quote\n"
            "\\===\n"
            "\\[link\\](x) \\`code\\` a\\_b");
}

TEST(MarkdownWriterTest, ListWithContinuationLines) {
  core::Document doc = OnePage({MakeBlock(core::BlockType::kList,
                                          {MakeLine({"1)", "first"}, 0, 0),
                                           MakeLine({"continues"}, 0, 100),
                                           MakeLine({"2)", "second"}, 0, 200)})});
  EXPECT_EQ(WriteMarkdown(doc), "1) first continues\n2) second");
  core::Document plain = OnePage(
      {MakeBlock(core::BlockType::kList, {MakeLine({"apples"}, 0, 0), MakeLine({"pears"}, 0, 100)})});
  EXPECT_EQ(WriteMarkdown(plain), "- apples\n- pears");
}

TEST(MarkdownWriterTest, HeadingLevelsAreClamped) {
  core::Document doc =
      OnePage({MakeBlock(core::BlockType::kHeading, {MakeLine({"Deep"}, 0, 0)}, 9),
               MakeBlock(core::BlockType::kHeading, {MakeLine({"None", "C#"}, 0, 100)}, 0)});
  EXPECT_EQ(WriteMarkdown(doc), "###### Deep\n\n# None C\\#");
}

}  // namespace
}  // namespace ocrchat::exports
