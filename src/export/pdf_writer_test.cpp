// Tests of the pdf export, read back with pdftotext and qpdf.
#include <gtest/gtest.h>
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>

#include <algorithm>
#include <cmath>

#include "core/text.h"
#include "export/export.h"
#include "export/pdf_test_reader.h"
#include "export/test_document.h"
#include "export/test_process.h"

namespace ocrchat::exports {
namespace {

using testing::CommandResult;
using testing::MakeBlock;
using testing::MakeLine;
using testing::PdfWord;
using testing::PdfWords;
using testing::RunCommand;
using testing::SampleDocument;
using testing::TempDir;

const std::string kMultiPage = std::string(OCRCHAT_TESTDATA) + "/formats/multi-page-images.pdf";
const std::string kRotated = std::string(OCRCHAT_TESTDATA) + "/pages/docling/ocr_test_rotated_90.pdf";

std::string Deflate(const std::string& raw) {
  Pl_Buffer buffer("buffer");
  Pl_Flate flate("flate", &buffer, Pl_Flate::a_deflate);
  flate.write(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  flate.finish();
  auto bytes = buffer.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize());
}

PdfPageImage WhitePage(int width, int height) {
  PdfPageImage image;
  image.codec = PdfPageImage::Codec::kFlate;
  image.data = Deflate(std::string(static_cast<size_t>(width) * height, '\xff'));
  image.width = width;
  image.height = height;
  return image;
}

// pdftotext -bbox reports right-to-left words in the order they are drawn
// (visual); its plain text output gives them in logical order.
core::Document WithVisualRtl(core::Document doc) {
  for (core::Page& page : doc.pages)
    for (core::Block& block : page.blocks)
      for (core::Line& line : block.lines)
        for (core::Word& word : line.words) {
          std::u32string text = core::DecodeUtf8(word.text);
          if (!text.empty() && text[0] >= 0x0590 && text[0] <= 0x08FF) {
            std::reverse(text.begin(), text.end());
            word.text = core::EncodeUtf8(text);
          }
        }
  return doc;
}

// The BEL in "bell\x07here" is not drawn.
void StripControl(core::Document* doc) {
  for (core::Page& page : doc->pages)
    for (core::Block& block : page.blocks)
      for (core::Line& line : block.lines)
        for (core::Word& word : line.words) word.text = core::StripControl(word.text);
}

class PdfWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HasTool("pdftotext") || !testing::HasTool("qpdf"))
      GTEST_SKIP() << "poppler-utils and qpdf are needed";
  }
  TempDir dir_;
};

