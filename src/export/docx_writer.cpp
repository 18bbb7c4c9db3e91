// The docx export: an OOXML WordprocessingML package (libzip) with heading
// styles, paragraphs, bullet lists, real tables with merged cells, and one
// section per page.
#include <zip.h>

#include <algorithm>
#include <memory>

#include "core/text.h"
#include "export/export.h"
#include "export/markup.h"

namespace ocrchat::exports {

namespace {

using std::to_string;

constexpr const char* kWordNamespaces =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

constexpr const char* kContentTypes =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/numbering.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" "
    "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>";

constexpr const char* kPackageRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "</Relationships>";

constexpr const char* kDocumentRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/numbering\" Target=\"numbering.xml\"/>"
    "</Relationships>";

constexpr const char* kNumbering =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/>"
    "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/>"
    "<w:lvlText w:val=\"\xE2\x80\xA2\"/><w:lvlJc w:val=\"left\"/>"
    "<w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:lvl></w:abstractNum>"
    "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"
    "</w:numbering>";

std::string Styles(const std::string& lang) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:docDefaults><w:rPrDefault><w:rPr>"
      "<w:rFonts w:ascii=\"Calibri\" w:hAnsi=\"Calibri\" w:eastAsia=\"Noto Sans CJK SC\" "
      "w:cs=\"Noto Sans Arabic\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>"
      "<w:lang w:val=\"" +
      lang +
      "\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>"
      "<w:pPrDefault><w:pPr><w:spacing w:after=\"160\" w:line=\"259\" w:lineRule=\"auto\"/>"
      "</w:pPr></w:pPrDefault></w:docDefaults>"
      "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
      "<w:qFormat/></w:style>"
      "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
      "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
      "<w:pPr><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:sz w:val=\"56\"/>"
      "<w:szCs w:val=\"56\"/></w:rPr></w:style>";
  static constexpr int kSizes[] = {40, 32, 28, 26, 24, 22};
  for (int level = 1; level <= 6; ++level) {
    std::string id = "Heading" + to_string(level);
    std::string size = to_string(kSizes[level - 1]);
    out += "<w:style w:type=\"paragraph\" w:styleId=\"" + id + "\"><w:name w:val=\"heading " +
           to_string(level) +
           "\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority "
           "w:val=\"9\"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing "
           "w:before=\"240\" w:after=\"80\"/><w:outlineLvl w:val=\"" +
           to_string(level - 1) + "\"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val=\"" + size +
           "\"/><w:szCs w:val=\"" + size + "\"/></w:rPr></w:style>";
  }
  out +=
      "<w:style w:type=\"paragraph\" w:styleId=\"ListBullet\"><w:name w:val=\"List Bullet\"/>"
      "<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:numPr><w:numId w:val=\"1\"/></w:numPr>"
      "<w:spacing w:after=\"40\"/><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:style>"
      "<w:style w:type=\"paragraph\" w:styleId=\"ListNumber\"><w:name w:val=\"List Number\"/>"
      "<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:after=\"40\"/>"
      "<w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:style>"
      "<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/>"
      "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
      "<w:rPr><w:i/><w:iCs/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>"
      "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">"
      "<w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/>"
      "<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar>"
      "<w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>"
      "<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>"
      "</w:tblCellMar></w:tblPr></w:style>"
      "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>"
      "<w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/>"
      "<w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
      "<w:tblPr><w:tblBorders>"
      "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
      "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
      "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
      "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
      "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
      "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>"
      "</w:tblBorders></w:tblPr></w:style>"
      "</w:styles>";
  return out;
}

std::string CoreProperties(const JobInfo& info, const std::string& lang) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<cp:coreProperties "
      "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
      "<dc:title>" +
      EscapeXmlLine(info.filename) + "</dc:title><dc:creator>ocrchat</dc:creator>";
  if (!lang.empty()) out += "<dc:language>" + lang + "</dc:language>";
  // dcterms:W3CDTF wants a well-formed date; anything else is left out.
  const std::string& created = info.created_at;
  bool date_like = created.size() >= 20 && created[4] == '-' && created[10] == 'T' &&
                   created.back() == 'Z' &&
                   created.find_first_not_of("0123456789-T:.Z") == std::string::npos;
  if (date_like)
    out += "<dcterms:created xsi:type=\"dcterms:W3CDTF\">" + created + "</dcterms:created>";
  out += "</cp:coreProperties>";
  return out;
}

// Runs of text, split where the direction changes so that right-to-left
// words are marked as such.
std::string Runs(std::string_view raw, bool bold = false) {
  std::string text = core::NormalizeSpace(core::StripControl(raw));
  if (text.empty()) return "";
  std::string out;
  auto flush = [&](const std::string& run, bool rtl) {
    if (run.empty()) return;
    out += "<w:r>";
    if (bold || rtl) {
      out += "<w:rPr>";
      if (bold) out += "<w:b/><w:bCs/>";
      if (rtl) out += "<w:rtl/>";
      out += "</w:rPr>";
    }
    out += "<w:t xml:space=\"preserve\">" + EscapeXmlLine(run) + "</w:t></w:r>";
  };
  std::string run;
  bool run_rtl = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    bool rtl = StartsRightToLeft(core::DecodeUtf8(word));
    if (!run.empty() && rtl != run_rtl) {
      flush(run, run_rtl);
      run.clear();
    }
    run_rtl = rtl;
    run += word;
    if (end < text.size()) run += ' ';
    start = end + 1;
  }
  flush(run, run_rtl);
  return out;
}

