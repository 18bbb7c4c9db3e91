// Tests of the extractive answerer: grounding, not-found answers, pages,
// CJK retrieval, tables, summaries and follow-up questions.
#include "chat/chat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "chat/retrieval.h"
#include "chat/test_documents.h"

namespace ocrchat::chat {
namespace {

using ::testing::HasSubstr;

// Every citation names an existing page and quotes it verbatim.
void ExpectGrounded(const core::Document& doc, const Reply& reply) {
  for (const Citation& citation : reply.message.citations) {
    ASSERT_GE(citation.page, 1);
    ASSERT_LE(citation.page, static_cast<int>(doc.pages.size()));
    EXPECT_FALSE(citation.snippet.empty());
    EXPECT_NE(doc.pages[citation.page - 1].Text().find(citation.snippet), std::string::npos)
        << citation.snippet;
  }
}

Reply Ask(const core::Document& doc, const std::string& question,
          const std::vector<Message>& history = {}) {
  core::Result<Reply> reply = MakeExtractiveAnswerer()->Answer(doc, history, question);
  EXPECT_TRUE(reply.has_value()) << question;
  if (!reply) return {};
  EXPECT_EQ(reply->message.role, "assistant");
  ExpectGrounded(doc, *reply);
  return *reply;
}

core::Document ThreePages() {
  core::Document doc;
  doc.pages.push_back(TextPage(0, {"Quarterly report of Northwind Traders",
                                   "Sales grew by twelve percent in the third quarter. The "
                                   "growth came mostly from the new coffee line.\nExports to "
                                   "Norway doubled."}));
  doc.pages.push_back(TextPage(1, {"Service report", "Date: 15/03/2021",
                                   "The engineer replaced the pump bearings and cleaned the "
                                   "filters. The warranty was extended to 36 months."}));
  doc.pages.push_back(TextPage(2, {"INVOICE", "Invoice No: INV-2041\nDate: 02/01/2021",
                                   "Subtotal: 1,100.00\nTax: 150.00\nTotal due: 1,250.00"}));
  return doc;
}

TEST(TokenizeTest, LowercasesDropsStopwordsKeepsNumbersAndBigramsCjk) {
  EXPECT_EQ(Tokenize("What is the TOTAL, in RM?"), (std::vector<std::string>{"total", "rm"}));
  EXPECT_EQ(Tokenize("Paid 9.00 on 25/12/2018."),
            (std::vector<std::string>{"paid", "9.00", "25/12/2018"}));
  EXPECT_EQ(Tokenize("Ärger CAFÉ"), (std::vector<std::string>{"ärger", "café"}));
  EXPECT_EQ(Tokenize("会议举行。"), (std::vector<std::string>{"会议", "议举", "举行"}));
}

TEST(CorpusTest, PassagesAreVerbatimPageText) {
  core::Document doc = ThreePages();
  Corpus corpus(doc);
  ASSERT_FALSE(corpus.passages().empty());
  for (const Passage& passage : corpus.passages())
    EXPECT_NE(doc.pages[passage.page].Text().find(passage.text), std::string::npos);
  // Sentences are split out of a paragraph, and a sentence may span lines.
  bool sentence = false;
  for (const Passage& passage : corpus.passages())
    if (passage.text == "The warranty was extended to 36 months.") sentence = true;
  EXPECT_TRUE(sentence);
}

TEST(ExtractiveTest, CitesThePageThatHoldsTheAnswer) {
  core::Document doc = ThreePages();
  Reply total = Ask(doc, "What is the total?");
  EXPECT_THAT(total.message.content, HasSubstr("1,250.00"));
  EXPECT_THAT(total.message.content, HasSubstr("(p. 3)"));
  ASSERT_FALSE(total.message.citations.empty());
  EXPECT_EQ(total.message.citations[0].page, 3);
  EXPECT_EQ(total.message.citations[0].snippet, "Total due: 1,250.00");

  Reply warranty = Ask(doc, "How long was the warranty extended?");
  ASSERT_FALSE(warranty.message.citations.empty());
  EXPECT_EQ(warranty.message.citations[0].page, 2);
  EXPECT_THAT(warranty.message.content, HasSubstr("36 months"));

  Reply number = Ask(doc, "What is the invoice number?");
  ASSERT_FALSE(number.message.citations.empty()) << number.message.content;
  EXPECT_THAT(number.message.content, HasSubstr("INV-2041"));
  EXPECT_EQ(number.message.citations.at(0).page, 3);

  Reply exports = Ask(doc, "Which country did exports double to?");
  ASSERT_FALSE(exports.message.citations.empty()) << exports.message.content;
  EXPECT_EQ(exports.message.citations.at(0).page, 1);
  EXPECT_THAT(exports.message.content, HasSubstr("Norway"));
  EXPECT_EQ(Ask(doc, "Where did exports double?").message.citations.at(0).page, 1);
}

TEST(ExtractiveTest, ReceiptCannotAnswerUnrelatedQuestions) {
  for (const char* stem : {"000", "010", "025"}) {
    core::Document doc = ReceiptDocument(kReceipts + "/box/" + stem + ".csv");
    for (const char* question :
         {"What is the patient's blood type?", "Who is the author of the novel?",
          "What is the patient's total cholesterol?"}) {
      Reply reply = Ask(doc, question);
      EXPECT_EQ(reply.message.content, kNotFoundAnswer) << stem << ": " << question;
      EXPECT_TRUE(reply.message.citations.empty()) << stem << ": " << question;
    }
  }
}

TEST(ExtractiveTest, NotFoundInvitesNoValue) {
  core::Document doc = ThreePages();
  Reply reply = Ask(doc, "What is the CEO's phone number?");
  EXPECT_EQ(reply.message.content, kNotFoundAnswer);
  EXPECT_TRUE(reply.message.citations.empty());
  core::Document empty;
  EXPECT_EQ(Ask(empty, "What is the total?").message.content, kNotFoundAnswer);
}

TEST(ExtractiveTest, RejectsABlankQuestion) {
  core::Result<Reply> reply = MakeExtractiveAnswerer()->Answer(ThreePages(), {}, "  \n ");
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, core::ErrorCode::kInvalidParameter);
}

TEST(ExtractiveTest, RetrievesCjkByBigrams) {
  core::Document doc;
  doc.pages.push_back(TextPage(0, {"本发票的总金额为人民币一千元。", "付款期限为三十天。"}));
  doc.pages.push_back(TextPage(1, {"会议将于三月五日在北京举行。", "请携带身份证。"}));
  Reply meeting = Ask(doc, "会议在哪里举行？");
  ASSERT_FALSE(meeting.message.citations.empty());
  EXPECT_EQ(meeting.message.citations[0].page, 2);
  EXPECT_THAT(meeting.message.content, HasSubstr("北京"));

  Reply amount = Ask(doc, "总金额是多少？");
  ASSERT_FALSE(amount.message.citations.empty());
  EXPECT_EQ(amount.message.citations[0].page, 1);

  EXPECT_EQ(Ask(doc, "火车几点出发？").message.content, kNotFoundAnswer);
}

TEST(ExtractiveTest, AnswersFromTableRows) {
  core::Page page = TextPage(0, {"Price list"});
  core::Block table;
  table.type = core::BlockType::kTable;
  table.table = core::Table{3, 2, {}, true};
  const char* cells[3][2] = {{"Item", "Price"}, {"Widget", "4.50"}, {"Gadget", "12.00"}};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) table.table->cells.push_back({r, c, 1, 1, cells[r][c], {}});
  page.blocks.push_back(table);
  core::Document doc;
  doc.pages.push_back(page);
  Reply reply = Ask(doc, "How much is the gadget?");
  ASSERT_EQ(reply.message.citations.size(), 1u);
  EXPECT_EQ(reply.message.citations[0].snippet, "Gadget\t12.00");
  EXPECT_THAT(reply.message.content, HasSubstr("12.00"));
}

