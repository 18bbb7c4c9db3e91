// Extractive answers: values read from the lines of a page by rules for
// common questions, and best-passage answers for the rest.
#include "chat/extractive.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>
#include <regex>
#include <set>

#include "chat/fields_answer.h"
#include "core/text.h"
#include "fields/fields.h"
#include "fields/letterhead.h"

namespace ocrchat::chat {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string PageLabel(int page) { return "(p. " + std::to_string(page + 1) + ")"; }

std::string HumanDate(const std::string& iso) {
  static const char* const kMonths[] = {"January", "February", "March",     "April",
                                        "May",     "June",     "July",      "August",
                                        "September", "October", "November", "December"};
  if (iso.size() != 10) return iso;
  int month = std::atoi(iso.substr(5, 2).c_str());
  int day = std::atoi(iso.substr(8, 2).c_str());
  if (month < 1 || month > 12) return iso;
  return std::to_string(day) + " " + kMonths[month - 1] + " " + iso.substr(0, 4);
}

namespace {

// Below this share of the question's own terms a passage does not answer it.
constexpr double kMinCoverage = 0.5;

// What was read from a page, and the segments it was read from.
struct Finding {
  int page = 0;
  std::string value;
  std::vector<size_t> segments;
  double score = 0;
  double amount = 0;  // for totals
  std::string lead;   // how the answer introduces the value, when not the default
};

// Segments on the same visual row as `segments[i]` and to its right, left to right.
std::vector<size_t> RightOf(const std::vector<Segment>& segments, size_t i) {
  std::vector<size_t> out;
  for (size_t j = 0; j < segments.size(); ++j)
    if (j != i && SameRow(segments[i].bbox, segments[j].bbox) &&
        segments[j].bbox.x0 > segments[i].bbox.x0)
      out.push_back(j);
  std::sort(out.begin(), out.end(),
            [&](size_t a, size_t b) { return segments[a].bbox.x0 < segments[b].bbox.x0; });
  return out;
}

// Segments to the right of `segments[i]` that share at least a quarter of
// its height (receipts are often photographed askew), nearest in height first.
std::vector<size_t> ValuesRightOf(const std::vector<Segment>& segments, size_t i) {
  const core::Box& a = segments[i].bbox;
  std::vector<size_t> out;
  if (a.Empty()) return out;
  for (size_t j = 0; j < segments.size(); ++j) {
    const core::Box& b = segments[j].bbox;
    if (j == i || b.Empty() || b.x0 <= a.x0) continue;
    int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
    if (overlap > 0.25 * std::min(a.Height(), b.Height())) out.push_back(j);
  }
  auto distance = [&](size_t j) {
    const core::Box& b = segments[j].bbox;
    return std::abs((b.y0 + b.y1) - (a.y0 + a.y1));
  };
  std::stable_sort(out.begin(), out.end(), [&](size_t x, size_t y) {
    if (distance(x) != distance(y)) return distance(x) < distance(y);
    return segments[x].bbox.x0 > segments[y].bbox.x0;
  });
  return out;
}

std::vector<size_t> LeftOf(const std::vector<Segment>& segments, size_t i) {
  std::vector<size_t> out;
  for (size_t j = 0; j < segments.size(); ++j)
    if (j != i && SameRow(segments[i].bbox, segments[j].bbox) &&
        segments[j].bbox.x0 < segments[i].bbox.x0)
      out.push_back(j);
  return out;
}

// ---- amounts ----

struct Amount {
  std::string text;    // as printed, with its currency: "RM 33, 90"
  std::string normal;  // with a dot decimal and no space inside: "RM 33.90"
  double value = 0;
  bool short_decimals = false;  // printed with one decimal
  bool negative = false;        // printed after a minus sign
};

// The amount as an answer gives it: normalised, with the printed form
// alongside when the two differ.
std::string Display(const Amount& amount) {
  if (amount.normal == amount.text) return amount.text;
  return amount.normal + " (printed \"" + amount.text + "\")";
}

// Amounts in `text`: "12.50", "1,250.00", and with a decimal comma "9,50"
// and "1.250,00". At the end of a line a space after the separator is
// allowed ("RM 12. 50", as OCR reads a wide gap); with `loose`, so is a
// single decimal there ("174.9", its last digit lost), read as "174.90",
// and a currency amount whose point was lost ("RM 28 60").
std::vector<Amount> FindAmounts(const std::string& text, bool loose = false) {
  static const std::regex amount(
      R"(((?:RM|USD|MYR|SGD|EUR|GBP|\$|€|£)\s?)?(\d{1,3}(?:,\d{3})+\.\d{2}|\d{1,3}(?:\.\d{3})+,\d{2}|\d+[.,]\d{2}|\d+[.,] \d{2}(?=[^\w.,]*$)|\d+\.\d(?=[^\w.,]*$))(?![\d.,]\d))",
      std::regex::icase);
  static const std::regex pointless(R"(((?:RM|MYR|\$)\s?)(\d+) (\d{2})(?=[^\w.,]*$))",
                                    std::regex::icase);
  std::vector<Amount> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), amount);
       it != std::sregex_iterator(); ++it) {
    size_t at = it->position(0);
    if (at > 0 && (std::isdigit(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '.' ||
                   text[at - 1] == '/'))
      continue;
    std::string number = (*it)[2];
    std::erase(number, ' ');
    size_t point = number.find_last_of(".,");
    std::string decimals = number.substr(point + 1);
    if (decimals.size() == 1 && !loose) continue;
    std::string whole = number.substr(0, point);
    bool grouped = whole.find_first_of(".,") != std::string::npos;
    std::erase_if(whole, [](char c) { return c == '.' || c == ','; });
    bool short_decimals = decimals.size() == 1;
    if (short_decimals) decimals += '0';
    std::string canonical;
    for (size_t k = 0; k < whole.size(); ++k) {
      if (grouped && k > 0 && (whole.size() - k) % 3 == 0) canonical += ',';
      canonical += whole[k];
    }
    canonical += "." + decimals;
    std::string currency = (*it)[1];
    std::string printed = (*it)[0];
    std::string normal = currency + canonical;
    // Keep the printed form where it already reads that way ("1,250.00").
    if (printed == normal) normal = printed;
    size_t sign = text.find_last_not_of(' ', at == 0 ? std::string::npos : at - 1);
    bool negative = at > 0 && sign != std::string::npos && text[sign] == '-';
    out.push_back({printed, normal, std::atof((whole + "." + decimals).c_str()), short_decimals,
                   negative});
  }
  std::smatch m;
  if (out.empty() && loose && std::regex_search(text, m, pointless)) {
    std::string number = m.str(2) + "." + m.str(3);
    out.push_back({m.str(0), m.str(1) + number, std::atof(number.c_str()), false, false});
  }
  return out;
}

