// The two kinds of Source behind decode::Open: raster images and PDFs.
#pragma once

#include <memory>
#include <string>

#include "decode/decode.h"

namespace ocrchat::decode {

// Opens a raster image of a sniffed type; checks every page's size from the
// headers (kTooLarge over max_pixels) and TIFF page counts.
core::Result<std::unique_ptr<Source>> OpenImage(std::string bytes, Format format,
                                                const Limits& limits);

// Opens a PDF with poppler; kEncrypted, kCorrupt, kTooLarge as Open()
// describes.
core::Result<std::unique_ptr<Source>> OpenPdf(std::string bytes, const Limits& limits,
                                              const std::string& password);

// Silences Leptonica's and poppler's messages on stderr, once per process.
void SilenceLibraries();

}  // namespace ocrchat::decode
