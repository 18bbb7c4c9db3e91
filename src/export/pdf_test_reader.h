// Reading PDFs back in the export tests: pdftotext -bbox words and box
// overlap.
#pragma once

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "core/document.h"
#include "export/test_process.h"

namespace ocrchat::exports::testing {

struct PdfWord {
  int page = 0;  // from 0
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // points, origin top-left
  std::string text;
};

inline std::string UnescapeXml(std::string text) {
  static const std::pair<std::string, std::string> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : kEntities)
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1))
      text.replace(at, entity.size(), plain);
  return text;
}

// The words pdftotext -bbox finds, page by page.
inline std::vector<PdfWord> PdfWords(const std::string& pdf_path) {
  CommandResult result = RunCommand("pdftotext -bbox '" + pdf_path + "' - 2>/dev/null");
  std::vector<PdfWord> words;
  int page = -1;
  static const std::regex kWord(
      R"re(<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>)re");
  size_t start = 0;
  while (start < result.output.size()) {
    size_t end = result.output.find('\n', start);
    if (end == std::string::npos) end = result.output.size();
    std::string line = result.output.substr(start, end - start);
    start = end + 1;
    if (line.find("<page ") != std::string::npos) ++page;
    std::smatch match;
    if (std::regex_search(line, match, kWord))
      words.push_back({page, std::stod(match[1]), std::stod(match[2]), std::stod(match[3]),
                       std::stod(match[4]), UnescapeXml(match[5])});
  }
  return words;
}

inline double IoU(double ax0, double ay0, double ax1, double ay1, double bx0, double by0,
                  double bx1, double by1) {
  double ix = std::max(0.0, std::min(ax1, bx1) - std::max(ax0, bx0));
  double iy = std::max(0.0, std::min(ay1, by1) - std::max(ay0, by0));
  double inter = ix * iy;
  double uni = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
  return uni > 0 ? inter / uni : 0;
}

// Matches the document's words, in order, to the words pdftotext found on the
// same page with the same text, and returns the mean IoU of their boxes
// (pixel boxes scaled by `scale` to points). Unmatched words count 0.
inline double MeanIoU(const core::Document& doc, const std::vector<PdfWord>& found,
                      double scale, int* unmatched) {
  double sum = 0;
  int count = 0;
  *unmatched = 0;
  std::vector<bool> used(found.size());
  for (size_t p = 0; p < doc.pages.size(); ++p) {
    for (const core::Block& block : doc.pages[p].blocks)
      for (const core::Line& line : block.lines)
        for (const core::Word& word : line.words) {
          ++count;
          double best = -1;
          size_t best_at = 0;
          for (size_t i = 0; i < found.size(); ++i) {
            if (used[i] || found[i].page != static_cast<int>(p) || found[i].text != word.text)
              continue;
            double iou = IoU(word.bbox.x0 * scale, word.bbox.y0 * scale, word.bbox.x1 * scale,
                             word.bbox.y1 * scale, found[i].x0, found[i].y0, found[i].x1,
                             found[i].y1);
            if (iou > best) {
              best = iou;
              best_at = i;
            }
          }
          if (best < 0) {
            ++*unmatched;
            continue;
          }
          used[best_at] = true;
          sum += best;
        }
  }
  return count ? sum / count : 0;
}

}  // namespace ocrchat::exports::testing
