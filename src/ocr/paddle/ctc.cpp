// CTC greedy decoding and the words of a decoded line.
#include "ocr/paddle/ctc.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>

#include "core/text.h"

namespace ocrchat::ocr::paddle {

std::vector<DecodedChar> DecodeGreedy(std::span<const float> probabilities, int steps, int classes) {
  std::vector<DecodedChar> out;
  if (steps <= 0 || classes <= 0 || probabilities.size() < static_cast<size_t>(steps) * classes)
    return out;
  int previous = 0;
  for (int t = 0; t < steps; ++t) {
    const float* row = probabilities.data() + static_cast<size_t>(t) * classes;
    int best = static_cast<int>(std::max_element(row, row + classes) - row);
    if (best != 0 && best == previous && !out.empty()) {
      out.back().last_step = t;
      out.back().probability = std::max(out.back().probability, row[best]);
    } else if (best != 0) {
      out.push_back({best, t, t, row[best]});
    }
    previous = best;
  }
  return out;
}

std::string NormalizeNfkc(const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return text;
  icu::UnicodeString normalized = nfkc->normalize(icu::UnicodeString::fromUTF8(text), status);
  if (U_FAILURE(status)) return text;
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

namespace {

// Han text and its punctuation (full-width forms of letters and digits
// are Latin text).
bool IsHan(const std::string& text) {
  std::u32string cps = core::DecodeUtf8(text);
  if (cps.empty()) return false;
  char32_t c = cps.front();
  bool wide_alnum = (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
                    (c >= 0xFF41 && c <= 0xFF5A);
  return core::IsCjk(c) && !wide_alnum;
}

}  // namespace

std::vector<DecodedWord> ToWords(const std::vector<DecodedChar>& chars,
                                 const std::vector<std::string>& keys,
                                 std::span<const float> gaps) {
  auto text_of = [&](const DecodedChar& c) -> std::string {
    size_t index = static_cast<size_t>(c.label - 1);
    return index < keys.size() ? keys[index] : " ";
  };
  // The line's usual gap between letters: a space must be clearly wider
  // (in a monospaced font, an i or l leaves a wide gap either side).
  std::vector<float> usual;
  for (size_t i = 1; i < chars.size() && i < gaps.size(); ++i)
    if (text_of(chars[i]) != " " && text_of(chars[i - 1]) != " ") usual.push_back(gaps[i]);
  float median = 0;
  if (!usual.empty()) {
    std::nth_element(usual.begin(), usual.begin() + usual.size() / 2, usual.end());
    median = usual[usual.size() / 2];
  }
  const float space = std::max(kSpaceGap, kSpaceToUsualGap * median);

  std::vector<DecodedWord> words;
  std::string text;
  int first = 0, last = 0, count = 0;
  float sum = 0;
  auto finish = [&] {
    if (count > 0) {
      std::string normalized = core::NormalizeSpace(NormalizeNfkc(text));
      if (!normalized.empty()) words.push_back({normalized, first, last, sum / count});
    }
    text.clear();
    count = 0;
    sum = 0;
  };
  for (size_t i = 0; i < chars.size(); ++i) {
    const DecodedChar& c = chars[i];
    std::string piece = text_of(c);
    if (piece == " ") {
      finish();
      continue;
    }
    if (count > 0) {
      const DecodedChar& prev = chars[i - 1];
      bool wide = i < gaps.size() && gaps[i] >= space;
      if (wide && !(IsHan(piece) && IsHan(text_of(prev)))) finish();
    }
    if (count == 0) first = c.first_step;
    last = c.last_step;
    text += piece;
    sum += c.probability;
    ++count;
  }
  finish();
  return words;
}

}  // namespace ocrchat::ocr::paddle
