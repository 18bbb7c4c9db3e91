// Page images for vision-language models, encoded with Leptonica.
#include "decode/model_image.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <memory>

#include "decode/decode.h"

namespace ocrchat::decode {
namespace {

// The image turned, without a colormap, at least 8 bits deep, scaled down
// to longest_px.
core::Result<PixPtr> Prepare(const Pix* image, int longest_px, int rotate_degrees) {
  Pix* source = const_cast<Pix*>(image);
  if (!source) return core::Fail(core::ErrorCode::kInternal, "no page image");
  PixPtr work(pixGetColormap(source) ? pixRemoveColormap(source, REMOVE_CMAP_BASED_ON_SRC)
                                     : pixClone(source));
  // Models (and people) read gray better than 1-bit: scaling a 1-bit page
  // to gray also anti-aliases it.
  if (work && pixGetDepth(work.get()) < 8) work.reset(pixConvertTo8(work.get(), 0));
  if (!work) return core::Fail(core::ErrorCode::kInternal, "the page image could not be converted");
  int quads = ((rotate_degrees % 360) + 360) % 360 / 90;
  if (quads) work.reset(pixRotateOrth(work.get(), quads));
  if (!work) return core::Fail(core::ErrorCode::kInternal, "the page image could not be turned");
  int longest = std::max(pixGetWidth(work.get()), pixGetHeight(work.get()));
  if (longest_px > 0 && longest > longest_px) {
    float scale = static_cast<float>(longest_px) / static_cast<float>(longest);
    work.reset(pixScale(work.get(), scale, scale));
    if (!work) return core::Fail(core::ErrorCode::kInternal, "the page image could not be scaled");
  }
  return work;
}

core::Result<ModelImage> Encode(Pix* pix, bool jpeg) {
  ModelImage out;
  out.width = pixGetWidth(pix);
  out.height = pixGetHeight(pix);
  l_uint8* bytes = nullptr;
  size_t size = 0;
  int failed =
      jpeg ? pixWriteMemJpeg(&bytes, &size, pix, 85, 0) : pixWriteMemPng(&bytes, &size, pix, 0.0f);
  if (failed || !bytes)
    return core::Fail(core::ErrorCode::kInternal, "the page image could not be encoded");
  out.data.assign(reinterpret_cast<const char*>(bytes), size);
  lept_free(bytes);
  out.mime = jpeg ? "image/jpeg" : "image/png";
  return out;
}

}  // namespace

core::Result<ModelImage> EncodeForModel(const Pix* image, int longest_px, int rotate_degrees) {
  auto work = Prepare(image, longest_px, rotate_degrees);
  if (!work) return std::unexpected(work.error());
  // Colour photos as JPEG; text pages lose nothing as PNG.
  return Encode(work->get(), pixGetDepth(work->get()) == 32);
}

core::Result<ModelImage> EncodePreview(const Pix* image, int longest_px, int rotate_degrees) {
  auto work = Prepare(image, longest_px, rotate_degrees);
  if (!work) return std::unexpected(work.error());
  return Encode(work->get(), true);
}

}  // namespace ocrchat::decode
