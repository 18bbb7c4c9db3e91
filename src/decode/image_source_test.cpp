// Tests for decoding raster images: formats, orientation, limits, damage.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "decode/decode.h"

namespace ocrchat::decode {
namespace {

using core::ErrorCode;

std::string ReadTestFile(const std::string& name) {
  std::ifstream in(std::string(OCRCHAT_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The encoded bytes of `pix` in a Leptonica format (IFF_PNG, IFF_JPEG, ...).
std::string Encode(Pix* pix, int format) {
  l_uint8* data = nullptr;
  size_t size = 0;
  EXPECT_EQ(pixWriteMem(&data, &size, pix, format), 0);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return out;
}

struct Expected {
  const char* file;
  Format format;
  int pages;
  int width;  // 0: not checked
  int height;
  int dpi;  // 0: the fallback; -1: not checked
};

class ImageFormatTest : public testing::TestWithParam<Expected> {};

TEST_P(ImageFormatTest, OpensAndRenders) {
  const Expected& want = GetParam();
  Limits limits;
  auto source = Open(ReadTestFile(want.file), limits);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ((*source)->format(), want.format);
  ASSERT_EQ((*source)->PageCount(), want.pages);
  for (int i = 0; i < want.pages; ++i) {
    auto page = (*source)->RenderPage(i);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    Pix* pix = page->pix.get();
    if (want.width > 0) {
      EXPECT_EQ(pixGetWidth(pix), want.width);
      EXPECT_EQ(pixGetHeight(pix), want.height);
    }
    int depth = pixGetDepth(pix);
    EXPECT_TRUE(depth == 8 || depth == 32) << depth;
    EXPECT_EQ(pixGetColormap(pix), nullptr);
    if (depth == 32) {
      EXPECT_EQ(pixGetSpp(pix), 3);
    }
    if (want.dpi >= 0) {
      EXPECT_EQ(page->dpi, want.dpi == 0 ? limits.fallback_dpi : want.dpi);
      EXPECT_EQ(page->dpi_given, want.dpi != 0);
    }
    EXPECT_FALSE((*source)->PageText(i).has_value());
  }
  auto probe = ProbeFile(ReadTestFile(want.file), limits);
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->format, want.format);
  EXPECT_EQ(probe->page_count, want.pages);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, ImageFormatTest,
    testing::Values(Expected{"formats/simple.png", Format::kPng, 1, 517, 147, 72},
                    Expected{"formats/simple-no-dpi.png", Format::kPng, 1, 0, 0, 0},
                    Expected{"formats/simple-alpha.png", Format::kPng, 1, 0, 0, -1},
                    Expected{"formats/no-text-alpha.png", Format::kPng, 1, 0, 0, -1},
                    Expected{"formats/simple.jpg", Format::kJpeg, 1, 1436, 408, 200},
                    Expected{"formats/simple.gif", Format::kGif, 1, 1436, 408, 0},
                    Expected{"formats/simple.bmp", Format::kBmp, 1, 0, 0, 96},
                    Expected{"formats/simple.tif", Format::kTiff, 1, 0, 0, 200},
                    Expected{"formats/document.webp", Format::kWebp, 1, 1700, 2200, 0},
                    Expected{"formats/multi-page-images.tiff", Format::kTiff, 3, 2476, 3204, 300},
                    Expected{"pages/tesseract/phototest.tif", Format::kTiff, 1, 640, 480, 200},
                    Expected{"robustness/ocrmypdf/linn.png", Format::kPng, 1, 2550, 3300, -1}),
    [](const testing::TestParamInfo<Expected>& info) {
      std::string name = info.param.file;
      name = name.substr(name.rfind('/') + 1);
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(ImageSourceTest, AlphaIsFlattenedOntoWhite) {
  PixPtr rgba(pixCreate(4, 4, 32));
  pixSetSpp(rgba.get(), 4);
  pixSetAllArbitrary(rgba.get(), 0x00000000);  // black, fully transparent
  auto source = Open(Encode(rgba.get(), IFF_PNG), Limits{});
  ASSERT_TRUE(source.has_value());
  auto page = (*source)->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  l_int32 r = 0, g = 0, b = 0;
  pixGetRGBPixel(page->pix.get(), 1, 1, &r, &g, &b);
  EXPECT_EQ(r, 255);
  EXPECT_EQ(g, 255);
  EXPECT_EQ(b, 255);
}

TEST(ImageSourceTest, PaletteAndOneBitBecomeGray) {
  PixPtr mono(pixCreate(16, 8, 1));
  pixSetPixel(mono.get(), 0, 0, 1);
  auto source = Open(Encode(mono.get(), IFF_PNG), Limits{});
  ASSERT_TRUE(source.has_value());
  auto page = (*source)->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(pixGetDepth(page->pix.get()), 8);
  l_uint32 v = 0;
  pixGetPixel(page->pix.get(), 0, 0, &v);
  EXPECT_EQ(v, 0u);
  pixGetPixel(page->pix.get(), 1, 0, &v);
  EXPECT_EQ(v, 255u);
}

TEST(ImageSourceTest, SixteenBitBecomesEightBit) {
  PixPtr deep(pixCreate(8, 8, 16));
  pixSetAllArbitrary(deep.get(), 0x8000);
  auto source = Open(Encode(deep.get(), IFF_PNG), Limits{});
  ASSERT_TRUE(source.has_value());
  auto page = (*source)->RenderPage(0);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(pixGetDepth(page->pix.get()), 8);
  l_uint32 v = 0;
  pixGetPixel(page->pix.get(), 3, 3, &v);
  EXPECT_EQ(v, 0x80u);
}

TEST(ImageSourceTest, CmykJpegBecomesRgb) {
  // cmyk.pdf embeds its CMYK JPEGs unfiltered: cut the first one out.
  std::string pdf = ReadTestFile("robustness/ocrmypdf/cmyk.pdf");
  size_t start = pdf.find("\xFF\xD8\xFF");
  size_t end = pdf.find("endstream", start);
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  auto source = Open(pdf.substr(start, end - start), Limits{});
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ((*source)->format(), Format::kJpeg);
  auto page = (*source)->RenderPage(0);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(pixGetWidth(page->pix.get()), 900);
  EXPECT_EQ(pixGetDepth(page->pix.get()), 32);
}

TEST(ImageSourceTest, EmptyFileIsUnsupported) {
  auto source = Open("", Limits{});
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kUnsupportedType);
  EXPECT_NE(source.error().message.find("empty"), std::string::npos);
}

TEST(ImageSourceTest, TruncatedPngIsCorrupt) {
  std::string png = ReadTestFile("formats/simple.png");
  png.resize(png.size() / 2);
  auto source = Open(png, Limits{});
  ASSERT_TRUE(source.has_value()) << "the header is intact";
  auto page = (*source)->RenderPage(0);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, ErrorCode::kCorrupt);
}

TEST(ImageSourceTest, TruncatedJpegIsCorruptOrWarns) {
  std::string jpeg = ReadTestFile("formats/simple.jpg");
  jpeg.resize(jpeg.size() / 2);
  auto source = Open(jpeg, Limits{});
  ASSERT_TRUE(source.has_value());
  auto page = (*source)->RenderPage(0);
  if (page) {
    ASSERT_EQ(page->warnings.size(), 1u);
    EXPECT_NE(page->warnings[0].find("truncated"), std::string::npos);
  } else {
    EXPECT_EQ(page.error().code, ErrorCode::kCorrupt);
  }
}

TEST(ImageSourceTest, TruncatedHeaderIsCorrupt) {
  std::string png = ReadTestFile("formats/simple.png");
  png.resize(12);
  auto source = Open(png, Limits{});
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kCorrupt);
}

TEST(ImageSourceTest, HugePngHeaderIsRefusedBeforeDecoding) {
  // A valid PNG signature and IHDR claiming 100000x100000, and nothing else.
  std::string png("\x89PNG\r\n\x1A\n", 8);
  png += std::string("\0\0\0\x0DIHDR", 8);
  png += std::string("\0\x01\x86\xA0\0\x01\x86\xA0\x08\x00\0\0\0", 13);
  png += std::string("\0\0\0\0", 4);  // CRC (not checked by the header reader)
  auto probe = ProbeFile(png, Limits{});
  ASSERT_FALSE(probe.has_value());
  EXPECT_EQ(probe.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(probe.error().message.find("100000x100000"), std::string::npos)
      << probe.error().message;
  EXPECT_NE(probe.error().message.find("100 megapixels"), std::string::npos);
}

TEST(ImageSourceTest, FileOverByteLimitIsTooLarge) {
  Limits limits;
  limits.max_bytes = 1000;
  auto source = Open(ReadTestFile("formats/simple.png"), limits);
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kTooLarge);
}

// Inserts an EXIF APP1 segment with the given orientation after SOI.
std::string WithExifOrientation(const std::string& jpeg, int orientation) {
  std::string tiff("MM\0*\0\0\0\x08", 8);
  tiff += std::string("\0\x01", 2);
  tiff += std::string("\x01\x12\0\x03\0\0\0\x01\0", 9) + static_cast<char>(orientation) +
          std::string("\0\0", 2);
  tiff += std::string("\0\0\0\0", 4);
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  size_t length = payload.size() + 2;
  std::string segment = "\xFF\xE1";
  segment += static_cast<char>(length >> 8);
  segment += static_cast<char>(length & 0xFF);
  return jpeg.substr(0, 2) + segment + payload + jpeg.substr(2);
}

// A 40x20 white image with a black 10x10 square in the top-left corner.
PixPtr Marked() {
  PixPtr pix(pixCreate(40, 20, 8));
  pixSetAll(pix.get());
  pixRasterop(pix.get(), 0, 0, 10, 10, PIX_CLR, nullptr, 0, 0);
  return pix;
}

bool IsDark(Pix* pix, int x, int y) {
  l_uint32 v = 0;
  pixGetPixel(pix, x, y, &v);
  return v < 100;
}

TEST(ImageSourceTest, ExifOrientationIsApplied) {
  PixPtr marked = Marked();
  std::string jpeg = Encode(marked.get(), IFF_JFIF_JPEG);
  struct Case {
    int orientation, width, height, dark_x, dark_y;
  };
  // Where the top-left mark ends up once the viewer's transform is applied.
  for (Case c : {Case{1, 40, 20, 2, 2}, Case{2, 40, 20, 37, 2}, Case{3, 40, 20, 37, 17},
                 Case{4, 40, 20, 2, 17}, Case{5, 20, 40, 2, 2}, Case{6, 20, 40, 17, 2},
                 Case{7, 20, 40, 17, 37}, Case{8, 20, 40, 2, 37}}) {
    auto source = Open(WithExifOrientation(jpeg, c.orientation), Limits{});
    ASSERT_TRUE(source.has_value());
    auto page = (*source)->RenderPage(0);
    ASSERT_TRUE(page.has_value());
    Pix* pix = page->pix.get();
    EXPECT_EQ(pixGetWidth(pix), c.width) << c.orientation;
    EXPECT_EQ(pixGetHeight(pix), c.height) << c.orientation;
    EXPECT_TRUE(IsDark(pix, c.dark_x, c.dark_y)) << "orientation " << c.orientation;
    EXPECT_FALSE(IsDark(pix, c.width - 1 - c.dark_x, c.height - 1 - c.dark_y))
        << "orientation " << c.orientation;
  }
}

uint32_t Read32(const std::string& s, size_t at) {
  return static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8 |
         static_cast<unsigned char>(s[at + 2]) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}
uint16_t Read16(const std::string& s, size_t at) {
  return static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8;
}

TEST(ImageSourceTest, CorruptTiffPageIsNamed) {
  PixPtr noise(pixCreate(200, 200, 8));
  for (int y = 0; y < 200; ++y) {
    for (int x = 0; x < 200; ++x) pixSetPixel(noise.get(), x, y, (x * 7 + y * 13) % 251);
  }
  PIXA* pixa = pixaCreate(3);
  for (int i = 0; i < 3; ++i) pixaAddPix(pixa, noise.get(), L_COPY);
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixaWriteMemMultipageTiff(&data, &size, pixa), 0);
  pixaDestroy(&pixa);
  std::string tiff(reinterpret_cast<char*>(data), size);
  lept_free(data);
  ASSERT_EQ(tiff.substr(0, 2), "II");

  // Overwrite the second page's first strip with garbage.
  uint32_t ifd = Read32(tiff, 4);
  ifd = Read32(tiff, ifd + 2 + 12 * Read16(tiff, ifd));
  uint16_t entries = Read16(tiff, ifd);
  uint32_t strip = 0;
  for (int i = 0; i < entries; ++i) {
    size_t entry = ifd + 2 + 12 * i;
    if (Read16(tiff, entry) != 273) continue;
    uint32_t count = Read32(tiff, entry + 4);
    uint32_t value = Read32(tiff, entry + 8);
    strip = count == 1 ? value : Read32(tiff, value);
  }
  ASSERT_GT(strip, 0u);
  for (size_t i = strip; i < strip + 200 && i < tiff.size(); ++i) tiff[i] = '\xA5';

  auto source = Open(tiff, Limits{});
  ASSERT_TRUE(source.has_value()) << source.error().message;
  ASSERT_EQ((*source)->PageCount(), 3);
  EXPECT_TRUE((*source)->RenderPage(0).has_value());
  auto page = (*source)->RenderPage(1);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(page.error().message, "page 2: image is corrupt");
  EXPECT_TRUE((*source)->RenderPage(2).has_value());
}

TEST(ImageSourceTest, TiffPageOverLimitIsTooLarge) {
  Limits limits;
  limits.max_pixels = 1'000'000;
  auto source = Open(ReadTestFile("formats/multi-page-images.tiff"), limits);
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kTooLarge);
  limits = Limits{};
  limits.max_pages = 2;
  source = Open(ReadTestFile("formats/multi-page-images.tiff"), limits);
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace ocrchat::decode

namespace ocrchat::decode {
namespace {

// Truncations and overwritten bytes in every image format: each attempt
// ends in a page or an error, never a crash.
TEST(ImageSourceTest, DamagedBytesNeverCrash) {
  PixPtr marked(pixCreate(64, 48, 8));
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) pixSetPixel(marked.get(), x, y, (x * y) & 0xff);
  }
  std::vector<std::string> files = {
      Encode(marked.get(), IFF_PNG),      Encode(marked.get(), IFF_JFIF_JPEG),
      Encode(marked.get(), IFF_GIF),      Encode(marked.get(), IFF_BMP),
      Encode(marked.get(), IFF_TIFF_ZIP), Encode(marked.get(), IFF_WEBP),
      Encode(marked.get(), IFF_PNM)};
  uint32_t seed = 12345;
  auto next = [&seed]() {
    seed = seed * 1103515245 + 12345;
    return seed >> 8;
  };
  for (const std::string& file : files) {
    ASSERT_FALSE(file.empty());
    for (int round = 0; round < 40; ++round) {
      std::string damaged = file;
      if (round % 2 == 0) {
        damaged.resize(8 + next() % (file.size() - 8));
      } else {
        for (int k = 0; k < 4; ++k)
          damaged[8 + next() % (file.size() - 8)] = static_cast<char>(next());
      }
      auto source = Open(damaged, Limits{});
      if (!source) continue;
      for (int i = 0; i < (*source)->PageCount(); ++i) {
        auto page = (*source)->RenderPage(i);
        if (page) {
          int depth = pixGetDepth(page->pix.get());
          EXPECT_TRUE(depth == 8 || depth == 32);
        } else {
          EXPECT_NE(page.error().code, ErrorCode::kInternal);
        }
      }
    }
  }
}

}  // namespace
}  // namespace ocrchat::decode
