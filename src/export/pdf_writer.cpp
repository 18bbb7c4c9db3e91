// The pdf export: a searchable PDF made of page images, or the original PDF,
// under an invisible text layer (text render mode 3) drawn with a glyphless
// font so that each word sits on its box.
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "export/export.h"
#include "export/markup.h"

namespace ocrchat::exports {

namespace {

using core::ErrorCode;
using core::Fail;
using QH = QPDFObjectHandle;

constexpr const char* kFontResource = "/OcrChatGlyphless";
// Advance of the glyphless font's one glyph, in text space units at size 1
// (the CIDFont's /DW 500).
constexpr double kGlyphAdvance = 0.5;

// Tesseract's glyphless TrueType font: one empty glyph, any advance.
core::Result<std::string> ReadGlyphlessFont() {
  std::vector<std::string> paths;
  if (const char* prefix = std::getenv("TESSDATA_PREFIX"))
    paths.push_back(std::string(prefix) + "/pdf.ttf");
  paths.push_back("/usr/share/tesseract-ocr/5/tessdata/pdf.ttf");
  paths.push_back("/usr/share/tesseract-ocr/4.00/tessdata/pdf.ttf");
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!bytes.str().empty()) return bytes.str();
  }
  return Fail(ErrorCode::kInternal, "the PDF text layer font is not installed",
              "pdf.ttf not found in /usr/share/tesseract-ocr/5/tessdata (package tesseract-ocr)");
}

