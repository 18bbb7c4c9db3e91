// The hocr export: hOCR 1.2 in XHTML, one ocr_page per page with areas,
// paragraphs, lines and words, each with its box and word confidences.
#include <algorithm>
#include <cmath>

#include "export/export.h"
#include "export/markup.h"

namespace ocrchat::exports {

namespace {

using std::to_string;

std::string BboxTitle(const core::Box& box) {
  return "bbox " + to_string(box.x0) + ' ' + to_string(box.y0) + ' ' + to_string(box.x1) + ' ' +
         to_string(box.y1);
}

std::string Id(const char* kind, int page, int number) {
  return std::string(kind) + '_' + to_string(page) + '_' + to_string(number);
}

}  // namespace

std::string WriteHocr(const core::Document& document, const JobInfo& info) {
  std::string lang = EscapeXmlLine(LanguageTag(document));
  std::string filename = EscapeXmlLine(info.filename);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
      "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\"";
  if (!lang.empty()) out += " xml:lang=\"" + lang + "\" lang=\"" + lang + '"';
  out += ">\n<head>\n<title>" + filename +
         "</title>\n"
         "<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
         "<meta name=\"ocr-system\" content=\"ocrchat\"/>\n"
         "<meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line "
         "ocrx_word ocrp_wconf ocrp_lang\"/>\n"
         "</head>\n<body>\n";
  int block_id = 0, par_id = 0, line_id = 0, word_id = 0;
  for (const core::Page& page : document.pages) {
    int page_no = page.index + 1;
    std::string page_lang = EscapeXmlLine(LanguageTag(page, document));
    out += "<div class=\"ocr_page\" id=\"page_" + to_string(page_no) + "\" title=\"image &quot;" +
           filename + "&quot;; bbox 0 0 " + to_string(page.width) + ' ' + to_string(page.height) +
           "; ppageno " + to_string(page.index) + "; scan_res " + to_string(page.dpi) + ' ' +
           to_string(page.dpi) + "\">\n";
    for (const core::Block& block : page.blocks) {
      std::vector<core::Line> lines = PositionedLines(block);
      if (lines.empty()) continue;
      core::Box block_box = block.bbox;
      for (const core::Line& line : lines) block_box = block_box.Union(LineBox(line));
      out += "<div class=\"ocr_carea\" id=\"" + Id("block", page_no, ++block_id) + "\" title=\"" +
             BboxTitle(block_box) + "\">\n";
      out += "<p class=\"ocr_par\" id=\"" + Id("par", page_no, ++par_id) + '"';
      if (!page_lang.empty()) out += " lang=\"" + page_lang + "\" xml:lang=\"" + page_lang + '"';
      out += " title=\"" + BboxTitle(block_box) + "\">\n";
      for (const core::Line& line : lines) {
        core::Box box = LineBox(line);
        out += "<span class=\"ocr_line\" id=\"" + Id("line", page_no, ++line_id) + "\" title=\"" +
               BboxTitle(box) + "; baseline 0 0; x_size " + to_string(std::max(box.Height(), 0)) +
               "; x_descenders 0; x_ascenders 0\">";
        for (const core::Word& word : line.words) {
          std::string text = EscapeXmlLine(word.text);
          if (text.empty()) continue;
          long wconf = std::lround(std::clamp(word.confidence, 0.0f, 1.0f) * 100);
          out += "\n <span class=\"ocrx_word\" id=\"" + Id("word", page_no, ++word_id) +
                 "\" title=\"" + BboxTitle(word.bbox) + "; x_wconf " + to_string(wconf) + "\">" +
                 text + "</span>";
        }
        out += "\n</span>\n";
      }
      out += "</p>\n</div>\n";
    }
    out += "</div>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace ocrchat::exports
