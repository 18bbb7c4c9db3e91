// A page image as a vision-language model is sent it: turned upright,
// scaled down so that its longest side is at most a given size, encoded as
// PNG (gray and black-and-white pages) or JPEG (colour). Thread-safe: the
// source image is only read.
#pragma once

#include <string>

#include "core/error.h"

struct Pix;

namespace ocrchat::decode {

struct ModelImage {
  std::string data;  // the encoded file
  std::string mime;  // "image/png" | "image/jpeg"
  int width = 0, height = 0;
};

// rotate_degrees: 0, 90, 180 or 270, clockwise, applied before scaling.
core::Result<ModelImage> EncodeForModel(const Pix* image, int longest_px, int rotate_degrees = 0);

// A preview of a page for people (the web page): the same turn and scale,
// always JPEG (gray or colour).
core::Result<ModelImage> EncodePreview(const Pix* image, int longest_px, int rotate_degrees = 0);

}  // namespace ocrchat::decode
