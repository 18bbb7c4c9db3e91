// The lexicon, the date and amount normalisers in each language, and the
// pairing of labels with values on synthetic layouts.
#include "fields/fields.h"
#include "fields/letterhead.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace ocrchat::fields {
namespace {

std::vector<FieldName> LabelsIn(const std::string& text) {
  std::vector<FieldName> out;
  for (const LabelMatch& m : FindLabels(text)) out.push_back(m.field);
  return out;
}

bool HasLabel(const std::string& text, FieldName field, const std::string& printed) {
  for (const LabelMatch& m : FindLabels(text))
    if (m.field == field && text.substr(m.begin, m.end - m.begin).starts_with(printed)) return true;
  return false;
}

TEST(FoldTest, RemovesDiacriticsAndKeepsOrigins) {
  Folded f = Fold("Numéro Fällig n°");
  EXPECT_EQ(f.text, "numero fallig no");
  ASSERT_EQ(f.origin.size(), f.text.size() + 1);
  EXPECT_EQ(f.origin[4], 5u);  // 'r' after the two-byte é
  EXPECT_EQ(f.origin.back(), std::string("Numéro Fällig n°").size());
  EXPECT_EQ(Fold("Straße").text, "strasse");
}

TEST(LexiconTest, InvoiceNumberInEachLanguage) {
  for (const char* text : {"Invoice Number:", "Invoice No.", "Rechnungsnr.", "Rechnungs-Nr.",
                           "Facture n°", "Numéro de facture", "Factura nº", "Número de factura",
                           "Fattura n.", "Numero fattura", "Factuurnummer:", "Fatura nº",
                           "Número da fatura"})
    EXPECT_TRUE(HasLabel(text, FieldName::kInvoiceNumber, std::string(text).substr(0, 3))) << text;
}

TEST(LexiconTest, DatesAndTotalsInEachLanguage) {
  const std::vector<std::pair<std::string, FieldName>> cases = {
      {"Invoice Date:", FieldName::kIssueDate}, {"Rechnungsdatum", FieldName::kIssueDate},
      {"Date de facture", FieldName::kIssueDate}, {"Fecha de emisión", FieldName::kIssueDate},
      {"Data fattura", FieldName::kIssueDate}, {"Factuurdatum:", FieldName::kIssueDate},
      {"Data de emissão", FieldName::kIssueDate}, {"Due Date:", FieldName::kDueDate},
      {"Fälligkeitsdatum", FieldName::kDueDate}, {"Date d'échéance", FieldName::kDueDate},
      {"Fecha de vencimiento", FieldName::kDueDate}, {"Data di scadenza", FieldName::kDueDate},
      {"Vervaldatum", FieldName::kDueDate}, {"Data de vencimento", FieldName::kDueDate},
      {"Grand Total", FieldName::kTotal}, {"Gesamtbetrag", FieldName::kTotal},
      {"Total TTC", FieldName::kTotal}, {"Importe total", FieldName::kTotal},
      {"Totale", FieldName::kTotal}, {"Totaal", FieldName::kTotal}, {"Valor total", FieldName::kTotal},
      {"Tatal Amount:", FieldName::kTotal}, {"TOTAI", FieldName::kTotal},
      {"Subtotal", FieldName::kSubtotal}, {"Zwischensumme", FieldName::kSubtotal},
      {"SubTotai", FieldName::kSubtotal},
      {"Total HT", FieldName::kSubtotal}, {"Subtotaal", FieldName::kSubtotal},
      {"MwSt.", FieldName::kTax}, {"TVA 20%", FieldName::kTax}, {"IVA", FieldName::kTax},
      {"BTW 21%", FieldName::kTax}, {"Bill to:", FieldName::kCustomer}};
  for (const auto& [text, field] : cases) {
    std::vector<FieldName> found = LabelsIn(text);
    EXPECT_NE(std::find(found.begin(), found.end(), field), found.end()) << text;
  }
}

TEST(LexiconTest, TotalAsOcrMisreadsIt) {
  for (const char* word : {"total", "totai", "t0tal", "tatal", "t0ta1", "ttotal", "tota"})
    EXPECT_EQ(TotalWord(word), FieldName::kTotal) << word;
  for (const char* word : {"subtotal", "subtotai", "subtota", "sub7otal"})
    EXPECT_EQ(TotalWord(word), FieldName::kSubtotal) << word;
  for (const char* word : {"tonal", "totals", "tot", "metal", "totally", "sub", "70741"})
    EXPECT_FALSE(TotalWord(word)) << word;
}

TEST(LexiconTest, LongerLabelsHoldShorterOnes) {
  // "Order Date" is not the issue date; "facture nouvelle" holds no "facture n".
  auto labels = FindLabels("Order Date: 15-10-2015");
  ASSERT_FALSE(labels.empty());
  EXPECT_EQ(labels.front().field, FieldName::kOther);
  EXPECT_FALSE(HasLabel("facture nouvelle", FieldName::kInvoiceNumber, "facture n"));
  EXPECT_TRUE(LabelsIn("tonal range").empty());
  EXPECT_TRUE(LabelsIn("orderdatum").size() == 1 && LabelsIn("orderdatum")[0] == FieldName::kOther);
}

std::string Iso(const std::string& text, DateOrder order = DateOrder::kDayFirst) {
  std::vector<DateValue> dates = FindDates(text, order);
  return dates.empty() ? "" : dates.front().iso;
}

TEST(DatesTest, EachLanguagesFormats) {
  EXPECT_EQ(Iso("August 3 , 2014"), "2014-08-03");
  EXPECT_EQ(Iso("Jan 1, 2022"), "2022-01-01");
  EXPECT_EQ(Iso("3rd August 2014"), "2014-08-03");
  EXPECT_EQ(Iso("7. Mai 2014"), "2014-05-07");
  EXPECT_EQ(Iso("1. März 2020"), "2020-03-01");
  EXPECT_EQ(Iso("02 Juillet 2015"), "2015-07-02");
  EXPECT_EQ(Iso("le 5 août 2015"), "2015-08-05");
  EXPECT_EQ(Iso("15 de marzo de 2021"), "2021-03-15");
  EXPECT_EQ(Iso("31 dicembre 2019"), "2019-12-31");
  EXPECT_EQ(Iso("29 maart 2014"), "2014-03-29");
  EXPECT_EQ(Iso("19 april 2014"), "2014-04-19");
  EXPECT_EQ(Iso("10 de outubro de 2018"), "2018-10-10");
  EXPECT_EQ(Iso("15-Jan-2018"), "2018-01-15");
  EXPECT_EQ(Iso("10Mar2018 13:24"), "2018-03-10");
  EXPECT_EQ(Iso("05JAN18"), "2018-01-05");
}

TEST(DatesTest, NumericDatesAndTheirOrder) {
  EXPECT_EQ(Iso("31/12/2017"), "2017-12-31");
  EXPECT_EQ(Iso("28/11/2022"), "2022-11-28");
  EXPECT_EQ(Iso("03/20/2023"), "2023-03-20");  // only month first is a date
  EXPECT_EQ(Iso("8-9-2022"), "2022-09-08");
  EXPECT_EQ(Iso("8-9-2022", DateOrder::kMonthFirst), "2022-08-09");
  EXPECT_EQ(Iso("01.05.14"), "2014-05-01");
  EXPECT_EQ(Iso("2014-05-07"), "2014-05-07");
  EXPECT_EQ(Iso("25 / 12 / 2018"), "2018-12-25");
  EXPECT_TRUE(FindDates("8-9-2022")[0].ambiguous);
  EXPECT_EQ(Iso("31/02/2020"), "");
  EXPECT_EQ(Iso("12.50 13.75"), "");
  EXPECT_EQ(Iso("Tel 0312-45-6789"), "");
}

TEST(DatesTest, ReportsWhereTheDateWasPrinted) {
  std::string text = "Date limite de paiement le 05 Juillet 2015";
  std::vector<DateValue> dates = FindDates(text);
  ASSERT_EQ(dates.size(), 1u);
  EXPECT_EQ(text.substr(dates[0].begin, dates[0].end - dates[0].begin), "05 Juillet 2015");
}

std::string Amount(const std::string& text) {
  std::vector<AmountValue> amounts = FindAmounts(text);
  return amounts.empty() ? "" : amounts.back().value + (amounts.back().currency.empty() ? "" : " " + amounts.back().currency);
}

TEST(AmountsTest, DecimalCommasPointsAndGrouping) {
  EXPECT_EQ(Amount("717,97"), "717.97");
  EXPECT_EQ(Amount("1.234,56"), "1234.56");
  EXPECT_EQ(Amount("1,234.56"), "1234.56");
  EXPECT_EQ(Amount("1 234,56"), "1234.56");
  EXPECT_EQ(Amount("3.441.812 Euros"), "3441812 EUR");
  EXPECT_EQ(Amount("CHF 1'250.00"), "1250.00 CHF");
  EXPECT_EQ(Amount("-9,32"), "-9.32");
}

TEST(AmountsTest, CurrenciesToIso4217) {
  EXPECT_EQ(Amount("€ 4.904,94"), "4904.94 EUR");
  EXPECT_EQ(Amount("$4.11"), "4.11 USD");
  EXPECT_EQ(Amount("EUR 34,73"), "34.73 EUR");
  EXPECT_EQ(Amount("RM 64. 15"), "64.15 MYR");
  EXPECT_EQ(Amount("Service Charge RM 5 83"), "5.83 MYR");
  EXPECT_EQ(Amount("RM 64 13 x"), "64 MYR");
  EXPECT_EQ(Amount("29.99 € TTC"), "29.99 EUR");
  EXPECT_EQ(Amount("Rs 1939"), "1939 INR");
  EXPECT_EQ(Amount("RM 12.50"), "12.50 MYR");
  EXPECT_EQ(Amount("£7.20"), "7.20 GBP");
  EXPECT_EQ(CurrencyCode("€"), "EUR");
  EXPECT_EQ(CurrencyCode("usd"), "USD");
  EXPECT_EQ(CurrencyCode("Rs."), "INR");
  EXPECT_EQ(CurrencyCode("kg"), "");
}

TEST(AmountsTest, NumbersThatAreNoAmounts) {
  EXPECT_EQ(Amount("2014"), "");              // a bare integer
  EXPECT_EQ(Amount("15.00%"), "");            // a rate
  EXPECT_EQ(Amount("31/12/2017"), "");        // a date
  EXPECT_EQ(Amount("12:45"), "");             // a time
  EXPECT_EQ(Amount("INV/2023/03/0008"), "");  // a number of a document
}

// A page made of rows of cells: each cell {text, x} on a row at y; words
// are 10 px wide per character, 20 px high.
struct Cell {
  std::string text;
  int x;
};
core::Page LayoutPage(const std::vector<std::pair<int, std::vector<Cell>>>& rows) {
  core::Page page;
  page.width = 2000;
  page.height = 2000;
  core::Block block;
  for (const auto& [y, cells] : rows)
    for (const Cell& cell : cells) {
      // Each cell a line of its own, as Tesseract gives columns apart.
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
      block.lines.push_back(line);
    }
  page.blocks.push_back(block);
  return page;
}

core::Document Doc(core::Page page) {
  core::Document doc;
  doc.pages.push_back(std::move(page));
  return doc;
}

TEST(LetterheadTest, NamesStreetsAndPlaces) {
  EXPECT_TRUE(HasBusinessSuffix("BOOK TAK (TAMAN DAYA) SDN BHD"));
  EXPECT_TRUE(HasBusinessSuffix("Quality Hosting AG"));
  EXPECT_FALSE(HasBusinessSuffix("Thank you, come again"));
  EXPECT_TRUE(IsStopLine("GST Reg No: 000123"));
  EXPECT_TRUE(IsStopLine("Rechnung"));
  EXPECT_FALSE(IsStopLine("INDAH GIFT & HOME DECO"));
  EXPECT_TRUE(IsNameLike("MR D.I.Y. (M) SDN BHD"));
  EXPECT_TRUE(IsNameLike("AEON CO. (M) BHD (126:"));
  EXPECT_FALSE(IsNameLike("07-355 2616"));
  // A street is an address; a town in a business name is not a street.
  EXPECT_TRUE(IsStreetLike("NO.53 55,57 & 59, JALAN SAGU 18"));
  EXPECT_TRUE(IsStreetLike("Hauptstrasse 5"));
  EXPECT_FALSE(IsStreetLike("YHM AEON TEBRAU CITY"));
  EXPECT_TRUE(NamesAStreet("78, JALAN SS21/62,"));
  EXPECT_FALSE(NamesAStreet("32 PUB & BISTRO own by CNU TRADING"));
  EXPECT_TRUE(HasBusinessSuffix("PERNIAGAAN ZHENG HUI"));
  EXPECT_TRUE(IsAddressLike("81100 JOHOR BAHRU, JOHOR."));
  EXPECT_TRUE(IsAddressLike("TAMAN DAYA"));
  EXPECT_FALSE(IsAddressLike("12/02/2018 13:05"));
  EXPECT_FALSE(IsAddressLike("(1234567-X)"));
}

TEST(PairingTest, ValueToTheRightInTheSameRow) {
  // Two columns: labels at x=100, values at x=600; a second pair further right.
  core::Document doc = Doc(LayoutPage({
      {100, {{"Rechnung", 100}, {"Seite 1", 1400}}},
      {200, {{"Rechnungsnr.", 100}, {"30064443", 600}, {"Kundennr.", 1200}, {"47774", 1500}}},
      {240, {{"Rechnungsdatum", 100}, {"7. Mai 2014", 600}}},
      {900, {{"Gesamtbetrag", 1100}, {"EUR 34,73", 1500}}},
  }));
  Fields fields = Extract(doc);
  const Field* number = fields.Find(FieldName::kInvoiceNumber);
  ASSERT_NE(number, nullptr);
  EXPECT_EQ(number->value, "30064443");
  EXPECT_EQ(number->label, "Rechnungsnr.");
  EXPECT_EQ(number->bbox, (core::Box{600, 200, 680, 220}));
  EXPECT_FLOAT_EQ(number->confidence, 0.9f);
  const Field* date = fields.Find(FieldName::kIssueDate);
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->value, "2014-05-07");
  EXPECT_EQ(date->text, "7. Mai 2014");
  const Field* total = fields.Find(FieldName::kTotal);
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->value, "34.73");
  EXPECT_EQ(total->currency, "EUR");
  EXPECT_EQ(fields.type, DocumentType::kInvoice);
  EXPECT_EQ(fields.Find(FieldName::kCurrency)->value, "EUR");
}

