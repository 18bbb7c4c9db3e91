// Slow tests of the exports: LibreOffice reads the docx back. Labelled slow.
#include <gtest/gtest.h>

#include "core/text.h"
#include "export/export.h"
#include "export/test_document.h"
#include "export/test_process.h"

namespace ocrchat::exports {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::TempDir;

TEST(ExportSlowTest, LibreOfficeReadsTheDocx) {
  if (!testing::HasTool("soffice")) GTEST_SKIP() << "LibreOffice not installed";
  TempDir dir;
  core::Document doc = testing::SampleDocument();
  auto docx = WriteDocx(doc, testing::SampleInfo());
  ASSERT_TRUE(docx);
  std::string path = dir.Write("sample.docx", *docx);
  CommandResult convert =
      RunCommand("cd '" + dir.Path("") + "' && HOME='" + dir.Path("") +
                 "' soffice --headless --norestore --convert-to txt:Text sample.docx "
                 "--outdir '" + dir.Path("") + "' 2>&1");
  ASSERT_EQ(convert.status, 0) << convert.output;
  std::string text = testing::ReadFile(dir.Path("sample.txt"));
  ASSERT_FALSE(text.empty()) << convert.output;
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::string flat = core::NormalizeSpace(text);
  for (const char* expected :
       {"Quarterly Report", "Profit <&> \"quoted\" it's fine #1 bellhere *stars*", "Details",
        "first item", "second item", "1. numbered item", "Name", "Value", "alpha", "1,5 \"x\"",
        "merged|cell", "مرحبا", "日本語", "Chapter 2", "Chapter 3",
        "Lorem ipsum dolor sit amet page3"})
    EXPECT_NE(flat.find(expected), std::string::npos) << expected << "\n" << text;
  EXPECT_LT(flat.find("Quarterly Report"), flat.find("Chapter 2"));
  EXPECT_LT(flat.find("Chapter 2"), flat.find("Chapter 3"));
}

}  // namespace
}  // namespace ocrchat::exports
