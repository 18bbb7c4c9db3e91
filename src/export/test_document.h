// A document with every construct the writers handle, for the export tests.
#pragma once

#include <string>
#include <vector>

#include "core/document.h"
#include "core/text.h"
#include "export/export.h"

namespace ocrchat::exports::testing {

// A line of words laid out from x at height y, 36 px per character and
// 24 px between words, words 60 px high.
inline core::Line MakeLine(const std::vector<std::string>& texts, int x, int y,
                           float confidence = 0.93f) {
  core::Line line;
  for (const std::string& text : texts) {
    int chars = static_cast<int>(core::DecodeUtf8(text).size());
    core::Word word{text, {x, y, x + 36 * chars, y + 60}, confidence};
    line.bbox = line.bbox.Union(word.bbox);
    line.words.push_back(word);
    x = word.bbox.x1 + 24;
  }
  line.confidence = confidence;
  return line;
}

inline core::Block MakeBlock(core::BlockType type, std::vector<core::Line> lines, int level = 0) {
  core::Block block;
  block.type = type;
  block.level = level;
  block.lines = std::move(lines);
  for (const core::Line& line : block.lines) block.bbox = block.bbox.Union(line.bbox);
  block.confidence = 0.93f;
  return block;
}

// Page 1: a title, a paragraph with XML specials and control characters, a
// subheading, a list, a table with a spanning cell, an Arabic and a CJK
// word. Pages 2 and 3: a heading and paragraphs.
inline core::Document SampleDocument() {
  core::Document doc;
  doc.detected_language = "en";
  core::Page p1;
  p1.index = 0;
  p1.width = 2480;
  p1.height = 3508;
  p1.dpi = 300;
  p1.language = "eng";
  p1.blocks.push_back(MakeBlock(core::BlockType::kHeading, {MakeLine({"Quarterly", "Report"}, 200, 200)}, 1));
  p1.blocks.push_back(MakeBlock(
      core::BlockType::kParagraph,
      {MakeLine({"Profit", "<&>", "\"quoted\"", "it's", "fine"}, 200, 400),
       MakeLine({"#1", "bell\x07here", "*stars*"}, 200, 480)}));
  p1.blocks.push_back(MakeBlock(core::BlockType::kHeading, {MakeLine({"Details"}, 200, 640)}, 2));
  p1.blocks.push_back(MakeBlock(core::BlockType::kList,
                                {MakeLine({"•", "first", "item"}, 240, 760),
                                 MakeLine({"•", "second", "item"}, 240, 840),
                                 MakeLine({"1.", "numbered", "item"}, 240, 920)}));
  core::Block table = MakeBlock(core::BlockType::kTable,
                                {MakeLine({"Name", "Value"}, 200, 1100),
                                 MakeLine({"alpha", "1,5"}, 200, 1180),
                                 MakeLine({"merged|cell"}, 200, 1260)});
  core::Table t;
  t.rows = 3;
  t.cols = 2;
  t.header_row = true;
  t.cells = {{0, 0, 1, 1, "Name", {200, 1100, 500, 1160}},
             {0, 1, 1, 1, "Value", {500, 1100, 800, 1160}},
             {1, 0, 1, 1, "alpha", {200, 1180, 500, 1240}},
             {1, 1, 1, 1, "1,5 \"x\"", {500, 1180, 800, 1240}},
             {2, 0, 1, 2, "merged|cell", {200, 1260, 800, 1320}}};
  table.table = t;
  p1.blocks.push_back(table);
  p1.blocks.push_back(MakeBlock(core::BlockType::kParagraph,
                                {MakeLine({"Arabic", "مرحبا", "and", "CJK", "日本語"}, 200, 1500)}));
  doc.pages.push_back(p1);
  for (int i = 1; i < 3; ++i) {
    core::Page page;
    page.index = i;
    page.width = 2480;
    page.height = 3508;
    page.dpi = 300;
    page.language = "eng";
    page.blocks.push_back(MakeBlock(core::BlockType::kHeading,
                                    {MakeLine({"Chapter", std::to_string(i + 1)}, 200, 200)}, 1));
    for (int p = 0; p < 6; ++p) {
      std::vector<core::Line> lines;
      for (int l = 0; l < 4; ++l)
        lines.push_back(MakeLine({"Lorem", "ipsum", "dolor", "sit", "amet", "page" + std::to_string(i + 1)},
                                 200, 400 + p * 400 + l * 80));
      page.blocks.push_back(MakeBlock(core::BlockType::kParagraph, lines));
    }
    doc.pages.push_back(page);
  }
  return doc;
}

inline JobInfo SampleInfo() {
  JobInfo info;
  info.uuid = "0123456789abcdef0123456789abcdef";
  info.filename = "report <1>.pdf";
  info.page_count = 3;
  info.pages_done = 3;
  info.created_at = "2026-11-25T12:00:00Z";
  info.completed_at = "2026-11-25T12:00:05Z";
  return info;
}

}  // namespace ocrchat::exports::testing