TEST(PairingTest, ValueDirectlyBelowAHeaderRow) {
  // Labels side by side with their values under them: the issue date is not
  // the due date beside it, nor the reference.
  core::Document doc = Doc(LayoutPage({
      {100, {{"Invoice INV/2023/03/0008", 100}}},
      {200, {{"Invoice Date:", 100}, {"Due Date:", 600}, {"Reference:", 1100}}},
      {225, {{"03/20/2023", 100}, {"04/04/2023", 600}, {"CUSTREF123", 1100}}},
      {900, {{"Subtotal", 1000}, {"$ 262.90", 1500}}},
      {940, {{"Tax 15% on $ 112.90", 1000}, {"$ 16.94", 1500}}},
      {980, {{"Total", 1000}, {"$ 279.84", 1500}}},
  }));
  Fields fields = Extract(doc);
  ASSERT_NE(fields.Find(FieldName::kIssueDate), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kIssueDate)->value, "2023-03-20");
  ASSERT_NE(fields.Find(FieldName::kDueDate), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kDueDate)->value, "2023-04-04");
  EXPECT_EQ(fields.Find(FieldName::kInvoiceNumber)->value, "INV/2023/03/0008");
  EXPECT_EQ(fields.Find(FieldName::kTotal)->value, "279.84");
  EXPECT_EQ(fields.Find(FieldName::kSubtotal)->value, "262.90");
  EXPECT_EQ(fields.Find(FieldName::kTax)->value, "16.94");
  EXPECT_EQ(fields.Find(FieldName::kTotal)->currency, "USD");
}

