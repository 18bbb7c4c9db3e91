// Leptonica images owned by the ocr module's code.
#pragma once

#include <leptonica/allheaders.h>

#include <memory>

namespace ocrchat::ocr {

struct PixFree {
  void operator()(Pix* pix) const { pixDestroy(&pix); }
};
using OwnedPix = std::unique_ptr<Pix, PixFree>;

}  // namespace ocrchat::ocr