bool HasWord(const std::string& lower, const char* pattern) {
  return std::regex_search(lower, std::regex(pattern));
}

// `text` lowercased, with OCR's misreadings of "total" ("TOTAI", "T0TAL",
// "Tatal", "SubTotat") spelt right.
std::string LabelText(const std::string& text) {
  std::string lower = Lower(text);
  std::string out;
  for (size_t i = 0; i < lower.size();) {
    if (!std::isalnum(static_cast<unsigned char>(lower[i]))) {
      out += lower[i++];
      continue;
    }
    size_t j = i;
    while (j < lower.size() && std::isalnum(static_cast<unsigned char>(lower[j]))) ++j;
    std::string_view word(lower.data() + i, j - i);
    i = j;
    std::optional<fields::FieldName> total = fields::TotalWord(word);
    out += !total ? word : total == fields::FieldName::kSubtotal ? "subtotal" : "total";
  }
  return out;
}

// How much a line reads like the label of the amount finally to pay.
std::optional<double> TotalLabelScore(const std::string& text) {
  std::string lower = LabelText(text);
  bool total = lower.find("total") != std::string::npos;
  bool other = HasWord(lower, R"(\b(amount|amt|due|balance|nett|ttl|tl|payable|jumlah|sum)\b)");
  if (!total && !other) return std::nullopt;
  double score = (total ? 2 : 0) + (other ? 1 : 0);
  if (HasWord(lower, R"(grand|amount due|total due|balance due|payable|nett|net total|round|incl|total \(rm\)|total amount|total amt|total sales)"))
    score += 2;
  if (HasWord(lower, R"(sub)")) score -= 4;
  if (HasWord(lower, R"(\b(tax|gst|vat|sst|service|svc)\b)") && !HasWord(lower, R"(incl)"))
    score -= 3;
  if (HasWord(lower, R"(excl|before)")) score -= 3;
  if (HasWord(lower, R"(\b(qty|quantity|items?|pcs|units?|count|no\.? of)\b)")) score -= 6;
  if (HasWord(lower, R"(disc|saving|change|cash|tender|adj|paid|card|visa|master|point|deposit|voucher)"))
    score -= 4;
  return score;
}

