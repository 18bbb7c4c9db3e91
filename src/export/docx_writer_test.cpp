// Tests of the docx export, read back with unzip and xmllint.
#include <gtest/gtest.h>

#include "export/export.h"
#include "export/test_document.h"
#include "export/test_process.h"

namespace ocrchat::exports {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::SampleDocument;
using testing::SampleInfo;
using testing::TempDir;

class DocxWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HasTool("unzip") || !testing::HasTool("xmllint"))
      GTEST_SKIP() << "unzip and xmllint are needed";
  }
  std::string Part(const std::string& docx, const std::string& name) {
    return RunCommand("unzip -p '" + docx + "' '" + name + "'").output;
  }
  std::string XPath(const std::string& docx, const std::string& part, const std::string& expr) {
    CommandResult result = RunCommand("unzip -p '" + docx + "' '" + part + "' | xmllint --xpath \"" +
                                      expr + "\" - 2>&1");
    EXPECT_EQ(result.status, 0) << expr << ": " << result.output;
    while (!result.output.empty() && result.output.back() == '\n') result.output.pop_back();
    return result.output;
  }
  TempDir dir_;
};

TEST_F(DocxWriterTest, PackageHasEveryPartAndEachIsWellFormed) {
  auto docx = WriteDocx(SampleDocument(), SampleInfo());
  ASSERT_TRUE(docx) << docx.error().detail;
  std::string path = dir_.Write("out.docx", *docx);
  CommandResult list = RunCommand("unzip -l '" + path + "'");
  ASSERT_EQ(list.status, 0) << list.output;
  for (const char* part : {"[Content_Types].xml", "_rels/.rels", "word/document.xml",
                           "word/_rels/document.xml.rels", "word/styles.xml",
                           "word/numbering.xml", "docProps/core.xml"}) {
    EXPECT_NE(list.output.find(part), std::string::npos) << part;
    // unzip reads [ and ] in names as a wildcard class.
    std::string pattern;
    for (char c : std::string(part)) pattern += (c == '[' || c == ']') ? std::string("\\") + c : std::string(1, c);
    CommandResult lint =
        RunCommand("unzip -p '" + path + "' '" + pattern + "' | xmllint --noout - 2>&1");
    EXPECT_EQ(lint.status, 0) << part << ": " << lint.output;
  }
  EXPECT_EQ(RunCommand("unzip -tq '" + path + "' >/dev/null 2>&1").status, 0);
}

TEST_F(DocxWriterTest, DocumentStructure) {
  auto docx = WriteDocx(SampleDocument(), SampleInfo());
  ASSERT_TRUE(docx);
  std::string path = dir_.Write("out.docx", *docx);
  const std::string doc = "word/document.xml";
  EXPECT_EQ(XPath(path, doc, "string((//*[local-name()='pStyle'])[1]/@*[local-name()='val'])"),
            "Heading1");
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='pStyle'][@*[local-name()='val']='Heading2'])"),
            "1");
  EXPECT_EQ(XPath(path, doc,
                  "count(//*[local-name()='pStyle'][@*[local-name()='val']='ListBullet'])"),
            "2");
  EXPECT_EQ(XPath(path, doc,
                  "count(//*[local-name()='pStyle'][@*[local-name()='val']='ListNumber'])"),
            "1");
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='tbl'])"), "1");
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='tbl']/*[local-name()='tr'])"), "3");
  EXPECT_EQ(XPath(path, doc, "string(//*[local-name()='gridSpan']/@*[local-name()='val'])"), "2");
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='tblHeader'])"), "1");
  // One section break per page boundary, and the final section.
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='sectPr'])"), "3");
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='type'][@*[local-name()='val']='nextPage'])"),
            "2");
  std::string text = XPath(path, doc, "string(//*[local-name()='body'])");
  EXPECT_NE(text.find("Profit <&> \"quoted\" it's fine #1 bellhere *stars*"), std::string::npos)
      << text;
  EXPECT_NE(text.find("مرحبا"), std::string::npos);
  EXPECT_NE(text.find("日本語"), std::string::npos);
  EXPECT_EQ(XPath(path, doc, "count(//*[local-name()='rtl'])"), "1");
  EXPECT_EQ(XPath(path, "word/styles.xml",
                  "string(//*[local-name()='rPrDefault']//*[local-name()='lang']/@*[local-name()='val'])"),
            "en");
  for (int level = 1; level <= 6; ++level)
    EXPECT_EQ(XPath(path, "word/styles.xml",
                    "count(//*[local-name()='style'][@*[local-name()='styleId']='Heading" +
                        std::to_string(level) + "'])"),
              "1");
  EXPECT_EQ(XPath(path, "docProps/core.xml", "string(//*[local-name()='title'])"), "report <1>.pdf");
}

TEST_F(DocxWriterTest, VerticalSpansUseVMerge) {
  core::Document doc;
  core::Page page;
  page.width = 2480;
  page.height = 3508;
  core::Block block;
  block.type = core::BlockType::kTable;
  core::Table table;
  table.rows = 3;
  table.cols = 2;
  table.cells = {{0, 0, 3, 1, "tall", {}}, {0, 1, 1, 1, "a", {}}, {1, 1, 1, 1, "b", {}},
                 {2, 1, 1, 1, "c", {}}, {1, 0, 1, 1, "hidden by the span", {}}};
  block.table = table;
  page.blocks.push_back(block);
  doc.pages.push_back(page);
  auto docx = WriteDocx(doc, SampleInfo());
  ASSERT_TRUE(docx);
  std::string path = dir_.Write("spans.docx", *docx);
  const std::string part = "word/document.xml";
  EXPECT_EQ(XPath(path, part, "count(//*[local-name()='vMerge'])"), "3");
  EXPECT_EQ(XPath(path, part, "count(//*[local-name()='vMerge'][@*[local-name()='val']='restart'])"),
            "1");
  // Every row has both grid columns.
  EXPECT_EQ(XPath(path, part, "count(//*[local-name()='tc'])"), "6");
}

TEST_F(DocxWriterTest, HostileTextCannotBreakTheXml) {
  core::Document doc = SampleDocument();
  std::string nasty = "]]><w:p>\x01\x0b\xef\xbf\xbe \xff <?pi?> &amp; \xed\xa0\x80";
  doc.pages[0].blocks[1].lines[0].words[0].text = nasty;
  doc.pages[0].blocks[4].table->cells[0].text = nasty + "\nline2";
  doc.detected_language = "\"><x";
  JobInfo info = SampleInfo();
  info.filename = nasty;
  info.created_at = "<bad>";
  auto docx = WriteDocx(doc, info);
  ASSERT_TRUE(docx);
  std::string path = dir_.Write("nasty.docx", *docx);
  for (const char* part : {"word/document.xml", "word/styles.xml", "docProps/core.xml"}) {
    CommandResult lint = RunCommand("unzip -p '" + path + "' '" + std::string(part) +
                                    "' | xmllint --noout - 2>&1");
    EXPECT_EQ(lint.status, 0) << part << ": " << lint.output;
  }
}

TEST_F(DocxWriterTest, EmptyDocumentIsValid) {
  auto docx = WriteDocx(core::Document{}, JobInfo{});
  ASSERT_TRUE(docx);
  std::string path = dir_.Write("empty.docx", *docx);
  CommandResult lint =
      RunCommand("unzip -p '" + path + "' word/document.xml | xmllint --noout - 2>&1");
  EXPECT_EQ(lint.status, 0) << lint.output;
}

}  // namespace
}  // namespace ocrchat::exports