// The Type0 font (Identity-H, CID = Unicode code point, every CID drawn
// with glyph 1) as one indirect object shared by all pages.
QH MakeGlyphlessFont(QPDF& pdf, const std::string& ttf) {
  QH font_file = QH::newStream(&pdf, ttf);
  font_file.getDict().replaceKey("/Length1", QH::newInteger(static_cast<long long>(ttf.size())));

  std::string cid_to_gid(2 * 65536, '\0');
  for (size_t i = 1; i < cid_to_gid.size(); i += 2) cid_to_gid[i] = 1;
  QH cid_to_gid_map = QH::newStream(&pdf, cid_to_gid);

  QH to_unicode = QH::newStream(
      &pdf,
      "/CIDInit /ProcSet findresource begin\n"
      "12 dict begin\n"
      "begincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n"
      "/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
      "1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
      "endcmap\n"
      "CMapName currentdict /CMap defineresource pop\n"
      "end\nend\n");

  QH descriptor = pdf.makeIndirectObject(QH::parse(
      "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 1000] "
      "/ItalicAngle 0 /Ascent 1000 /Descent -1 /CapHeight 1000 /StemV 80 >>"));
  descriptor.replaceKey("/FontFile2", font_file);

  QH cid_font = pdf.makeIndirectObject(QH::parse(
      "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont "
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>"));
  cid_font.replaceKey("/FontDescriptor", descriptor);
  cid_font.replaceKey("/CIDToGIDMap", cid_to_gid_map);

  QH font = pdf.makeIndirectObject(QH::parse(
      "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H >>"));
  font.replaceKey("/DescendantFonts", QH::newArray({cid_font}));
  font.replaceKey("/ToUnicode", to_unicode);
  return font;
}

struct Point {
  double x = 0, y = 0;
};

// Where a page's recognised pixels land in PDF user space.
struct PageGeometry {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // the visible box (CropBox) in user space
  int rotate = 0;        // the page's /Rotate, 0/90/180/270
  int turned = 0;        // Page.rotation: clockwise turn from rendered to recognised image
  double width_px = 0;   // the recognised image
  double height_px = 0;

  Point Map(double x, double y) const {
    // Recognised image -> the image as rendered (upright as displayed).
    double rw = width_px, rh = height_px;
    if (turned == 90 || turned == 270) std::swap(rw, rh);
    double rx = x, ry = y;
    switch (turned) {
      case 90: rx = y; ry = rh - x; break;
      case 180: rx = rw - x; ry = rh - y; break;
      case 270: rx = rw - y; ry = x; break;
      default: break;
    }
    // Rendered pixels -> displayed points from the top-left corner.
    double cw = x1 - x0, ch = y1 - y0;
    double dw = cw, dh = ch;
    if (rotate == 90 || rotate == 270) std::swap(dw, dh);
    double dx = rw > 0 ? rx * dw / rw : 0, dy = rh > 0 ? ry * dh / rh : 0;
    // Displayed -> user space: the page is shown turned clockwise by /Rotate.
    switch (rotate) {
      case 90: return {x0 + dy, y0 + dx};
      case 180: return {x1 - dx, y0 + dy};
      case 270: return {x1 - dy, y1 - dx};
      default: return {x0 + dx, y1 - dy};
    }
  }
};

int NormalizeAngle(long long angle) {
  int a = static_cast<int>(((angle % 360) + 360) % 360);
  return a - a % 90;
}

void AppendNumber(double value, std::string* out) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", std::abs(value) < 1e-6 ? 0.0 : value);
  std::string text = buffer;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  *out += text;
  *out += ' ';
}

// The invisible text of one page: each word's baseline runs along the bottom
// of its box, its height is the box height and
// Tz stretches it to the box width. Words in reading order.
std::string TextLayer(const core::Page& page, const PageGeometry& geometry) {
  std::string out = "BT\n3 Tr\n";
  out += kFontResource;
  out += " 1 Tf\n";
  bool any = false;
  for (const core::Block& block : page.blocks) {
    for (const core::Line& line : PositionedLines(block)) {
      for (const core::Word& word : line.words) {
        if (word.bbox.Empty()) continue;
        std::u32string text = core::DecodeUtf8(core::StripControl(word.text));
        // Right-to-left words are drawn in visual order, left to right, as
        // PDF producers do; readers turn them back into logical order.
        if (StartsRightToLeft(text)) std::reverse(text.begin(), text.end());
        std::string hex;
        int glyphs = 0;
        for (char32_t c : text) {
          // Astral characters would need two CIDs; they are left out.
          if (c >= 0x10000 || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFD) continue;
          char code[8];
          std::snprintf(code, sizeof code, "%04X", static_cast<unsigned>(c));
          hex += code;
          ++glyphs;
        }
        if (glyphs == 0) continue;
        const core::Box& b = word.bbox;
        Point origin = geometry.Map(b.x0, b.y1);
        Point end = geometry.Map(b.x1, b.y1);
        Point top = geometry.Map(b.x0, b.y0);
        double ux = end.x - origin.x, uy = end.y - origin.y;
        double vx = top.x - origin.x, vy = top.y - origin.y;
        double length = std::hypot(ux, uy), height = std::hypot(vx, vy);
        if (length <= 0 || height <= 0) continue;
        // Text space x runs along the baseline, y up the box; one unit is
        // the box height, so at size 1 the glyphs fill the box vertically.
        double a = ux / length * height, bb = uy / length * height;
        for (double v : {a, bb, vx, vy, origin.x, origin.y}) AppendNumber(v, &out);
        out += "Tm\n";
        AppendNumber(100.0 * length / (glyphs * kGlyphAdvance * height), &out);
        out += "Tz\n<" + hex + "> Tj\n";
        any = true;
      }
    }
  }
  if (!any) return "";
  out += "ET\n";
  return out;
}

core::Result<std::string> WritePdf(QPDF& pdf) {
  QPDFWriter writer(pdf);
  writer.setOutputMemory();
  writer.write();
  std::shared_ptr<Buffer> buffer = writer.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

// Adds the font to the page's resources under a name of its own.
void AddFontResource(QPDFPageObjectHelper& page, QH font) {
  QH resources = page.getAttribute("/Resources", true);
  if (!resources.isDictionary()) {
    resources = QH::newDictionary();
    page.getObjectHandle().replaceKey("/Resources", resources);
  }
  QH fonts = resources.getKey("/Font");
  if (!fonts.isDictionary()) {
    fonts = QH::newDictionary();
    resources.replaceKey("/Font", fonts);
  }
  fonts.replaceKey(kFontResource, font);
}

const char* ColorSpace(const PdfPageImage& image) {
  return image.components == 3 ? "/DeviceRGB" : image.components == 4 ? "/DeviceCMYK" : "/DeviceGray";
}

}  // namespace

core::Result<std::string> WriteSearchablePdf(const core::Document& document,
                                             const std::vector<PdfPageImage>& images) {
  if (images.size() != document.pages.size())
    return Fail(ErrorCode::kInternal, "could not build the PDF",
                "WriteSearchablePdf: " + std::to_string(images.size()) + " images for " +
                    std::to_string(document.pages.size()) + " pages");
  auto ttf = ReadGlyphlessFont();
  if (!ttf) return std::unexpected(ttf.error());
  try {
    QPDF pdf;
    pdf.emptyPDF();
    QH font = MakeGlyphlessFont(pdf, *ttf);
    for (size_t i = 0; i < images.size(); ++i) {
      const PdfPageImage& image = images[i];
      const core::Page& page = document.pages[i];
      if (image.width <= 0 || image.height <= 0 || image.data.empty())
        return Fail(ErrorCode::kInternal, "could not build the PDF",
                    "page " + std::to_string(i + 1) + ": empty image");
      int dpi = image.dpi > 0 ? image.dpi : 300;
      double width_pt = 72.0 * image.width / dpi, height_pt = 72.0 * image.height / dpi;

      QH xobject = QH::newStream(&pdf);
      QH dict = xobject.getDict();
      dict.replaceKey("/Type", QH::newName("/XObject"));
      dict.replaceKey("/Subtype", QH::newName("/Image"));
      dict.replaceKey("/Width", QH::newInteger(image.width));
      dict.replaceKey("/Height", QH::newInteger(image.height));
      QH filter, parms = QH::newNull();
      switch (image.codec) {
        case PdfPageImage::Codec::kJpeg:
          filter = QH::newName("/DCTDecode");
          dict.replaceKey("/BitsPerComponent", QH::newInteger(8));
          dict.replaceKey("/ColorSpace", QH::newName(ColorSpace(image)));
          break;
        case PdfPageImage::Codec::kCcittG4:
          filter = QH::newName("/CCITTFaxDecode");
          parms = QH::parse("<< /K -1 /BlackIs1 false >>");
          parms.replaceKey("/Columns", QH::newInteger(image.width));
          parms.replaceKey("/Rows", QH::newInteger(image.height));
          dict.replaceKey("/BitsPerComponent", QH::newInteger(1));
          dict.replaceKey("/ColorSpace", QH::newName("/DeviceGray"));
          break;
        case PdfPageImage::Codec::kFlate:
          filter = QH::newName("/FlateDecode");
          dict.replaceKey("/BitsPerComponent", QH::newInteger(image.bits_per_component));
          dict.replaceKey("/ColorSpace", QH::newName(ColorSpace(image)));
          break;
      }
      xobject.replaceStreamData(image.data, filter, parms);

      // The boxes are in pixels of the recognised image: the image given
      // here, or the same turned back by Page.rotation when its sides are
      // swapped.
      PageGeometry geometry{0, 0, width_pt, height_pt, 0, 0, 0, 0};
      geometry.width_px = page.width > 0 ? page.width : image.width;
      geometry.height_px = page.height > 0 ? page.height : image.height;
      if ((page.rotation == 90 || page.rotation == 270) && page.width == image.height &&
          page.height == image.width && page.width != page.height)
        geometry.turned = page.rotation;

      std::string content;
      content += "q\n";
      AppendNumber(width_pt, &content);
      content += "0 0 ";
      AppendNumber(height_pt, &content);
      content += "0 0 cm\n/Im0 Do\nQ\n";
      content += TextLayer(page, geometry);

      QH resources = QH::newDictionary();
      QH xobjects = QH::newDictionary();
      xobjects.replaceKey("/Im0", xobject);
      resources.replaceKey("/XObject", xobjects);
      QH fonts = QH::newDictionary();
      fonts.replaceKey(kFontResource, font);
      resources.replaceKey("/Font", fonts);

      QH page_object = pdf.makeIndirectObject(QH::newDictionary());
      page_object.replaceKey("/Type", QH::newName("/Page"));
      page_object.replaceKey("/MediaBox", QH::newArray(QPDFObjectHandle::Rectangle(
                                              0, 0, width_pt, height_pt)));
      page_object.replaceKey("/Resources", resources);
      page_object.replaceKey("/Contents", QH::newStream(&pdf, content));
      QPDFPageDocumentHelper(pdf).addPage(QPDFPageObjectHelper(page_object), false);
    }
    return WritePdf(pdf);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, "could not build the PDF", e.what());
  }
}