TEST(ExtractiveTest, SummarizesWithCitedSentences) {
  core::Document doc = ThreePages();
  Reply reply = Ask(doc, "What is this document about?");
  EXPECT_GE(reply.message.citations.size(), 1u);
  EXPECT_LE(reply.message.citations.size(), 3u);
  EXPECT_THAT(reply.message.content, HasSubstr("(p. "));
  Reply summary = Ask(doc, "Summarize it");
  EXPECT_EQ(summary.message.content, reply.message.content);
}

TEST(ExtractiveTest, FollowUpKeepsThePageInFocus) {
  core::Document doc = ThreePages();
  std::vector<Message> history;
  history.push_back({"user", "What did the engineer replace?", {}});
  Reply first = Ask(doc, history.back().content);
  EXPECT_THAT(first.message.content, HasSubstr("pump bearings"));
  ASSERT_EQ(first.message.citations.at(0).page, 2);
  history.push_back(first.message);

  Reply date = Ask(doc, "and the date?", history);
  EXPECT_THAT(date.message.content, HasSubstr("15/03/2021"));
  EXPECT_EQ(date.message.citations.at(0).page, 2);
}

TEST(ExtractiveTest, ShortFollowUpBorrowsThePreviousQuestion) {
  core::Document doc;
  doc.pages.push_back(TextPage(0, {"Laptop X1 warranty terms",
                                   "The warranty period for the laptop is two years.\nThe "
                                   "warranty period for the battery is six months.\nThe "
                                   "charger is not covered."}));
  std::vector<Message> history;
  history.push_back({"user", "What is the warranty period for the laptop?", {}});
  Reply first = Ask(doc, history.back().content);
  EXPECT_THAT(first.message.content, HasSubstr("two years"));
  history.push_back(first.message);
  Reply battery = Ask(doc, "and for the battery?", history);
  EXPECT_THAT(battery.message.content, HasSubstr("six months"));

  // "and on page 1?" repeats the previous question on that page.
  Reply again = Ask(doc, "and on page 1?", history);
  EXPECT_THAT(again.message.content, HasSubstr("two years"));
}