std::string Paragraph(std::string_view text, const std::string& style = "", bool bold = false) {
  std::string runs = Runs(text, bold);
  std::string out = "<w:p>";
  bool rtl = StartsRightToLeft(core::DecodeUtf8(core::StripControl(text)));
  if (!style.empty() || rtl) {
    out += "<w:pPr>";
    if (!style.empty()) out += "<w:pStyle w:val=\"" + style + "\"/>";
    if (rtl) out += "<w:bidi/>";
    out += "</w:pPr>";
  }
  return out + runs + "</w:p>";
}

// Lines joined into one paragraph: by a space, or directly between CJK.
std::string JoinLines(const std::vector<core::Line>& lines) {
  std::string out;
  for (const core::Line& line : lines) {
    std::string text = line.Text();
    if (text.empty()) continue;
    if (!out.empty() && !(core::EndsWithCjk(out) && core::StartsWithCjk(text))) out += ' ';
    out += text;
  }
  return out;
}

std::string TableXml(const core::Table& table, int page_width_twips) {
  int rows = std::max(table.rows, 0), cols = std::max(table.cols, 0);
  if (rows == 0 || cols == 0) return "";
  // Which cell covers each grid position: the first that claims it.
  std::vector<std::vector<const core::TableCell*>> owner(
      rows, std::vector<const core::TableCell*>(cols, nullptr));
  for (const core::TableCell& cell : table.cells) {
    if (cell.row < 0 || cell.col < 0 || cell.row >= rows || cell.col >= cols) continue;
    int row_end = std::min(rows, cell.row + std::max(cell.row_span, 1));
    int col_end = std::min(cols, cell.col + std::max(cell.col_span, 1));
    bool free = true;
    for (int r = cell.row; r < row_end && free; ++r)
      for (int c = cell.col; c < col_end; ++c)
        if (owner[r][c]) free = false;
    if (!free) continue;
    for (int r = cell.row; r < row_end; ++r)
      for (int c = cell.col; c < col_end; ++c) owner[r][c] = &cell;
  }
  int col_width = std::max(page_width_twips / cols, 200);
  std::string out =
      "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/>"
      "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" "
      "w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>";
  for (int c = 0; c < cols; ++c) out += "<w:gridCol w:w=\"" + to_string(col_width) + "\"/>";
  out += "</w:tblGrid>";
  for (int r = 0; r < rows; ++r) {
    bool header = table.header_row && r == 0;
    out += "<w:tr>";
    if (header) out += "<w:trPr><w:tblHeader/></w:trPr>";
    for (int c = 0; c < cols;) {
      const core::TableCell* cell = owner[r][c];
      int span = 1;
      if (cell) {
        int col_end = std::min(cols, cell->col + std::max(cell->col_span, 1));
        span = col_end - c;
      }
      out += "<w:tc><w:tcPr><w:tcW w:w=\"" + to_string(col_width * span) + "\" w:type=\"dxa\"/>";
      if (span > 1) out += "<w:gridSpan w:val=\"" + to_string(span) + "\"/>";
      bool vertical = cell && std::max(cell->row_span, 1) > 1 && cell->row + 1 < rows;
      if (vertical) out += cell->row == r ? "<w:vMerge w:val=\"restart\"/>" : "<w:vMerge/>";
      out += "</w:tcPr>";
      if (cell && cell->row == r) {
        // A cell holds at least one paragraph; each line of its text is one.
        std::string text = core::StripControl(cell->text);
        size_t start = 0;
        do {
          size_t end = text.find('\n', start);
          if (end == std::string::npos) end = text.size();
          out += Paragraph(std::string_view(text).substr(start, end - start), "", header);
          start = end + 1;
        } while (start <= text.size() && start < text.size());
      } else {
        out += "<w:p/>";
      }
      out += "</w:tc>";
      c += span;
    }
    out += "</w:tr>";
  }
  return out + "</w:tbl>";
}

std::string SectionProperties(const core::Page& page, bool next_page) {
  int dpi = page.dpi > 0 ? page.dpi : 300;
  // Twentieths of a point; A4 when the page size is unknown.
  int width = page.width > 0 ? static_cast<int>(1440LL * page.width / dpi) : 11906;
  int height = page.height > 0 ? static_cast<int>(1440LL * page.height / dpi) : 16838;
  width = std::clamp(width, 2880, 31680);
  height = std::clamp(height, 2880, 31680);
  int margin = std::min({1134, width / 8, height / 8});
  std::string out = "<w:sectPr>";
  if (next_page) out += "<w:type w:val=\"nextPage\"/>";
  out += "<w:pgSz w:w=\"" + to_string(width) + "\" w:h=\"" + to_string(height) + "\"";
  if (width > height) out += " w:orient=\"landscape\"";
  std::string m = to_string(margin);
  out += "/><w:pgMar w:top=\"" + m + "\" w:right=\"" + m + "\" w:bottom=\"" + m +
         "\" w:left=\"" + m + "\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr>";
  return out;
}

