// decode: untrusted bytes in, page images (or a PDF's own text) out.
// Everything here runs only in worker processes (see jobs/), never in the
// HTTP process. Every limit is checked from headers before pixels are
// decoded. Not thread-safe per object; one Source per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"
#include "core/error.h"

struct Pix;  // Leptonica

namespace ocrchat::decode {

enum class Format { kPng, kJpeg, kWebp, kGif, kBmp, kTiff, kPdf, kPnm };
const char* FormatName(Format format);      // "png", "pdf", ...
const char* FormatMimeType(Format format);  // "image/png", ...

// The type from the bytes, never the name. Unknown bytes give
// kUnsupportedType with a message naming what was found ("this looks like
// a ZIP archive", "plain text", "an empty file").
core::Result<Format> Sniff(std::string_view bytes);

struct Limits {
  int64_t max_bytes = 50LL * 1024 * 1024;
  int max_pages = 2000;
  int64_t max_pixels = 100'000'000;  // per page image, after rendering
  int dpi = 300;                     // PDF render resolution
  int fallback_dpi = 300;            // for images that carry no resolution
};

// Owns a Leptonica image.
struct PixDeleter {
  void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// A deep copy: another thread may read it while the original is in use
// (Leptonica's reference counts are not atomic). Null when out of memory.
PixPtr CopyPix(const Pix* pix);

struct PageImage {
  PixPtr pix;  // 8-bit gray or 32-bit RGB, upright as a viewer shows it
  int dpi = 300;
  // The dpi is the page's own (a PDF page rendered at it, an image's
  // resolution metadata), not Limits::fallback_dpi.
  bool dpi_given = false;
  std::vector<std::string> warnings;  // e.g. "page 2: rendered at 150 dpi to fit the pixel limit"
};

// Text a born-digital PDF page already carries, in pixels of the image that
// RenderPage(index) would return (same dpi, /Rotate applied).
struct TextLayer {
  // Size and dpi of the image RenderPage(index) would return, so that a
  // born-digital page needs no rendering.
  int width = 0;  // pixels
  int height = 0;
  int dpi = 300;
  std::vector<core::Word> words;  // in content order, confidence 1
  // Fraction of the page's ink not covered by text (drawn or scanned
  // content that may hold more text, as in a page with a text layer plus an
  // image of text). In [0, 1].
  double uncovered_ink = 0;
};

// A document open for page access. Obtain with Open().
class Source {
 public:
  virtual ~Source() = default;
  virtual Format format() const = 0;
  virtual int PageCount() const = 0;
  // The page as an image, upright (EXIF orientation and /Rotate applied),
  // alpha flattened on white. Pages over Limits::max_pixels at the nominal
  // dpi are rendered at the highest dpi that fits, with a warning.
  virtual core::Result<PageImage> RenderPage(int index) = 0;
  // The PDF's own text for the page when it has a real text layer (not an
  // invisible OCR layer, not garbage); nullopt for images and pages that
  // need OCR.
  virtual std::optional<TextLayer> PageText(int index) = 0;
};

// Opens the bytes (takes ownership). Checks: type, size, encryption (a
// kEncrypted error names the password parameter), page count (0 pages or
// more than max_pages is an error), and page dimensions.
// Errors: kTooLarge (bytes, pages, or an image over max_pixels, read from
// its header), kUnsupportedType (from Sniff), kCorrupt ("the PDF is damaged
// and cannot be read", "the PDF has no pages", unreadable image headers),
// kEncrypted ("... send its password in the `password` field" or "the
// password for this PDF is wrong"). A password is tried as both user and
// owner password; one sent for a PDF that needs none is ignored.
// Pixel data is decoded only by RenderPage, one page at a time; a page that
// fails to decode gives kCorrupt ("page 2: image is corrupt"). PDFs that
// poppler repaired while opening, and pages rendered with errors, open
// normally and carry a warning on every rendered page.
// The first call silences Leptonica's and poppler's own stderr messages
// for the whole process (libpng/libjpeg may still print).
core::Result<std::unique_ptr<Source>> Open(std::string bytes, const Limits& limits,
                                           const std::string& password = "");

// What the API needs to accept a file: type and page count. Cheap: no pixels
// are decoded (for PDFs the document is opened; for TIFFs directories are
// counted; other images have their header checked). Same errors as Open().
struct Probe {
  Format format;
  int page_count = 0;
};
core::Result<Probe> ProbeFile(std::string bytes, const Limits& limits,
                              const std::string& password = "");

}  // namespace ocrchat::decode
