// Reads structure from image containers without decoding pixels: JPEG EXIF
// orientation, TIFF directories and GIF frames.
#include "decode/container.h"

#include <algorithm>
#include <set>

namespace ocrchat::decode {
namespace {

// Bounds-checked reads of unsigned integers in either byte order.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, bool big_endian) : bytes_(bytes), big_endian_(big_endian) {}
  bool Has(uint64_t offset, uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }
  uint64_t Read(uint64_t offset, int length) const {
    uint64_t value = 0;
    for (int i = 0; i < length; ++i) {
      uint64_t byte = static_cast<unsigned char>(bytes_[offset + i]);
      value |= big_endian_ ? byte << (8 * (length - 1 - i)) : byte << (8 * i);
    }
    return value;
  }

 private:
  std::string_view bytes_;
  bool big_endian_;
};

constexpr uint16_t kTagImageWidth = 256;
constexpr uint16_t kTagImageLength = 257;
constexpr uint16_t kTagOrientation = 0x0112;
constexpr uint16_t kTypeShort = 3;
constexpr uint16_t kTypeLong = 4;
constexpr uint16_t kTypeLong8 = 16;

// The first value of a SHORT/LONG/LONG8 entry whose value fits in place.
std::optional<uint64_t> EntryValue(const ByteReader& in, uint64_t entry, bool big_tiff) {
  uint64_t type = in.Read(entry + 2, 2);
  uint64_t value_at = entry + (big_tiff ? 12 : 8);
  if (type == kTypeShort) return in.Read(value_at, 2);
  if (type == kTypeLong) return in.Read(value_at, 4);
  if (type == kTypeLong8 && big_tiff) return in.Read(value_at, 8);
  return std::nullopt;
}

}  // namespace

int JpegExifOrientation(std::string_view jpeg) {
  ByteReader in(jpeg, true);
  uint64_t pos = 2;  // after SOI
  while (in.Has(pos, 4)) {
    if (static_cast<unsigned char>(jpeg[pos]) != 0xFF) return 1;
    unsigned marker = static_cast<unsigned char>(jpeg[pos + 1]);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;  // image data starts: no EXIF before it
    uint64_t length = in.Read(pos + 2, 2);
    if (length < 2 || !in.Has(pos + 2, length)) return 1;
    std::string_view segment = jpeg.substr(pos + 4, length - 2);
    if (marker == 0xE1 && segment.size() >= 14 &&
        segment.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
      std::string_view tiff = segment.substr(6);
      bool big = tiff.substr(0, 2) == "MM";
      if (!big && tiff.substr(0, 2) != "II") return 1;
      ByteReader t(tiff, big);
      if (t.Read(2, 2) != 42) return 1;
      uint64_t ifd = t.Read(4, 4);
      if (!t.Has(ifd, 2)) return 1;
      uint64_t count = t.Read(ifd, 2);
      for (uint64_t i = 0; i < count; ++i) {
        uint64_t entry = ifd + 2 + i * 12;
        if (!t.Has(entry, 12)) return 1;
        if (t.Read(entry, 2) == kTagOrientation) {
          auto value = EntryValue(t, entry, false);
          return value && *value >= 1 && *value <= 8 ? static_cast<int>(*value) : 1;
        }
      }
      return 1;
    }
    pos += 2 + length;
  }
  return 1;
}

std::optional<std::vector<ImageSize>> ReadTiffDirectories(std::string_view tiff,
                                                          int max_directories) {
  if (tiff.size() < 8) return std::nullopt;
  bool big_endian = tiff[0] == 'M';
  ByteReader in(tiff, big_endian);
  uint64_t version = in.Read(2, 2);
  bool big_tiff = version == 43;
  if (version != 42 && !big_tiff) return std::nullopt;
  if (big_tiff && !in.Has(0, 16)) return std::nullopt;
  const int count_size = big_tiff ? 8 : 2;
  const int entry_size = big_tiff ? 20 : 12;
  const int offset_size = big_tiff ? 8 : 4;
  uint64_t offset = big_tiff ? in.Read(8, 8) : in.Read(4, 4);

  std::vector<ImageSize> sizes;
  std::set<uint64_t> seen;
  while (offset != 0 && static_cast<int>(sizes.size()) <= max_directories) {
    if (!seen.insert(offset).second || !in.Has(offset, count_size)) break;
    uint64_t count = in.Read(offset, count_size);
    uint64_t entries = offset + count_size;
    if (count > 65535 || !in.Has(entries, count * entry_size + offset_size)) break;
    ImageSize size;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t entry = entries + i * entry_size;
      uint64_t tag = in.Read(entry, 2);
      if (tag != kTagImageWidth && tag != kTagImageLength) continue;
      auto value = EntryValue(in, entry, big_tiff);
      if (!value) continue;
      (tag == kTagImageWidth ? size.width : size.height) =
          static_cast<int64_t>(std::min<uint64_t>(*value, 1ULL << 40));
    }
    sizes.push_back(size);
    offset = in.Read(entries + count * entry_size, offset_size);
  }
  if (sizes.empty()) return std::nullopt;
  return sizes;
}

std::optional<GifSize> ReadGifSize(std::string_view gif) {
  ByteReader in(gif, false);
  if (!in.Has(0, 13)) return std::nullopt;
  GifSize result;
  result.screen = {static_cast<int64_t>(in.Read(6, 2)), static_cast<int64_t>(in.Read(8, 2))};
  unsigned flags = static_cast<unsigned char>(gif[10]);
  uint64_t pos = 13;
  if (flags & 0x80) pos += 3ULL << ((flags & 7) + 1);
  // Skips a chain of data sub-blocks; false when it runs off the end.
  auto skip_blocks = [&]() {
    while (in.Has(pos, 1)) {
      uint64_t length = static_cast<unsigned char>(gif[pos]);
      pos += 1 + length;
      if (length == 0) return true;
    }
    return false;
  };
  bool any_frame = false;
  while (in.Has(pos, 1)) {
    unsigned char block = gif[pos];
    if (block == 0x3B) break;  // trailer
    if (block == 0x21) {       // extension: label, then sub-blocks
      pos += 2;
      if (!skip_blocks()) break;
    } else if (block == 0x2C) {  // image descriptor
      if (!in.Has(pos, 10)) break;
      result.frame_area += static_cast<int64_t>(in.Read(pos + 5, 2) * in.Read(pos + 7, 2));
      unsigned image_flags = static_cast<unsigned char>(gif[pos + 9]);
      pos += 10;
      if (image_flags & 0x80) pos += 3ULL << ((image_flags & 7) + 1);
      pos += 1;  // LZW minimum code size
      any_frame = true;
      if (!skip_blocks()) break;
    } else {
      break;
    }
  }
  if (!any_frame) return std::nullopt;
  return result;
}

}  // namespace ocrchat::decode