// The first segment holding an amount on the row of `segments[i]`, walking
// right from neighbour to nearest neighbour so that a slanted row is followed.
std::optional<size_t> AmountRightOf(const std::vector<Segment>& segments, size_t i,
                                    std::vector<size_t>* walked = nullptr) {
  size_t current = i;
  for (int step = 0; step < 6; ++step) {
    std::vector<size_t> right = ValuesRightOf(segments, current);
    if (right.empty()) return std::nullopt;
    current = right.front();
    if (walked) walked->push_back(current);
    if (!FindAmounts(segments[current].text).empty()) return current;
  }
  return std::nullopt;
}

bool IsPaymentLabel(const std::string& text) {
  return HasWord(Lower(text), R"(cash|change|tender|paid|card|visa|master|debit|credit|points?)");
}

// Taxes, charges, discounts and rounding: amounts added to or taken from a total.
bool IsAdjustment(const std::string& text) {
  return HasWord(Lower(text),
                 R"(\b(tax|gst|vat|sst|service|svc|charge|round\w*|adj\w*|disc\w*|less)\b)");
}

// Receipts often print the amount rounded to 5 cents on an unlabelled row
// below "ROUNDING ADJ": that amount, not the one above, is what was paid.
std::optional<Finding> AfterRounding(const std::vector<Segment>& segments, const Finding& best) {
  const core::Box& label = segments[best.segments.front()].bbox;
  if (label.Empty()) return std::nullopt;
  std::optional<size_t> rounding;
  for (size_t i = 0; i < segments.size(); ++i) {
    const core::Box& box = segments[i].bbox;
    std::string lower = Lower(segments[i].text);
    if (box.Empty() || box.y0 <= label.y1 || lower.find("round") == std::string::npos ||
        lower.find("total") != std::string::npos)
      continue;
    if (!rounding || box.y0 < segments[*rounding].bbox.y0) rounding = i;
  }
  if (!rounding) return std::nullopt;
  const core::Box& adjust = segments[*rounding].bbox;
  std::vector<size_t> rounding_row;
  AmountRightOf(segments, *rounding, &rounding_row);
  std::optional<size_t> next;
  for (size_t i = 0; i < segments.size(); ++i) {
    const core::Box& box = segments[i].bbox;
    if (box.Empty() || box.y0 < adjust.y0 + adjust.Height() / 2 ||
        FindAmounts(segments[i].text).empty() ||
        std::find(rounding_row.begin(), rounding_row.end(), i) != rounding_row.end())
      continue;
    if (!next || box.y0 < segments[*next].bbox.y0) next = i;
  }
  if (!next) return std::nullopt;
  Finding finding = best;
  finding.segments = {*rounding, *next};
  for (size_t j : LeftOf(segments, *next)) {
    if (IsPaymentLabel(segments[j].text)) return std::nullopt;
    if (std::optional<double> score = TotalLabelScore(segments[j].text)) {
      if (*score <= 0) return std::nullopt;
      finding.segments = {j, *next};
    }
  }
  if (IsPaymentLabel(segments[*next].text)) return std::nullopt;
  if (std::optional<double> score = TotalLabelScore(segments[*next].text); score && *score <= 0)
    return std::nullopt;
  Amount amount = FindAmounts(segments[*next].text).back();
  if (amount.value <= 0) return std::nullopt;
  finding.value = Display(amount);
  finding.amount = amount.value;
  return finding;
}

// The amount read for the label `segments[i]`: on its line, to its right,
// or alone on the next line; `segments_read` gets the segments it came from.
std::optional<Amount> AmountForLabel(const std::vector<Segment>& segments, size_t i,
                                     std::vector<size_t>& segments_read) {
  std::vector<Amount> amounts = FindAmounts(segments[i].text, true);
  if (!amounts.empty()) return amounts.back();
  if (std::optional<size_t> j = AmountRightOf(segments, i)) {
    segments_read.push_back(*j);
    return FindAmounts(segments[*j].text, true).back();
  }
  bool right = !ValuesRightOf(segments, i).empty();
  if (i + 1 < segments.size() && !right) {
    std::vector<Amount> found = FindAmounts(segments[i + 1].text, true);
    if (!found.empty() && Tokenize(segments[i + 1].text).size() <= 3 &&
        !IsPaymentLabel(segments[i + 1].text) && !IsAdjustment(segments[i + 1].text)) {
      segments_read.push_back(i + 1);
      return found.back();
    }
  }
  return std::nullopt;
}

