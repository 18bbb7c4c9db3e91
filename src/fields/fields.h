// Invoice and receipt fields read from a document's pages: labels in seven
// languages paired with their values by layout, values normalised (ISO
// dates, decimal amounts, ISO 4217 currencies). Plain functions of the
// document model; thread-safe, no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/document.h"

namespace ocrchat::fields {

enum class DocumentType { kInvoice, kReceipt, kOther };
const char* DocumentTypeName(DocumentType type);  // "invoice" | "receipt" | "other"

// What a label names. kCurrency and kIssuerAddress have no label of their
// own: the currency comes from the amounts, the address from the letterhead.
enum class FieldName {
  kInvoiceNumber, kIssueDate, kDueDate, kTotal, kSubtotal, kTax, kCurrency,
  kIssuer, kIssuerAddress, kCustomer,
  // Words that name none of these but hold a field's words ("Order Date",
  // "Total Qty", "Cash"): they win over the shorter label inside them and
  // end a search for a value.
  kOther,
};
const char* FieldKey(FieldName name);  // "invoice_number", "issue_date", ...

// ---- the label lexicon ----

// `text` lowercased with the Latin diacritics of the seven languages removed
// ("Rechnungsdatum", "Numéro" -> "numero", "ß" -> "ss", "n°" -> "no"); other
// non-ASCII characters become spaces. origin[i] is the byte of `text` that
// folded[i] came from; origin has one more entry, text.size().
struct Folded {
  std::string text;
  std::vector<size_t> origin;
};
Folded Fold(std::string_view text);

// A label found in a piece of text: bytes [begin, end) of that text.
struct LabelMatch {
  FieldName field;
  size_t begin = 0, end = 0;
  double weight = 1;       // how surely the words name the field (generic "date" < "due date")
  const char* language;    // "en", "de", "fr", "es", "it", "nl", "pt" (or "ms" for Malay receipts)
};

// What OCR makes of "total" and "subtotal" in a lowercase word: "totai",
// "t0tal", "tatal", "ttotal", "subtotat" are one edit from the word once 0
// and 1 read as o and l. kTotal or kSubtotal when `word` is either, exactly
// or so misread; "tonal" and "totals" are words of their own.
std::optional<FieldName> TotalWord(std::string_view word);

// Every label of the lexicon in `text`, at word boundaries, longest first
// where two start at the same place. "Rechnungsnr.", "Facture n°",
// "Factuurdatum", "Fecha de vencimiento", "Totale", "Total TTC" ...
std::vector<LabelMatch> FindLabels(std::string_view text);

// ---- normalisers ----

enum class DateOrder { kDayFirst, kMonthFirst };

struct DateValue {
  size_t begin = 0, end = 0;  // bytes of the text it was read from
  std::string iso;            // "2014-05-07"
  bool ambiguous = false;     // numeric, both orders valid (03/04/2020)
};
// Dates printed in `text`: "7. Mai 2014", "31/12/2017", "03/20/2023" (month
// first since 20 is no month), "August 3 , 2014", "19 april 2014",
// "02 Juillet 2015", "8-9-2022", "2014-05-07", "15 de marzo de 2021".
// Numeric dates that read both ways follow `order`; two-digit years are
// 20xx. Impossible dates (31/02/2020) are not dates.
std::vector<DateValue> FindDates(std::string_view text, DateOrder order = DateOrder::kDayFirst);

struct AmountValue {
  size_t begin = 0, end = 0;  // bytes of the text, currency included
  std::string value;          // decimal with a point and no grouping: "1234.56", "-9.32"
  double number = 0;
  std::string currency;       // ISO 4217 when printed beside it ("€" -> "EUR"), else ""
  bool has_decimals = false;  // printed with a decimal part
};
// Amounts printed in `text`: "717,97", "1.234,56", "1,234.56", "€ 4.904,94",
// "$4.11", "EUR 34,73", "Rs 1939", "29.99 € TTC", "RM 12.50". A number
// without decimals counts only with a currency beside it; a number that is
// part of a date, a time or a longer run of digits is not an amount.
std::vector<AmountValue> FindAmounts(std::string_view text);

// "€" -> "EUR", "$" -> "USD", "Rs" -> "INR", "RM" -> "MYR", "eur" -> "EUR";
// "" for what is not a currency.
std::string CurrencyCode(std::string_view printed);

// ---- fields ----

struct Field {
  FieldName name;
  std::string text;    // as printed (the value's words)
  std::string value;   // normalised: ISO date, decimal amount, ISO 4217 code, or the text
  std::string label;   // the label as printed; "" when the value was found without one
  int page = 0;        // from 0
  core::Box bbox;      // the value's words on that page
  core::Box label_bbox;  // the label's words; empty without a label
  float confidence = 0;  // mean of the value's word confidences
  std::string currency;  // for amounts, when known
};

struct LineItem {
  std::string description;
  std::optional<std::string> quantity, unit_price;  // as decimals
  std::string amount;                               // decimal
  std::string text;                                 // the row as printed
  int page = 0;
  core::Box bbox;
};

struct Fields {
  DocumentType type = DocumentType::kOther;
  std::vector<Field> fields;  // at most one per FieldName
  // Rows between an item table's header and its totals that end in an
  // amount. Descriptions continued on the following rows are not joined.
  std::vector<LineItem> line_items;
  // The item amounts do not add up to the subtotal (or total), so rows were
  // missed or misread; true too when no item table was found.
  bool line_items_partial = true;

  const Field* Find(FieldName name) const;
};

// Invoice, receipt or other, by cue words ("invoice", "Rechnung", "facture",
// "receipt", "cashier", "change" ...) and whether a total is labelled.
DocumentType Classify(const core::Document& document);

// The fields of `document`, whatever its type (type says what it looks
// like). Labels are paired with the value on the same row to their right
// or directly below them, from the words' boxes, not the reading order.
Fields Extract(const core::Document& document);

// {"document_type", "<field key>": {"text", "value", "label", "page" (from
// 1), "bbox", "confidence"[, "currency"]} or null, ..., "line_items": [...],
// "line_items_partial"}.
nlohmann::json ToJson(const Fields& fields);
// The fields back from ToJson's form (all but label_bbox, which it leaves
// out), with `fields` in the job object's order; nullopt for JSON of
// another shape.
std::optional<Fields> FromJson(const nlohmann::json& json);

}  // namespace ocrchat::fields
