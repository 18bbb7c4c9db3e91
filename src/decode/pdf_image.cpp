// Page images for searchable PDFs, encoded with Leptonica.
#include "decode/pdf_image.h"

#include <leptonica/allheaders.h>

#include <memory>

#include "decode/decode.h"

namespace ocrchat::decode {
namespace {

// True when nearly every pixel is close to black or white: a text scan
// that loses nothing as a bilevel image.
bool IsBilevel(Pix* gray) {
  NUMA* histogram = pixGetGrayHistogram(gray, 2);
  if (!histogram) return false;
  l_float32 total = 0, extremes = 0;
  int n = numaGetCount(histogram);
  for (int i = 0; i < n; ++i) {
    l_float32 v = 0;
    numaGetFValue(histogram, i, &v);
    total += v;
    if (i < 40 || i > 215) extremes += v;
  }
  numaDestroy(&histogram);
  return total > 0 && extremes / total > 0.985f;
}

}  // namespace

core::Result<EncodedImage> EncodeForPdf(const Pix* image, int jpeg_quality) {
  Pix* source = const_cast<Pix*>(image);
  PixPtr work;
  int type = L_JPEG_ENCODE;
  if (pixGetDepth(source) == 1) {
    work.reset(pixClone(source));
    type = L_G4_ENCODE;
  } else {
    PixPtr flat(pixGetColormap(source) ? pixRemoveColormap(source, REMOVE_CMAP_BASED_ON_SRC)
                                       : pixClone(source));
    bool color = pixGetDepth(flat.get()) == 32;
    if (color) {
      l_int32 has_color = 0;
      pixColorsForQuantization(flat.get(), 15, nullptr, &has_color, 0);
      if (!has_color) {
        flat.reset(pixConvertRGBToLuminance(flat.get()));
        color = false;
      }
    }
    if (!color) {
      PixPtr gray(pixConvertTo8(flat.get(), 0));
      if (gray && IsBilevel(gray.get())) {
        work.reset(pixThresholdToBinary(gray.get(), 128));
        type = L_G4_ENCODE;
      } else {
        work = std::move(gray);
      }
    } else {
      work = std::move(flat);
    }
  }
  if (!work) return core::Fail(core::ErrorCode::kInternal, "could not convert the page image");
  L_COMP_DATA* cid = nullptr;
  if (pixGenerateCIData(work.get(), type, jpeg_quality, 0, &cid) != 0 || !cid)
    return core::Fail(core::ErrorCode::kInternal, "could not encode the page image");
  EncodedImage out;
  out.codec = type == L_G4_ENCODE ? EncodedImage::Codec::kCcittG4 : EncodedImage::Codec::kJpeg;
  out.data.assign(reinterpret_cast<const char*>(cid->datacomp), cid->nbytescomp);
  out.width = cid->w;
  out.height = cid->h;
  out.bits_per_component = cid->bps;
  out.components = cid->spp;
  l_CIDataDestroy(&cid);
  return out;
}

}  // namespace ocrchat::decode