// Without a total label: the first amount below the subtotal that is at
// least the subtotal ("Sub Total 68.87", "GST 4.13", then a misread
// "TOze RM 73.00"), before any payment line.
std::optional<Finding> AfterSubtotal(const std::vector<Segment>& segments, int page) {
  std::optional<size_t> subtotal;
  std::optional<Amount> base;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string lower = LabelText(segments[i].text);
    if (lower.find("subtotal") == std::string::npos && !HasWord(lower, R"(\bsub[ \-.]*total)"))
      continue;
    std::vector<size_t> read;
    if (std::optional<Amount> amount = AmountForLabel(segments, i, read)) {
      subtotal = std::max(i, read.empty() ? i : *std::max_element(read.begin(), read.end()));
      base = amount;
    }
  }
  if (!subtotal || base->value <= 0) return std::nullopt;
  for (size_t k = *subtotal + 1; k < segments.size() && k <= *subtotal + 8; ++k) {
    const std::string& text = segments[k].text;
    // A payment, or a total label whose amount could not be read, ends the search.
    if (IsPaymentLabel(text) || TotalLabelScore(text).value_or(0) > 0) break;
    if (std::optional<double> score = TotalLabelScore(text); score && *score < -3) continue;
    std::vector<Amount> amounts = FindAmounts(text);
    if (amounts.empty() || amounts.back().value < base->value) continue;
    Finding finding{page, Display(amounts.back()), {k}, 0, 0, {}};
    finding.amount = amounts.back().value;
    return finding;
  }
  return std::nullopt;
}

// Without a total label: what was paid in cash when no change was given.
std::optional<Finding> PaidInCash(const std::vector<Segment>& segments, int page) {
  std::optional<Finding> paid;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string lower = Lower(segments[i].text);
    std::vector<size_t> read;
    std::optional<Amount> amount = AmountForLabel(segments, i, read);
    if (HasWord(lower, R"(\bchange\b)") && amount && amount->value > 0) return std::nullopt;
    if (paid || !amount || amount->value <= 0 || !HasWord(lower, R"(\bcash\b)")) continue;
    paid = Finding{page, Display(*amount), {i}, 0, 0, {}};
    paid->segments.insert(paid->segments.end(), read.begin(), read.end());
    paid->amount = amount->value;
    paid->lead = "The amount paid is ";
  }
  return paid;
}

std::optional<Finding> FindTotal(const Corpus& corpus, int page) {
  const auto& segments = corpus.pages()[page].segments;
  std::vector<Finding> candidates;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::optional<double> label = TotalLabelScore(segments[i].text);
    if (!label || *label <= 0) continue;
    Finding finding{page, "", {i}, *label, 0, {}};
    std::optional<Amount> amount = AmountForLabel(segments, i, finding.segments);
    if (!amount && i > 0 &&
        std::none_of(segments[i].text.begin(), segments[i].text.end(), ::isdigit) &&
        (segments[i].bbox.Empty() || segments[i - 1].bbox.y1 <= segments[i].bbox.y0 + 4)) {
      // The amount column lost this row: the amount just above is the
      // last line's, which a one-line receipt totals to.
      std::vector<Amount> above = FindAmounts(segments[i - 1].text);
      if (!above.empty() && !above.back().negative && !IsPaymentLabel(segments[i - 1].text) &&
          !IsAdjustment(segments[i - 1].text) &&
          !TotalLabelScore(segments[i - 1].text)) {
        amount = above.back();
        finding.segments.insert(finding.segments.begin(), i - 1);
        finding.score -= 3;
      }
    }
    if (!amount || amount->negative) continue;
    finding.value = Display(*amount);
    finding.amount = amount->value;
    if (amount->short_decimals) finding.score -= 0.5;  // a lost last digit
    finding.score += 0.3 * i / segments.size();
    candidates.push_back(std::move(finding));
  }
  if (candidates.empty()) {
    if (std::optional<Finding> finding = AfterSubtotal(segments, page)) return finding;
    return PaidInCash(segments, page);
  }
  double largest = 0;
  for (const Finding& c : candidates) largest = std::max(largest, c.amount);
  for (Finding& c : candidates)
    if (c.amount == largest) c.score += 0.5;
  Finding best = *std::max_element(
      candidates.begin(), candidates.end(),
      [](const Finding& a, const Finding& b) { return a.score < b.score; });
  if (std::optional<Finding> rounded = AfterRounding(segments, best)) return rounded;
  return best;
}

// ---- dates ----