TEST(ExtractiveTest, ReceiptAnswersCiteTheLinesTheyQuote) {
  core::Document doc = ReceiptDocument(kReceipts + "/box/000.csv");
  Reply total = Ask(doc, "What is the total?");
  EXPECT_THAT(total.message.content, HasSubstr("9.00 (p. 1)"));
  bool quoted = false;
  for (const Citation& citation : total.message.citations)
    if (citation.snippet.find("9.00") != std::string::npos) quoted = true;
  EXPECT_TRUE(quoted);
  Reply date = Ask(doc, "When was this bought?");
  EXPECT_THAT(date.message.content, HasSubstr("25/12/2018"));
}

}  // namespace
}  // namespace ocrchat::chat

namespace ocrchat::chat {
namespace {

TEST(ExtractiveTest, ReadsTotalsAndDatesThroughOcrNoise) {
  core::Document comma;
  comma.pages.push_back(TextPage(0, {"SHOP", "SUB TOTAL 31,00\nTOTAI RH 33,90\nCASH 50,00"}));
  Reply total = Ask(comma, "What is the total?");
  EXPECT_THAT(total.message.content, HasSubstr("33.90"));
  ASSERT_FALSE(total.message.citations.empty());
  EXPECT_EQ(total.message.citations[0].snippet, "TOTAI RH 33,90");

  core::Document spaced;
  spaced.pages.push_back(TextPage(0, {"TOTAL : RM 39. 80\nCHANGE RM 0.00"}));
  EXPECT_THAT(Ask(spaced, "What is the total?").message.content, HasSubstr("RM 39.80"));

  core::Document amounts;
  amounts.pages.push_back(TextPage(0, {"00084 1X 11.23.11,23", "18-11-18 13:58 SHOP 2153"}));
  EXPECT_THAT(Ask(amounts, "What is the date?").message.content, HasSubstr("18-11-18"));
  EXPECT_EQ(Ask(amounts, "Who is the patient's doctor?").message.content, kNotFoundAnswer);
}

}  // namespace
}  // namespace ocrchat::chat