TEST(PairingTest, ColumnsAreNotReadingOrder) {
  // The left column's label must not take the right column's value printed
  // on the row above, nor the value of the label below it.
  core::Document doc = Doc(LayoutPage({
      {100, {{"Bill to:", 100}, {"Factuurnummer:", 1000}, {"993548900", 1400}}},
      {125, {{"Pino Bluebird", 100}, {"Factuurdatum:", 1000}, {"19 april 2014", 1400}}},
      {150, {{"Orderdatum:", 1000}, {"18 april 2014", 1400}}},
      {800, {{"Totaal", 1000}, {"€ 717,97", 1400}}},
  }));
  Fields fields = Extract(doc);
  EXPECT_EQ(fields.Find(FieldName::kInvoiceNumber)->value, "993548900");
  EXPECT_EQ(fields.Find(FieldName::kIssueDate)->value, "2014-04-19");
  EXPECT_EQ(fields.Find(FieldName::kDueDate), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kTotal)->value, "717.97");
  ASSERT_NE(fields.Find(FieldName::kCustomer), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kCustomer)->value, "Pino Bluebird");
}

TEST(PairingTest, LabelAndValueInOneLine) {
  core::Document doc = Doc(LayoutPage({
      {100, {{"Free Service Abonné", 100}}},
      {300, {{"Facture n°562044387 du 02 Juillet 2015", 100}}},
      {330, {{"Date limite de paiement le 05 Juillet 2015", 100}}},
      {600, {{"Total HT : 24,99 €", 1000}}},
      {640, {{"Total TTC : 29,99 €", 1000}}},
  }));
  Fields fields = Extract(doc);
  EXPECT_EQ(fields.Find(FieldName::kInvoiceNumber)->value, "562044387");
  EXPECT_EQ(fields.Find(FieldName::kIssueDate)->value, "2015-07-02");
  EXPECT_EQ(fields.Find(FieldName::kIssueDate)->label, "");  // found without a label
  EXPECT_EQ(fields.Find(FieldName::kDueDate)->value, "2015-07-05");
  EXPECT_EQ(fields.Find(FieldName::kTotal)->value, "29.99");
  EXPECT_EQ(fields.Find(FieldName::kSubtotal)->value, "24.99");
}