struct DateMatch {
  std::string text;    // as printed: "25 / 12 / 2018"
  std::string iso;     // "2018-12-25"
  bool ambiguous = false;  // numeric, and day and month could be either
  bool timed = false;  // a time of day follows, as on a transaction stamp
};

// The date as an answer states it ("25 December 2018"), with the printed
// form beside it; a date that reads both ways only as printed.
std::string Display(const DateMatch& date) {
  if (date.ambiguous) return date.text;
  return HumanDate(date.iso) + " (printed \"" + date.text + "\")";
}

// Dates in `text`, as the fields read them (fields::FindDates, day first
// where both orders are valid).
std::vector<DateMatch> FindDates(const std::string& text) {
  static const std::regex time(R"(^\s*[\-,]?\s*\d{1,2}:\d{2})");
  std::vector<DateMatch> out;
  for (const fields::DateValue& date : fields::FindDates(text))
    out.push_back({core::NormalizeSpace(text.substr(date.begin, date.end - date.begin)), date.iso,
                   date.ambiguous, std::regex_search(text.substr(date.end), time)});
  return out;
}

bool HasDate(const std::string& text) { return !fields::FindDates(text).empty(); }

std::optional<Finding> FindDateOnPage(const Corpus& corpus, int page) {
  const auto& segments = corpus.pages()[page].segments;
  std::optional<Finding> best;
  static const std::regex label(R"(\b(date|dated|tarikh|tkh|issued)\b)");
  for (size_t i = 0; i < segments.size(); ++i) {
    std::vector<DateMatch> dates = FindDates(segments[i].text);
    if (dates.empty()) continue;
    Finding finding{page, Display(dates.front()), {i}, 1.0 - 0.5 * i / segments.size(), 0, {}};
    if (dates.front().timed) finding.score += 0.75;
    std::string lower = Lower(segments[i].text);
    if (std::regex_search(lower, label)) {
      finding.score += 2;
    } else {
      for (size_t j : LeftOf(segments, i))
        if (std::regex_search(Lower(segments[j].text), label)) {
          finding.score += 2;
          finding.segments.insert(finding.segments.begin(), j);
          break;
        }
      if (finding.segments.size() == 1 && i > 0 &&
          std::regex_search(Lower(segments[i - 1].text), label) &&
          Tokenize(segments[i - 1].text).size() <= 2) {
        finding.score += 1.5;
        finding.segments.insert(finding.segments.begin(), i - 1);
      }
    }
    if (HasWord(lower, R"(exp|valid|due|birth)")) finding.score -= 1;
    if (!best || finding.score > best->score) best = std::move(finding);
  }
  return best;
}

// ---- letterhead: issuer and address ----

using fields::HasBusinessSuffix, fields::IsAddressLike, fields::IsNameLike, fields::IsStopLine;

struct Letterhead {
  std::optional<size_t> company;
  std::vector<size_t> address;
};

Letterhead ReadLetterhead(const PageText& page) {
  const auto& segments = page.segments;
  size_t top = std::min<size_t>(15, segments.size());
  Letterhead letterhead;
  std::optional<size_t> suffix;
  for (size_t i = 0; i < std::min<size_t>(8, top) && !suffix; ++i)
    if (HasBusinessSuffix(segments[i].text) && !IsStopLine(segments[i].text) &&
        IsNameLike(segments[i].text))
      suffix = i;
  size_t start = suffix ? *suffix + 1 : 0;
  std::optional<size_t> first;
  for (size_t i = start; i < std::min(start + 6, top) && !first; ++i) {
    if (IsStopLine(segments[i].text)) continue;
    if (IsAddressLike(segments[i].text) && !HasBusinessSuffix(segments[i].text)) first = i;
  }
  if (first) {
    for (size_t i = *first; i < top && letterhead.address.size() < 6; ++i) {
      const std::string& text = segments[i].text;
      if (IsStopLine(text)) break;
      bool continues = i == *first || IsAddressLike(text) ||
                       segments[i - 1].text.ends_with(",") ||
                       (text.starts_with("(") && IsNameLike(text.substr(1)) &&
                        std::none_of(text.begin(), text.end(), ::isdigit));
      if (!continues) break;
      letterhead.address.push_back(i);
    }
  }
  if (suffix) {
    letterhead.company = suffix;
    // "THREE STOOGES" above "BISTRO & CAFE": a line naming only the kind of
    // business follows the name itself.
    static const std::regex legal(R"(\b(sdn|bhd|berhad|s/b|ltd|limited|inc|llc|corp|gmbh|plc|pte)\b)");
    size_t c = *suffix;
    if (c > 0 && !std::regex_search(Lower(segments[c].text), legal) &&
        segments[c - 1].block == segments[c].block && IsNameLike(segments[c - 1].text) &&
        Tokenize(segments[c - 1].text, false, false).size() >= 2 &&
        !IsStopLine(segments[c - 1].text) && !IsAddressLike(segments[c - 1].text))
      letterhead.company = c - 1;
  } else {
    size_t limit = first ? *first : top;
    for (size_t i = limit; i-- > 0;) {
      if (IsNameLike(segments[i].text) && !IsStopLine(segments[i].text) &&
          !(first && IsAddressLike(segments[i].text))) {
        letterhead.company = i;
        break;
      }
    }
    if (!letterhead.company)
      for (size_t i = 0; i < top; ++i)
        if (IsNameLike(segments[i].text) && !IsStopLine(segments[i].text) &&
            !HasWord(Lower(segments[i].text), R"(^\W*(no|lot)\b|^\W*\d)")) {
          letterhead.company = i;
          break;
        }
  }
  return letterhead;
}

