// Passages of a document with their place in each page's text, multilingual
// tokens and BM25 ranking: the material every chat answer is drawn from.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"

namespace ocrchat::chat {

// Lowercased word tokens (ASCII, Latin, Greek, Cyrillic); runs of CJK
// characters become overlapping character bigrams (a lone character stays a
// unigram). Punctuation separates tokens except between digits, so "9.00" and
// "25/12/2018" stay whole. English stopwords are dropped when asked, and
// English words stemmed ("replaced", "replace" -> "replac") when asked.
std::vector<std::string> Tokenize(std::string_view text, bool drop_stopwords = true,
                                  bool stem = true);
// The light suffix stemming Tokenize applies to ASCII words.
std::string Stem(std::string word);
bool IsStopword(std::string_view token);

// One line of a block, or one row of a table, located in its page's text.
struct Segment {
  int page = 0;  // from 0
  int block = 0;
  size_t offset = 0;  // bytes into the page's text
  std::string text;   // == page text.substr(offset, text.size())
  core::Box bbox;     // empty when the page gave none
};

// A retrievable piece of a page: a line, a table row, a sentence, or a run of
// consecutive lines on one visual row. Its text is verbatim page text.
struct Passage {
  int page = 0;  // from 0
  size_t offset = 0;
  std::string text;
  std::vector<std::string> tokens;
};

struct PageText {
  std::string text;                // core::Page::Text()
  std::vector<Segment> segments;  // in text order
};

// The indexed document. Holds copies; the Document may go away afterwards.
class Corpus {
 public:
  explicit Corpus(const core::Document& doc);

  const std::vector<PageText>& pages() const { return pages_; }
  const std::vector<Passage>& passages() const { return passages_; }

  // BM25 (k1 = 1.2, b = 0.75) of every passage for weighted query terms.
  std::vector<double> Score(const std::map<std::string, double>& query) const;
  // Inverse document frequency over passages; unseen terms get the largest.
  double Idf(const std::string& term) const;
  bool Contains(const std::string& term) const { return df_.contains(term); }

  // The verbatim text from segment `first` to segment `last` (inclusive) of a
  // page, as a passage.
  Passage Span(int page, size_t first, size_t last) const;

 private:
  void AddPassage(int page, size_t offset, size_t length);

  std::vector<PageText> pages_;
  std::vector<Passage> passages_;
  std::map<std::string, int> df_;
  double average_length_ = 1;
};

// True when two boxes share most of their height: the same visual row.
bool SameRow(const core::Box& a, const core::Box& b);

}  // namespace ocrchat::chat
