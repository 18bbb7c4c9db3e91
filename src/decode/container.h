// Reads structure from image containers without decoding pixels: JPEG EXIF
// orientation, TIFF directories and GIF frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ocrchat::decode {

// The EXIF orientation (1..8) in a JPEG's APP1 segment; 1 when there is
// none or it cannot be read.
int JpegExifOrientation(std::string_view jpeg);

struct ImageSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The size of every directory (page) of a classic or Big TIFF, in file
// order. nullopt when the header or the first directory is unreadable; a
// damaged link later in the chain ends the list there. Stops after
// `max_directories` + 1 entries so that the caller can report the excess.
std::optional<std::vector<ImageSize>> ReadTiffDirectories(std::string_view tiff,
                                                          int max_directories);

// The logical screen size of a GIF and the summed area of its frames (a GIF
// decoder holds every frame). nullopt when the block structure is damaged
// before the first frame.
struct GifSize {
  ImageSize screen;
  int64_t frame_area = 0;
};
std::optional<GifSize> ReadGifSize(std::string_view gif);

}  // namespace ocrchat::decode
