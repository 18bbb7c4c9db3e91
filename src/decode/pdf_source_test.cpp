// Tests for PDFs: page counts, rendering, /Rotate, limits, encryption, text
// layers and the damaged files of the robustness corpus.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "decode/decode.h"

namespace ocrchat::decode {
namespace {

using core::ErrorCode;

std::string ReadTestFile(const std::string& name) {
  std::ifstream in(std::string(OCRCHAT_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<Source> OpenOrDie(const std::string& name, const Limits& limits = Limits{},
                                  const std::string& password = "") {
  auto source = Open(ReadTestFile(name), limits, password);
  EXPECT_TRUE(source.has_value()) << name << ": " << source.error().message;
  return source ? std::move(*source) : nullptr;
}

core::Error OpenError(const std::string& name, const std::string& password = "") {
  auto source = Open(ReadTestFile(name), Limits{}, password);
  EXPECT_FALSE(source.has_value()) << name;
  return source ? core::Error{} : source.error();
}

std::string Joined(const TextLayer& layer) {
  std::string text;
  for (const core::Word& word : layer.words) text += (text.empty() ? "" : " ") + word.text;
  return text;
}

// Fraction of the box's pixels that are dark.
double DarkFraction(Pix* pix, const core::Box& box) {
  int dark = 0, all = 0;
  for (int y = box.y0; y < box.y1; ++y) {
    for (int x = box.x0; x < box.x1; ++x) {
      l_uint32 v = 0;
      pixGetPixel(pix, x, y, &v);
      ++all;
      if (v < 128) ++dark;
    }
  }
  return all == 0 ? 0 : static_cast<double>(dark) / all;
}

struct PdfExpected {
  const char* file;
  int pages;
  int width;  // of page 1 at 300 dpi; 0: not checked
  int height;
};

class PdfFormatTest : public testing::TestWithParam<PdfExpected> {};

TEST_P(PdfFormatTest, OpensAndRendersEveryPage) {
  const PdfExpected& want = GetParam();
  Limits limits;
  auto source = OpenOrDie(want.file, limits);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->format(), Format::kPdf);
  ASSERT_EQ(source->PageCount(), want.pages);
  for (int i = 0; i < want.pages; ++i) {
    auto page = source->RenderPage(i);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    EXPECT_EQ(page->dpi, 300);
    EXPECT_TRUE(page->dpi_given);
    EXPECT_EQ(pixGetDepth(page->pix.get()), 8);
    EXPECT_TRUE(page->warnings.empty());
    if (i == 0 && want.width > 0) {
      EXPECT_EQ(pixGetWidth(page->pix.get()), want.width);
      EXPECT_EQ(pixGetHeight(page->pix.get()), want.height);
    }
  }
  auto probe = ProbeFile(ReadTestFile(want.file), limits);
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->page_count, want.pages);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, PdfFormatTest,
    testing::Values(PdfExpected{"formats/simple-digital.pdf", 1, 2550, 3300},
                    PdfExpected{"formats/multi-page-digital.pdf", 3, 0, 0},
                    PdfExpected{"formats/multi-page-images.pdf", 3, 0, 0},
                    PdfExpected{"formats/multi-page-mixed.pdf", 6, 0, 0},
                    PdfExpected{"formats/single-page-mixed.pdf", 2, 2550, 3300},
                    PdfExpected{"formats/signed.pdf", 1, 0, 0},
                    PdfExpected{"formats/with-form.pdf", 1, 0, 0},
                    PdfExpected{"formats/rotated.pdf", 4, 0, 0},
                    PdfExpected{"formats/rtl-test.pdf", 1, 2550, 3300},
                    PdfExpected{"formats/tagged-but-no-text.pdf", 1, 0, 0},
                    PdfExpected{"pages/docling/ocr_test.pdf", 1, 2480, 3508},
                    PdfExpected{"pages/docling/ocr_test_rotated_90.pdf", 1, 3508, 2480},
                    PdfExpected{"pages/docling/ocr_test_rotated_180.pdf", 1, 2480, 3508},
                    PdfExpected{"pages/docling/ocr_test_rotated_270.pdf", 1, 3508, 2480}),
    [](const testing::TestParamInfo<PdfExpected>& info) {
      std::string name = info.param.file;
      name = name.substr(name.rfind('/') + 1);
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(PdfSourceTest, EncryptedNeedsPassword) {
  core::Error error = OpenError("formats/encrypted.pdf");
  EXPECT_EQ(error.code, ErrorCode::kEncrypted);
  EXPECT_NE(error.message.find("`password`"), std::string::npos) << error.message;
  error = OpenError("formats/encrypted.pdf", "not-it");
  EXPECT_EQ(error.code, ErrorCode::kEncrypted);
  EXPECT_NE(error.message.find("wrong"), std::string::npos) << error.message;
  EXPECT_EQ(OpenError("robustness/unstructured/failing-encrypted.pdf").code, ErrorCode::kEncrypted);
  EXPECT_EQ(OpenError("robustness/py-pdf/libreoffice-writer-password.pdf").code,
            ErrorCode::kEncrypted);
  EXPECT_EQ(OpenError("robustness/qpdf/enc-R2,V1,U=view,O=master.pdf").code, ErrorCode::kEncrypted);
  EXPECT_EQ(OpenError("robustness/qpdf/enc-R3,V2,U=view,O=view.pdf").code, ErrorCode::kEncrypted);
}

TEST(PdfSourceTest, EncryptedOpensWithPassword) {
  auto lorem =
      OpenOrDie("robustness/py-pdf/libreoffice-writer-password.pdf", Limits{}, "openpassword");
  ASSERT_NE(lorem, nullptr);
  auto text = lorem->PageText(0);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(Joined(*text).find("Lorem ipsum"), std::string::npos);

  for (const char* password : {"view", "master"}) {
    auto potato = OpenOrDie("robustness/qpdf/enc-R2,V1,U=view,O=master.pdf", Limits{}, password);
    ASSERT_NE(potato, nullptr);
    EXPECT_EQ(potato->PageCount(), 30);
    auto page = potato->RenderPage(29);
    ASSERT_TRUE(page.has_value());
    EXPECT_TRUE(page->warnings.empty()) << page->warnings[0];
    auto text = potato->PageText(29);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(Joined(*text), "Potato 29");
  }
  EXPECT_NE(OpenOrDie("robustness/qpdf/enc-R3,V2,U=view,O=view.pdf", Limits{}, "view"), nullptr);
}

TEST(PdfSourceTest, OwnerPasswordOnlyOpens) {
  auto signed_pdf = OpenOrDie("formats/signed.pdf");
  ASSERT_NE(signed_pdf, nullptr);
  auto text = signed_pdf->PageText(0);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(Joined(*text).find("digitally signed PDF"), std::string::npos);
  auto master = OpenOrDie("robustness/qpdf/enc-R3,V2,O=master.pdf");
  ASSERT_NE(master, nullptr);
  EXPECT_EQ(master->PageCount(), 30);
  // A password sent for a file that needs none is ignored.
  EXPECT_NE(OpenOrDie("formats/signed.pdf", Limits{}, "whatever"), nullptr);
  EXPECT_NE(OpenOrDie("formats/simple-digital.pdf", Limits{}, "whatever"), nullptr);
}

TEST(PdfSourceTest, DamagedFilesGiveTheirErrors) {
  EXPECT_EQ(OpenError("robustness/qpdf/bad1.pdf").code, ErrorCode::kUnsupportedType);
  EXPECT_EQ(OpenError("robustness/unstructured/failing-invalid.pdf").code,
            ErrorCode::kUnsupportedType);
  EXPECT_EQ(OpenError("robustness/unstructured/failing-missing-root.pdf").code,
            ErrorCode::kUnsupportedType);
  EXPECT_EQ(OpenError("robustness/qpdf/bad-direct-root.pdf").code, ErrorCode::kUnsupportedType);
  for (const char* name : {"robustness/ocrmypdf/invalid.pdf", "robustness/qpdf/bad7.pdf",
                           "robustness/qpdf/bad40.pdf"}) {
    core::Error error = OpenError(name);
    EXPECT_EQ(error.code, ErrorCode::kCorrupt) << name;
    EXPECT_EQ(error.message, "the PDF is damaged and cannot be read") << name;
  }
  core::Error no_pages = OpenError("robustness/unstructured/failing-missing-pages.pdf");
  EXPECT_EQ(no_pages.code, ErrorCode::kCorrupt);
  EXPECT_EQ(no_pages.message, "the PDF has no pages");
}

TEST(PdfSourceTest, RepairedFilesCarryAWarning) {
  auto repaired = OpenOrDie("robustness/qpdf/bad9.pdf");
  ASSERT_NE(repaired, nullptr);
  auto page = repaired->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  ASSERT_FALSE(page->warnings.empty());
  EXPECT_NE(page->warnings[0].find("damaged"), std::string::npos);
  auto text = repaired->PageText(0);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(Joined(*text), "Potato");

  auto bad_image = OpenOrDie("robustness/qpdf/bad-jpeg.pdf");
  ASSERT_NE(bad_image, nullptr);
  page = bad_image->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->warnings.size(), 1u);
  EXPECT_EQ(page->warnings[0], "page 1: the page has errors and may be incomplete");
}

TEST(PdfSourceTest, TruncatedPdf) {
  std::string pdf = ReadTestFile("formats/multi-page-digital.pdf");
  pdf.resize(pdf.size() / 2);
  auto source = Open(pdf, Limits{});
  if (!source) {
    EXPECT_EQ(source.error().code, ErrorCode::kCorrupt);
    return;
  }
  for (int i = 0; i < (*source)->PageCount(); ++i) {
    (void)(*source)->RenderPage(i);
    (void)(*source)->PageText(i);
  }
}

TEST(PdfSourceTest, TooManyPages) {
  Limits limits;
  limits.max_pages = 2;
  auto source = Open(ReadTestFile("formats/multi-page-digital.pdf"), limits);
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(source.error().message.find("limit is 2"), std::string::npos);
}

// Every robustness PDF that poppler can open renders every page (at a low
// dpi to keep the test quick) and reads its text without failing.
TEST(PdfSourceTest, RobustnessFilesRenderEveryPage) {
  Limits limits;
  limits.dpi = 50;
  const char* files[] = {"ocrmypdf/trivial.pdf",
                         "ocrmypdf/no_contents.pdf",
                         "ocrmypdf/enormous.pdf",
                         "ocrmypdf/2400dpi.pdf",
                         "ocrmypdf/cardinal.pdf",
                         "ocrmypdf/skew.pdf",
                         "ocrmypdf/rotated_skew.pdf",
                         "ocrmypdf/jbig2.pdf",
                         "ocrmypdf/ccitt.pdf",
                         "ocrmypdf/cmyk.pdf",
                         "ocrmypdf/palette.pdf",
                         "ocrmypdf/masks.pdf",
                         "ocrmypdf/vector.pdf",
                         "ocrmypdf/c02-22.pdf",
                         "ocrmypdf/francais.pdf",
                         "ocrmypdf/3small.pdf",
                         "ocrmypdf/multipage.pdf",
                         "ocrmypdf/livecycle.pdf",
                         "ocrmypdf/type3_font_nomapping.pdf",
                         "qpdf/bad2.pdf",
                         "qpdf/bad3.pdf",
                         "qpdf/bad9.pdf",
                         "qpdf/bad13.pdf",
                         "qpdf/bad16.pdf",
                         "qpdf/bad22.pdf",
                         "qpdf/bad24.pdf",
                         "qpdf/bad31.pdf",
                         "qpdf/bad33.pdf",
                         "qpdf/bad39.pdf",
                         "qpdf/bad-jpeg.pdf",
                         "qpdf/damaged-stream.pdf",
                         "qpdf/damaged-inline-image.pdf",
                         "qpdf/enc-R3,V2,O=master.pdf",
                         "py-pdf/habibi.pdf",
                         "py-pdf/habibi-rotated.pdf"};
  for (const char* file : files) {
    auto source = OpenOrDie(std::string("robustness/") + file, limits);
    if (!source) continue;
    for (int i = 0; i < source->PageCount(); ++i) {
      auto page = source->RenderPage(i);
      ASSERT_TRUE(page.has_value()) << file << " page " << i + 1 << ": " << page.error().message;
      EXPECT_GT(pixGetWidth(page->pix.get()), 0);
      auto text = source->PageText(i);
      if (text) {
        for (const core::Word& word : text->words) {
          EXPECT_FALSE(word.text.empty());
          for (unsigned char c : word.text) EXPECT_GE(c, 0x20) << file;
        }
      }
    }
  }
}

TEST(PdfSourceTest, HugePageRendersUnderThePixelLimit) {
  auto source = OpenOrDie("robustness/ocrmypdf/hugemono.pdf");
  ASSERT_NE(source, nullptr);
  auto page = source->RenderPage(0);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  Pix* pix = page->pix.get();
  EXPECT_LE(static_cast<int64_t>(pixGetWidth(pix)) * pixGetHeight(pix), 100'000'000);
  EXPECT_GT(static_cast<int64_t>(pixGetWidth(pix)) * pixGetHeight(pix), 90'000'000);
  EXPECT_LT(page->dpi, 300);
  ASSERT_EQ(page->warnings.size(), 1u);
  EXPECT_NE(page->warnings[0].find("pixel limit"), std::string::npos);
  EXPECT_FALSE(source->PageText(0).has_value());
}

TEST(PdfSourceTest, BornDigitalTextIsFound) {
  auto simple = OpenOrDie("formats/simple-digital.pdf");
  ASSERT_NE(simple, nullptr);
  auto text = simple->PageText(0);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(Joined(*text), "This is a test document.");
  for (const core::Word& word : text->words) EXPECT_EQ(word.confidence, 1.0f);
  EXPECT_LT(text->uncovered_ink, 0.05);

  auto multi = OpenOrDie("formats/multi-page-digital.pdf");
  ASSERT_NE(multi, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto page_text = multi->PageText(i);
    ASSERT_TRUE(page_text.has_value()) << i;
    EXPECT_NE(Joined(*page_text).find("Page " + std::to_string(i + 1)), std::string::npos);
  }
}

TEST(PdfSourceTest, PagesThatNeedOcrHaveNoText) {
  auto images = OpenOrDie("formats/multi-page-images.pdf");
  ASSERT_NE(images, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(images->PageText(i).has_value()) << i;
  auto tagged = OpenOrDie("formats/tagged-but-no-text.pdf");
  ASSERT_NE(tagged, nullptr);
  EXPECT_FALSE(tagged->PageText(0).has_value());
  auto type3 = OpenOrDie("robustness/ocrmypdf/type3_font_nomapping.pdf");
  ASSERT_NE(type3, nullptr);
  EXPECT_FALSE(type3->PageText(0).has_value());
  // Its font maps "Multicolor" to U+4D00 U+7500 ...: UTF-16 in the wrong order.
  auto swapped = OpenOrDie("robustness/ocrmypdf/cmyk.pdf");
  ASSERT_NE(swapped, nullptr);
  EXPECT_FALSE(swapped->PageText(0).has_value());
  auto vector = OpenOrDie("robustness/ocrmypdf/vector.pdf");
  ASSERT_NE(vector, nullptr);
  EXPECT_FALSE(vector->PageText(0).has_value());
  auto mixed = OpenOrDie("formats/multi-page-mixed.pdf");
  ASSERT_NE(mixed, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(mixed->PageText(i).has_value()) << i;
}

TEST(PdfSourceTest, ImageOfTextShowsAsUncoveredInk) {
  auto mixed = OpenOrDie("formats/single-page-mixed.pdf");
  ASSERT_NE(mixed, nullptr);
  auto with_image = mixed->PageText(0);
  ASSERT_TRUE(with_image.has_value());
  EXPECT_NE(Joined(*with_image).find("normal text"), std::string::npos);
  auto simple = OpenOrDie("formats/simple-digital.pdf")->PageText(0);
  ASSERT_TRUE(simple.has_value());
  EXPECT_GT(with_image->uncovered_ink, 0.2);
  EXPECT_GT(with_image->uncovered_ink, simple->uncovered_ink + 0.15);
  // A filled form field and table rules are ink but hold no text.
  auto form = OpenOrDie("formats/with-form.pdf")->PageText(0);
  ASSERT_TRUE(form.has_value());
  EXPECT_LT(form->uncovered_ink, 0.1);
  auto table = OpenOrDie("tables/icdar2013-eu/eu-001.pdf")->PageText(1);
  ASSERT_TRUE(table.has_value());
  EXPECT_LT(table->uncovered_ink, 0.1);
}

TEST(PdfSourceTest, TextBoxesLandOnInk) {
  auto simple = OpenOrDie("formats/simple-digital.pdf");
  ASSERT_NE(simple, nullptr);
  auto page = simple->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  auto text = simple->PageText(0);
  ASSERT_TRUE(text.has_value());
  for (const core::Word& word : text->words) {
    EXPECT_GT(DarkFraction(page->pix.get(), word.bbox), 0.05) << word.text;
    EXPECT_LE(word.bbox.x1, pixGetWidth(page->pix.get()));
    EXPECT_LE(word.bbox.y1, pixGetHeight(page->pix.get()));
  }
}

TEST(PdfSourceTest, TextBoxesFollowRotate) {
  // Pages with /Rotate 90, 180, 270 and 0, each holding the same words.
  auto rotated = OpenOrDie("robustness/py-pdf/habibi-rotated.pdf");
  ASSERT_NE(rotated, nullptr);
  for (int i = 0; i < 4; ++i) {
    auto page = rotated->RenderPage(i);
    ASSERT_TRUE(page.has_value());
    bool landscape = i == 0 || i == 2;
    EXPECT_EQ(pixGetWidth(page->pix.get()) > pixGetHeight(page->pix.get()), landscape) << i;
    auto text = rotated->PageText(i);
    ASSERT_TRUE(text.has_value()) << i;
    EXPECT_NE(Joined(*text).find("habibi"), std::string::npos) << Joined(*text);
    for (const core::Word& word : text->words) {
      if (word.text != "habibi") continue;
      EXPECT_GT(DarkFraction(page->pix.get(), word.bbox), 0.05) << "page " << i + 1;
    }
    EXPECT_LT(text->uncovered_ink, 0.3) << "page " << i + 1;
  }
}

TEST(PdfSourceTest, TextLayerSizeIsTheRenderedSize) {
  for (const char* name : {"robustness/py-pdf/habibi-rotated.pdf", "formats/rtl-test.pdf",
                           "tables/icdar2013-eu/eu-001.pdf", "formats/signed.pdf"}) {
    auto source = OpenOrDie(name);
    ASSERT_NE(source, nullptr);
    for (int i = 0; i < std::min(source->PageCount(), 4); ++i) {
      auto text = source->PageText(i);
      ASSERT_TRUE(text.has_value()) << name << " " << i;
      auto page = source->RenderPage(i);
      ASSERT_TRUE(page.has_value());
      EXPECT_EQ(text->width, pixGetWidth(page->pix.get())) << name << " " << i;
      EXPECT_EQ(text->height, pixGetHeight(page->pix.get())) << name << " " << i;
      EXPECT_EQ(text->dpi, page->dpi);
    }
  }
}

TEST(PdfSourceTest, CropBoxIsTheRenderedArea) {
  // The CropBox (301x180 pt) is smaller than the letter MediaBox.
  auto source = OpenOrDie("robustness/ocrmypdf/type3_font_nomapping.pdf");
  ASSERT_NE(source, nullptr);
  auto page = source->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  EXPECT_NEAR(pixGetWidth(page->pix.get()), 301.092 * 300 / 72, 2);
  EXPECT_NEAR(pixGetHeight(page->pix.get()), 179.783 * 300 / 72, 2);
}

TEST(PdfSourceTest, RightToLeftWordsAreInLogicalOrder) {
  auto rtl = OpenOrDie("formats/rtl-test.pdf");
  ASSERT_NE(rtl, nullptr);
  auto text = rtl->PageText(0);
  ASSERT_TRUE(text.has_value());
  ASSERT_FALSE(text->words.empty());
  EXPECT_EQ(text->words[0].text, "\xD9\x88\xD8\xB2\xD8\xA7\xD8\xB1\xD8\xA9");  // وزارة
}

}  // namespace
}  // namespace ocrchat::decode

namespace ocrchat::decode {
namespace {

// Truncations and overwritten bytes in a PDF: each attempt ends in pages or
// an error, never a crash.
TEST(PdfSourceTest, DamagedBytesNeverCrash) {
  const std::string file = ReadTestFile("formats/simple-digital.pdf");
  uint32_t seed = 777;
  auto next = [&seed]() {
    seed = seed * 1103515245 + 12345;
    return seed >> 8;
  };
  Limits limits;
  limits.dpi = 30;
  for (int round = 0; round < 30; ++round) {
    std::string damaged = file;
    if (round % 2 == 0) {
      damaged.resize(16 + next() % (file.size() - 16));
    } else {
      for (int k = 0; k < 8; ++k)
        damaged[16 + next() % (file.size() - 16)] = static_cast<char>(next());
    }
    auto source = Open(damaged, limits);
    if (!source) {
      EXPECT_TRUE(source.error().code == ErrorCode::kCorrupt ||
                  source.error().code == ErrorCode::kEncrypted)
          << source.error().message;
      continue;
    }
    for (int i = 0; i < (*source)->PageCount(); ++i) {
      (void)(*source)->RenderPage(i);
      (void)(*source)->PageText(i);
    }
  }
}

}  // namespace
}  // namespace ocrchat::decode
