// The label lexicon: how invoices and receipts in en, de, fr, es, it, nl and
// pt (and Malay receipts) name their fields, matched on folded text.
#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "fields/fields.h"

namespace ocrchat::fields {
namespace {

// The base letters of the Latin-1 and Latin Extended-A letters these
// languages print; nullptr for the rest.
const char* BaseLetters(char32_t c) {
  static const char* const kLatin1[] = {
      // U+00C0 .. U+00FF
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};
  if (c >= 0xC0 && c <= 0xFF) return kLatin1[c - 0xC0];
  switch (c) {
    case 0xB0: case 0xBA: return "o";  // n° nº
    case 0xAA: return "a";
    case 0x152: case 0x153: return "oe";
    case 0x160: case 0x161: return "s";
    case 0x17D: case 0x17E: return "z";
    case 0x2019: case 0x2018: return "'";
    default: return nullptr;
  }
}

struct Entry {
  FieldName field;
  const char* words;  // folded, single spaces; '#' kept
  double weight;
  const char* language;
};

using F = FieldName;

// Weights: 3 for words that name the field alone, 2 for the usual short
// forms, 1 for words that often name something else too ("date", "invoice").
const Entry kLexicon[] = {
    // invoice / receipt number
    {F::kInvoiceNumber, "invoice number", 3, "en"}, {F::kInvoiceNumber, "invoice no", 3, "en"},
    {F::kInvoiceNumber, "invoice #", 3, "en"}, {F::kInvoiceNumber, "invoice id", 3, "en"},
    {F::kInvoiceNumber, "inv no", 3, "en"}, {F::kInvoiceNumber, "inv #", 3, "en"},
    {F::kInvoiceNumber, "invoice", 1, "en"}, {F::kInvoiceNumber, "bill no", 2.5, "en"},
    {F::kInvoiceNumber, "bill number", 2.5, "en"}, {F::kInvoiceNumber, "receipt no", 2.5, "en"},
    {F::kInvoiceNumber, "receipt number", 2.5, "en"}, {F::kInvoiceNumber, "receipt #", 2.5, "en"},
    {F::kInvoiceNumber, "booking id", 2, "en"}, {F::kInvoiceNumber, "document no", 2, "en"},
    {F::kInvoiceNumber, "doc no", 2, "en"}, {F::kInvoiceNumber, "#", 0.8, "en"},
    {F::kInvoiceNumber, "rechnungsnummer", 3, "de"}, {F::kInvoiceNumber, "rechnungsnr", 3, "de"},
    {F::kInvoiceNumber, "rechnungs nr", 3, "de"}, {F::kInvoiceNumber, "rechnung nr", 3, "de"},
    {F::kInvoiceNumber, "rechnung", 1, "de"}, {F::kInvoiceNumber, "belegnummer", 2.5, "de"},
    {F::kInvoiceNumber, "beleg nr", 2.5, "de"}, {F::kInvoiceNumber, "belegnr", 2.5, "de"},
    {F::kInvoiceNumber, "facture no", 3, "fr"}, {F::kInvoiceNumber, "facture n", 3, "fr"},
    {F::kInvoiceNumber, "numero de facture", 3, "fr"}, {F::kInvoiceNumber, "no de facture", 3, "fr"},
    {F::kInvoiceNumber, "n de facture", 3, "fr"}, {F::kInvoiceNumber, "facture", 1, "fr"},
    {F::kInvoiceNumber, "factura no", 3, "es"}, {F::kInvoiceNumber, "factura n", 3, "es"},
    {F::kInvoiceNumber, "numero de factura", 3, "es"}, {F::kInvoiceNumber, "no de factura", 3, "es"},
    {F::kInvoiceNumber, "n de factura", 3, "es"}, {F::kInvoiceNumber, "factura", 1, "es"},
    {F::kInvoiceNumber, "fattura n", 3, "it"}, {F::kInvoiceNumber, "fattura no", 3, "it"},
    {F::kInvoiceNumber, "numero fattura", 3, "it"}, {F::kInvoiceNumber, "n fattura", 3, "it"},
    {F::kInvoiceNumber, "fattura numero", 3, "it"}, {F::kInvoiceNumber, "fattura", 1, "it"},
    {F::kInvoiceNumber, "factuurnummer", 3, "nl"}, {F::kInvoiceNumber, "factuurnr", 3, "nl"},
    {F::kInvoiceNumber, "factuur nr", 3, "nl"}, {F::kInvoiceNumber, "factuur", 1, "nl"},
    {F::kInvoiceNumber, "fatura no", 3, "pt"}, {F::kInvoiceNumber, "fatura n", 3, "pt"},
    {F::kInvoiceNumber, "numero da fatura", 3, "pt"}, {F::kInvoiceNumber, "fatura", 1, "pt"},
    {F::kInvoiceNumber, "nota fiscal no", 3, "pt"}, {F::kInvoiceNumber, "nota fiscal n", 3, "pt"},
    // issue date
    {F::kIssueDate, "invoice date", 3, "en"}, {F::kIssueDate, "date of issue", 3, "en"},
    {F::kIssueDate, "issue date", 3, "en"}, {F::kIssueDate, "date issued", 3, "en"},
    {F::kIssueDate, "bill date", 3, "en"}, {F::kIssueDate, "receipt date", 3, "en"},
    {F::kIssueDate, "date", 1.5, "en"}, {F::kIssueDate, "dated", 1.5, "en"},
    {F::kIssueDate, "rechnungsdatum", 3, "de"}, {F::kIssueDate, "ausstellungsdatum", 3, "de"},
    {F::kIssueDate, "belegdatum", 3, "de"}, {F::kIssueDate, "datum", 1.5, "de"},
    {F::kIssueDate, "date de facture", 3, "fr"}, {F::kIssueDate, "date de facturation", 3, "fr"},
    {F::kIssueDate, "date d'emission", 3, "fr"}, {F::kIssueDate, "date de la facture", 3, "fr"},
    {F::kIssueDate, "fecha de factura", 3, "es"}, {F::kIssueDate, "fecha de emision", 3, "es"},
    {F::kIssueDate, "fecha factura", 3, "es"}, {F::kIssueDate, "fecha", 1.5, "es"},
    {F::kIssueDate, "data fattura", 3, "it"}, {F::kIssueDate, "data di emissione", 3, "it"},
    {F::kIssueDate, "data della fattura", 3, "it"}, {F::kIssueDate, "data", 1.2, "it"},
    {F::kIssueDate, "factuurdatum", 3, "nl"}, {F::kIssueDate, "factuur datum", 3, "nl"},
    {F::kIssueDate, "datum", 1.5, "nl"},
    {F::kIssueDate, "data da fatura", 3, "pt"}, {F::kIssueDate, "data de emissao", 3, "pt"},
    {F::kIssueDate, "tarikh", 1.5, "ms"},
    // due date
    {F::kDueDate, "due date", 3, "en"}, {F::kDueDate, "payment due", 3, "en"},
    {F::kDueDate, "due by", 3, "en"}, {F::kDueDate, "due on", 3, "en"}, {F::kDueDate, "pay by", 3, "en"},
    {F::kDueDate, "date due", 3, "en"}, {F::kDueDate, "payment date", 2, "en"},
    {F::kDueDate, "falligkeitsdatum", 3, "de"}, {F::kDueDate, "fallig am", 3, "de"},
    {F::kDueDate, "zahlbar bis", 3, "de"}, {F::kDueDate, "zahlungsziel", 3, "de"},
    {F::kDueDate, "date d'echeance", 3, "fr"}, {F::kDueDate, "echeance", 3, "fr"},
    {F::kDueDate, "date limite de paiement", 3, "fr"}, {F::kDueDate, "a payer avant le", 3, "fr"},
    {F::kDueDate, "fecha de vencimiento", 3, "es"}, {F::kDueDate, "vencimiento", 3, "es"},
    {F::kDueDate, "data di scadenza", 3, "it"}, {F::kDueDate, "scadenza", 3, "it"},
    {F::kDueDate, "vervaldatum", 3, "nl"}, {F::kDueDate, "uiterste betaaldatum", 3, "nl"},
    {F::kDueDate, "te betalen voor", 3, "nl"},
    {F::kDueDate, "data de vencimento", 3, "pt"}, {F::kDueDate, "vencimento", 3, "pt"},
    // total
    {F::kTotal, "total", 2, "en"}, {F::kTotal, "grand total", 3, "en"},
    {F::kTotal, "total amount", 2.5, "en"}, {F::kTotal, "total due", 3, "en"},
    {F::kTotal, "amount due", 3, "en"}, {F::kTotal, "balance due", 3, "en"},
    {F::kTotal, "total amount due", 3.2, "en"}, {F::kTotal, "total for this invoice", 3, "en"},
    {F::kTotal, "total payable", 3, "en"}, {F::kTotal, "amount payable", 2.5, "en"},
    {F::kTotal, "nett total", 3, "en"}, {F::kTotal, "net total", 2.5, "en"},
    {F::kTotal, "total incl", 3, "en"}, {F::kTotal, "total sales", 2.5, "en"},
    {F::kTotal, "total sales inclusive", 3.2, "en"}, {F::kTotal, "total sales incl", 3.2, "en"},
    {F::kTotal, "total amount payable", 3.2, "en"}, {F::kTotal, "total rounded", 3, "en"},
    {F::kTotal, "total rm", 2.5, "en"}, {F::kTotal, "amount", 0.8, "en"},
    {F::kTotal, "rounded total", 3, "en"}, {F::kTotal, "total inclusive", 3, "en"},
    {F::kTotal, "gesamtbetrag", 3, "de"}, {F::kTotal, "gesamtsumme", 3, "de"},
    {F::kTotal, "rechnungsbetrag", 3, "de"}, {F::kTotal, "endbetrag", 3, "de"},
    {F::kTotal, "summe", 1.5, "de"}, {F::kTotal, "gesamt", 2, "de"}, {F::kTotal, "zu zahlen", 2.5, "de"},
    {F::kTotal, "total ttc", 3.2, "fr"}, {F::kTotal, "montant ttc", 3, "fr"},
    {F::kTotal, "net a payer", 3, "fr"}, {F::kTotal, "somme a payer", 3, "fr"},
    {F::kTotal, "montant total", 2.5, "fr"}, {F::kTotal, "total a payer", 3, "fr"},
    {F::kTotal, "importe total", 3, "es"}, {F::kTotal, "total a pagar", 3, "es"},
    {F::kTotal, "totale", 2, "it"}, {F::kTotal, "totale fattura", 3, "it"},
    {F::kTotal, "totale documento", 3, "it"}, {F::kTotal, "importo totale", 3, "it"},
    {F::kTotal, "totaal", 2, "nl"}, {F::kTotal, "factuur totaal", 3, "nl"},
    {F::kTotal, "totaalbedrag", 3, "nl"}, {F::kTotal, "te betalen", 2.5, "nl"},
    {F::kTotal, "total a pagar", 3, "pt"}, {F::kTotal, "valor total", 3, "pt"},
    {F::kTotal, "jumlah", 1.5, "ms"}, {F::kTotal, "ttl", 1.2, "en"}, {F::kTotal, "tl", 1.2, "en"},
    {F::kTotal, "nett", 2, "en"},
    // subtotal
    {F::kSubtotal, "subtotal", 3, "en"}, {F::kSubtotal, "sub total", 3, "en"},
    {F::kSubtotal, "amount before tax", 3, "en"}, {F::kSubtotal, "total excl", 3, "en"},
    {F::kSubtotal, "total sales excluding", 3.2, "en"}, {F::kSubtotal, "total sales excl", 3.2, "en"},
    {F::kSubtotal, "total sales exclusive", 3.2, "en"},
    {F::kSubtotal, "net amount", 2.5, "en"}, {F::kSubtotal, "total excluding", 3, "en"},
    {F::kSubtotal, "zwischensumme", 3, "de"}, {F::kSubtotal, "nettobetrag", 3, "de"},
    {F::kSubtotal, "summe netto", 3, "de"}, {F::kSubtotal, "gesamt netto", 3, "de"},
    {F::kSubtotal, "total ht", 3, "fr"}, {F::kSubtotal, "sous total", 3, "fr"},
    {F::kSubtotal, "montant ht", 3, "fr"}, {F::kSubtotal, "montant eur ht", 3, "fr"},
    {F::kSubtotal, "base imponible", 3, "es"}, {F::kSubtotal, "subtotal", 3, "es"},
    {F::kSubtotal, "imponibile", 3, "it"}, {F::kSubtotal, "subtotale", 3, "it"},
    {F::kSubtotal, "subtotaal", 3, "nl"}, {F::kSubtotal, "exclusief btw", 3, "nl"},
    {F::kSubtotal, "totaal excl", 3, "nl"},
    {F::kSubtotal, "valor liquido", 3, "pt"}, {F::kSubtotal, "subtotal", 3, "pt"},
    // tax
    {F::kTax, "tax", 2, "en"}, {F::kTax, "vat", 2.5, "en"}, {F::kTax, "gst", 2, "en"},
    {F::kTax, "sales tax", 3, "en"}, {F::kTax, "tax amount", 3, "en"}, {F::kTax, "sst", 2, "en"},
    {F::kTax, "mwst", 2.5, "de"}, {F::kTax, "ust", 2, "de"}, {F::kTax, "umsatzsteuer", 3, "de"},
    {F::kTax, "mehrwertsteuer", 3, "de"},
    {F::kTax, "tva", 2.5, "fr"}, {F::kTax, "montant tva", 3, "fr"},
    {F::kTax, "iva", 2.5, "es"}, {F::kTax, "impuesto", 2, "es"},
    {F::kTax, "iva", 2.5, "it"}, {F::kTax, "imposta", 2, "it"},
    {F::kTax, "btw", 2.5, "nl"}, {F::kTax, "btw bedrag", 3, "nl"},
    {F::kTax, "iva", 2.5, "pt"}, {F::kTax, "imposto", 2, "pt"},
    // customer
    {F::kCustomer, "bill to", 3, "en"}, {F::kCustomer, "billed to", 3, "en"},
    {F::kCustomer, "sold to", 2.5, "en"}, {F::kCustomer, "customer", 2, "en"},
    {F::kCustomer, "guest name", 2.5, "en"}, {F::kCustomer, "attn", 2, "en"},
    {F::kCustomer, "rechnungsempfanger", 3, "de"}, {F::kCustomer, "kunde", 2, "de"},
    {F::kCustomer, "facture a", 3, "fr"}, {F::kCustomer, "client", 2, "fr"},
    {F::kCustomer, "nom de l'abonne", 2.5, "fr"},
    {F::kCustomer, "facturar a", 3, "es"}, {F::kCustomer, "cliente", 2, "es"},
    {F::kCustomer, "intestatario", 3, "it"}, {F::kCustomer, "cliente", 2, "it"},
    {F::kCustomer, "factuuradres", 3, "nl"}, {F::kCustomer, "klant", 1.5, "nl"},
    {F::kCustomer, "faturar a", 3, "pt"}, {F::kCustomer, "cliente", 2, "pt"},
    // issuer
    {F::kIssuer, "sold by", 3, "en"}, {F::kIssuer, "service provider", 2.5, "en"},
    {F::kIssuer, "seller", 2, "en"}, {F::kIssuer, "vendor", 2, "en"},
    {F::kIssuer, "verkaufer", 2, "de"}, {F::kIssuer, "vendeur", 2, "fr"},
    {F::kIssuer, "vendedor", 2, "es"}, {F::kIssuer, "venditore", 2, "it"},
    {F::kIssuer, "verkoper", 2, "nl"},
    // other dates, numbers and amounts
    {F::kOther, "order date", 3, "en"}, {F::kOther, "delivery date", 3, "en"},
    {F::kOther, "ship date", 3, "en"}, {F::kOther, "shipping date", 3, "en"},
    {F::kOther, "date of supply", 3, "en"}, {F::kOther, "billing date", 3, "en"},
    {F::kOther, "check in", 3, "en"}, {F::kOther, "check out", 3, "en"},
    {F::kOther, "order number", 3, "en"}, {F::kOther, "order no", 3, "en"},
    {F::kOther, "order id", 3, "en"}, {F::kOther, "po number", 3, "en"},
    {F::kOther, "account number", 3, "en"}, {F::kOther, "customer number", 3, "en"},
    {F::kOther, "customer id", 3, "en"}, {F::kOther, "customer no", 3, "en"},
    {F::kOther, "total qty", 3, "en"}, {F::kOther, "total quantity", 3, "en"},
    {F::kOther, "total item", 3, "en"}, {F::kOther, "total items", 3, "en"},
    {F::kOther, "total discount", 3, "en"}, {F::kOther, "total savings", 3, "en"},
    {F::kOther, "total gst", 3, "en"}, {F::kOther, "total tax", 3, "en"},
    {F::kOther, "total vat", 3, "en"}, {F::kOther, "cash", 2, "en"}, {F::kOther, "change", 2, "en"},
    {F::kOther, "tendered", 2, "en"}, {F::kOther, "rounding", 2, "en"},
    {F::kOther, "payment received", 3, "en"}, {F::kOther, "balance", 1, "en"},
    {F::kOther, "bestelldatum", 3, "de"}, {F::kOther, "lieferdatum", 3, "de"},
    {F::kOther, "kundennr", 3, "de"}, {F::kOther, "kundennummer", 3, "de"},
    {F::kOther, "auftragsnummer", 3, "de"}, {F::kOther, "bestellnummer", 3, "de"},
    {F::kOther, "leistungsdatum", 3, "de"},
    {F::kOther, "date de commande", 3, "fr"}, {F::kOther, "date de livraison", 3, "fr"},
    {F::kOther, "numero de commande", 3, "fr"}, {F::kOther, "numero de dossier", 3, "fr"},
    {F::kOther, "numero de ligne", 3, "fr"},
    {F::kOther, "fecha de pedido", 3, "es"}, {F::kOther, "fecha de entrega", 3, "es"},
    {F::kOther, "numero de pedido", 3, "es"},
    {F::kOther, "data ordine", 3, "it"}, {F::kOther, "data consegna", 3, "it"},
    {F::kOther, "orderdatum", 3, "nl"}, {F::kOther, "leverdatum", 3, "nl"},
    {F::kOther, "ordernummer", 3, "nl"}, {F::kOther, "klantnummer", 3, "nl"},
    {F::kOther, "data do pedido", 3, "pt"}, {F::kOther, "data de entrega", 3, "pt"},
};

// At most one edit (insertion, deletion or substitution) apart.
bool OneEditApart(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) return a.substr(std::min(i + 1, a.size())) == b.substr(std::min(i + 1, b.size()));
  return a.substr(i) == b.substr(i + 1);
}

// Letters that do not end a word: a label must not stop inside one.
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '\''; }

}  // namespace