int TextWidthTwips(const core::Page& page) {
  int dpi = page.dpi > 0 ? page.dpi : 300;
  int width = page.width > 0 ? static_cast<int>(1440LL * page.width / dpi) : 11906;
  width = std::clamp(width, 2880, 31680);
  return width - 2 * std::min(1134, width / 8);
}

std::string DocumentXml(const core::Document& document) {
  std::string body;
  for (size_t p = 0; p < document.pages.size(); ++p) {
    const core::Page& page = document.pages[p];
    for (const core::Block& block : page.blocks) {
      switch (block.type) {
        case core::BlockType::kHeading:
          body += Paragraph(JoinLines(block.lines),
                            "Heading" + to_string(std::clamp(block.level, 1, 6)));
          break;
        case core::BlockType::kList:
          for (const ListItem& item : ListItems(block))
            body += item.numbered ? Paragraph(item.marker + ' ' + item.text, "ListNumber")
                                  : Paragraph(item.text, "ListBullet");
          break;
        case core::BlockType::kTable:
          if (block.table && !block.table->cells.empty()) {
            body += TableXml(*block.table, TextWidthTwips(page));
            break;
          }
          [[fallthrough]];
        default: {
          std::string text = JoinLines(block.lines);
          if (!core::NormalizeSpace(text).empty())
            body += Paragraph(text, block.type == core::BlockType::kCaption ? "Caption" : "");
        }
      }
    }
    // Each page is a section of its own size; the break to the next one is
    // carried by the last paragraph of the page.
    if (p + 1 < document.pages.size())
      body += "<w:p><w:pPr>" + SectionProperties(page, true) + "</w:pPr></w:p>";
  }
  // The body must not end with a table.
  if (body.empty() || body.ends_with("</w:tbl>")) body += "<w:p/>";
  core::Page last = document.pages.empty() ? core::Page{} : document.pages.back();
  if (document.pages.empty()) last.width = last.height = 0;
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document ") +
         kWordNamespaces + "><w:body>" + body + SectionProperties(last, false) +
         "</w:body></w:document>";
}

struct ZipDeleter {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};

core::Result<std::string> Package(const std::vector<std::pair<std::string, std::string>>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!source)
    return core::Fail(core::ErrorCode::kInternal, "could not build the docx",
                      zip_error_strerror(&error));
  zip_source_keep(source);
  std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> source_owner(source, zip_source_free);
  std::unique_ptr<zip_t, ZipDeleter> zip(zip_open_from_source(source, ZIP_TRUNCATE, &error));
  if (!zip)
    return core::Fail(core::ErrorCode::kInternal, "could not build the docx",
                      zip_error_strerror(&error));
  for (const auto& [name, data] : parts) {
    zip_source_t* part = zip_source_buffer(zip.get(), data.data(), data.size(), 0);
    zip_int64_t index = part ? zip_file_add(zip.get(), name.c_str(), part, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (part) zip_source_free(part);
      return core::Fail(core::ErrorCode::kInternal, "could not build the docx",
                        zip_strerror(zip.get()));
    }
    zip_set_file_compression(zip.get(), index, ZIP_CM_DEFLATE, 6);
  }
  if (zip_close(zip.get()) < 0)
    return core::Fail(core::ErrorCode::kInternal, "could not build the docx",
                      zip_strerror(zip.get()));
  zip.release();  // zip_close freed it
  zip_stat_t stat;
  if (zip_source_stat(source, &stat) < 0 || zip_source_open(source) < 0)
    return core::Fail(core::ErrorCode::kInternal, "could not build the docx",
                      zip_error_strerror(zip_source_error(source)));
  std::string out(stat.size, '\0');
  zip_int64_t read = zip_source_read(source, out.data(), out.size());
  zip_source_close(source);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size)
    return core::Fail(core::ErrorCode::kInternal, "could not build the docx", "short read");
  return out;
}

}  // namespace

core::Result<std::string> WriteDocx(const core::Document& document, const JobInfo& info) {
  std::string lang = EscapeXmlLine(LanguageTag(document));
  if (lang.empty()) lang = "en-US";
  return Package({{"[Content_Types].xml", kContentTypes},
                  {"_rels/.rels", kPackageRels},
                  {"word/document.xml", DocumentXml(document)},
                  {"word/_rels/document.xml.rels", kDocumentRels},
                  {"word/styles.xml", Styles(lang)},
                  {"word/numbering.xml", kNumbering},
                  {"docProps/core.xml", CoreProperties(info, lang)}});
}

}  // namespace ocrchat::exports
