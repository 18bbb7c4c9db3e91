// Prints how long each export takes on the three-page sample document.
#include <gtest/gtest.h>
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/Pl_Flate.hh>

#include <chrono>
#include <cstdio>
#include <functional>

#include "export/export.h"
#include "export/test_document.h"
#include "export/test_process.h"

namespace ocrchat::exports {
namespace {

double MillisecondsPerRun(const std::function<size_t()>& run, size_t* bytes) {
  constexpr int kRuns = 5;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) *bytes = run();
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / kRuns;
}

TEST(ExportTimingTest, ThreePageDocument) {
  core::Document doc = testing::SampleDocument();
  JobInfo info = testing::SampleInfo();
  std::vector<PdfPageImage> images;
  for (const core::Page& page : doc.pages) {
    Pl_Buffer buffer("buffer");
    Pl_Flate flate("flate", &buffer, Pl_Flate::a_deflate);
    std::string raw(static_cast<size_t>(page.width) * page.height, '\xff');
    flate.write(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    flate.finish();
    auto bytes = buffer.getBufferSharedPointer();
    PdfPageImage image;
    image.codec = PdfPageImage::Codec::kFlate;
    image.data.assign(reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize());
    image.width = page.width;
    image.height = page.height;
    images.push_back(std::move(image));
  }
  std::string original =
      testing::ReadFile(std::string(OCRCHAT_TESTDATA) + "/formats/multi-page-images.pdf");
  std::vector<std::pair<const char*, std::function<size_t()>>> formats = {
      {"txt", [&] { return WriteText(doc).size(); }},
      {"md", [&] { return WriteMarkdown(doc).size(); }},
      {"csv", [&] { return WriteCsv(doc).size(); }},
      {"json", [&] { return JobObject(info, doc).dump().size(); }},
      {"hocr", [&] { return WriteHocr(doc, info).size(); }},
      {"alto", [&] { return WriteAlto(doc, info).size(); }},
      {"docx", [&] { return WriteDocx(doc, info).value().size(); }},
      {"pdf (images)", [&] { return WriteSearchablePdf(doc, images).value().size(); }},
      {"pdf (original)", [&] { return AddTextLayerToPdf(original, doc).value().size(); }},
  };
  for (const auto& [name, run] : formats) {
    size_t bytes = 0;
    double ms = MillisecondsPerRun(run, &bytes);
    std::printf("%-16s %8.2f ms %9zu bytes\n", name, ms, bytes);
    EXPECT_GT(bytes, 0u);
  }
}

}  // namespace
}  // namespace ocrchat::exports