core::Result<std::string> AddTextLayerToPdf(std::string_view original_pdf,
                                            const core::Document& document,
                                            const std::string& password) {
  auto ttf = ReadGlyphlessFont();
  if (!ttf) return std::unexpected(ttf.error());
  QPDF pdf;
  pdf.setSuppressWarnings(true);
  try {
    pdf.processMemoryFile("upload.pdf", original_pdf.data(), original_pdf.size(),
                          password.empty() ? nullptr : password.c_str());
  } catch (const QPDFExc& e) {
    if (e.getErrorCode() == qpdf_e_password)
      return Fail(ErrorCode::kEncrypted, "the PDF needs a (different) password", e.what());
    return Fail(ErrorCode::kCorrupt, "the PDF cannot be read", e.what());
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kCorrupt, "the PDF cannot be read", e.what());
  }
  try {
    std::vector<QPDFPageObjectHelper> pdf_pages = QPDFPageDocumentHelper(pdf).getAllPages();
    QH font;
    for (const core::Page& page : document.pages) {
      // Pages read from their image get a text layer; a PDF's own text has one.
      if (page.source != core::TextSource::kOcr && page.source != core::TextSource::kVlm) continue;
      if (page.index < 0 || page.index >= static_cast<int>(pdf_pages.size())) continue;
      QPDFPageObjectHelper& pdf_page = pdf_pages[page.index];

      PageGeometry geometry;
      QPDFObjectHandle::Rectangle box = pdf_page.getCropBox(false, false).getArrayAsRectangle();
      geometry.x0 = std::min(box.llx, box.urx);
      geometry.x1 = std::max(box.llx, box.urx);
      geometry.y0 = std::min(box.lly, box.ury);
      geometry.y1 = std::max(box.lly, box.ury);
      QH rotate = pdf_page.getAttribute("/Rotate", false);
      geometry.rotate = rotate.isInteger() ? NormalizeAngle(rotate.getIntValue()) : 0;
      geometry.turned = NormalizeAngle(page.rotation);
      double display_w = geometry.x1 - geometry.x0, display_h = geometry.y1 - geometry.y0;
      if (geometry.rotate == 90 || geometry.rotate == 270) std::swap(display_w, display_h);
      if (geometry.turned == 90 || geometry.turned == 270) std::swap(display_w, display_h);
      int dpi = page.dpi > 0 ? page.dpi : 300;
      geometry.width_px = page.width > 0 ? page.width : display_w * dpi / 72;
      geometry.height_px = page.height > 0 ? page.height : display_h * dpi / 72;

      std::string text = TextLayer(page, geometry);
      if (text.empty()) continue;
      if (!font.isInitialized()) font = MakeGlyphlessFont(pdf, *ttf);
      AddFontResource(pdf_page, font);
      // The original content stays byte for byte; q/Q around it undoes any
      // transformation it leaves behind before the text layer is drawn.
      pdf_page.addPageContents(QH::newStream(&pdf, "q\n"), true);
      pdf_page.addPageContents(QH::newStream(&pdf, "\nQ\n" + text), false);
    }
    return WritePdf(pdf);
  } catch (const QPDFExc& e) {
    return Fail(ErrorCode::kCorrupt, "the PDF cannot be rewritten", e.what());
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, "could not add the text layer to the PDF", e.what());
  }
}

}  // namespace ocrchat::exports