// ---- invoice numbers ----

std::optional<Finding> FindInvoiceNumber(const Corpus& corpus, int page) {
  const auto& segments = corpus.pages()[page].segments;
  static const std::regex label(
      R"(\b(invoice|inv|receipt|bill|order|document|doc|ref|reference|transaction|trans|txn|slip)\b\.?\s*(no|number|num|#|id)?\b\.?|#)",
      std::regex::icase);
  static const std::regex value(R"(([A-Z0-9][A-Z0-9\-/]*\d[A-Z0-9\-/]*))", std::regex::icase);
  std::optional<Finding> best;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& text = segments[i].text;
    std::smatch m;
    if (!std::regex_search(text, m, label)) continue;
    if (HasDate(text)) continue;
    double score = m[2].matched || m.str(0) == "#" ? 2 : 1;
    Finding finding{page, "", {i}, score - 0.3 * i / segments.size(), 0, {}};
    std::string rest = m.suffix();
    std::smatch v;
    if (std::regex_search(rest, v, value)) {
      finding.value = v.str(1);
    } else {
      std::vector<size_t> candidates = RightOf(segments, i);
      if (candidates.empty() && i + 1 < segments.size()) candidates.push_back(i + 1);
      for (size_t j : candidates)
        if (std::regex_search(segments[j].text, v, value) && !HasDate(segments[j].text)) {
          finding.value = v.str(1);
          finding.segments.push_back(j);
          break;
        }
    }
    if (finding.value.empty()) continue;
    if (!best || finding.score > best->score) best = std::move(finding);
  }
  return best;
}

// ---- answers ----

Reply NotFound() {
  Reply reply;
  reply.message.role = "assistant";
  reply.message.content = kNotFoundAnswer;
  return reply;
}

std::vector<int> CandidatePages(const Corpus& corpus, const Query& query) {
  if (query.page) {
    if (*query.page < 0 || *query.page >= static_cast<int>(corpus.pages().size())) return {};
    return {*query.page};
  }
  std::vector<int> pages(corpus.pages().size());
  std::iota(pages.begin(), pages.end(), 0);
  return pages;
}

// The best finding over the candidate pages; the conversation's pages and
// pages that rank well for the question break ties.
template <typename Find>
std::optional<Finding> BestFinding(const Corpus& corpus, const Query& query, Find find) {
  std::vector<double> scores = corpus.Score(query.terms);
  std::vector<double> page_score(corpus.pages().size(), 0.0);
  for (size_t i = 0; i < scores.size(); ++i) {
    int page = corpus.passages()[i].page;
    page_score[page] = std::max(page_score[page], scores[i]);
  }
  double top = *std::max_element(page_score.begin(), page_score.end());
  std::optional<Finding> best;
  for (int page : CandidatePages(corpus, query)) {
    std::optional<Finding> finding = find(corpus, page);
    if (!finding) continue;
    if (query.focus_pages.contains(page)) finding->score += 1.0;
    if (top > 0) finding->score += 0.5 * page_score[page] / top;
    if (!best || finding->score > best->score) best = std::move(finding);
  }
  return best;
}

Reply Quote(const Corpus& corpus, const Finding& finding, const std::string& lead) {
  Reply reply;
  reply.message.role = "assistant";
  reply.message.content = (finding.lead.empty() ? lead : finding.lead) + finding.value + " " +
                          PageLabel(finding.page) + ".";
  reply.message.citations = CiteSegments(corpus, finding.page, finding.segments);
  return reply;
}

