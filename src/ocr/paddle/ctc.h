// CTC greedy decoding of a recognizer's output, and the line's text built
// from it: words split at the spaces the model read and at wide gaps
// between characters, each word NFKC-normalised. No OpenCV here.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace ocrchat::ocr::paddle {

// One character the decoder emitted.
struct DecodedChar {
  int label = 0;      // class index; 0 is the blank and is never emitted
  int first_step = 0;  // time steps the character's run covers, inclusive
  int last_step = 0;
  float probability = 0;  // the highest of its run
};

// Greedy (best path) decoding of `probabilities`, `steps` rows of
// `classes` values each: the arg-max class per step, repeats merged,
// blanks (class 0) dropped.
std::vector<DecodedChar> DecodeGreedy(std::span<const float> probabilities, int steps, int classes);

// A word of a decoded line: its text and its extent in time steps.
struct DecodedWord {
  std::string text;  // UTF-8, NFKC
  int first_step = 0, last_step = 0;
  float confidence = 0;  // mean probability of its characters
};

// A blank gap at least this wide (a share of the line image's height), and
// kSpaceToUsualGap times the line's median gap, between two characters is
// a space, unless both are Han.
inline constexpr float kSpaceGap = 0.25f;
inline constexpr float kSpaceToUsualGap = 2.0f;

// The characters as words. `keys[label - 1]` is a label's text; a label
// past the keys is the space. `gaps[i]`, when given, is the blank run
// between character i - 1 and i, as a share of the line image's height.
// A word ends at a space the model read and at a wide gap (above)
// (not between two Han characters: Han text has no spaces, and a run of
// Han characters and their punctuation is one word).
std::vector<DecodedWord> ToWords(const std::vector<DecodedChar>& chars,
                                 const std::vector<std::string>& keys,
                                 std::span<const float> gaps = {});

// NFKC (full-width forms become ASCII, U+3000 a space); invalid UTF-8 is
// returned unchanged.
std::string NormalizeNfkc(const std::string& text);

}  // namespace ocrchat::ocr::paddle
