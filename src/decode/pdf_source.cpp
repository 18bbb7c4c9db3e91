// PDFs through poppler-cpp: rendering pages and reading their text layers.
#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <mutex>
#include <string>
#include <vector>

#include "core/text.h"
#include "decode/pix_convert.h"
#include "decode/sources.h"

namespace ocrchat::decode {
namespace {

using core::ErrorCode;
using core::Fail;

constexpr double kPointsPerInch = 72.0;
// Resolution of the render used to measure ink outside the text layer.
constexpr int kInkDpi = 50;
// Margin around word boxes (pixels at kInkDpi) that still counts as covered:
// anti-aliasing and accents reach a little beyond the glyph boxes.
constexpr int kInkMargin = 2;
constexpr int kDarkThreshold = 160;

std::string PageLabel(int index) { return "page " + std::to_string(index + 1); }

constexpr const char* kRepairedWarning = "the PDF is damaged; what could be read was kept";

// Collects poppler's messages on this thread while it lives. Poppler reports
// syntax errors it recovered from only through this channel; clean files
// produce none.
class PopplerMessages {
 public:
  PopplerMessages() : previous_(current_) { current_ = this; }
  ~PopplerMessages() { current_ = previous_; }
  PopplerMessages(const PopplerMessages&) = delete;
  PopplerMessages& operator=(const PopplerMessages&) = delete;

  bool empty() const { return messages_.empty(); }
  void Clear() { messages_.clear(); }
  const std::string& first() const { return messages_.front(); }

  static void Record(const std::string& message, void*) {
    if (current_ != nullptr && current_->messages_.size() < 20) {
      current_->messages_.push_back(message);
    }
  }

 private:
  static thread_local PopplerMessages* current_;
  PopplerMessages* previous_;
  std::vector<std::string> messages_;
};

thread_local PopplerMessages* PopplerMessages::current_ = nullptr;

// Page size in points as shown (after /Rotate).
struct PageSize {
  double width = 0;
  double height = 0;
};

PageSize ShownSize(const poppler::page& page) {
  poppler::rectf box = page.page_rect(poppler::crop_box);
  PageSize size{std::abs(box.width()), std::abs(box.height())};
  auto orientation = page.orientation();
  if (orientation == poppler::page::landscape || orientation == poppler::page::seascape) {
    std::swap(size.width, size.height);
  }
  return size;
}

// Poppler's Splash sizes the bitmap by rounding the scaled page box.
int RenderedLength(double points, int dpi) {
  return std::max(1, static_cast<int>(points * dpi / kPointsPerInch + 0.5));
}

int64_t PixelsAt(const PageSize& size, int dpi) {
  double w = std::floor(size.width * dpi / kPointsPerInch + 0.5);
  double h = std::floor(size.height * dpi / kPointsPerInch + 0.5);
  double pixels = w * h;
  return pixels > 9e18 ? INT64_MAX : static_cast<int64_t>(pixels);
}

// Characters dropped from words.
bool IsControl(char32_t c) {
  return c == 0xFFFD || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
         (c >= 0x7F && c < 0xA0);
}

// Characters that mark a text layer as garbage when they are common:
// controls, and UTF-16 read in the wrong byte order (ASCII letters turned
// into U+XX00, as fonts with a broken ToUnicode map produce).
bool IsGarbage(char32_t c) {
  return IsControl(c) || ((c & 0xFF) == 0 && (c >> 8) >= 0x20 && (c >> 8) < 0x7F);
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x3000 ||
         (c >= 0x2000 && c <= 0x200B);
}

class PdfSource : public Source {
 public:
  PdfSource(std::unique_ptr<std::string> bytes, std::unique_ptr<poppler::document> document,
            const Limits& limits, bool repaired)
      : bytes_(std::move(bytes)),
        document_(std::move(document)),
        limits_(limits),
        repaired_(repaired) {
    pages_ = document_->pages();
  }

  Format format() const override { return Format::kPdf; }
  int PageCount() const override { return pages_; }

