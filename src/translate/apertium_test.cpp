// Tests of the Apertium translator: against Debian's installed Apertium and
// its pairs, and against made-up modes (shell pipelines that `apertium -d`
// runs like real ones) for mode choice and the failure paths.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "translate/translate.h"

namespace ocrchat::translate {
namespace {

bool ApertiumInstalled() { return access("/usr/bin/apertium", X_OK) == 0; }

bool Lists(const std::vector<Pair>& pairs, const std::string& from, const std::string& to) {
  return std::find(pairs.begin(), pairs.end(), Pair{from, to}) != pairs.end();
}

class InstalledApertiumTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!ApertiumInstalled() || !Lists(ApertiumPairs(), "en", "es"))
      GTEST_SKIP() << "needs apertium and apertium-eng-spa (scripts/setup.sh is to install them)";
    translator_ = MakeApertiumTranslator();
  }
  std::unique_ptr<Translator> translator_;
};

TEST_F(InstalledApertiumTest, ListsTheInstalledPairsSortedAsIso6391) {
  std::vector<Pair> pairs = ApertiumPairs();
  EXPECT_TRUE(Lists(pairs, "en", "es"));
  EXPECT_TRUE(Lists(pairs, "es", "en"));
  EXPECT_TRUE(std::is_sorted(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(a.from, a.to) < std::tie(b.from, b.to);
  }));
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end());
  for (const Pair& pair : pairs) {
    EXPECT_EQ(pair.from.size(), 2u) << pair.from << "->" << pair.to;
    EXPECT_EQ(pair.to.size(), 2u) << pair.from << "->" << pair.to;
  }
  EXPECT_TRUE(translator_->Supports("en", "es"));
  EXPECT_FALSE(translator_->Supports("en", "de"));
}

TEST_F(InstalledApertiumTest, TranslatesEnglishToSpanish) {
  auto spanish = translator_->Translate("The house is red.", "en", "es");
  ASSERT_TRUE(spanish.has_value()) << spanish.error().message;
  EXPECT_NE(spanish->find("casa"), std::string::npos) << *spanish;
  EXPECT_NE(spanish->back(), '\n');
}

TEST_F(InstalledApertiumTest, KeepsTheInputsTrailingNewlineAndParagraphs) {
  auto spanish = translator_->Translate("The house is red.\n\nThe dog is black.\n", "en", "es");
  ASSERT_TRUE(spanish.has_value()) << spanish.error().message;
  EXPECT_NE(spanish->find("casa"), std::string::npos) << *spanish;
  EXPECT_NE(spanish->find(".\n\n"), std::string::npos) << *spanish;
  EXPECT_NE(spanish->find("perro"), std::string::npos) << *spanish;
  ASSERT_GE(spanish->size(), 2u);
  EXPECT_EQ(spanish->back(), '\n');
  EXPECT_NE((*spanish)[spanish->size() - 2], '\n');
}

TEST_F(InstalledApertiumTest, TranslatesSegmentsInOneGoAndKeepsEmptyOnesEmpty) {
  std::vector<std::string> segments = {"The house is red.", "", "The dog is black",
                                       "Tom & Jerry <3 the cat\nis big.", "I am here."};
  auto spanish = translator_->TranslateSegments(segments, "en", "es");
  ASSERT_TRUE(spanish.has_value()) << spanish.error().message;
  ASSERT_EQ(spanish->size(), 5u);
  EXPECT_NE((*spanish)[0].find("casa"), std::string::npos) << (*spanish)[0];
  EXPECT_EQ((*spanish)[1], "");
  EXPECT_NE((*spanish)[2].find("perro"), std::string::npos) << (*spanish)[2];
  EXPECT_NE((*spanish)[3].find("Tom & Jerry <3"), std::string::npos) << (*spanish)[3];
  EXPECT_NE((*spanish)[3].find("gato\n"), std::string::npos) << (*spanish)[3];
  EXPECT_NE((*spanish)[4].find("aquí"), std::string::npos) << (*spanish)[4];
  // The pronoun Spanish drops leaves no blank in front.
  EXPECT_NE((*spanish)[4].front(), ' ') << (*spanish)[4];
}