Folded Fold(std::string_view text) {
  Folded out;
  size_t at = 0;
  while (at < text.size()) {
    unsigned char c = text[at];
    size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    length = std::min(length, text.size() - at);
    if (c < 0x80) {
      out.text += static_cast<char>(std::tolower(c));
      out.origin.push_back(at);
    } else {
      std::u32string decoded = core::DecodeUtf8(text.substr(at, length));
      const char* base = decoded.size() == 1 ? BaseLetters(decoded[0]) : nullptr;
      for (const char* p = base ? base : " "; *p; ++p) {
        out.text += *p;
        out.origin.push_back(at);
      }
    }
    at += length;
  }
  out.origin.push_back(text.size());
  return out;
}

namespace {

// OCR's misreadings of "total" in a label key, spelt right in place
// ("tatal", "totai", "t0tal", "subtotai"): only those of the word's own
// length, so that the key keeps its byte origins.
void SpellTotal(std::string& key) {
  for (size_t at = 0; at < key.size();) {
    size_t end = key.find(' ', at);
    if (end == std::string::npos) end = key.size();
    std::string_view word(key.data() + at, end - at);
    std::optional<FieldName> total = TotalWord(word);
    std::string_view spelt = total == FieldName::kSubtotal ? "subtotal" : "total";
    if (total && word.size() == spelt.size()) key.replace(at, spelt.size(), spelt);
    at = end + 1;
  }
}

}  // namespace