  core::Result<PageImage> RenderPage(int index) override {
    try {
      auto page = LoadPage(index);
      if (!page) return std::unexpected(page.error());
      auto dpi = RenderDpi(**page, index);
      if (!dpi) return std::unexpected(dpi.error());
      PageImage image;
      if (repaired_) image.warnings.push_back(kRepairedWarning);
      if (*dpi < limits_.dpi) {
        image.warnings.push_back(PageLabel(index) + ": rendered at " + std::to_string(*dpi) +
                                 " dpi to fit the pixel limit");
      }
      PopplerMessages messages;
      auto pix = Render(**page, *dpi);
      if (!pix) {
        return Fail(ErrorCode::kCorrupt, PageLabel(index) + ": the page cannot be rendered",
                    messages.empty() ? "" : messages.first());
      }
      if (!messages.empty()) {
        image.warnings.push_back(PageLabel(index) + ": the page has errors and may be incomplete");
      }
      image.pix = std::move(pix);
      image.dpi = *dpi;
      image.dpi_given = true;
      pixSetResolution(image.pix.get(), *dpi, *dpi);
      return image;
    } catch (const std::bad_alloc&) {
      return Fail(ErrorCode::kTooLarge, PageLabel(index) + ": the page is too large to render");
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kCorrupt, PageLabel(index) + ": the page cannot be rendered",
                  e.what());
    }
  }

  std::optional<TextLayer> PageText(int index) override {
    try {
      auto page = LoadPage(index);
      if (!page) return std::nullopt;
      auto dpi = RenderDpi(**page, index);
      if (!dpi) return std::nullopt;
      return ReadText(**page, *dpi);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

 private:
  core::Result<std::unique_ptr<poppler::page>> LoadPage(int index) const {
    if (index < 0 || index >= pages_) {
      return Fail(ErrorCode::kInvalidParameter, PageLabel(index) + " does not exist");
    }
    std::unique_ptr<poppler::page> page(document_->create_page(index));
    if (!page) return Fail(ErrorCode::kCorrupt, PageLabel(index) + ": the page cannot be read");
    return page;
  }

  // The nominal dpi, or the largest one under which the page fits the
  // pixel limit, computed from the page box before anything is rendered.
  core::Result<int> RenderDpi(const poppler::page& page, int index) const {
    PageSize size = ShownSize(page);
    if (!(size.width >= 1 && size.height >= 1) || !std::isfinite(size.width * size.height)) {
      return Fail(ErrorCode::kCorrupt, PageLabel(index) + ": the page has no size");
    }
    int dpi = limits_.dpi;
    if (PixelsAt(size, dpi) <= limits_.max_pixels) return dpi;
    double scale = std::sqrt(static_cast<double>(limits_.max_pixels) /
                             static_cast<double>(PixelsAt(size, dpi)));
    dpi = std::max(1, static_cast<int>(dpi * scale));
    while (dpi > 1 && PixelsAt(size, dpi) > limits_.max_pixels) --dpi;
    if (PixelsAt(size, dpi) > limits_.max_pixels) {
      return Fail(ErrorCode::kTooLarge, PageLabel(index) + ": the page is too large to render");
    }
    return dpi;
  }

  PixPtr Render(const poppler::page& page, int dpi) const {
    poppler::page_renderer renderer;
    renderer.set_render_hint(poppler::page_renderer::antialiasing);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing);
    renderer.set_paper_color(0xffffffff);
    renderer.set_image_format(poppler::image::format_gray8);
    poppler::image image = renderer.render_page(&page, dpi, dpi);
    if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) return nullptr;
    if (static_cast<int64_t>(image.width()) * image.height() > limits_.max_pixels * 11 / 10) {
      return nullptr;
    }
    switch (image.format()) {
      case poppler::image::format_gray8:
        return PixFromGray8(image.const_data(), image.width(), image.height(),
                            image.bytes_per_row());
      case poppler::image::format_argb32:
        return PixFromArgb32(image.const_data(), image.width(), image.height(),
                             image.bytes_per_row());
      default:
        return nullptr;
    }
  }

  std::optional<TextLayer> ReadText(const poppler::page& page, int dpi) const {
    std::vector<poppler::text_box> boxes = page.text_list(poppler::page::text_list_include_font);
    if (boxes.empty()) return std::nullopt;
    const double scale = dpi / kPointsPerInch;
    PageSize size = ShownSize(page);
    const int max_x = RenderedLength(size.width, dpi);
    const int max_y = RenderedLength(size.height, dpi);

    TextLayer layer;
    layer.width = max_x;
    layer.height = max_y;
    layer.dpi = dpi;
    size_t bad = 0, total = 0, glyphless = 0, with_text = 0;
    for (const poppler::text_box& box : boxes) {
      poppler::byte_array utf8 = box.text().to_utf8();
      std::u32string cps = core::DecodeUtf8(std::string_view(utf8.data(), utf8.size()));
      bool has_text = false;
      for (char32_t c : cps) {
        if (IsSpace(c)) continue;
        ++total;
        if (IsGarbage(c)) ++bad;
        if (!IsControl(c)) has_text = true;
      }
      if (!has_text) continue;
      ++with_text;
      if (box.has_font_info() && box.get_font_name().find("GlyphLessFont") != std::string::npos) {
        ++glyphless;
      }
      AppendWords(box, cps, scale, max_x, max_y, layer.words);
    }
    // An invisible OCR layer (Tesseract, OCRmyPDF) or a font without a
    // Unicode mapping: the page needs OCR.
    if (layer.words.empty() || glyphless * 2 >= with_text || bad * 10 >= total * 3) {
      return std::nullopt;
    }
    layer.uncovered_ink = UncoveredInk(page, dpi, layer.words);
    return layer;
  }