TEST(PairingTest, ReceiptTotalIsNotTheCashTendered) {
  core::Document doc = Doc(LayoutPage({
      {50, {{"KEDAI RUNCIT MAJU SDN BHD", 100}}},
      {75, {{"NO 12, JALAN BESAR, 43000 KAJANG", 100}}},
      {120, {{"RECEIPT", 300}, {"25/12/2018 10:15", 600}}},
      {300, {{"SUB TOTAL", 100}, {"RM 12.00", 600}}},
      {330, {{"TOTAL QTY", 100}, {"3", 600}}},
      {360, {{"TOTAL", 100}, {"RM 12.72", 600}}},
      {390, {{"CASH", 100}, {"RM 20.00", 600}}},
      {420, {{"CHANGE", 100}, {"RM 7.28", 600}}},
  }));
  Fields fields = Extract(doc);
  EXPECT_EQ(fields.type, DocumentType::kReceipt);
  EXPECT_EQ(fields.Find(FieldName::kTotal)->value, "12.72");
  EXPECT_EQ(fields.Find(FieldName::kTotal)->currency, "MYR");
  EXPECT_EQ(fields.Find(FieldName::kIssueDate)->value, "2018-12-25");
  EXPECT_EQ(fields.Find(FieldName::kIssuer)->value, "KEDAI RUNCIT MAJU SDN BHD");
  ASSERT_NE(fields.Find(FieldName::kIssuerAddress), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kIssuerAddress)->value, "NO 12, JALAN BESAR, 43000 KAJANG");
}