Reply AnswerLetterhead(const Corpus& corpus, const Query& query) {
  std::vector<int> pages = CandidatePages(corpus, query);
  if (!query.page && !query.focus_pages.empty()) {
    std::stable_partition(pages.begin(), pages.end(),
                          [&](int p) { return query.focus_pages.contains(p); });
  }
  for (int page : pages) {
    Letterhead letterhead = ReadLetterhead(corpus.pages()[page]);
    const auto& segments = corpus.pages()[page].segments;
    if (query.intent == Intent::kCompany && letterhead.company) {
      size_t c = *letterhead.company;
      Finding finding{page, segments[c].text, {c}, 0, 0, {}};
      // A name broken over lines: "HOME MASTER HARDWARE &" / "ELECTRICAL",
      // "AIK HUAT HARDWARE" / "ENTERPRISE (SETIA" / "ALAM) SDN BHD".
      for (size_t next = c + 1; next < segments.size() && next <= c + 2; ++next) {
        const std::string& previous = segments[next - 1].text;
        const std::string& text = segments[next].text;
        bool open_parenthesis = std::count(previous.begin(), previous.end(), '(') >
                                std::count(previous.begin(), previous.end(), ')');
        bool continues = HasWord(Lower(previous), R"([&,\-]\s*$)") || open_parenthesis ||
                         HasWord(Lower(text), R"(\b(sdn|bhd|berhad|ltd|inc|enterprise|trading|s/b)\b)");
        if (!continues || IsStopLine(text) || !IsNameLike(text)) break;
        finding.value += " " + text;
        finding.segments.push_back(next);
      }
      return Quote(corpus, finding, "It was issued by ");
    }
    if (query.intent == Intent::kAddress && !letterhead.address.empty()) {
      Finding finding{page, "", letterhead.address, 0, 0, {}};
      for (size_t i : letterhead.address)
        finding.value += (finding.value.empty() ? "" : " ") + segments[i].text;
      return Quote(corpus, finding, "The address is ");
    }
  }
  return NotFound();
}

Reply AnswerSummary(const Corpus& corpus, const Query& query) {
  const auto& passages = corpus.passages();
  // Centrality: cosine between a passage's TF-IDF vector and the document's.
  std::map<std::string, double> centroid;
  for (const Passage& passage : passages)
    if (!query.page || passage.page == *query.page)
      for (const std::string& token : passage.tokens) centroid[token] += corpus.Idf(token);
  double centroid_norm = 0;
  for (const auto& [term, weight] : centroid) centroid_norm += weight * weight;
  centroid_norm = std::sqrt(centroid_norm);
  size_t min_tokens = 4;
  std::vector<std::pair<double, size_t>> ranked;
  for (int attempt = 0; attempt < 2 && ranked.empty(); ++attempt, min_tokens = 2) {
    for (size_t i = 0; i < passages.size(); ++i) {
      const Passage& passage = passages[i];
      if (query.page && passage.page != *query.page) continue;
      if (passage.tokens.size() < min_tokens || passage.text.size() > 400) continue;
      std::map<std::string, double> vector;
      for (const std::string& token : passage.tokens) vector[token] += corpus.Idf(token);
      double dot = 0, norm = 0;
      for (const auto& [term, weight] : vector) {
        dot += weight * centroid[term];
        norm += weight * weight;
      }
      if (norm > 0 && centroid_norm > 0)
        ranked.push_back({dot / std::sqrt(norm) / centroid_norm, i});
    }
  }
  if (ranked.empty()) return NotFound();
  std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<size_t> chosen;
  for (const auto& [score, i] : ranked) {
    if (chosen.size() >= 3) break;
    // Overlapping passages (a line and the sentence holding it) say the same.
    bool overlaps = std::any_of(chosen.begin(), chosen.end(), [&](size_t j) {
      const Passage& a = passages[i];
      const Passage& b = passages[j];
      return a.page == b.page && a.offset < b.offset + b.text.size() &&
             b.offset < a.offset + a.text.size();
    });
    if (!overlaps) chosen.push_back(i);
  }
  std::sort(chosen.begin(), chosen.end(), [&](size_t a, size_t b) {
    return std::pair(passages[a].page, passages[a].offset) <
           std::pair(passages[b].page, passages[b].offset);
  });
  Reply reply;
  reply.message.role = "assistant";
  reply.message.content = "In short, the document says:";
  for (size_t i : chosen) {
    reply.message.content +=
        " \"" + core::NormalizeSpace(passages[i].text) + "\" " + PageLabel(passages[i].page) + ".";
    reply.message.citations.push_back({passages[i].page + 1, passages[i].text});
  }
  return reply;
}

