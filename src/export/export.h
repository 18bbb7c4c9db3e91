// export: writers that turn the document model into the downloadable
// formats. Every writer takes the model (and, for pdf, the page images or
// the original PDF) and nothing else. Thread-safe: no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/document.h"
#include "core/error.h"
#include "fields/fields.h"

namespace ocrchat::exports {

enum class Format { kTxt, kMd, kDocx, kPdf, kCsv, kJson, kHocr, kAlto };

// "txt" -> kTxt ...; nullopt for an unknown name.
std::optional<Format> FormatFromName(std::string_view name);
const char* FormatName(Format format);
const char* ContentType(Format format);  // "text/plain; charset=utf-8", ...
// The list for error messages: "txt, md, docx, pdf, csv, json, hocr, alto".
std::string KnownFormats();

// What the job object says besides the document.
struct JobInfo {
  std::string uuid;
  std::string status = "done";  // pending|processing|done|failed
  std::string tier = "cpu";
  std::string language = "auto";
  std::optional<std::string> tool;
  std::string filename;
  int page_count = 0;
  int pages_done = 0;
  std::string created_at;    // RFC 3339 UTC
  std::string completed_at;  // "" while not finished
  std::optional<core::Error> error;
  std::vector<std::string> warnings;
  // The fields as extracted when the job was assembled; without them,
  // JobFields extracts them from the pages.
  std::optional<fields::Fields> fields;
};

// The fields a finished job carries: always with the tool extract-fields,
// otherwise when the document reads as an invoice or a receipt. nullopt
// while the job is not done. Those in info.fields, or else extracted from
// the document's pages.
std::optional<fields::Fields> JobFields(const JobInfo& info, const core::Document& document);

// The SPEC's job object. While not done, text and markdown are "" and
// pages holds the pages finished so far; `fields` is JobFields' (or null).
nlohmann::json JobObject(const JobInfo& info, const core::Document& document);

std::string WriteText(const core::Document& document);      // pages split by \f
std::string WriteMarkdown(const core::Document& document);  // the job's "markdown"
// With `fields`, a section "field,value,text,label,page,confidence" (and one
// of the line items) follows the tables or lines, after a blank line.
std::string WriteCsv(const core::Document& document,
                     const std::optional<fields::Fields>& fields = std::nullopt);
std::string WriteHocr(const core::Document& document, const JobInfo& info);
std::string WriteAlto(const core::Document& document, const JobInfo& info);
core::Result<std::string> WriteDocx(const core::Document& document, const JobInfo& info);

// One page image as it goes into a searchable PDF: already encoded.
struct PdfPageImage {
  enum class Codec { kJpeg, kCcittG4, kFlate } codec = Codec::kJpeg;
  std::string data;  // the encoded stream (for kFlate: zlib-compressed samples)
  int width = 0, height = 0;  // pixels
  int bits_per_component = 8;
  int components = 1;  // 1 gray (or bilevel), 3 RGB
  int dpi = 300;
};

// A searchable PDF made of the page images, each under an invisible text
// layer whose words sit on their boxes. images[i] is pages[i] as
// recognised (boxes are scaled from the page's width/height to the image; an
// image whose sides are swapped is taken as the one before Page.rotation);
// each page measures 72 * px / dpi points. The text layer uses Tesseract's
// glyphless font (tessdata/pdf.ttf, read at each call): kInternal when it is
// not installed. Characters beyond U+FFFF are left out of the text layer.
core::Result<std::string> WriteSearchablePdf(const core::Document& document,
                                             const std::vector<PdfPageImage>& images);

// The original PDF with an invisible text layer added to the pages that
// were OCRed; pages whose text came from the PDF are left untouched.
// Page.index is the PDF page (from 0); boxes are pixels of the image
// rendered with /Rotate applied over the CropBox, then turned clockwise by
// Page.rotation. The original content streams are kept byte for byte (the
// layer is appended after a q ... Q wrapper), as are links, forms and
// encryption. kEncrypted for a missing or wrong password, kCorrupt for
// bytes qpdf cannot read.
core::Result<std::string> AddTextLayerToPdf(std::string_view original_pdf,
                                            const core::Document& document,
                                            const std::string& password = "");

// The PDF without its encryption, opened with `password`.
core::Result<std::string> DecryptPdf(std::string_view pdf, const std::string& password);

}  // namespace ocrchat::exports