TEST_F(PdfWriterTest, SearchablePdfPutsEachWordInItsBox) {
  core::Document doc = SampleDocument();
  std::vector<PdfPageImage> images;
  for (const core::Page& page : doc.pages) images.push_back(WhitePage(page.width, page.height));
  // The first page as a real JPEG.
  CommandResult jpeg = RunCommand("pdftoppm -jpeg -f 1 -l 1 -scale-to-x 2480 -scale-to-y 3508 '" +
                                  kMultiPage + "' '" + dir_.Path("p") + "' && ls '" +
                                  dir_.Path("") + "'");
  ASSERT_EQ(jpeg.status, 0);
  std::string jpeg_name = jpeg.output.substr(0, jpeg.output.find('\n'));
  images[0].codec = PdfPageImage::Codec::kJpeg;
  images[0].components = 3;
  images[0].data = testing::ReadFile(dir_.Path(jpeg_name));
  ASSERT_GT(images[0].data.size(), 1000u);

  auto pdf = WriteSearchablePdf(doc, images);
  ASSERT_TRUE(pdf) << pdf.error().message << ": " << pdf.error().detail;
  std::string path = dir_.Write("out.pdf", *pdf);
  CommandResult check = RunCommand("qpdf --check '" + path + "' 2>&1");
  EXPECT_EQ(check.status, 0) << check.output;

  CommandResult info = RunCommand("pdfinfo '" + path + "'");
  EXPECT_NE(info.output.find("Pages:           3\n"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("595.2 x 841.92 pts"), std::string::npos) << info.output;

  StripControl(&doc);
  int unmatched = 0;
  double iou = testing::MeanIoU(WithVisualRtl(doc), PdfWords(path), 72.0 / 300, &unmatched);
  EXPECT_EQ(unmatched, 0);
  EXPECT_GT(iou, 0.85);

  // Plain text: reading order, specials, Arabic and CJK in logical order.
  CommandResult text = RunCommand("pdftotext -f 1 -l 1 '" + path + "' -");
  EXPECT_NE(text.output.find("Quarterly Report\nProfit <&> \"quoted\" it's fine\n#1 bellhere"),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("مرحبا"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("日本語"), std::string::npos) << text.output;
  EXPECT_LT(text.output.find("Details"), text.output.find("first item"));
}

TEST_F(PdfWriterTest, SearchablePdfRejectsMismatchedImages) {
  auto pdf = WriteSearchablePdf(SampleDocument(), {});
  ASSERT_FALSE(pdf);
  EXPECT_EQ(pdf.error().code, core::ErrorCode::kInternal);
}

// A page of fake OCR words spread over an image of width x height pixels.
core::Page FakeOcrPage(int index, int width, int height) {
  core::Page page;
  page.index = index;
  page.width = width;
  page.height = height;
  page.dpi = 300;
  page.source = core::TextSource::kOcr;
  std::vector<core::Line> lines;
  for (int l = 0; l < 5; ++l)
    lines.push_back(MakeLine({"alpha" + std::to_string(index), "beta", "gamma"}, 150 + 40 * l,
                             200 + l * (height - 400) / 5));
  page.blocks.push_back(MakeBlock(core::BlockType::kParagraph, lines));
  return page;
}

std::vector<std::string> ContentStreams(QPDF& pdf, int page) {
  QPDFPageObjectHelper helper = QPDFPageDocumentHelper(pdf).getAllPages().at(page);
  std::vector<std::string> out;
  for (QPDFObjectHandle stream : helper.getPageContents()) {
    auto data = stream.getStreamData(qpdf_dl_generalized);
    out.emplace_back(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
  }
  return out;
}

TEST_F(PdfWriterTest, TextLayerKeepsOriginalPages) {
  std::string original = testing::ReadFile(kMultiPage);
  ASSERT_FALSE(original.empty());
  // 594.175 x 768.932 pt at 300 dpi.
  core::Document doc;
  for (int i = 0; i < 3; ++i) doc.pages.push_back(FakeOcrPage(i, 2476, 3204));
  doc.pages[2].source = core::TextSource::kPdfText;

  auto pdf = AddTextLayerToPdf(original, doc);
  ASSERT_TRUE(pdf) << pdf.error().message << ": " << pdf.error().detail;
  std::string path = dir_.Write("layered.pdf", *pdf);
  CommandResult check = RunCommand("qpdf --check '" + path + "' 2>&1");
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_LT(pdf->size(), original.size() + 20000) << "grew by " << pdf->size() - original.size();

  QPDF before, after;
  before.processMemoryFile("before", original.data(), original.size());
  after.processMemoryFile("after", pdf->data(), pdf->size());
  for (int page = 0; page < 3; ++page) {
    std::vector<std::string> old_streams = ContentStreams(before, page);
    std::vector<std::string> new_streams = ContentStreams(after, page);
    if (page == 2) {
      EXPECT_EQ(new_streams, old_streams) << "a pdf_text page is left alone";
      continue;
    }
    ASSERT_EQ(new_streams.size(), old_streams.size() + 2);
    EXPECT_EQ(new_streams.front(), "q\n");
    for (size_t i = 0; i < old_streams.size(); ++i) EXPECT_EQ(new_streams[i + 1], old_streams[i]);
    EXPECT_NE(new_streams.back().find("3 Tr"), std::string::npos);
  }

  doc.pages.pop_back();
  std::vector<PdfWord> found = PdfWords(path);
  EXPECT_TRUE(std::none_of(found.begin(), found.end(),
                           [](const PdfWord& w) { return w.text == "alpha2"; }));
  int unmatched = 0;
  double iou = testing::MeanIoU(doc, found, 72.0 / 300, &unmatched);
  EXPECT_EQ(unmatched, 0);
  EXPECT_GT(iou, 0.85);
}

TEST_F(PdfWriterTest, TextLayerFollowsPageRotation) {
  std::string original = testing::ReadFile(kRotated);
  ASSERT_FALSE(original.empty());
  // MediaBox 595.2 x 841.9 with /Rotate 270: displayed landscape.
  core::Document doc;
  doc.pages.push_back(FakeOcrPage(0, 3508, 2480));
  auto pdf = AddTextLayerToPdf(original, doc);
  ASSERT_TRUE(pdf) << pdf.error().message << ": " << pdf.error().detail;
  std::string path = dir_.Write("rotated.pdf", *pdf);
  EXPECT_EQ(RunCommand("qpdf --check '" + path + "' >/dev/null 2>&1").status, 0);
  int unmatched = 0;
  double iou = testing::MeanIoU(doc, PdfWords(path), 72.0 / 300, &unmatched);
  EXPECT_EQ(unmatched, 0);
  EXPECT_GT(iou, 0.85);
  CommandResult text = RunCommand("pdftotext '" + path + "' -");
  EXPECT_NE(text.output.find("alpha0 beta gamma"), std::string::npos) << text.output;
}

TEST_F(PdfWriterTest, TextLayerUndoesTheEnginesTurn) {
  std::string original = testing::ReadFile(kMultiPage);
  // The engine turned the rendered page (2476 x 3204) clockwise by 90
  // degrees; its boxes are in the turned image. The word at the top-left
  // of the turned image sits at the bottom-left of the page as shown.
  core::Document doc;
  core::Page page = FakeOcrPage(0, 3204, 2476);
  page.rotation = 90;
  page.blocks[0].lines.resize(1);
  page.blocks[0].lines[0].words.resize(1);
  core::Box box = page.blocks[0].lines[0].words[0].bbox;
  doc.pages.push_back(page);
  auto pdf = AddTextLayerToPdf(original, doc);
  ASSERT_TRUE(pdf);
  std::string path = dir_.Write("turned.pdf", *pdf);
  std::vector<PdfWord> found = PdfWords(path);
  auto word = std::find_if(found.begin(), found.end(),
                           [](const PdfWord& w) { return w.text == "alpha0"; });
  ASSERT_NE(word, found.end());
  // Rendered image: x = y', y = H - x' with H = 3204.
  double s = 72.0 / 300;
  EXPECT_GT(testing::IoU(box.y0 * s, (3204 - box.x1) * s, box.y1 * s, (3204 - box.x0) * s,
                         word->x0, word->y0, word->x1, word->y1),
            0.8)
      << word->x0 << "," << word->y0 << "," << word->x1 << "," << word->y1;
}

TEST_F(PdfWriterTest, TextLayerFailures) {
  core::Document doc;
  doc.pages.push_back(FakeOcrPage(0, 1000, 1000));
  auto corrupt = AddTextLayerToPdf("this is not a pdf", doc);
  ASSERT_FALSE(corrupt);
  EXPECT_EQ(corrupt.error().code, core::ErrorCode::kCorrupt);

  std::string encrypted = dir_.Path("encrypted.pdf");
  ASSERT_EQ(RunCommand("qpdf --encrypt secret owner 256 -- '" + kMultiPage + "' '" + encrypted +
                       "'")
                .status,
            0);
  std::string bytes = testing::ReadFile(encrypted);
  auto locked = AddTextLayerToPdf(bytes, doc);
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, core::ErrorCode::kEncrypted);
  auto opened = AddTextLayerToPdf(bytes, doc, "secret");
  ASSERT_TRUE(opened) << opened.error().detail;
}

}  // namespace
}  // namespace ocrchat::exports
