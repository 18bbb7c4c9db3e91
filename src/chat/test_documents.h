// Documents for the chat tests: receipts built from the SROIE ground-truth
// lines, and pages built from plain text.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/text.h"

namespace ocrchat::chat {

inline const std::string kReceipts = std::string(OCRCHAT_TESTDATA) + "/receipts";
inline const std::string kInvoices = std::string(OCRCHAT_TESTDATA) + "/invoices";

// Where recognised test files are kept between runs: OCRCHAT_CHAT_CORPUS,
// or chat-corpus/ in the build tree.
inline std::filesystem::path CorpusDir() {
  if (const char* dir = std::getenv("OCRCHAT_CHAT_CORPUS"); dir && *dir) return dir;
  return std::filesystem::path(OCRCHAT_BINARY).parent_path().parent_path() / "chat-corpus";
}

// The job JSON `ocrchat ocr <input> --format json` gives, kept in the corpus
// folder as <name>.json so that it is recognised once per build of the
// binary (a copy older than the binary is read again); null when it fails.
inline nlohmann::json CachedOcrJob(const std::string& input, const std::string& name) {
  namespace fs = std::filesystem;
  fs::path cached = CorpusDir() / (name + ".json");
  std::error_code ec;
  if (!fs::exists(cached) || fs::last_write_time(cached, ec) < fs::last_write_time(OCRCHAT_BINARY, ec)) {
    fs::create_directories(cached.parent_path());
    // Tests running at once may recognise the same file: each writes its own
    // partial file, and the rename is atomic.
    fs::path partial = cached.string() + "." + std::to_string(::getpid()) + ".part";
    std::string command = "OMP_THREAD_LIMIT=1 '" + std::string(OCRCHAT_BINARY) + "' ocr '" +
                          input + "' --format json > '" + partial.string() + "'";
    if (std::system(command.c_str()) != 0) return nullptr;
    fs::rename(partial, cached);
  }
  std::ifstream in(cached);
  return nlohmann::json::parse(in, nullptr, false);
}

// The document of such a job: its pages.
inline core::Document DocumentOfJob(const nlohmann::json& job) {
  core::Document doc;
  if (job.is_object() && job.contains("pages"))
    for (const nlohmann::json& page : job["pages"]) doc.pages.push_back(core::PageFromJson(page));
  return doc;
}

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

// A page of cells {text, x} on rows at y, each cell a line of its own
// with words 10 px wide per character and 20 px high: a layout with boxes.
struct Cell {
  std::string text;
  int x;
};
inline core::Page BoxedPage(int index, const std::vector<std::pair<int, std::vector<Cell>>>& rows) {
  core::Page page;
  page.index = index;
  page.width = page.height = 2000;
  for (const auto& [y, cells] : rows) {
    core::Block block;
    for (const Cell& cell : cells) {
      core::Line line;
      std::istringstream words(cell.text);
      std::string word;
      int x = cell.x;
      while (words >> word) {
        int width = 10 * static_cast<int>(word.size());
        line.words.push_back({word, {x, y, x + width, y + 20}, 0.9f});
        line.bbox = line.bbox.Union({x, y, x + width, y + 20});
        x += width + 10;
      }
      block.bbox = block.bbox.Union(line.bbox);
      block.lines.push_back(std::move(line));
    }
    page.blocks.push_back(std::move(block));
  }
  return page;
}

}  // namespace ocrchat::chat