// What is paid is the total after the rounding row, not the one above it,
// though that one's label says more ("Total Sales (Incl. GST)").
TEST(PairingTest, ReceiptTotalAfterRounding) {
  core::Document doc = Doc(LayoutPage({
      {50, {{"KEDAI RUNCIT MAJU SDN BHD", 100}}},
      {120, {{"RECEIPT", 300}, {"25/12/2018 10:15", 600}}},
      {300, {{"Total Sales (Incl. GST 6%)", 100}, {"RM 64 13", 600}}},
      {330, {{"Rounding Adjustment", 100}, {"RM 0.02", 600}}},
      {360, {{"TOTAL", 100}, {"RM 64. 15", 600}}},
      {390, {{"CASH", 100}, {"RM 100.00", 600}}},
      {420, {{"CHANGE", 100}, {"RM 35.85", 600}}},
  }));
  Fields fields = Extract(doc);
  ASSERT_NE(fields.Find(FieldName::kTotal), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kTotal)->value, "64.15");
}

// OCR read "$8.20" as "58.20" beside the label that says most: the cash
// paid, with no change, confirms the other total.
TEST(PairingTest, ReceiptTotalThePaymentConfirms) {
  core::Document doc = Doc(LayoutPage({
      {50, {{"UNIHAKKA INTERNATIONAL SDN BHD", 100}}},
      {120, {{"TAX INVOICE", 300}, {"03 Mar 2018 18:22", 600}}},
      {300, {{"Total Amount:", 100}, {"$8.20", 600}}},
      {330, {{"GST @6%:", 100}, {"$0.46", 600}}},
      {360, {{"Net Total:", 100}, {"58.20", 600}}},
      {390, {{"CASH", 100}, {"$8.20", 600}}},
      {420, {{"Change", 100}, {"$0.00", 600}}},
  }));
  EXPECT_EQ(Extract(doc).Find(FieldName::kTotal)->value, "8.20");
}

