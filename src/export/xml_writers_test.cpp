// Tests of the hocr and alto exports, read back with xmllint.
#include <gtest/gtest.h>

#include <algorithm>

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

int WordCount(const core::Document& doc) {
  int count = 0;
  for (const core::Page& page : doc.pages) count += page.WordCount();
  return count;
}

std::string XPath(const std::string& file, const std::string& expression) {
  CommandResult result = RunCommand("xmllint --xpath \"" + expression + "\" '" + file + "' 2>&1");
  EXPECT_EQ(result.status, 0) << expression << ": " << result.output;
  while (!result.output.empty() && result.output.back() == '\n') result.output.pop_back();
  return result.output;
}

class XmlWritersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HasTool("xmllint")) GTEST_SKIP() << "xmllint not installed (libxml2-utils)";
  }
  TempDir dir_;
};

TEST_F(XmlWritersTest, HocrIsWellFormedAndComplete) {
  core::Document doc = SampleDocument();
  std::string path = dir_.Write("out.hocr", WriteHocr(doc, SampleInfo()));
  CommandResult lint = RunCommand("xmllint --noout '" + path + "' 2>&1");
  ASSERT_EQ(lint.status, 0) << lint.output;
  EXPECT_EQ(XPath(path, "count(//*[@class='ocr_page'])"), "3");
  EXPECT_EQ(XPath(path, "count(//*[@class='ocrx_word'])"), std::to_string(WordCount(doc)));
  EXPECT_EQ(XPath(path, "string(//*[local-name()='meta'][@name='ocr-capabilities']/@content)"),
            "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_lang");
  EXPECT_EQ(XPath(path, "string(//*[@class='ocr_page'][1]/@title)"),
            "image \"report <1>.pdf\"; bbox 0 0 2480 3508; ppageno 0; scan_res 300 300");
  const core::Word& first = doc.pages[0].blocks[0].lines[0].words[0];
  EXPECT_EQ(XPath(path, "string((//*[@class='ocrx_word'])[1]/@title)"),
            "bbox " + std::to_string(first.bbox.x0) + " " + std::to_string(first.bbox.y0) + " " +
                std::to_string(first.bbox.x1) + " " + std::to_string(first.bbox.y1) +
                "; x_wconf 93");
  EXPECT_EQ(XPath(path, "string((//*[@class='ocrx_word'])[4])"), "<&>");
  EXPECT_EQ(XPath(path, "string((//*[@class='ocrx_word'])[5])"), "\"quoted\"");
  EXPECT_EQ(XPath(path, "string((//*[@class='ocrx_word'])[8])"), "#1");
  EXPECT_EQ(XPath(path, "string((//*[@class='ocrx_word'])[9])"), "bellhere");
  EXPECT_EQ(XPath(path, "count(//*[@class='ocrx_word'][.='مرحبا'])"), "1");
  EXPECT_EQ(XPath(path, "count(//*[@class='ocrx_word'][.='日本語'])"), "1");
  EXPECT_EQ(XPath(path, "string(//*[@class='ocr_par'][1]/@lang)"), "en");
  EXPECT_EQ(XPath(path, "string(/*/@lang)"), "en");
}

TEST_F(XmlWritersTest, AltoIsWellFormedAndComplete) {
  core::Document doc = SampleDocument();
  std::string path = dir_.Write("out.xml", WriteAlto(doc, SampleInfo()));
  CommandResult lint = RunCommand("xmllint --noout '" + path + "' 2>&1");
  ASSERT_EQ(lint.status, 0) << lint.output;
  EXPECT_EQ(XPath(path, "namespace-uri(/*)"), "http://www.loc.gov/standards/alto/ns-v4#");
  EXPECT_EQ(XPath(path, "string(//*[local-name()='MeasurementUnit'])"), "pixel");
  EXPECT_EQ(XPath(path, "count(//*[local-name()='Page'])"), "3");
  EXPECT_EQ(XPath(path, "count(//*[local-name()='Page']/*[local-name()='PrintSpace'])"), "3");
  EXPECT_EQ(XPath(path, "count(//*[local-name()='PrintSpace']/*[local-name()='TextBlock']/"
                        "*[local-name()='TextLine']/*[local-name()='String'])"),
            std::to_string(WordCount(doc)));
  // Every String carries its position, confidence and content; an SP sits
  // between consecutive Strings of a line and nowhere else.
  EXPECT_EQ(XPath(path, "count(//*[local-name()='String'][not(@HPOS) or not(@VPOS) or "
                        "not(@WIDTH) or not(@HEIGHT) or not(@WC) or not(@CONTENT)])"),
            "0");
  EXPECT_EQ(XPath(path, "count(//*[local-name()='SP'][not(preceding-sibling::*[1][local-name()="
                        "'String']) or not(following-sibling::*[1][local-name()='String'])])"),
            "0");
  int lines = 0;
  for (const core::Page& page : doc.pages)
    for (const core::Block& block : page.blocks) lines += block.lines.size();
  EXPECT_EQ(XPath(path, "count(//*[local-name()='SP'])"), std::to_string(WordCount(doc) - lines));
  const core::Word& first = doc.pages[0].blocks[0].lines[0].words[0];
  EXPECT_EQ(XPath(path, "concat((//*[local-name()='String'])[1]/@HPOS,',',"
                        "(//*[local-name()='String'])[1]/@VPOS,',',"
                        "(//*[local-name()='String'])[1]/@WIDTH,',',"
                        "(//*[local-name()='String'])[1]/@HEIGHT,',',"
                        "(//*[local-name()='String'])[1]/@WC)"),
            std::to_string(first.bbox.x0) + "," + std::to_string(first.bbox.y0) + "," +
                std::to_string(first.bbox.Width()) + "," + std::to_string(first.bbox.Height()) +
                ",0.9300");
  EXPECT_EQ(XPath(path, "string((//*[local-name()='String'])[4]/@CONTENT)"), "<&>");
  EXPECT_EQ(XPath(path, "string((//*[local-name()='String'])[6]/@CONTENT)"), "it's");
  EXPECT_EQ(XPath(path, "string((//*[local-name()='String'])[9]/@CONTENT)"), "bellhere");
  EXPECT_EQ(XPath(path, "count(//*[local-name()='String'][@CONTENT='مرحبا'])"), "1");
  EXPECT_EQ(XPath(path, "count(//*[local-name()='String'][@CONTENT='日本語'])"), "1");
  EXPECT_EQ(XPath(path, "string(//*[local-name()='TextBlock'][1]/@LANG)"), "en");
}

TEST_F(XmlWritersTest, HostileTextCannotBreakTheXml) {
  core::Document doc = SampleDocument();
  std::string nasty = "]]><!-- \x01\x0b\x1f\xef\xbf\xbe \xff\xfe <?pi?> &amp; &#0; \xed\xa0\x80";
  doc.pages[0].blocks[1].lines[0].words[0].text = nasty;
  doc.detected_language = "\"><x";
  JobInfo info = SampleInfo();
  info.filename = nasty;
  for (const std::string& xml : {WriteHocr(doc, info), WriteAlto(doc, info)}) {
    std::string path = dir_.Write("nasty.xml", xml);
    CommandResult lint = RunCommand("xmllint --noout '" + path + "' 2>&1");
    EXPECT_EQ(lint.status, 0) << lint.output;
  }
}

}  // namespace
}  // namespace ocrchat::exports
