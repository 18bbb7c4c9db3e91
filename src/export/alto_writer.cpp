// The alto export: ALTO v4 XML in pixels, a TextBlock per block, a
// TextLine per line, a String per word with SP between words.
#include <algorithm>
#include <cstdio>

#include "export/export.h"
#include "export/markup.h"

namespace ocrchat::exports {

namespace {

using std::to_string;

std::string Position(const core::Box& box) {
  return "HPOS=\"" + to_string(box.x0) + "\" VPOS=\"" + to_string(box.y0) + "\" WIDTH=\"" +
         to_string(std::max(box.Width(), 0)) + "\" HEIGHT=\"" +
         to_string(std::max(box.Height(), 0)) + '"';
}

}  // namespace

std::string WriteAlto(const core::Document& document, const JobInfo& info) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\" "
      "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.loc.gov/standards/alto/ns-v4# "
      "http://www.loc.gov/alto/v4/alto-4-2.xsd\">\n"
      "<Description>\n<MeasurementUnit>pixel</MeasurementUnit>\n"
      "<sourceImageInformation>\n<fileName>" +
      EscapeXmlLine(info.filename) +
      "</fileName>\n</sourceImageInformation>\n</Description>\n<Layout>\n";
  int block_id = 0, line_id = 0, word_id = 0;
  for (const core::Page& page : document.pages) {
    std::string page_no = to_string(page.index + 1);
    std::string lang = EscapeXmlLine(LanguageTag(page, document));
    out += "<Page ID=\"page_" + page_no + "\" PHYSICAL_IMG_NR=\"" + page_no + "\" WIDTH=\"" +
           to_string(page.width) + "\" HEIGHT=\"" + to_string(page.height) + "\">\n";
    out += "<PrintSpace " + Position({0, 0, page.width, page.height}) + ">\n";
    for (const core::Block& block : page.blocks) {
      std::vector<core::Line> lines = PositionedLines(block);
      if (lines.empty()) continue;
      core::Box block_box = block.bbox;
      for (const core::Line& line : lines) block_box = block_box.Union(LineBox(line));
      out += "<TextBlock ID=\"block_" + to_string(++block_id) + "\" " + Position(block_box);
      if (!lang.empty()) out += " LANG=\"" + lang + '"';
      out += ">\n";
      for (const core::Line& line : lines) {
        std::vector<const core::Word*> words;
        for (const core::Word& word : line.words)
          if (!EscapeXmlLine(word.text).empty()) words.push_back(&word);
        if (words.empty()) continue;
        out += "<TextLine ID=\"line_" + to_string(++line_id) + "\" " + Position(LineBox(line)) +
               ">\n";
        for (size_t i = 0; i < words.size(); ++i) {
          const core::Word& word = *words[i];
          if (i > 0) {
            const core::Box& prev = words[i - 1]->bbox;
            out += "<SP WIDTH=\"" + to_string(std::max(word.bbox.x0 - prev.x1, 0)) +
                   "\" HPOS=\"" + to_string(std::min(prev.x1, word.bbox.x0)) + "\" VPOS=\"" +
                   to_string(prev.y0) + "\"/>\n";
          }
          char wc[16];
          std::snprintf(wc, sizeof wc, "%.4f", std::clamp(word.confidence, 0.0f, 1.0f));
          out += "<String ID=\"string_" + to_string(++word_id) + "\" " + Position(word.bbox) +
                 " WC=\"" + wc + "\" CONTENT=\"" + EscapeXmlLine(word.text) + "\"/>\n";
        }
        out += "</TextLine>\n";
      }
      out += "</TextBlock>\n";
    }
    out += "</PrintSpace>\n</Page>\n";
  }
  out += "</Layout>\n</alto>\n";
  return out;
}

}  // namespace ocrchat::exports
