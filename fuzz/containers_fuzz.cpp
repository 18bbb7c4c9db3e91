// The hand-written header walks: JPEG EXIF orientation, TIFF directories,
// GIF blocks, and the size checks that Open() makes from PNG/TIFF/GIF and
// other image headers before any pixel is decoded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decode/container.h"
#include "decode/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace decode = ocrchat::decode;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  int orientation = decode::JpegExifOrientation(bytes);
  if (orientation < 1 || orientation > 8) __builtin_trap();
  decode::ReadTiffDirectories(bytes, 2000);
  decode::ReadGifSize(bytes);
  auto format = decode::Sniff(bytes);
  if (format && *format != decode::Format::kPdf)
    decode::ProbeFile(std::string(bytes), decode::Limits{});
  return 0;
}
