#include "ocr/paddle/ctc.h"

#include <gtest/gtest.h>

#include <vector>

namespace ocrchat::ocr::paddle {
namespace {

// A probability table of `classes` columns in which each step's winner is
// `labels[t]` at probability `p`.
std::vector<float> Table(const std::vector<int>& labels, int classes, float p = 0.9f) {
  std::vector<float> table(labels.size() * classes, (1 - p) / (classes - 1));
  for (size_t t = 0; t < labels.size(); ++t) table[t * classes + labels[t]] = p;
  return table;
}

TEST(DecodeGreedy, MergesRepeatsAndDropsBlanks) {
  std::vector<int> labels = {0, 1, 1, 0, 1, 2, 2, 0, 0, 3};
  auto chars = DecodeGreedy(Table(labels, 5), static_cast<int>(labels.size()), 5);
  ASSERT_EQ(chars.size(), 4u);
  EXPECT_EQ(chars[0].label, 1);
  EXPECT_EQ(chars[0].first_step, 1);
  EXPECT_EQ(chars[0].last_step, 2);
  EXPECT_EQ(chars[1].label, 1);  // a blank between two runs of one class: two characters
  EXPECT_EQ(chars[1].first_step, 4);
  EXPECT_EQ(chars[2].label, 2);
  EXPECT_EQ(chars[2].last_step, 6);
  EXPECT_EQ(chars[3].label, 3);
  EXPECT_FLOAT_EQ(chars[3].probability, 0.9f);
}

TEST(DecodeGreedy, AllBlankAndShortInputGiveNothing) {
  EXPECT_TRUE(DecodeGreedy(Table({0, 0, 0}, 4), 3, 4).empty());
  std::vector<float> short_table(5, 0.2f);
  EXPECT_TRUE(DecodeGreedy(short_table, 3, 4).empty());
}

TEST(ToWords, SplitsAtTheModelsSpaceAndAtBlankGaps) {
  const std::vector<std::string> keys = {"a", "b", "c"};  // label 4 is the space
  // "ab ca", then after a blank gap "ba"; a narrow gap inside "ab" stays.
  std::vector<DecodedChar> chars = {{1, 0, 0, 0.9f}, {2, 2, 2, 0.8f}, {4, 3, 3, 0.9f},
                                    {3, 4, 4, 0.7f}, {1, 6, 6, 0.9f}, {2, 20, 20, 0.9f},
                                    {1, 22, 22, 0.9f}};
  const std::vector<float> gaps = {0, 0.05f, 0, 0, 0.02f, kSpaceGap, 0.05f};
  auto words = ToWords(chars, keys, gaps);
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0].text, "ab");
  EXPECT_EQ(words[0].first_step, 0);
  EXPECT_EQ(words[0].last_step, 2);
  EXPECT_FLOAT_EQ(words[0].confidence, 0.85f);
  EXPECT_EQ(words[1].text, "ca");
  EXPECT_EQ(words[2].text, "ba");
  EXPECT_EQ(words[2].first_step, 20);
  EXPECT_EQ(words[2].last_step, 22);
  // Without gaps, only the model's space splits; a gap no wider than the
  // line's usual one does not.
  EXPECT_EQ(ToWords(chars, keys).size(), 2u);
  const std::vector<float> even = {0, 0.3f, 0, 0, 0.3f, 0.3f, 0.3f};
  EXPECT_EQ(ToWords(chars, keys, even).size(), 2u);
}

TEST(ToWords, HanTextIsSplitOnlyAtSpacesAndFullWidthFolds) {
  const std::vector<std::string> keys = {"今", "天", "，", "Ａ", "1"};
  // A gap between Han characters is no space; between Han and a letter it
  // is, and so is the model's space.
  std::vector<DecodedChar> chars = {{1, 0, 0, 1}, {2, 2, 2, 1}, {3, 4, 4, 1}, {2, 20, 20, 1},
                                    {4, 22, 22, 1}, {6, 23, 23, 1}, {5, 24, 24, 1}, {1, 26, 26, 1}};
  const std::vector<float> gaps = {0, 0.3f, 0, 0.05f, 0.3f, 0, 0, 0};
  auto words = ToWords(chars, keys, gaps);
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0].text, "今天,天");  // the full-width comma, NFKC
  EXPECT_EQ(words[1].text, "A");
  EXPECT_EQ(words[2].text, "1今");
  EXPECT_EQ(words[2].first_step, 24);
}

TEST(NormalizeNfkc, FoldsCompatibilityForms) {
  EXPECT_EQ(NormalizeNfkc("ＡＢＣ１２３（）：　ﬁ"), "ABC123(): fi");
  EXPECT_EQ(NormalizeNfkc("中文。"), "中文。");
}

}  // namespace
}  // namespace ocrchat::ocr::paddle
