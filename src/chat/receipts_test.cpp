// Question set over the 50 SROIE receipts: total, date, address and issuer
// asked of each receipt's ground-truth lines, checked against its key file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chat/chat.h"
#include "chat/test_documents.h"
#include "core/text.h"

namespace ocrchat::chat {
namespace {

std::string Normal(std::string_view text, bool drop_commas_and_spaces) {
  std::string out = core::NormalizeSpace(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (drop_commas_and_spaces)
    std::erase_if(out, [](char c) { return c == ',' || c == ' '; });
  return out;
}

TEST(ReceiptsTest, AnswersTotalDateAddressAndIssuer) {
  const std::vector<std::pair<std::string, std::string>> questions = {
      {"total", "What is the total?"},
      {"date", "What is the date?"},
      {"address", "What is the address?"},
      {"company", "Which company issued this?"}};
  std::unique_ptr<Answerer> answerer = MakeExtractiveAnswerer();
  std::map<std::string, int> right, asked;
  for (int n = 0; n < 50; ++n) {
    char stem[8];
    std::snprintf(stem, sizeof stem, "%03d", n);
    core::Document doc = ReceiptDocument(kReceipts + "/box/" + stem + ".csv");
    ASSERT_FALSE(doc.pages[0].blocks.empty()) << stem;
    std::ifstream key_file(kReceipts + "/key/" + stem + ".json");
    nlohmann::json key = nlohmann::json::parse(key_file);
    std::string page_text = doc.pages[0].Text();
    for (const auto& [field, question] : questions) {
      core::Result<Reply> reply = answerer->Answer(doc, {}, question);
      ASSERT_TRUE(reply.has_value()) << stem << " " << question;
      const Message& message = reply->message;
      for (const Citation& citation : message.citations) {
        EXPECT_EQ(citation.page, 1);
        EXPECT_NE(page_text.find(citation.snippet), std::string::npos) << citation.snippet;
      }
      bool address = field == "address";
      std::string expected = Normal(key.value(field, ""), address);
      if (expected.empty()) continue;  // 033 has no total in its key
      ++asked[field];
      bool cited = !message.citations.empty() && message.citations[0].page == 1;
      bool ok = cited &&
                Normal(message.content, address).find(expected) != std::string::npos;
      if (ok) ++right[field];
      else if (std::getenv("OCRCHAT_VERBOSE"))
        std::printf("%s %-8s want %-40s got %s\n", stem, field.c_str(), key.value(field, "").c_str(),
                    message.content.c_str());
    }
  }
  // Measured: total 47/49 = 0.96, date 50/50 = 1.00, address 38/50 = 0.76,
  // company 46/50 = 0.92; overall 181/199 = 0.91. Most misses are keys that
  // differ from the transcripts they are checked against ("SDN BND" for
  // "SDN BHD", "75, JALAN" for "75. JALAN"); the rest are receipts whose
  // total has no readable label (018 reads "TO", 047 has none and pays in
  // cash on boxes split from their label).
  const std::map<std::string, double> floors = {
      {"total", 0.92}, {"date", 0.96}, {"address", 0.72}, {"company", 0.88}};
  int all_right = 0, all_asked = 0;
  for (const auto& [field, question] : questions) {
    all_right += right[field];
    all_asked += asked[field];
    double rate = static_cast<double>(right[field]) / asked[field];
    std::printf("%-8s %2d/%d = %.2f\n", field.c_str(), right[field], asked[field], rate);
    EXPECT_GE(rate, floors.at(field)) << field;
  }
  double overall = static_cast<double>(all_right) / all_asked;
  std::printf("overall  %d/%d = %.3f\n", all_right, all_asked, overall);
  EXPECT_GE(overall, 0.8);
}

}  // namespace
}  // namespace ocrchat::chat
