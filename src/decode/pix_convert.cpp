// Leptonica image conversions shared by the image and PDF sources.
#include "decode/pix_convert.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ocrchat::decode {

PixPtr CopyPix(const Pix* pix) {
  return PixPtr(pix ? pixCopy(nullptr, const_cast<Pix*>(pix)) : nullptr);
}

void PixDeleter::operator()(Pix* pix) const {
  if (pix != nullptr) pixDestroy(&pix);
}

PixPtr NormalizePix(PixPtr pix) {
  if (!pix) return nullptr;
  if (pixGetColormap(pix.get()) != nullptr) {
    pix.reset(pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC));
    if (!pix) return nullptr;
  }
  int depth = pixGetDepth(pix.get());
  if (depth == 32) {
    if (pixGetSpp(pix.get()) == 4) {
      pix.reset(pixAlphaBlendUniform(pix.get(), 0xffffff00));
      if (!pix) return nullptr;
    }
    pixSetSpp(pix.get(), 3);
    return pix;
  }
  if (depth == 8) return pix;
  // 1-bit: 1 is black; 2/4-bit gray scale up; 16-bit keeps the high byte.
  return PixPtr(pixConvertTo8(pix.get(), 0));
}

PixPtr ApplyExifOrientation(PixPtr pix, int orientation) {
  if (!pix) return nullptr;
  Pix* p = pix.get();
  switch (orientation) {
    case 2:
      return PixPtr(pixFlipLR(nullptr, p));
    case 3:
      return PixPtr(pixRotate180(nullptr, p));
    case 4:
      return PixPtr(pixFlipTB(nullptr, p));
    case 5: {  // transpose: rotate clockwise, then mirror
      PixPtr turned(pixRotate90(p, 1));
      return turned ? PixPtr(pixFlipLR(nullptr, turned.get())) : nullptr;
    }
    case 6:
      return PixPtr(pixRotate90(p, 1));
    case 7: {  // transverse: rotate counter-clockwise, then mirror
      PixPtr turned(pixRotate90(p, -1));
      return turned ? PixPtr(pixFlipLR(nullptr, turned.get())) : nullptr;
    }
    case 8:
      return PixPtr(pixRotate90(p, -1));
    default:
      return pix;
  }
}

PixPtr PixFromGray8(const char* data, int width, int height, int bytes_per_row) {
  PixPtr pix(pixCreate(width, height, 8));
  if (!pix) return nullptr;
  l_uint32* dst = pixGetData(pix.get());
  int wpl = pixGetWpl(pix.get());
  size_t row_bytes = std::min<size_t>(static_cast<size_t>(wpl) * 4, bytes_per_row);
  for (int y = 0; y < height; ++y) {
    std::memcpy(dst + static_cast<size_t>(y) * wpl, data + static_cast<size_t>(y) * bytes_per_row,
                row_bytes);
  }
  // Leptonica keeps 8-bit pixels in big-endian order inside 32-bit words.
  pixEndianByteSwap(pix.get());
  return pix;
}

PixPtr PixFromArgb32(const char* data, int width, int height, int bytes_per_row) {
  PixPtr pix(pixCreate(width, height, 32));
  if (!pix) return nullptr;
  l_uint32* dst = pixGetData(pix.get());
  int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < height; ++y) {
    const char* row = data + static_cast<size_t>(y) * bytes_per_row;
    l_uint32* out = dst + static_cast<size_t>(y) * wpl;
    for (int x = 0; x < width; ++x) {
      uint32_t argb;
      std::memcpy(&argb, row + static_cast<size_t>(x) * 4, 4);
      out[x] = (argb << 8) | 0xff;
    }
  }
  pixSetSpp(pix.get(), 3);
  return pix;
}

}  // namespace ocrchat::decode