Reply AnswerGeneral(const Corpus& corpus, const Query& query) {
  std::vector<size_t> top = TopPassages(corpus, query, 8);
  const auto& passages = corpus.passages();
  std::vector<size_t> answering;
  for (size_t i : top)
    if (Coverage(corpus, query, passages[i]) >= kMinCoverage) answering.push_back(i);
  if (answering.empty() || query.content_terms.empty()) return NotFound();
  const Passage& best = passages[answering[0]];
  Reply reply;
  reply.message.role = "assistant";
  reply.message.content = "The document says: \"" + core::NormalizeSpace(best.text) + "\" " +
                          PageLabel(best.page) + ".";
  reply.message.citations.push_back({best.page + 1, best.text});
  // A second page that answers as well as the first is worth naming.
  std::vector<double> scores = corpus.Score(query.terms);
  for (size_t k = 1; k < answering.size(); ++k) {
    const Passage& other = passages[answering[k]];
    if (other.page == best.page) continue;
    if (scores[answering[k]] < 0.8 * scores[answering[0]]) break;
    reply.message.content += " It also says: \"" + core::NormalizeSpace(other.text) + "\" " +
                             PageLabel(other.page) + ".";
    reply.message.citations.push_back({other.page + 1, other.text});
    break;
  }
  return reply;
}

}  // namespace

std::vector<Citation> CiteSegments(const Corpus& corpus, int page, std::vector<size_t> segments) {
  std::sort(segments.begin(), segments.end());
  segments.erase(std::unique(segments.begin(), segments.end()), segments.end());
  std::vector<Citation> citations;
  for (size_t i = 0; i < segments.size();) {
    size_t j = i;
    while (j + 1 < segments.size() && segments[j + 1] == segments[j] + 1) ++j;
    citations.push_back({page + 1, corpus.Span(page, segments[i], segments[j]).text});
    i = j + 1;
  }
  return citations;
}

Reply AnswerFromCorpus(const Corpus& corpus, const Query& query) {
  if (corpus.passages().empty()) return NotFound();
  if (query.intent != Intent::kGeneral && query.intent != Intent::kSummary &&
      query.foreign_terms > 0)
    return NotFound();
  Intent intent = query.intent;
  // "How much is the widget?" asks about the widget's line, not the total.
  if ((intent == Intent::kTotal || intent == Intent::kDate) && query.subject_terms > 0)
    intent = Intent::kGeneral;
  // "Where did exports double?" is not asking for the letterhead's address.
  if (intent == Intent::kAddress && query.subject_terms > 0 &&
      std::find(query.content_terms.begin(), query.content_terms.end(), "address") ==
          query.content_terms.end())
    intent = Intent::kGeneral;
  switch (intent) {
    case Intent::kTotal: {
      std::optional<Finding> finding = BestFinding(corpus, query, FindTotal);
      return finding ? Quote(corpus, *finding, "The total is ") : NotFound();
    }
    case Intent::kDate: {
      std::optional<Finding> finding = BestFinding(corpus, query, FindDateOnPage);
      return finding ? Quote(corpus, *finding, "The date is ") : NotFound();
    }
    case Intent::kInvoiceNumber: {
      std::optional<Finding> finding = BestFinding(corpus, query, FindInvoiceNumber);
      return finding ? Quote(corpus, *finding, "The number is ") : NotFound();
    }
    case Intent::kCompany:
    case Intent::kAddress:
      return AnswerLetterhead(corpus, query);
    case Intent::kSummary:
      return AnswerSummary(corpus, query);
    case Intent::kGeneral:
      break;
  }
  return AnswerGeneral(corpus, query);
}

namespace {

class ExtractiveAnswerer : public Answerer {
 public:
  core::Result<Reply> Answer(const core::Document& doc, const std::vector<Message>& history,
                             const std::string& question) override {
    if (core::NormalizeSpace(question).empty())
      return core::Fail(core::ErrorCode::kInvalidParameter, "the message is empty");
    Corpus corpus(doc);
    return AnswerQuestion(doc, corpus, ResolveQuestion(corpus, history, question), question);
  }
};

}  // namespace

std::unique_ptr<Answerer> MakeExtractiveAnswerer() { return std::make_unique<ExtractiveAnswerer>(); }

}  // namespace ocrchat::chat
