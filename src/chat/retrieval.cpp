// Chunking of pages into passages, tokenisation and BM25.
#include "chat/retrieval.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/text.h"

namespace ocrchat::chat {
namespace {

bool IsCjkPunctuation(char32_t c) {
  return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) ||
         (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
         (c >= 0xFF5B && c <= 0xFF65);
}

bool IsWordChar(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // general punctuation, symbols, arrows
  if (c == 0xFFFD) return false;
  return !core::IsCjk(c) && !IsCjkPunctuation(c);
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

char32_t Lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x17F && c % 2 == 0) return c + 1;
  if (c >= 0x391 && c <= 0x3A9) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;
  return c;
}

const std::set<std::string_view>& Stopwords() {
  static const std::set<std::string_view> words = {
      "a",     "an",    "the",   "is",    "are",   "was",   "were",  "be",    "been",
      "of",    "in",    "on",    "at",    "to",    "for",   "and",   "or",    "what",
      "which", "who",   "whom",  "whose", "this",  "that",  "these", "those", "it",
      "its",   "does",  "do",    "did",   "how",   "me",    "tell",  "please", "give",
      "with",  "by",    "from",  "as",    "there", "any",   "can",   "could", "you",
      "i",     "my",    "your",  "s",     "t",     "about", "into",  "if",    "then",
      "than",  "so",    "has",   "have",  "had",   "will",  "would", "should", "shall",
      "may",   "might", "we",    "our",   "they",  "their", "he",    "she",   "his",
      "her",   "them",  "us",    "also",  "just",  "some",  "all",   "get",   "show",
      "find",  "say",   "says",  "said",  "stated", "state", "mentioned", "listed",
      "here",  "where", "when",  "why",   "much",  "many",  "know",  "let"};
  return words;
}

bool IsAbbreviation(std::string_view word) {
  static const std::set<std::string_view> abbreviations = {
      "no", "mr", "mrs", "ms", "dr", "st", "vs", "inc", "ltd", "co", "jl", "jln", "bhd",
      "sdn", "etc", "e.g", "i.e", "p", "pp", "fig", "tel", "approx", "dept", "corp"};
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return abbreviations.contains(lower) || lower.size() == 1;
}

// Sentence ends in [begin, end) of `text`: positions one past each sentence.
std::vector<size_t> SentenceEnds(std::string_view text, size_t begin, size_t end) {
  std::vector<size_t> ends;
  for (size_t i = begin; i < end; ++i) {
    unsigned char c = text[i];
    if (c == '.' || c == '!' || c == '?') {
      size_t next = i + 1;
      while (next < end && (text[next] == '"' || text[next] == '\'' || text[next] == ')')) ++next;
      if (next < end && text[next] != ' ' && text[next] != '\n') continue;
      if (c == '.') {
        size_t w = i;
        while (w > begin && text[w - 1] != ' ' && text[w - 1] != '\n') --w;
        if (IsAbbreviation(text.substr(w, i - w))) continue;
        if (i > begin && std::isdigit(static_cast<unsigned char>(text[i - 1])) && next < end &&
            next + 1 < end && std::isdigit(static_cast<unsigned char>(text[next + 1])))
          continue;
      }
      ends.push_back(next);
    } else if (c == 0xE3 && i + 2 < end && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               static_cast<unsigned char>(text[i + 2]) == 0x82) {  // 。
      ends.push_back(i + 3);
    } else if (c == 0xEF && i + 2 < end && static_cast<unsigned char>(text[i + 1]) == 0xBC &&
               (static_cast<unsigned char>(text[i + 2]) == 0x81 ||
                static_cast<unsigned char>(text[i + 2]) == 0x9F)) {  // ！ ？
      ends.push_back(i + 3);
    }
  }
  if (ends.empty() || ends.back() < end) ends.push_back(end);
  return ends;
}

}  // namespace

bool IsStopword(std::string_view token) { return Stopwords().contains(token); }

