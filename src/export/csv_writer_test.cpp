// Tests of the csv export, read back with a small RFC 4180 parser.
#include <gtest/gtest.h>

#include <algorithm>

#include "export/export.h"
#include "export/test_document.h"

namespace ocrchat::exports {
namespace {

using testing::MakeBlock;
using testing::MakeLine;
using testing::SampleDocument;

using Rows = std::vector<std::vector<std::string>>;

// Parses RFC 4180 text: CRLF records, quoted fields with doubled quotes.
// A bare LF outside quotes, or text after a closing quote, fails the test.
Rows ParseCsv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool field_started = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && !field_started) {
      ++i;
      while (true) {
        EXPECT_LT(i, text.size()) << "unterminated quote";
        if (i >= text.size()) return rows;
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      field_started = true;
      EXPECT_TRUE(i >= text.size() || text[i] == ',' || text[i] == '\r') << "junk after quote";
      continue;
    }
    if (c == ',') {
      row.push_back(field);
      field.clear();
      field_started = false;
      ++i;
    } else if (c == '\r') {
      EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "CR without LF";
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      field_started = false;
      i += 2;
    } else {
      EXPECT_NE(c, '\n') << "bare LF at " << i;
      EXPECT_NE(c, '"') << "quote inside unquoted field at " << i;
      field += c;
      field_started = true;
      ++i;
    }
  }
  EXPECT_TRUE(row.empty() && field.empty()) << "last record lacks CRLF";
  return rows;
}

TEST(CsvWriterTest, TablesParseBackToTheSameCells) {
  core::Document doc = SampleDocument();
  core::Block second = MakeBlock(core::BlockType::kTable, {});
  core::Table table;
  table.rows = 2;
  table.cols = 3;
  table.cells = {{0, 0, 1, 1, "line one\nline two", {}},
                 {0, 1, 2, 1, "tall", {}},
                 {0, 2, 1, 1, "\"quoted\", with comma", {}},
                 {1, 0, 1, 1, "x\r\ny", {}},
                 {1, 2, 1, 1, "日本語 مرحبا", {}}};
  second.table = table;
  doc.pages[2].blocks.push_back(second);

  std::string csv = WriteCsv(doc);
  Rows rows = ParseCsv(csv);
  Rows expected = {{"Name", "Value"},
                   {"alpha", "1,5 \"x\""},
                   {"merged|cell", ""},
                   {""},
                   {"line one\nline two", "tall", "\"quoted\", with comma"},
                   {"x\ny", "", "日本語 مرحبا"}};  // CR is dropped
  EXPECT_EQ(rows, expected);
}

TEST(CsvWriterTest, NoTablesGivesOneRowPerLine) {
  core::Document doc = SampleDocument();
  for (core::Page& page : doc.pages)
    std::erase_if(page.blocks, [](const core::Block& b) { return b.table.has_value(); });
  Rows rows = ParseCsv(WriteCsv(doc));
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"page", "line", "text", "confidence"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "1", "Quarterly Report", "0.9300"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"1", "2", "Profit <&> \"quoted\" it's fine", "0.9300"}));
  EXPECT_EQ(rows[3][2], "#1 bellhere *stars*");  // the BEL is gone
  // Page 2 starts its line count again at 1.
  auto page2 = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r[0] == "2"; });
  ASSERT_NE(page2, rows.end());
  EXPECT_EQ((*page2)[1], "1");
  EXPECT_EQ((*page2)[2], "Chapter 2");
  size_t lines = 0;
  for (const core::Page& page : doc.pages)
    for (const core::Block& block : page.blocks) lines += block.lines.size();
  EXPECT_EQ(rows.size(), lines + 1);
}

core::Document InvoiceDocument() {
  core::Page page;
  page.width = 2480;
  page.height = 3508;
  page.blocks.push_back(MakeBlock(core::BlockType::kParagraph,
                                  {MakeLine({"Invoice", "Number:"}, 200, 200),
                                   MakeLine({"Invoice", "Date:"}, 200, 300)}));
  page.blocks.push_back(MakeBlock(core::BlockType::kParagraph,
                                  {MakeLine({"42183017"}, 1200, 200),
                                   MakeLine({"August", "3", ",", "2014"}, 1200, 300)}));
  page.blocks.push_back(MakeBlock(core::BlockType::kParagraph,
                                  {MakeLine({"Total"}, 200, 900), MakeLine({"$4.11"}, 1600, 900)}));
  core::Document doc;
  doc.pages.push_back(page);
  return doc;
}

TEST(CsvWriterTest, FieldsFollowTheLines) {
  core::Document doc = InvoiceDocument();
  JobInfo info;
  std::optional<fields::Fields> found = JobFields(info, doc);
  ASSERT_TRUE(found);
  Rows rows = ParseCsv(WriteCsv(doc, found));
  auto header = std::find(rows.begin(), rows.end(),
                          std::vector<std::string>{"field", "value", "text", "label", "page", "confidence"});
  ASSERT_NE(header, rows.end());
  auto row = [&](const std::string& name) {
    auto it = std::find_if(header, rows.end(), [&](const auto& r) { return r[0] == name; });
    return it == rows.end() ? std::vector<std::string>{} : *it;
  };
  EXPECT_EQ(row("document_type"), (std::vector<std::string>{"document_type", "invoice", "", "", "", ""}));
  EXPECT_EQ(row("invoice_number"),
            (std::vector<std::string>{"invoice_number", "42183017", "42183017", "Invoice Number:", "1", "0.9300"}));
  EXPECT_EQ(row("issue_date").at(1), "2014-08-03");
  EXPECT_EQ(row("issue_date").at(2), "August 3 , 2014");
  EXPECT_EQ(row("total").at(1), "4.11 USD");
  // Without fields, the lines alone, as before.
  EXPECT_EQ(WriteCsv(doc).find("field,value"), std::string::npos);
}

TEST(CsvWriterTest, FieldsOnlyForInvoicesReceiptsOrTheTool) {
  core::Document doc = SampleDocument();
  JobInfo info;
  EXPECT_FALSE(JobFields(info, doc));
  info.tool = "extract-fields";
  ASSERT_TRUE(JobFields(info, doc));
  EXPECT_EQ(JobFields(info, doc)->type, fields::DocumentType::kOther);
  EXPECT_TRUE(JobObject(info, doc)["fields"].is_object());
  info.status = "processing";
  EXPECT_FALSE(JobFields(info, doc));
  EXPECT_TRUE(JobObject(info, doc)["fields"].is_null());
}

TEST(CsvWriterTest, StoredFieldsAreUsedAsTheyAre) {
  core::Document doc = InvoiceDocument();
  JobInfo info;
  info.fields = fields::FromJson(fields::ToJson(*JobFields(info, doc)));
  ASSERT_TRUE(info.fields);
  EXPECT_EQ(JobObject(info, doc)["fields"], JobObject(JobInfo{}, doc)["fields"]);
  EXPECT_EQ(WriteCsv(doc, JobFields(info, doc)), WriteCsv(doc, JobFields(JobInfo{}, doc)));
  // What was stored is what a reader gets, not the pages read again.
  info.fields->fields.clear();
  EXPECT_TRUE(JobObject(info, doc)["fields"]["total"].is_null());
}

TEST(CsvWriterTest, EmptyDocumentHasHeaderOnly) {
  EXPECT_EQ(WriteCsv(core::Document{}), "page,line,text,confidence\r\n");
}

}  // namespace
}  // namespace ocrchat::exports
