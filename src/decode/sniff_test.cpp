// Tests for type sniffing.
#include <gtest/gtest.h>

#include <string>

#include "decode/decode.h"

namespace ocrchat::decode {
namespace {

using core::ErrorCode;

std::string Bytes(std::string_view s) { return std::string(s); }

TEST(SniffTest, KnowsImageAndPdfMagic) {
  EXPECT_EQ(Sniff("\x89PNG\r\n\x1A\n....").value(), Format::kPng);
  EXPECT_EQ(Sniff("\xFF\xD8\xFF\xE0").value(), Format::kJpeg);
  EXPECT_EQ(Sniff("GIF89a..").value(), Format::kGif);
  EXPECT_EQ(Sniff(std::string_view("RIFF\x10\0\0\0WEBPVP8 ", 16)).value(), Format::kWebp);
  EXPECT_EQ(Sniff(Bytes(std::string_view("II*\0\x08\0\0\0", 8))).value(), Format::kTiff);
  EXPECT_EQ(Sniff(Bytes(std::string_view("MM\0*\0\0\0\x08", 8))).value(), Format::kTiff);
  EXPECT_EQ(Sniff(Bytes(std::string_view("BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0", 18))).value(),
            Format::kBmp);
  EXPECT_EQ(Sniff("P6\n2 2\n255\n").value(), Format::kPnm);
  EXPECT_EQ(Sniff("%PDF-1.7\n").value(), Format::kPdf);
}

TEST(SniffTest, FindsPdfHeaderAfterJunk) {
  std::string junk(500, 'x');
  EXPECT_EQ(Sniff(junk + "%PDF-1.4\n").value(), Format::kPdf);
  std::string far(2000, 'x');
  EXPECT_FALSE(Sniff(far + "%PDF-1.4\n").has_value());
}

void ExpectUnsupported(std::string_view bytes, std::string_view named) {
  auto result = Sniff(bytes);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnsupportedType);
  EXPECT_NE(result.error().message.find(named), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("PNG"), std::string::npos) << result.error().message;
}

TEST(SniffTest, NamesWhatItFound) {
  ExpectUnsupported("", "an empty file");
  ExpectUnsupported("Just some notes.\nSecond line, caf\xC3\xA9.\n", "plain text");
  ExpectUnsupported("  <!DOCTYPE html><html><body>x</body></html>", "HTML");
  ExpectUnsupported(Bytes(std::string_view("PK\x03\x04\x14\0\x06\0", 8)), "ZIP archive");
  ExpectUnsupported(Bytes(std::string_view("\x01\x02\x03\0\xFE\xFF\x80", 7)),
                    "unrecognised binary data");
  ExpectUnsupported("BM is not a bitmap", "plain text");
}

}  // namespace
}  // namespace ocrchat::decode
