// Raster images (PNG, JPEG, WEBP, GIF, BMP, TIFF, PNM) decoded with
// Leptonica, one page at a time.
#include <leptonica/allheaders.h>

#include <string>
#include <vector>

#include "decode/container.h"
#include "decode/pix_convert.h"
#include "decode/sources.h"

namespace ocrchat::decode {
namespace {

using core::ErrorCode;
using core::Fail;

// Resolutions outside this range are taken as missing or bogus.
constexpr int kMinPlausibleDpi = 50;
constexpr int kMaxPlausibleDpi = 2400;

std::string PixelLimitMessage(const std::string& what, int64_t width, int64_t height,
                              const Limits& limits) {
  return what + " is " + std::to_string(width) + "x" + std::to_string(height) +
         " pixels; the limit is " + std::to_string(limits.max_pixels / 1'000'000) + " megapixels";
}

core::Status CheckSize(const std::string& what, int64_t width, int64_t height,
                       const Limits& limits) {
  if (width <= 0 || height <= 0) {
    return Fail(ErrorCode::kCorrupt, what + " is corrupt: it has no size");
  }
  if (width > limits.max_pixels / height) {
    return Fail(ErrorCode::kTooLarge, PixelLimitMessage(what, width, height, limits));
  }
  return {};
}

class ImageSource : public Source {
 public:
  ImageSource(std::string bytes, Format format, const Limits& limits, int pages)
      : bytes_(std::move(bytes)), format_(format), limits_(limits), pages_(pages) {}

  Format format() const override { return format_; }
  int PageCount() const override { return pages_; }

  core::Result<PageImage> RenderPage(int index) override {
    if (index < 0 || index >= pages_) {
      return Fail(ErrorCode::kInvalidParameter,
                  "page " + std::to_string(index + 1) + " does not exist");
    }
    const auto* data = reinterpret_cast<const l_uint8*>(bytes_.data());
    PixPtr pix;
    try {
      l_int32 jpeg_warnings = 0;
      if (format_ == Format::kTiff) {
        pix.reset(pixReadMemTiff(data, bytes_.size(), index));
      } else if (format_ == Format::kJpeg) {
        pix.reset(pixReadMemJpeg(data, bytes_.size(), 0, 1, &jpeg_warnings, 0));
      } else {
        pix.reset(pixReadMem(data, bytes_.size()));
      }
      int xres = pix ? pixGetXRes(pix.get()) : 0;
      if (pix && format_ == Format::kJpeg) {
        pix = ApplyExifOrientation(std::move(pix), JpegExifOrientation(bytes_));
      }
      pix = NormalizePix(std::move(pix));
      if (!pix) return Corrupt(index);
      PageImage page;
      if (jpeg_warnings > 0) {
        page.warnings.push_back("the image is damaged or truncated; part of it may be missing");
      }
      page.dpi_given = xres >= kMinPlausibleDpi && xres <= kMaxPlausibleDpi;
      page.dpi = page.dpi_given ? xres : limits_.fallback_dpi;
      pixSetResolution(pix.get(), page.dpi, page.dpi);
      page.pix = std::move(pix);
      return page;
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kCorrupt, CorruptMessage(index), e.what());
    }
  }

  std::optional<TextLayer> PageText(int) override { return std::nullopt; }

 private:
  std::string CorruptMessage(int index) const {
    return pages_ > 1 ? "page " + std::to_string(index + 1) + ": image is corrupt"
                      : "the image is corrupt or truncated";
  }
  std::unexpected<core::Error> Corrupt(int index) const {
    return Fail(ErrorCode::kCorrupt, CorruptMessage(index),
                std::string("Leptonica could not decode the ") + FormatName(format_));
  }

  std::string bytes_;
  Format format_;
  Limits limits_;
  int pages_;
};

// The page count after checking every page's size against the limits.
core::Result<int> CheckImage(std::string_view bytes, Format format, const Limits& limits) {
  if (format == Format::kTiff) {
    auto sizes = ReadTiffDirectories(bytes, limits.max_pages);
    if (!sizes) return Fail(ErrorCode::kCorrupt, "the TIFF is damaged and cannot be read");
    int pages = static_cast<int>(sizes->size());
    if (pages > limits.max_pages) {
      return Fail(ErrorCode::kTooLarge,
                  "the TIFF has more than " + std::to_string(limits.max_pages) +
                      " pages; the limit is " + std::to_string(limits.max_pages));
    }
    for (int i = 0; i < pages; ++i) {
      std::string what = pages > 1 ? "page " + std::to_string(i + 1) : std::string("the image");
      if (auto ok = CheckSize(what, (*sizes)[i].width, (*sizes)[i].height, limits); !ok) {
        return std::unexpected(ok.error());
      }
    }
    return pages;
  }
  if (format == Format::kGif) {
    auto gif = ReadGifSize(bytes);
    if (!gif) return Fail(ErrorCode::kCorrupt, "the image is corrupt or truncated");
    if (auto ok = CheckSize("the image", gif->screen.width, gif->screen.height, limits); !ok) {
      return std::unexpected(ok.error());
    }
    if (gif->frame_area > limits.max_pixels) {
      return Fail(ErrorCode::kTooLarge, "the GIF's frames hold more than " +
                                            std::to_string(limits.max_pixels / 1'000'000) +
                                            " megapixels");
    }
    return 1;
  }
  if (format == Format::kPng) {
    // IHDR is always the first chunk; read it directly, as libpng wants
    // more of the file than the header.
    if (bytes.size() < 24 || bytes.substr(12, 4) != "IHDR") {
      return Fail(ErrorCode::kCorrupt, "the image is corrupt or truncated");
    }
    auto be32 = [&](size_t at) {
      return static_cast<int64_t>(static_cast<unsigned char>(bytes[at])) << 24 |
             static_cast<unsigned char>(bytes[at + 1]) << 16 |
             static_cast<unsigned char>(bytes[at + 2]) << 8 |
             static_cast<unsigned char>(bytes[at + 3]);
    };
    if (auto ok = CheckSize("the image", be32(16), be32(20), limits); !ok) {
      return std::unexpected(ok.error());
    }
    return 1;
  }
  l_int32 lept_format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(reinterpret_cast<const l_uint8*>(bytes.data()), bytes.size(), &lept_format,
                       &w, &h, &bps, &spp, &cmap) != 0) {
    return Fail(ErrorCode::kCorrupt, "the image is corrupt or truncated",
                std::string("Leptonica could not read the ") + FormatName(format) + " header");
  }
  if (auto ok = CheckSize("the image", w, h, limits); !ok) return std::unexpected(ok.error());
  return 1;
}

}  // namespace

core::Result<std::unique_ptr<Source>> OpenImage(std::string bytes, Format format,
                                                const Limits& limits) {
  SilenceLibraries();
  auto pages = CheckImage(bytes, format, limits);
  if (!pages) return std::unexpected(pages.error());
  return std::make_unique<ImageSource>(std::move(bytes), format, limits, *pages);
}

}  // namespace ocrchat::decode