TEST_F(InstalledApertiumTest, TranslatesAPageOfSegmentsLargerThanThePipes) {
  std::vector<std::string> segments;
  for (int i = 0; i < 1500; ++i)
    segments.push_back("Row " + std::to_string(i) + ": the house is red and the dog is black.");
  auto spanish = translator_->TranslateSegments(segments, "en", "es");
  ASSERT_TRUE(spanish.has_value()) << spanish.error().message;
  ASSERT_EQ(spanish->size(), segments.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    EXPECT_NE((*spanish)[i].find(std::to_string(i)), std::string::npos) << (*spanish)[i];
    EXPECT_NE((*spanish)[i].find("casa"), std::string::npos) << (*spanish)[i];
  }
}

TEST_F(InstalledApertiumTest, AnUninstalledPairNamesTheAvailableOnes) {
  auto german = translator_->Translate("Bonjour", "fr", "de");
  ASSERT_FALSE(german.has_value());
  EXPECT_EQ(german.error().code, core::ErrorCode::kInvalidParameter);
  EXPECT_NE(german.error().message.find("fr to de"), std::string::npos) << german.error().message;
  EXPECT_NE(german.error().message.find("en->es"), std::string::npos) << german.error().message;
  auto segments = translator_->TranslateSegments({"Bonjour", "Salut"}, "fr", "de");
  ASSERT_FALSE(segments.has_value());
  EXPECT_EQ(segments.error().code, core::ErrorCode::kInvalidParameter);
}

TEST_F(InstalledApertiumTest, TranslatesAPageInOneRun) {
  core::Page page;
  core::Block paragraph;
  paragraph.bbox = {0, 0, 600, 90};
  paragraph.confidence = 0.9f;
  paragraph.lines = {
      {{{"The", {0, 0, 90, 40}, 0.9f}, {"house", {100, 0, 300, 40}, 0.9f}}, {0, 0, 300, 40}, 0.9f},
      {{{"is", {0, 50, 60, 90}, 0.9f}, {"red.", {70, 50, 200, 90}, 0.9f}}, {0, 50, 200, 90}, 0.9f}};
  page.blocks.push_back(paragraph);
  core::Block table;
  table.type = core::BlockType::kTable;
  table.bbox = {0, 100, 600, 150};
  table.lines = {{{{"dog", {0, 100, 100, 150}, 0.8f}, {"cat", {300, 100, 400, 150}, 0.8f}},
                  {0, 100, 400, 150},
                  0.8f}};
  table.table = core::Table{
      1, 2, {{0, 0, 1, 1, "dog", {0, 100, 290, 150}}, {0, 1, 1, 1, "cat", {300, 100, 600, 150}}}};
  page.blocks.push_back(table);

  auto spanish = TranslatePage(page, "en", "es", *translator_);
  ASSERT_TRUE(spanish.has_value()) << spanish.error().message;
  EXPECT_NE(spanish->blocks[0].Text().find("casa"), std::string::npos) << spanish->blocks[0].Text();
  EXPECT_EQ(spanish->blocks[0].lines.size(), 2u) << spanish->blocks[0].Text();
  // A cell is a sentence of its own to Apertium, which capitalises it.
  EXPECT_EQ(spanish->blocks[1].table->cells[0].text, "Perro");
  EXPECT_EQ(spanish->blocks[1].table->cells[1].text, "Gato");
  EXPECT_EQ(spanish->blocks[1].Text(), "Perro\tGato");
  for (const core::Block& block : spanish->blocks)
    for (const core::Line& line : block.lines)
      for (const core::Word& word : line.words) EXPECT_FALSE(word.bbox.Empty()) << word.text;
}