  // Splits a poppler box at spaces into words, without control characters,
  // with boxes in pixels at `scale` pixels per point.
  static void AppendWords(const poppler::text_box& box, const std::u32string& cps, double scale,
                          int max_x, int max_y, std::vector<core::Word>& out) {
    poppler::rectf whole = box.bbox();
    auto to_pixels = [&](double x0, double y0, double x1, double y1) {
      core::Box b;
      b.x0 = std::clamp(static_cast<int>(std::floor(x0 * scale)), 0, max_x);
      b.y0 = std::clamp(static_cast<int>(std::floor(y0 * scale)), 0, max_y);
      b.x1 = std::clamp(static_cast<int>(std::ceil(x1 * scale)), 0, max_x);
      b.y1 = std::clamp(static_cast<int>(std::ceil(y1 * scale)), 0, max_y);
      return b;
    };
    bool single = std::none_of(cps.begin(), cps.end(), IsSpace);
    if (single) {
      std::u32string clean;
      for (char32_t c : cps) {
        if (!IsControl(c)) clean.push_back(c);
      }
      out.push_back(core::Word{core::EncodeUtf8(clean),
                               to_pixels(whole.left(), whole.top(), whole.right(), whole.bottom()),
                               1.0f});
      return;
    }
    // Several words in one box: take each word's extent from its glyph
    // boxes, or a share of the box in proportion to its length.
    const size_t n = cps.size();
    size_t i = 0;
    while (i < n) {
      while (i < n && IsSpace(cps[i])) ++i;
      size_t start = i;
      while (i < n && !IsSpace(cps[i])) ++i;
      if (start == i) break;
      std::u32string clean;
      double left = 1e300, top = 1e300, right = -1e300, bottom = -1e300;
      bool glyphs = true;
      for (size_t k = start; k < i; ++k) {
        if (!IsControl(cps[k])) clean.push_back(cps[k]);
        poppler::rectf g = box.char_bbox(k);
        if (g.width() == 0 && g.height() == 0) {
          glyphs = false;
          continue;
        }
        left = std::min(left, g.left());
        top = std::min(top, g.top());
        right = std::max(right, g.right());
        bottom = std::max(bottom, g.bottom());
      }
      if (clean.empty()) continue;
      if (!glyphs || left > right) {
        bool horizontal = whole.width() >= whole.height();
        double from = static_cast<double>(start) / n, to = static_cast<double>(i) / n;
        if (horizontal) {
          left = whole.left() + whole.width() * from;
          right = whole.left() + whole.width() * to;
          top = whole.top();
          bottom = whole.bottom();
        } else {
          top = whole.top() + whole.height() * from;
          bottom = whole.top() + whole.height() * to;
          left = whole.left();
          right = whole.right();
        }
      }
      out.push_back(core::Word{core::EncodeUtf8(clean), to_pixels(left, top, right, bottom), 1.0f});
    }
  }

