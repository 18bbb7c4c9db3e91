// Questions split into the fields they ask for, and answers part by part.
#include "chat/fields_answer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "chat/test_documents.h"

namespace ocrchat::chat {
namespace {

using fields::FieldName;
using ::testing::HasSubstr;

TEST(AskedFieldsTest, CompoundQuestionsInTheOrderAsked) {
  EXPECT_EQ(AskedFields("What is the invoice total and due date?"),
            (std::vector<FieldName>{FieldName::kTotal, FieldName::kDueDate}));
  EXPECT_EQ(AskedFields("When was it issued, and what is the invoice number?"),
            (std::vector<FieldName>{FieldName::kIssueDate, FieldName::kIssuer, FieldName::kInvoiceNumber}));
  EXPECT_EQ(AskedFields("What is the amount due?"), (std::vector<FieldName>{FieldName::kTotal}));
  EXPECT_EQ(AskedFields("When is it due?"), (std::vector<FieldName>{FieldName::kDueDate}));
  EXPECT_EQ(AskedFields("What is the date?"), (std::vector<FieldName>{FieldName::kIssueDate}));
  EXPECT_EQ(AskedFields("What is the invoice no?"), (std::vector<FieldName>{FieldName::kInvoiceNumber}));
  EXPECT_EQ(AskedFields("How much VAT was charged?"), (std::vector<FieldName>{FieldName::kTax}));
  EXPECT_EQ(AskedFields("What is the subtotal and the total?"),
            (std::vector<FieldName>{FieldName::kSubtotal, FieldName::kTotal}));
  EXPECT_TRUE(AskedFields("Summarise the document").empty());
  EXPECT_TRUE(AskedFields(std::string(100000, 'a') + " invoice " + std::string(100000, ' ')).empty());
}

core::Document InvoiceWithoutDueDate() {
  core::Document doc;
  doc.pages.push_back(BoxedPage(0, {
      {100, {{"Coolblue B.V.", 1200}}},
      {200, {{"Factuurnummer:", 100}, {"993548900", 500}}},
      {230, {{"Factuurdatum:", 100}, {"19 april 2014", 500}}},
      {900, {{"Totaal", 1000}, {"€ 717,97", 1400}}},
  }));
  return doc;
}

Reply Ask(const core::Document& doc, const std::string& question) {
  core::Result<Reply> reply = MakeExtractiveAnswerer()->Answer(doc, {}, question);
  EXPECT_TRUE(reply);
  for (const Citation& c : reply->message.citations)
    EXPECT_NE(doc.pages[c.page - 1].Text().find(c.snippet), std::string::npos) << c.snippet;
  return *reply;
}

TEST(FieldsAnswerTest, EachPartAndADueDateNotPrinted) {
  core::Document doc = InvoiceWithoutDueDate();
  Reply reply = Ask(doc, "What is the invoice total and due date?");
  EXPECT_EQ(reply.message.content,
            "The total is 717.97 EUR (printed \"€ 717,97\") (p. 1); no due date is printed (the "
            "issue date is 19 April 2014 (printed \"19 april 2014\") (p. 1)).");
  // Cited by the lines of the value and its label.
  std::vector<std::string> snippets;
  for (const Citation& c : reply.message.citations) snippets.push_back(c.snippet);
  EXPECT_THAT(snippets, ::testing::Contains(HasSubstr("717,97")));
  EXPECT_THAT(snippets, ::testing::Contains(HasSubstr("19 april 2014")));
  EXPECT_THAT(Ask(doc, "What is the invoice number?").message.content, HasSubstr("993548900 (p. 1)"));
}

TEST(FieldsAnswerTest, NotFoundOnlyForThePartsMissing) {
  core::Document doc = InvoiceWithoutDueDate();
  Reply reply = Ask(doc, "What is the total and the tax?");
  EXPECT_THAT(reply.message.content, HasSubstr("The total is 717.97 EUR"));
  EXPECT_THAT(reply.message.content, HasSubstr("the tax is not found in the document"));
  EXPECT_EQ(Ask(doc, "What is the tax?").message.content, kNotFoundAnswer);
}

TEST(FieldsAnswerTest, DueDateAndIssueDateToldApart) {
  core::Document doc;
  doc.pages.push_back(BoxedPage(0, {
      {100, {{"Invoice Date:", 100}, {"Due Date:", 600}}},
      {125, {{"03/20/2023", 100}, {"04/04/2023", 600}}},
      {900, {{"Total", 1000}, {"$ 279.84", 1400}}},
  }));
  Reply reply = Ask(doc, "When is the invoice due?");
  EXPECT_EQ(reply.message.content,
            "The due date is 4 April 2023 (printed \"04/04/2023\") (p. 1), and it was issued on 20 "
            "March 2023 (printed \"03/20/2023\") (p. 1).");
  EXPECT_THAT(Ask(doc, "What is the invoice date?").message.content,
              HasSubstr("issue date is 20 March 2023"));
}

TEST(FieldsAnswerTest, FieldsContextForAModel) {
  std::string context = FieldsContext(fields::Extract(InvoiceWithoutDueDate()));
  EXPECT_THAT(context, HasSubstr("[p. 1] invoice_number: 993548900 (label \"Factuurnummer:\")"));
  EXPECT_THAT(context, HasSubstr("[p. 1] total: 717.97 EUR"));
}

}  // namespace
}  // namespace ocrchat::chat
