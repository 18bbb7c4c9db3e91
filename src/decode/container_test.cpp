// Tests for reading image container structure without decoding pixels.
#include "decode/container.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ocrchat::decode {
namespace {

std::string ReadTestFile(const std::string& name) {
  std::ifstream in(std::string(OCRCHAT_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ContainerTest, CountsTiffDirectories) {
  auto sizes = ReadTiffDirectories(ReadTestFile("formats/multi-page-images.tiff"), 100);
  ASSERT_TRUE(sizes.has_value());
  ASSERT_EQ(sizes->size(), 3u);
  EXPECT_EQ((*sizes)[0].width, 2476);
  EXPECT_EQ((*sizes)[0].height, 3204);
}

TEST(ContainerTest, TiffDirectoryLoopEnds) {
  // One directory whose "next" offset points back at itself.
  std::string tiff("II*\0\x08\0\0\0", 8);
  tiff += std::string("\x01\0", 2);                               // one entry
  tiff += std::string("\x00\x01\x03\0\x01\0\0\0\x10\0\0\0", 12);  // width 16
  tiff += std::string("\x08\0\0\0", 4);                           // next: itself
  auto sizes = ReadTiffDirectories(tiff, 100);
  ASSERT_TRUE(sizes.has_value());
  EXPECT_EQ(sizes->size(), 1u);
  EXPECT_FALSE(ReadTiffDirectories(std::string("II*\0\xff\0\0\0", 8), 100).has_value());
}

TEST(ContainerTest, ReadsGifScreen) {
  auto gif = ReadGifSize(ReadTestFile("formats/simple.gif"));
  ASSERT_TRUE(gif.has_value());
  EXPECT_EQ(gif->screen.width, 1436);
  EXPECT_EQ(gif->screen.height, 408);
  EXPECT_GE(gif->frame_area, 1436 * 408);
}

TEST(ContainerTest, NoExifMeansUpright) {
  EXPECT_EQ(JpegExifOrientation(ReadTestFile("formats/simple.jpg")), 1);
  EXPECT_EQ(JpegExifOrientation("\xFF\xD8\xFF\xE1\xFF\xFF"), 1);
}

}  // namespace
}  // namespace ocrchat::decode