// A business name that starts with a number is a name, not a house number.
TEST(PairingTest, IssuerNamedWithANumber) {
  core::Document doc = Doc(LayoutPage({
      {50, {{"99 SPEED MART S/B", 100}}},
      {75, {{"LOT 5, JALAN BESAR, 43000 KAJANG", 100}}},
      {120, {{"RECEIPT", 300}, {"25/12/2018 10:15", 600}}},
      {360, {{"TOTAL", 100}, {"RM 12.72", 600}}},
  }));
  Fields fields = Extract(doc);
  ASSERT_NE(fields.Find(FieldName::kIssuer), nullptr);
  EXPECT_EQ(fields.Find(FieldName::kIssuer)->value, "99 SPEED MART S/B");
}

TEST(PairingTest, LineItemsBetweenHeaderAndTotals) {
  core::Document doc = Doc(LayoutPage({
      {100, {{"Invoice # 1001", 100}}},
      {200, {{"Description", 100}, {"Qty", 800}, {"Price", 1100}, {"Amount", 1500}}},
      {230, {{"Service A", 100}, {"12", 800}, {"$10.00", 1100}, {"$120.00", 1500}}},
      {260, {{"Service B", 100}, {"5", 800}, {"$1.50", 1100}, {"$7.50", 1500}}},
      {320, {{"Total:", 1100}, {"$127.50", 1500}}},
  }));
  Fields fields = Extract(doc);
  ASSERT_EQ(fields.line_items.size(), 2u);
  EXPECT_EQ(fields.line_items[0].description, "Service A");
  EXPECT_EQ(fields.line_items[0].quantity.value_or(""), "12");
  EXPECT_EQ(fields.line_items[0].unit_price.value_or(""), "10.00");
  EXPECT_EQ(fields.line_items[0].amount, "120.00");
  EXPECT_FALSE(fields.line_items_partial);  // 120.00 + 7.50 is the total
  EXPECT_EQ(fields.Find(FieldName::kInvoiceNumber)->value, "1001");
}

TEST(PairingTest, PlainTextIsOther) {
  core::Document doc = Doc(LayoutPage({{100, {{"This is a test document.", 100}}}}));
  Fields fields = Extract(doc);
  EXPECT_EQ(fields.type, DocumentType::kOther);
  EXPECT_EQ(fields.Find(FieldName::kTotal), nullptr);
  nlohmann::json json = ToJson(fields);
  EXPECT_EQ(json["document_type"], "other");
  EXPECT_TRUE(json["total"].is_null());
  EXPECT_TRUE(json["line_items"].empty());
  EXPECT_EQ(Extract(core::Document{}).type, DocumentType::kOther);
}