TEST(ApertiumTest, AMissingModesFolderHasNoPairs) {
  EXPECT_TRUE(ApertiumPairs("/nonexistent/apertium/modes").empty());
  auto translator = MakeApertiumTranslator(60000, "/nonexistent/apertium/modes");
  EXPECT_FALSE(translator->Supports("en", "es"));
  auto result = translator->Translate("The house", "en", "es");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidParameter);
  EXPECT_NE(result.error().message.find("no Apertium language pairs"), std::string::npos)
      << result.error().message;
}

// Modes written for the test: each is the shell pipeline apertium runs on
// its deformatted stream, where html tags are bracketed "superblanks".
class MadeUpModesTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/ocrchat-apertium-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    data_dir_ = pattern;
    std::filesystem::create_directory(data_dir_ + "/modes");
    auto mode = [](const std::string& name, const std::string& pipeline) {
      std::ofstream(data_dir_ + "/modes/" + name + ".mode") << pipeline << "\n";
    };
    mode("eng-spa", "sed -e s/house/casa/g");
    mode("en-es", "sed -e s/house/old-two-letter-pair/g");
    mode("es-en", "sed -e s/casa/house/g");
    mode("es-en_US", "sed -e s/casa/regional-variant/g");
    mode("en-xx_var", "sed -e s/hello/hola/g");
    mode("xx-en", "exit 3");
    mode("en-zz", "sleep 5");
    // Loses the second segment's boundary, so one run per segment follows.
    mode("zz-en", "sed -e 's/<p id=\"s1\">//' -e s/two/dos/g -e s/one/uno/g");
    mode("en-es-anmor", "cat");
    mode("eco-es-fr", "cat");
    mode("en-toolong", "cat");
    std::ofstream(data_dir_ + "/modes/README") << "not a mode\n";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(data_dir_); }
  void SetUp() override {
    if (!ApertiumInstalled()) GTEST_SKIP() << "needs apertium";
  }
  static std::string ModesDir() { return data_dir_ + "/modes"; }
  static inline std::string data_dir_;
};

TEST_F(MadeUpModesTest, PairsArePlainModesMappedToIso6391AndVariantsOnlyAsALastResort) {
  EXPECT_EQ(
      ApertiumPairs(ModesDir()),
      (std::vector<Pair>{
          {"en", "es"}, {"en", "xx"}, {"en", "zz"}, {"es", "en"}, {"xx", "en"}, {"zz", "en"}}));
}

TEST_F(MadeUpModesTest, RunsTheChosenMode) {
  auto translator = MakeApertiumTranslator(60000, ModesDir());
  auto spanish = translator->Translate("the house\n", "en", "es");
  ASSERT_TRUE(spanish.has_value()) << spanish.error().message;
  EXPECT_EQ(*spanish, "the casa\n");
  auto english = translator->Translate("la casa", "es", "en");
  ASSERT_TRUE(english.has_value()) << english.error().message;
  EXPECT_EQ(*english, "la house");
  auto variant = translator->Translate("hello", "en", "xx");
  ASSERT_TRUE(variant.has_value()) << variant.error().message;
  EXPECT_EQ(*variant, "hola");
}

TEST_F(MadeUpModesTest, FallsBackToOneRunPerSegmentWhenABoundaryIsLost) {
  auto translator = MakeApertiumTranslator(60000, ModesDir());
  auto english = translator->TranslateSegments({"one", "two", "", "one two"}, "zz", "en");
  ASSERT_TRUE(english.has_value()) << english.error().message;
  EXPECT_EQ(*english, (std::vector<std::string>{"uno", "dos", "", "uno dos"}));
}

TEST_F(MadeUpModesTest, AFailingApertiumIsUnavailable) {
  auto translator = MakeApertiumTranslator(60000, ModesDir());
  auto result = translator->Translate("text", "xx", "en");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("failed"), std::string::npos) << result.error().message;
}

TEST_F(MadeUpModesTest, ASlowApertiumIsStoppedAndUnavailable) {
  auto translator = MakeApertiumTranslator(300, ModesDir());
  auto result = translator->TranslateSegments({"one", "two"}, "en", "zz");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("took longer than 300 ms"), std::string::npos)
      << result.error().message;
}

}  // namespace
}  // namespace ocrchat::translate
