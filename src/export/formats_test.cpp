// Tests of the format names, content types and the job object.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "export/export.h"
#include "export/test_document.h"

namespace ocrchat::exports {
namespace {

using testing::SampleDocument;
using testing::SampleInfo;

TEST(FormatsTest, NamesRoundTrip) {
  for (const char* name : {"txt", "md", "docx", "pdf", "csv", "json", "hocr", "alto"}) {
    auto format = FormatFromName(name);
    ASSERT_TRUE(format) << name;
    EXPECT_STREQ(FormatName(*format), name);
  }
  EXPECT_FALSE(FormatFromName("TXT"));
  EXPECT_FALSE(FormatFromName(""));
  EXPECT_FALSE(FormatFromName("xlsx"));
  EXPECT_EQ(KnownFormats(), "txt, md, docx, pdf, csv, json, hocr, alto");
}

TEST(FormatsTest, ContentTypes) {
  EXPECT_STREQ(ContentType(Format::kTxt), "text/plain; charset=utf-8");
  EXPECT_STREQ(ContentType(Format::kMd), "text/markdown; charset=utf-8");
  EXPECT_STREQ(ContentType(Format::kDocx),
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_STREQ(ContentType(Format::kPdf), "application/pdf");
  EXPECT_STREQ(ContentType(Format::kCsv), "text/csv; charset=utf-8");
  EXPECT_STREQ(ContentType(Format::kJson), "application/json");
}

TEST(JobObjectTest, DoneJobHasEveryField) {
  core::Document doc = SampleDocument();
  doc.warnings = {"page 2: low contrast"};
  JobInfo info = SampleInfo();
  info.warnings = {"language guessed"};
  info.tool = "translate";
  doc.pages[0].translation_language = "de";
  doc.pages[0].translation = doc.pages[0].blocks;
  doc.pages[0].translation[0].lines[0].words = {{"Bericht", {0, 0, 10, 10}, 0.9f}};
  nlohmann::json job = JobObject(info, doc);
  EXPECT_EQ(job["uuid"], info.uuid);
  EXPECT_EQ(job["status"], "done");
  EXPECT_EQ(job["tier"], "cpu");
  EXPECT_EQ(job["language"], "auto");
  EXPECT_EQ(job["detected_language"], "en");
  EXPECT_EQ(job["tool"], "translate");
  EXPECT_EQ(job["filename"], info.filename);
  EXPECT_EQ(job["page_count"], 3);
  EXPECT_EQ(job["pages_done"], 3);
  EXPECT_NEAR(job["mean_confidence"].get<double>(), 0.93, 1e-4);
  EXPECT_EQ(job["text"], doc.Text());
  EXPECT_EQ(job["markdown"], WriteMarkdown(doc));
  ASSERT_EQ(job["pages"].size(), 3u);
  EXPECT_EQ(job["pages"][0], core::PageToJson(doc.pages[0]));
  EXPECT_EQ(job["created_at"], info.created_at);
  EXPECT_EQ(job["completed_at"], info.completed_at);
  EXPECT_TRUE(job["error"].is_null());
  EXPECT_EQ(job["warnings"], nlohmann::json({"language guessed", "page 2: low contrast"}));
  EXPECT_EQ(job["translation"]["language"], "de");
  EXPECT_EQ(job["translation"]["pages"].size(), 1u);
  EXPECT_EQ(job["translation"]["pages"][0]["index"], 0);
  EXPECT_THAT(job["translation"]["text"].get<std::string>(), ::testing::StartsWith("Bericht"));
  EXPECT_THAT(job["translation"]["markdown"].get<std::string>(), ::testing::HasSubstr("Bericht"));
  // Serialises without throwing, control characters and all.
  EXPECT_NO_THROW(job.dump());
}

TEST(JobObjectTest, MeanConfidenceHasFourDecimals) {
  core::Document doc = SampleDocument();
  for (core::Page& page : doc.pages)
    for (core::Block& block : page.blocks)
      for (core::Line& line : block.lines)
        for (core::Word& word : line.words) word.confidence = 0.123456f;
  nlohmann::json job = JobObject(SampleInfo(), doc);
  EXPECT_DOUBLE_EQ(job["mean_confidence"].get<double>(), 0.1235);
}

TEST(JobObjectTest, ProcessingJobHasNoTextYet) {
  core::Document doc = SampleDocument();
  doc.pages.resize(1);
  JobInfo info = SampleInfo();
  info.status = "processing";
  info.pages_done = 1;
  info.completed_at = "";
  info.tool = "extract-tables";
  nlohmann::json job = JobObject(info, doc);
  EXPECT_EQ(job["text"], "");
  EXPECT_EQ(job["markdown"], "");
  EXPECT_EQ(job["pages"].size(), 1u);
  EXPECT_EQ(job["pages_done"], 1);
  EXPECT_TRUE(job["completed_at"].is_null());
  EXPECT_EQ(job["tool"], "extract-tables");
  EXPECT_FALSE(job.contains("translation"));
}

TEST(JobObjectTest, FailedJobCarriesError) {
  JobInfo info = SampleInfo();
  info.status = "failed";
  info.error = core::MakeError(core::ErrorCode::kCorrupt, "page 3: image is corrupt", "detail");
  nlohmann::json job = JobObject(info, core::Document{});
  EXPECT_EQ(job["error"], nlohmann::json({{"code", "corrupt_file"},
                                          {"message", "page 3: image is corrupt"}}));
  EXPECT_EQ(job["pages"], nlohmann::json::array());
  EXPECT_EQ(job["text"], "");
  EXPECT_EQ(job.dump().find("detail"), std::string::npos);
}

}  // namespace
}  // namespace ocrchat::exports