TEST(PairingTest, JsonReadsBackAsTheFieldsItWasWrittenFrom) {
  core::Document doc = Doc(LayoutPage({
      {100, {{"Invoice # 1001", 100}}},
      {140, {{"Date: 31/12/2017", 100}}},
      {200, {{"Description", 100}, {"Qty", 800}, {"Price", 1100}, {"Amount", 1500}}},
      {230, {{"Service A", 100}, {"12", 800}, {"$10.00", 1100}, {"$120.00", 1500}}},
      {260, {{"Service B", 100}, {"5", 800}, {"$1.50", 1100}, {"$7.50", 1500}}},
      {320, {{"Total:", 1100}, {"$127.50", 1500}}},
  }));
  Fields fields = Extract(doc);
  nlohmann::json json = ToJson(fields);
  std::optional<Fields> back = FromJson(json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(ToJson(*back), json);
  EXPECT_EQ(back->type, DocumentType::kInvoice);
  ASSERT_EQ(back->fields.size(), fields.fields.size());
  for (size_t i = 0; i < fields.fields.size(); ++i) {
    EXPECT_EQ(back->fields[i].name, fields.fields[i].name);
    EXPECT_EQ(back->fields[i].value, fields.fields[i].value);
    EXPECT_EQ(back->fields[i].currency, fields.fields[i].currency);
  }
  ASSERT_EQ(back->line_items.size(), 2u);
  EXPECT_EQ(back->line_items[1].unit_price.value_or(""), "1.50");
  EXPECT_FALSE(back->line_items_partial);

  EXPECT_FALSE(FromJson(nlohmann::json::parse("[1, 2]")).has_value());
  EXPECT_FALSE(FromJson(nlohmann::json::parse(R"({"document_type": "invoice", "total": {"confidence": "high"}})"))
                   .has_value());
}

TEST(PairingTest, JsonCarriesPrintedAndNormalForms) {
  core::Document doc = Doc(LayoutPage({
      {100, {{"Invoice Number:", 100}, {"42183017", 600}}},
      {140, {{"TOTAL AMOUNT DUE ON August 3 , 2014", 100}, {"$4.11", 1500}}},
  }));
  nlohmann::json json = ToJson(Extract(doc));
  EXPECT_EQ(json["document_type"], "invoice");
  EXPECT_EQ(json["total"]["value"], "4.11");
  EXPECT_EQ(json["total"]["text"], "$4.11");
  EXPECT_EQ(json["total"]["currency"], "USD");
  EXPECT_EQ(json["total"]["page"], 1);
  EXPECT_EQ(json["due_date"]["value"], "2014-08-03");
  EXPECT_EQ(json["due_date"]["text"], "August 3 , 2014");
  EXPECT_EQ(json["invoice_number"]["bbox"], nlohmann::json::array({600, 100, 680, 120}));
}

TEST(PairingTest, HugeWordsAndLinesAreRead) {
  // A 20,000-character word and a 5,000-word line: no label or value, and
  // no regular expression runs over them whole.
  core::Page page;
  page.width = page.height = 100000;
  core::Line line;
  line.words.push_back({std::string(20000, '1'), {0, 0, 90000, 20}, 0.9f});
  for (int i = 0; i < 5000; ++i)
    line.words.push_back({i % 2 ? "Total" : "1,", {10 * i, 40, 10 * i + 8, 60}, 0.9f});
  core::Block block;
  block.lines.push_back(line);
  page.blocks.push_back(block);
  Fields fields = Extract(Doc(page));
  EXPECT_NE(fields.type, DocumentType::kInvoice);
  EXPECT_TRUE(FindAmounts(std::string(100000, ',')).empty());
  EXPECT_TRUE(FindDates(std::string(100000, '/')).empty());
  EXPECT_TRUE(FindLabels(std::string(100000, '#')).size() > 0);
}

}  // namespace
}  // namespace ocrchat::fields