  // Dark pixels of a low-resolution render outside the (grown) word boxes,
  // as a fraction of all dark pixels.
  double UncoveredInk(const poppler::page& page, int dpi,
                      const std::vector<core::Word>& words) const {
    int ink_dpi = std::min(kInkDpi, dpi);
    PixPtr pix = Render(page, ink_dpi);
    if (!pix) return 0;
    const int w = pixGetWidth(pix.get()), h = pixGetHeight(pix.get());
    std::vector<uint8_t> covered(static_cast<size_t>(w) * h, 0);
    const double ratio = static_cast<double>(ink_dpi) / dpi;
    for (const core::Word& word : words) {
      int x0 = std::max(0, static_cast<int>(word.bbox.x0 * ratio) - kInkMargin);
      int y0 = std::max(0, static_cast<int>(word.bbox.y0 * ratio) - kInkMargin);
      int x1 = std::min(w, static_cast<int>(std::ceil(word.bbox.x1 * ratio)) + kInkMargin);
      int y1 = std::min(h, static_cast<int>(std::ceil(word.bbox.y1 * ratio)) + kInkMargin);
      for (int y = y0; y < y1; ++y) {
        std::fill(covered.begin() + static_cast<size_t>(y) * w + x0,
                  covered.begin() + static_cast<size_t>(y) * w + std::max(x0, x1), 1);
      }
    }
    // Ruling lines, form fields and filled areas are ink but not text:
    // dark runs longer than any glyph stroke at this resolution are skipped.
    const int long_run = std::max(10, ink_dpi * 2 / 5);
    std::vector<uint8_t> dark(static_cast<size_t>(w) * h, 0);
    const l_uint32* data = pixGetData(pix.get());
    const int wpl = pixGetWpl(pix.get());
    for (int y = 0; y < h; ++y) {
      const l_uint32* line = data + static_cast<size_t>(y) * wpl;
      for (int x = 0; x < w; ++x) {
        dark[static_cast<size_t>(y) * w + x] =
            static_cast<int>(GET_DATA_BYTE(line, x)) < kDarkThreshold ? 1 : 0;
      }
    }
    std::vector<uint8_t> in_long_run(dark.size(), 0);
    auto mark_runs = [&](int count, int length, auto index_of) {
      for (int line = 0; line < count; ++line) {
        int run = 0;
        for (int i = 0; i <= length; ++i) {
          if (i < length && dark[index_of(line, i)]) {
            ++run;
            continue;
          }
          if (run >= long_run) {
            for (int k = i - run; k < i; ++k) in_long_run[index_of(line, k)] = 1;
          }
          run = 0;
        }
      }
    };
    mark_runs(h, w, [&](int y, int x) { return static_cast<size_t>(y) * w + x; });
    mark_runs(w, h, [&](int x, int y) { return static_cast<size_t>(y) * w + x; });
    int64_t dark_count = 0, uncovered = 0;
    for (size_t i = 0; i < dark.size(); ++i) {
      if (!dark[i] || in_long_run[i]) continue;
      ++dark_count;
      if (!covered[i]) ++uncovered;
    }
    return dark_count == 0 ? 0.0 : static_cast<double>(uncovered) / static_cast<double>(dark_count);
  }
  // Poppler reads from this buffer for the document's lifetime.
  std::unique_ptr<std::string> bytes_;
  std::unique_ptr<poppler::document> document_;
  Limits limits_;
  bool repaired_ = false;  // poppler reported errors while opening
  int pages_ = 0;
};

std::unique_ptr<poppler::document> LoadDocument(const std::string& bytes,
                                                const std::string& password) {
  return std::unique_ptr<poppler::document>(poppler::document::load_from_raw_data(
      bytes.data(), static_cast<int>(bytes.size()), password, password));
}

}  // namespace

void SilenceLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    poppler::set_debug_error_function(&PopplerMessages::Record, nullptr);
    setMsgSeverity(L_SEVERITY_NONE);
  });
}

core::Result<std::unique_ptr<Source>> OpenPdf(std::string bytes, const Limits& limits,
                                              const std::string& password) {
  SilenceLibraries();
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Fail(ErrorCode::kTooLarge, "the file is too large");
  }
  try {
    auto buffer = std::make_unique<std::string>(std::move(bytes));
    PopplerMessages messages;
    std::unique_ptr<poppler::document> document = LoadDocument(*buffer, password);
    if (document && document->is_locked() && !password.empty()) {
      // A password that was not needed (owner-password-only PDFs open with
      // an empty user password) must not stop the file from opening.
      messages.Clear();
      auto without = LoadDocument(*buffer, "");
      if (without && !without->is_locked()) document = std::move(without);
    }
    if (!document) {
      return Fail(ErrorCode::kCorrupt, "the PDF is damaged and cannot be read",
                  messages.empty() ? "poppler could not load the document" : messages.first());
    }
    if (document->is_locked()) {
      return Fail(ErrorCode::kEncrypted,
                  password.empty()
                      ? "the PDF is encrypted: send its password in the `password` field"
                      : "the password for this PDF is wrong");
    }
    int pages = document->pages();
    if (pages <= 0) return Fail(ErrorCode::kCorrupt, "the PDF has no pages");
    if (pages > limits.max_pages) {
      return Fail(ErrorCode::kTooLarge, "the PDF has " + std::to_string(pages) +
                                            " pages; the limit is " +
                                            std::to_string(limits.max_pages));
    }
    bool repaired = !messages.empty();
    return std::make_unique<PdfSource>(std::move(buffer), std::move(document), limits, repaired);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kCorrupt, "the PDF is damaged and cannot be read", e.what());
  }
}

}  // namespace ocrchat::decode
