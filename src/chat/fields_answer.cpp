// Answers from the fields, part by part, cited by the lines they came from.
#include "chat/fields_answer.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "chat/extractive.h"
#include "core/text.h"

namespace ocrchat::chat {
namespace {

using fields::FieldName;

// The value as the answer states it, with the printed form beside it when
// that reads differently ("717.97 EUR (printed "€ 717,97")").
std::string Display(const fields::Field& field) {
  std::string shown;
  std::string printed = core::NormalizeSpace(field.text);
  switch (field.name) {
    case FieldName::kIssueDate:
    case FieldName::kDueDate:
      shown = HumanDate(field.value);
      break;
    case FieldName::kTotal:
    case FieldName::kSubtotal:
    case FieldName::kTax: {
      shown = field.value + (field.currency.empty() ? "" : " " + field.currency);
      std::string digits;
      for (char c : printed)
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ',' || c == '-') digits += c;
      break;
    }
    default:
      shown = core::NormalizeSpace(field.value);
  }
  if (printed == shown || printed.empty()) return shown;
  return shown + " (printed \"" + printed + "\")";
}

std::string Noun(FieldName name, fields::DocumentType type) {
  bool receipt = type == fields::DocumentType::kReceipt;
  switch (name) {
    case FieldName::kInvoiceNumber: return receipt ? "receipt number" : "invoice number";
    case FieldName::kIssueDate: return receipt ? "date" : "issue date";
    case FieldName::kDueDate: return "due date";
    case FieldName::kTotal: return "total";
    case FieldName::kSubtotal: return "subtotal";
    case FieldName::kTax: return "tax";
    case FieldName::kCurrency: return "currency";
    case FieldName::kIssuer: return "issuer";
    case FieldName::kIssuerAddress: return "issuer's address";
    case FieldName::kCustomer: return "customer";
    case FieldName::kOther: break;
  }
  return "value";
}

bool Intersects(const core::Box& a, const core::Box& b) {
  return !a.Empty() && !b.Empty() && std::min(a.x1, b.x1) > std::max(a.x0, b.x0) &&
         std::min(a.y1, b.y1) > std::max(a.y0, b.y0);
}

// The lines of the page that hold the field's value and its label.
std::vector<Citation> CiteField(const Corpus& corpus, const fields::Field& field) {
  if (field.page < 0 || field.page >= static_cast<int>(corpus.pages().size())) return {};
  const std::vector<Segment>& segments = corpus.pages()[field.page].segments;
  std::vector<size_t> found;
  for (size_t i = 0; i < segments.size(); ++i)
    if (Intersects(segments[i].bbox, field.bbox) || Intersects(segments[i].bbox, field.label_bbox))
      found.push_back(i);
  if (found.empty())
    for (size_t i = 0; i < segments.size(); ++i)
      if (!field.text.empty() && segments[i].text.find(field.text) != std::string::npos) {
        found.push_back(i);
        break;
      }
  return CiteSegments(corpus, field.page, found);
}

std::optional<Intent> RuleFor(FieldName name) {
  switch (name) {
    case FieldName::kTotal: return Intent::kTotal;
    case FieldName::kIssueDate: return Intent::kDate;
    case FieldName::kInvoiceNumber: return Intent::kInvoiceNumber;
    case FieldName::kIssuer: return Intent::kCompany;
    default: return std::nullopt;
  }
}

struct Part {
  std::string sentence;  // without the final period, lower-case start
  std::vector<Citation> citations;
  bool found = false;
};

std::string Capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

std::vector<FieldName> AskedFields(const std::string& question) {
  std::string q = Lower(question);
  std::vector<std::pair<size_t, FieldName>> found;
  auto mark = [&](const std::regex& pattern, FieldName name) {
    for (auto it = std::sregex_iterator(q.begin(), q.end(), pattern); it != std::sregex_iterator(); ++it)
      found.push_back({static_cast<size_t>(it->position(0)), name});
  };
  static const std::regex due(R"(\bdue\b|\bdeadline\b|\bpay(?:able)? by\b|\bexpir\w*)");
  static const std::regex total_due(R"(\b(?:amount|total|balance|sum) due\b)");
  static const std::regex date(R"(\bdate\b|\bdated\b|\bwhen\b|\bday\b)");
  static const std::regex total(R"(\btotal\b|\bamount\b|how much|\bsum\b|\bbalance\b|\bpay\b|\bcost\b|\bspent\b|\bowe\b|\bpaid\b|\bcharged\b)");
  static const std::regex subtotal(R"(\bsub ?total\b|before tax|\bnet amount\b|excluding (?:tax|vat))");
  static const std::regex tax(R"(\b(?:tax|vat|gst|sst)\b(?! invoice))");
  static const std::regex document(R"(\b(?:invoice|inv|receipt|bill|document|reference|ref)\b)");
  static const std::regex number_word(R"(\b(?:no|num|id)\b)");
  static const std::regex number(R"(\bnumber\b|#)");
  static const std::regex currency(R"(\bcurrency\b|\bwhich money\b)");
  static const std::regex issuer(R"(\bcompany\b|\bvendor\b|\bseller\b|\bmerchant\b|\bissuer\b|\bissued\b|\bsupplier\b|\bstore\b|\bshop\b|\bbusiness\b|\bletterhead\b|\bwho (?:sent|sold|billed)\b)");
  static const std::regex customer(R"(\bcustomer\b|\bclient\b|\bbilled to\b|\bbill to\b|\bbuyer\b)");
  std::vector<std::pair<size_t, size_t>> total_due_spans;
  for (auto it = std::sregex_iterator(q.begin(), q.end(), total_due); it != std::sregex_iterator(); ++it)
    total_due_spans.push_back({it->position(0), it->position(0) + it->length(0)});
  auto in_total_due = [&](size_t at) {
    return std::any_of(total_due_spans.begin(), total_due_spans.end(),
                       [&](auto& s) { return at >= s.first && at < s.second; });
  };
  bool asks_due = false;
  for (auto it = std::sregex_iterator(q.begin(), q.end(), due); it != std::sregex_iterator(); ++it)
    if (!in_total_due(it->position(0))) {
      found.push_back({static_cast<size_t>(it->position(0)), FieldName::kDueDate});
      asks_due = true;
    }
  // "date" next to "due" is the due date's; "when" is the due date's when
  // the question is about a due date.
  for (auto it = std::sregex_iterator(q.begin(), q.end(), date); it != std::sregex_iterator(); ++it) {
    size_t at = it->position(0);
    bool of_due = q.compare(at >= 4 ? at - 4 : 0, 4, "due ") == 0 ||
                  q.compare(at, 8, "date due") == 0 || (it->str(0) == "when" && asks_due);
    if (!of_due) found.push_back({at, FieldName::kIssueDate});
  }
  std::smatch sub;
  bool asks_subtotal = std::regex_search(q, sub, subtotal);
  if (asks_subtotal) found.push_back({static_cast<size_t>(sub.position(0)), FieldName::kSubtotal});
  for (auto it = std::sregex_iterator(q.begin(), q.end(), total); it != std::sregex_iterator(); ++it) {
    size_t at = it->position(0);
    if (asks_subtotal && at >= static_cast<size_t>(sub.position(0)) &&
        at < static_cast<size_t>(sub.position(0) + sub.length(0)))
      continue;
    found.push_back({at, FieldName::kTotal});
  }
  mark(tax, FieldName::kTax);
  mark(number, FieldName::kInvoiceNumber);
  // "invoice no", "receipt id": a short word for number after the document's name.
  std::smatch named;
  if (std::regex_search(q, named, document)) {
    std::string after = q.substr(named.position(0));
    std::smatch word;
    if (std::regex_search(after, word, number_word))
      found.push_back({static_cast<size_t>(named.position(0)), FieldName::kInvoiceNumber});
  }
  mark(currency, FieldName::kCurrency);
  mark(issuer, FieldName::kIssuer);
  mark(customer, FieldName::kCustomer);
  std::stable_sort(found.begin(), found.end(),
                   [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<FieldName> out;
  for (const auto& [at, name] : found)
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  // "the date the invoice is due" asks one thing; "how much tax" asks the tax.
  if (std::find(out.begin(), out.end(), FieldName::kDueDate) != out.end())
    std::erase(out, FieldName::kIssueDate);
  if (std::find(out.begin(), out.end(), FieldName::kTax) != out.end() ||
      std::find(out.begin(), out.end(), FieldName::kSubtotal) != out.end()) {
    static const std::regex total_word(R"(\btotal\b)");
    if (!std::regex_search(std::regex_replace(q, subtotal, ""), total_word)) std::erase(out, FieldName::kTotal);
  }
  return out;
}

Reply AnswerFromFields(const Corpus& corpus, const fields::Fields& found, const Query& query,
                       const std::vector<FieldName>& asked) {
  // On receipts the rules come first: they read what OCR makes of a
  // receipt's total (misspelt labels, rounding lines, the amount below a
  // subtotal, cash paid without change) and its letterhead, which the
  // label pairing does not; measured on the SROIE receipts they are right
  // more often. The fields answer what the rules do not find.
  bool rules_first = found.type == fields::DocumentType::kReceipt;
  std::vector<Part> parts;
  for (FieldName name : asked) {
    Part part;
    std::string noun = Noun(name, found.type);
    const fields::Field* field = found.Find(name);
    if (field && query.page && field->page != *query.page) field = nullptr;
    std::optional<Intent> first_rule = rules_first ? RuleFor(name) : std::nullopt;
    if (first_rule) {
      Query one = query;
      one.intent = *first_rule;
      Reply reply = AnswerFromCorpus(corpus, one);
      if (reply.message.content != kNotFoundAnswer) {
        if (asked.size() == 1) return reply;
        std::string sentence = reply.message.content;
        if (sentence.ends_with(".")) sentence.pop_back();
        if (!sentence.empty()) sentence[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(sentence[0])));
        part.sentence = sentence;
        part.citations = reply.message.citations;
        part.found = true;
        parts.push_back(std::move(part));
        continue;
      }
    }
    if (field) {
      part.sentence = "the " + noun + " is " + Display(*field) + " " + PageLabel(field->page);
      part.citations = CiteField(corpus, *field);
      part.found = true;
      // A due date is not the issue date: the issue date is said beside it.
      const fields::Field* issued = found.Find(FieldName::kIssueDate);
      bool issue_asked = std::find(asked.begin(), asked.end(), FieldName::kIssueDate) != asked.end();
      if (name == FieldName::kDueDate && issued && !issue_asked) {
        part.sentence += ", and it was issued on " + Display(*issued) + " " + PageLabel(issued->page);
        for (Citation& c : CiteField(corpus, *issued)) part.citations.push_back(std::move(c));
      }
    } else if (std::optional<Intent> rule = RuleFor(name); rule && !first_rule) {
      Query one = query;
      one.intent = *rule;
      Reply reply = AnswerFromCorpus(corpus, one);
      if (asked.size() == 1) return reply;
      if (reply.message.content != kNotFoundAnswer) {
        std::string sentence = reply.message.content;
        if (sentence.ends_with(".")) sentence.pop_back();
        if (!sentence.empty()) sentence[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(sentence[0])));
        part.sentence = sentence;
        part.citations = reply.message.citations;
        part.found = true;
      }
    }
    if (!part.found) {
      if (name == FieldName::kDueDate) {
        part.sentence = "no due date is printed";
        const fields::Field* issued = found.Find(FieldName::kIssueDate);
        bool issue_asked = std::find(asked.begin(), asked.end(), FieldName::kIssueDate) != asked.end();
        if (issued && !issue_asked && (!query.page || issued->page == *query.page)) {
          part.sentence += " (the " + Noun(FieldName::kIssueDate, found.type) + " is " +
                           Display(*issued) + " " + PageLabel(issued->page) + ")";
          part.citations = CiteField(corpus, *issued);
          part.found = true;
        }
      } else {
        part.sentence = "the " + noun + " is not found in the document";
      }
    }
    parts.push_back(std::move(part));
  }
  if (std::none_of(parts.begin(), parts.end(), [](const Part& p) { return p.found; }) &&
      !(asked.size() == 1 && asked[0] == FieldName::kDueDate && found.type != fields::DocumentType::kOther)) {
    Reply none;
    none.message.role = "assistant";
    none.message.content = kNotFoundAnswer;
    return none;
  }
  Reply reply;
  reply.message.role = "assistant";
  std::string content;
  for (size_t i = 0; i < parts.size(); ++i) {
    content += (i == 0 ? "" : "; ") + parts[i].sentence;
    for (Citation& citation : parts[i].citations)
      if (std::find(reply.message.citations.begin(), reply.message.citations.end(), citation) ==
          reply.message.citations.end())
        reply.message.citations.push_back(std::move(citation));
  }
  reply.message.content = Capitalised(content) + ".";
  return reply;
}

std::string FieldsContext(const fields::Fields& found) {
  std::string out;
  for (const fields::Field& field : found.fields) {
    if (field.name == FieldName::kOther) continue;
    out += "[p. " + std::to_string(field.page + 1) + "] " + fields::FieldKey(field.name) + ": " +
           Display(field);
    if (!field.label.empty()) out += " (label \"" + core::NormalizeSpace(field.label) + "\")";
    out += "\n";
  }
  return out;
}

Reply AnswerQuestion(const core::Document& doc, const Corpus& corpus, const Query& query,
                     const std::string& question) {
  std::vector<FieldName> asked = AskedFields(question);
  // Questions about a line of the document ("how much is the widget?") or
  // about what it does not hold ("the patient's blood type") are not the
  // fields' to answer; nor are summaries and addresses.
  bool about_fields = !asked.empty() && query.foreign_terms == 0 && query.intent != Intent::kSummary &&
                      query.intent != Intent::kAddress &&
                      (query.subject_terms == 0 || asked.size() > 1);
  if (!about_fields || corpus.passages().empty()) return AnswerFromCorpus(corpus, query);
  return AnswerFromFields(corpus, fields::Extract(doc), query, asked);
}

}  // namespace ocrchat::chat
