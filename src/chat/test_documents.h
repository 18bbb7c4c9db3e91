// Documents for the chat tests: receipts built from the SROIE ground-truth
// lines, and pages built from plain text.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/text.h"

namespace ocrchat::chat {

inline const std::string kReceipts = std::string(OCRCHAT_TESTDATA) + "/receipts";

// One Line per csv row (x1,y1,...,x4,y4,transcript; the transcript may hold
// commas), words split on spaces with boxes shared out by length; rows that
// follow each other closely down the page form a block.
inline core::Document ReceiptDocument(const std::string& csv_path) {
  std::ifstream in(csv_path);
  core::Page page;
  std::string row;
  core::Box previous;
  while (std::getline(in, row)) {
    if (!row.empty() && row.back() == '\r') row.pop_back();
    std::vector<int> coords;
    size_t at = 0;
    for (int k = 0; k < 8 && at != std::string::npos; ++k) {
      size_t comma = row.find(',', at);
      if (comma == std::string::npos) {
        at = std::string::npos;
        break;
      }
      coords.push_back(std::atoi(row.substr(at, comma - at).c_str()));
      at = comma + 1;
    }
    if (coords.size() != 8 || at == std::string::npos) continue;
    std::string transcript = core::NormalizeSpace(row.substr(at));
    if (transcript.empty()) continue;
    core::Box box{std::min({coords[0], coords[6]}), std::min({coords[1], coords[3]}),
                  std::max({coords[2], coords[4]}), std::max({coords[5], coords[7]})};
    core::Line line;
    line.bbox = box;
    line.confidence = 1;
    std::istringstream words(transcript);
    std::string word;
    int x = box.x0;
    double per_char = static_cast<double>(box.Width()) / transcript.size();
    while (words >> word) {
      int width = static_cast<int>(per_char * word.size());
      line.words.push_back({word, {x, box.y0, x + width, box.y1}, 1.0f});
      x += width + static_cast<int>(per_char);
    }
    bool joins = !page.blocks.empty() && box.y0 >= previous.y0 &&
                 box.y0 - previous.y1 <= previous.Height();
    if (!joins) page.blocks.emplace_back();
    page.blocks.back().lines.push_back(std::move(line));
    page.blocks.back().bbox = page.blocks.back().bbox.Union(box);
    previous = box;
  }
  core::Document doc;
  doc.pages.push_back(std::move(page));
  return doc;
}

// A page whose blocks are the given paragraphs ('\n' separates lines),
// without boxes.
inline core::Page TextPage(int index, const std::vector<std::string>& paragraphs) {
  core::Page page;
  page.index = index;
  for (const std::string& paragraph : paragraphs) {
    core::Block block;
    std::istringstream lines(paragraph);
    std::string text;
    while (std::getline(lines, text)) {
      core::Line line;
      std::istringstream words(text);
      std::string word;
      while (words >> word) line.words.push_back({word, {}, 0.9f});
      block.lines.push_back(std::move(line));
    }
    page.blocks.push_back(std::move(block));
  }
  return page;
}

}  // namespace ocrchat::chat
