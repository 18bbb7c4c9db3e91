// Encodes a page image the way a searchable PDF should hold it: CCITT G4
// for black-and-white scans, JPEG for gray and colour. Thread-safe.
#pragma once

#include <string>

#include "core/error.h"

struct Pix;

namespace ocrchat::decode {

struct EncodedImage {
  enum class Codec { kJpeg, kCcittG4 } codec = Codec::kJpeg;
  std::string data;  // the stream as a PDF holds it (DCTDecode / CCITTFaxDecode K -1)
  int width = 0, height = 0;
  int bits_per_component = 8;
  int components = 1;
};

core::Result<EncodedImage> EncodeForPdf(const Pix* image, int jpeg_quality = 70);

}  // namespace ocrchat::decode