std::string Stem(std::string word) {
  if (word.size() <= 4 ||
      !std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return word;
  auto ends = [&](std::string_view suffix) { return word.ends_with(suffix); };
  if (ends("ies")) {
    word.resize(word.size() - 3);
    word += 'y';
  } else if (ends("ing") && word.size() > 5) {
    word.resize(word.size() - 3);
  } else if (ends("ed")) {
    word.resize(word.size() - 2);
  } else if (ends("es")) {
    word.resize(word.size() - 2);
  } else if (ends("s") && !ends("ss") && !ends("us")) {
    word.pop_back();
  }
  if (word.size() > 3 && word.back() == 'e') word.pop_back();
  return word;
}

std::vector<std::string> Tokenize(std::string_view text, bool drop_stopwords, bool stem) {
  std::u32string chars = core::DecodeUtf8(text);
  std::vector<std::string> tokens;
  std::u32string word;
  std::u32string cjk;
  auto flush_word = [&] {
    if (word.empty()) return;
    std::string token = core::EncodeUtf8(word);
    word.clear();
    if (drop_stopwords && IsStopword(token)) return;
    tokens.push_back(stem ? Stem(std::move(token)) : std::move(token));
  };
  auto flush_cjk = [&] {
    if (cjk.size() == 1) tokens.push_back(core::EncodeUtf8(cjk));
    for (size_t i = 0; i + 1 < cjk.size(); ++i)
      tokens.push_back(core::EncodeUtf8(cjk.substr(i, 2)));
    cjk.clear();
  };
  for (size_t i = 0; i < chars.size(); ++i) {
    char32_t c = chars[i];
    if (core::IsCjk(c) && !IsCjkPunctuation(c)) {
      flush_word();
      cjk += c;
      continue;
    }
    flush_cjk();
    if (IsWordChar(c)) {
      word += Lower(c);
    } else if ((c == '.' || c == ',' || c == '/' || c == '-' || c == ':') && !word.empty() &&
               IsDigit(word.back()) && i + 1 < chars.size() && IsDigit(chars[i + 1])) {
      word += c;
    } else {
      flush_word();
    }
  }
  flush_word();
  flush_cjk();
  return tokens;
}

bool SameRow(const core::Box& a, const core::Box& b) {
  if (a.Empty() || b.Empty()) return false;
  int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  return overlap > 0.5 * std::min(a.Height(), b.Height());
}

Corpus::Corpus(const core::Document& doc) {
  for (size_t p = 0; p < doc.pages.size(); ++p) {
    const core::Page& page = doc.pages[p];
    PageText page_text{page.Text(), {}};
    // Located by search from a cursor, so offsets stay right whatever
    // separators Page::Text() uses.
    size_t cursor = 0;
    auto locate = [&](int block, const std::string& text, const core::Box& bbox) {
      if (text.empty()) return;
      size_t at = page_text.text.find(text, cursor);
      if (at == std::string::npos) return;
      page_text.segments.push_back({static_cast<int>(p), block, at, text, bbox});
      cursor = at + text.size();
    };
    for (size_t b = 0; b < page.blocks.size(); ++b) {
      const core::Block& block = page.blocks[b];
      if (block.table && !block.table->cells.empty()) {
        std::string block_text = block.Text();
        size_t start = 0;
        for (int row = 0; row < block.table->rows; ++row) {
          size_t stop = block_text.find('\n', start);
          if (stop == std::string::npos) stop = block_text.size();
          core::Box bbox;
          for (const core::TableCell& cell : block.table->cells)
            if (cell.row == row) bbox = bbox.Union(cell.bbox);
          std::string row_text = block_text.substr(start, stop - start);
          if (row_text.find_first_not_of('\t') != std::string::npos)
            locate(static_cast<int>(b), row_text, bbox);
          start = std::min(stop + 1, block_text.size());
        }
      } else {
        for (const core::Line& line : block.lines) locate(static_cast<int>(b), line.Text(), line.bbox);
      }
    }
    pages_.push_back(std::move(page_text));
  }

  for (size_t p = 0; p < pages_.size(); ++p) {
    const PageText& page = pages_[p];
    const auto& segments = page.segments;
    for (const Segment& segment : segments) AddPassage(p, segment.offset, segment.text.size());
    // Sentences inside each block, which may span lines or split one.
    for (size_t i = 0; i < segments.size();) {
      size_t j = i;
      while (j + 1 < segments.size() && segments[j + 1].block == segments[i].block) ++j;
      size_t begin = segments[i].offset;
      size_t end = segments[j].offset + segments[j].text.size();
      size_t start = begin;
      for (size_t stop : SentenceEnds(page.text, begin, end)) {
        while (start < stop && (page.text[start] == ' ' || page.text[start] == '\n')) ++start;
        if (stop > start && stop - start <= 800) AddPassage(p, start, stop - start);
        start = stop;
      }
      i = j + 1;
    }
    // Runs of consecutive lines on one visual row ("TOTAL:" then "9.00").
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      size_t j = i;
      while (j + 1 < segments.size() && SameRow(segments[j].bbox, segments[j + 1].bbox)) ++j;
      if (j > i) AddPassage(p, segments[i].offset, segments[j].offset + segments[j].text.size() - segments[i].offset);
    }
  }

  // Duplicates (a one-line sentence is also a line) would double-count.
  std::set<std::pair<int, std::pair<size_t, size_t>>> seen;
  std::vector<Passage> unique;
  for (Passage& passage : passages_)
    if (seen.insert({passage.page, {passage.offset, passage.text.size()}}).second)
      unique.push_back(std::move(passage));
  passages_ = std::move(unique);

  double total_length = 0;
  for (const Passage& passage : passages_) {
    std::set<std::string> distinct(passage.tokens.begin(), passage.tokens.end());
    for (const std::string& token : distinct) ++df_[token];
    total_length += passage.tokens.size();
  }
  if (!passages_.empty()) average_length_ = std::max(1.0, total_length / passages_.size());
}

