// Leptonica image conversions shared by the image and PDF sources.
#pragma once

#include "decode/decode.h"

namespace ocrchat::decode {

// Turns any decoded Leptonica image into what PageImage promises: 8-bit gray
// or 32-bit RGB without alpha (alpha flattened onto white, colormaps and
// 1/2/4/16-bit depths converted). Returns null only when Leptonica fails.
PixPtr NormalizePix(PixPtr pix);

// Applies an EXIF orientation (1..8): the image as a viewer shows it.
// Values outside 2..8 return the image unchanged.
PixPtr ApplyExifOrientation(PixPtr pix, int orientation);

// Copies rows of 8-bit gray pixels (stride `bytes_per_row`) into a new image.
PixPtr PixFromGray8(const char* data, int width, int height, int bytes_per_row);

// Copies rows of native-endian 0xAARRGGBB pixels into a new 32-bit RGB image.
PixPtr PixFromArgb32(const char* data, int width, int height, int bytes_per_row);

}  // namespace ocrchat::decode
