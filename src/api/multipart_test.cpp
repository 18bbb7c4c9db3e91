// multipart/form-data parsing: what browsers, curl, requests and Node send.
#include "api/multipart.h"

#include <gtest/gtest.h>

namespace ocrchat::api {
namespace {

TEST(MultipartTest, ReadsFilesAndFields) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n%PDF\r\n--XyZ\r\n"
      "Content-Disposition: form-data; name=\"tier\"\r\n\r\nvlm\r\n--XyZ--\r\n";
  auto parts = ParseMultipart(body, "XyZ");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->at("file").content, "%PDF");
  EXPECT_EQ(parts->at("file").filename, "a b.pdf");
  EXPECT_TRUE(parts->at("file").is_file);
  EXPECT_EQ(parts->at("tier").content, "vlm");
  EXPECT_FALSE(parts->at("tier").is_file);
}

TEST(MultipartTest, ClosingBoundaryWithoutCrlfAsNode18SendsIt) {
  std::string body =
      "------formdata-undici-0156\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"invoice.pdf\"\r\nContent-Type: application/octet-stream\r\n\r\nHELLO\r\n"
      "------formdata-undici-0156--";
  auto parts = ParseMultipart(body, "----formdata-undici-0156");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->at("file").content, "HELLO");
}

TEST(MultipartTest, BinaryContentWithCrlfInside) {
  std::string data("a\r\nb\0c\r\n--Xy", 12);
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n" +
                     data + "\r\n--XyZ--";
  auto parts = ParseMultipart(body, "XyZ");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->at("file").content, data);
}

TEST(MultipartTest, BoundaryFromContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(MultipartBoundary("application/json"), "");
}

TEST(MultipartTest, MalformedBodiesAreErrors) {
  EXPECT_FALSE(ParseMultipart("no boundary here", "XyZ").has_value());
  EXPECT_FALSE(ParseMultipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx", "XyZ")
                   .has_value());
  EXPECT_FALSE(ParseMultipart("--XyZ\r\n", "").has_value());
}

}  // namespace
}  // namespace ocrchat::api