void Corpus::AddPassage(int page, size_t offset, size_t length) {
  Passage passage;
  passage.page = page;
  passage.offset = offset;
  passage.text = pages_[page].text.substr(offset, length);
  passage.tokens = Tokenize(passage.text);
  if (passage.tokens.empty()) return;
  passages_.push_back(std::move(passage));
}

double Corpus::Idf(const std::string& term) const {
  double n = static_cast<double>(passages_.size());
  auto it = df_.find(term);
  double df = it == df_.end() ? 0 : it->second;
  return std::log(1 + (n - df + 0.5) / (df + 0.5));
}

std::vector<double> Corpus::Score(const std::map<std::string, double>& query) const {
  constexpr double kK1 = 1.2, kB = 0.75;
  std::vector<double> scores(passages_.size(), 0.0);
  for (size_t i = 0; i < passages_.size(); ++i) {
    const auto& tokens = passages_[i].tokens;
    double length_norm = kK1 * (1 - kB + kB * tokens.size() / average_length_);
    for (const auto& [term, weight] : query) {
      double tf = std::count(tokens.begin(), tokens.end(), term);
      if (tf == 0) continue;
      scores[i] += weight * Idf(term) * tf * (kK1 + 1) / (tf + length_norm);
    }
  }
  return scores;
}

Passage Corpus::Span(int page, size_t first, size_t last) const {
  const auto& segments = pages_[page].segments;
  Passage passage;
  passage.page = page;
  passage.offset = segments[first].offset;
  passage.text = pages_[page].text.substr(
      passage.offset, segments[last].offset + segments[last].text.size() - passage.offset);
  passage.tokens = Tokenize(passage.text);
  return passage;
}

}  // namespace ocrchat::chat