std::optional<FieldName> TotalWord(std::string_view word) {
  std::string letters(word);
  for (char& c : letters) c = c == '0' ? 'o' : c == '1' ? 'l' : c;
  bool sub = letters.starts_with("sub") && letters.size() >= 7;
  std::string_view rest = std::string_view(letters).substr(sub ? 3 : 0);
  if (rest.size() < 4 || rest.size() > 6 || rest == "tonal" || rest == "totals" ||
      !OneEditApart(rest, "total"))
    return std::nullopt;
  return sub ? FieldName::kSubtotal : FieldName::kTotal;
}

std::vector<LabelMatch> FindLabels(std::string_view text) {
  Folded folded = Fold(text);
  // The label key: letters, digits, '#' and apostrophes; everything else
  // separates words; runs of separators are one space.
  std::string key;
  std::vector<size_t> origin;  // byte of `text` for each key character
  for (size_t i = 0; i < folded.text.size(); ++i) {
    char c = folded.text[i];
    bool keep = IsWordChar(c) || c == '#';
    if (keep) {
      if (c == '#' && !key.empty() && key.back() != ' ') {
        key += ' ';
        origin.push_back(folded.origin[i]);
      }
      key += c;
      origin.push_back(folded.origin[i]);
    } else if (!key.empty() && key.back() != ' ') {
      key += ' ';
      origin.push_back(folded.origin[i]);
    }
  }
  origin.push_back(text.size());
  SpellTotal(key);
  std::vector<LabelMatch> out;
  for (const Entry& entry : kLexicon) {
    std::string_view words = entry.words;
    for (size_t at = key.find(words); at != std::string::npos; at = key.find(words, at + 1)) {
      if (at > 0 && key[at - 1] != ' ') continue;
      size_t end = at + words.size();
      // "facture n" must not match "facture nouvelle"; a number may follow
      // directly ("n°562044387" folds to "no562044387").
      if (end < key.size() && std::isalpha(static_cast<unsigned char>(key[end]))) continue;
      if (words == "#" && end < key.size() && key[end] == '#') continue;
      size_t text_end = origin[end - 1] + 1;
      // Keep the whole last character (a multi-byte letter) and a closing
      // "." or ":" of an abbreviation.
      while (text_end < text.size() && (static_cast<unsigned char>(text[text_end]) & 0xC0) == 0x80)
        ++text_end;
      while (text_end < text.size() && (text[text_end] == '.' || text[text_end] == ':' ||
                                        text[text_end] == ' ' || text[text_end] == '\xc2' ||
                                        text[text_end] == '\xb0' || text[text_end] == '\xba')) {
        if (text[text_end] == ' ' && text_end + 1 < text.size() && text[text_end + 1] != ':') break;
        ++text_end;
      }
      out.push_back({entry.field, origin[at], text_end, entry.weight, entry.language});
    }
  }
  // A "total" OCR read with a letter more or less ("ttotal", "tota",
  // "subtota"): the plain label with a lower weight.
  for (size_t at = 0; at < key.size();) {
    size_t end = key.find(' ', at);
    if (end == std::string::npos) end = key.size();
    std::string_view word(key.data() + at, end - at);
    std::optional<FieldName> total = TotalWord(word);
    if (total && word != "total" && word != "subtotal") {
      size_t text_end = origin[end - 1] + 1;
      while (text_end < text.size() && (text[text_end] == ':' || text[text_end] == '.')) ++text_end;
      out.push_back({*total, origin[at], text_end, *total == FieldName::kSubtotal ? 2.5 : 1.8, "en"});
    }
    at = end + 1;
  }
  // Longest first where two start at the same place, then by position.
  std::sort(out.begin(), out.end(), [](const LabelMatch& a, const LabelMatch& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end - a.begin > b.end - b.begin;
  });
  return out;
}

}  // namespace ocrchat::fields
