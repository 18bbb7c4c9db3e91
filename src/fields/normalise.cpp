// Dates, amounts and currencies as printed in the seven languages, read
// into ISO dates, decimals and ISO 4217 codes.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "fields/fields.h"

namespace ocrchat::fields {
namespace {

struct MonthName {
  const char* name;  // folded
  int month;
};

// Full names and the abbreviations printed, in en, de, fr, es, it, nl, pt
// (and Malay). Longer names first so that the regex prefers them.
const MonthName kMonths[] = {
    {"january", 1}, {"januar", 1}, {"janvier", 1}, {"enero", 1}, {"gennaio", 1}, {"januari", 1},
    {"janeiro", 1}, {"jan", 1}, {"ene", 1}, {"gen", 1},
    {"february", 2}, {"februar", 2}, {"fevrier", 2}, {"febrero", 2}, {"febbraio", 2},
    {"februari", 2}, {"fevereiro", 2}, {"feb", 2}, {"fev", 2}, {"febr", 2},
    {"march", 3}, {"marz", 3}, {"maerz", 3}, {"mars", 3}, {"marzo", 3}, {"maart", 3}, {"marco", 3},
    {"mac", 3}, {"mar", 3}, {"mrt", 3},
    {"april", 4}, {"avril", 4}, {"abril", 4}, {"aprile", 4}, {"apr", 4}, {"avr", 4}, {"abr", 4},
    {"may", 5}, {"mai", 5}, {"mayo", 5}, {"maggio", 5}, {"mei", 5}, {"maio", 5}, {"mag", 5},
    {"june", 6}, {"juni", 6}, {"juin", 6}, {"junio", 6}, {"giugno", 6}, {"junho", 6}, {"jun", 6},
    {"giu", 6},
    {"july", 7}, {"juli", 7}, {"juillet", 7}, {"julio", 7}, {"luglio", 7}, {"julho", 7},
    {"jul", 7}, {"juil", 7}, {"lug", 7}, {"julai", 7},
    {"august", 8}, {"aout", 8}, {"agosto", 8}, {"augustus", 8}, {"aug", 8}, {"ago", 8}, {"ogos", 8},
    {"september", 9}, {"septembre", 9}, {"septiembre", 9}, {"setiembre", 9}, {"settembre", 9},
    {"setembro", 9}, {"sept", 9}, {"sep", 9}, {"set", 9},
    {"october", 10}, {"oktober", 10}, {"octobre", 10}, {"octubre", 10}, {"ottobre", 10},
    {"outubro", 10}, {"oct", 10}, {"okt", 10}, {"ott", 10}, {"out", 10},
    {"november", 11}, {"novembre", 11}, {"noviembre", 11}, {"novembro", 11}, {"nov", 11},
    {"december", 12}, {"dezember", 12}, {"decembre", 12}, {"diciembre", 12}, {"dicembre", 12},
    {"dezembro", 12}, {"disember", 12}, {"dec", 12}, {"dez", 12}, {"dic", 12}, {"dis", 12},
};

int MonthOf(const std::string& folded) {
  for (const MonthName& m : kMonths)
    if (folded == m.name) return m.month;
  return 0;
}

std::string MonthAlternation() {
  std::vector<std::string> names;
  for (const MonthName& m : kMonths) names.push_back(m.name);
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : "|") + name;
  return out;
}

bool ValidDate(int year, int month, int day) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  if (day > kDays[month - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

int Year(const std::string& digits) {
  int year = std::atoi(digits.c_str());
  return digits.size() == 2 ? 2000 + year : year;
}

std::string Iso(int year, int month, int day) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, day);
  return out;
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

}  // namespace

std::vector<DateValue> FindDates(std::string_view text, DateOrder order) {
  Folded folded = Fold(text);
  const std::string& s = folded.text;
  static const std::string months = MonthAlternation();
  // Numeric (with OCR's spaces around the separator), ISO, day-month-year
  // (also run together, as receipts print it: "10Mar2018") and
  // month-day-year with names.
  static const std::regex numeric(R"((\d{1,2}) ?([./\-]) ?(\d{1,2}) ?\2 ?(\d{4}|\d{2})(?![\d]))");
  static const std::regex iso(R"((\d{4})([./\-])(\d{1,2})\2(\d{1,2})(?![\d]))");
  static const std::regex day_month(
      "(\\d{1,2})(?:st|nd|rd|th|er|o)?\\.? ?[\\-/]? ?(?:de )?(" + months +
      ")\\.?(?:[ ,\\-/]*| de )(\\d{4}|'?\\d{2})(?![\\d])");
  static const std::regex month_day("(" + months +
                                    ")\\.? ?(\\d{1,2})(?:st|nd|rd|th)? ?,? ?(\\d{4})(?![\\d])");
  std::vector<DateValue> out;
  auto starts_clean = [&](size_t at) {
    return at == 0 || !(std::isalnum(static_cast<unsigned char>(s[at - 1])) ||
                        ((s[at - 1] == '.' || s[at - 1] == ',') && at > 1 && IsDigit(s[at - 2])));
  };
  auto ends_clean = [&](size_t end) {
    return end >= s.size() || !(std::isalpha(static_cast<unsigned char>(s[end])) ||
                                ((s[end] == '.' || s[end] == ',' || s[end] == '/') &&
                                 end + 1 < s.size() && IsDigit(s[end + 1])));
  };
  auto overlaps = [&](size_t begin, size_t end) {
    return std::any_of(out.begin(), out.end(), [&](const DateValue& d) {
      return begin < d.end && d.begin < end;
    });
  };
  auto add = [&](const std::smatch& m, int year, int month, int day, bool ambiguous) {
    size_t begin = m.position(0), end = begin + m.length(0);
    if (!starts_clean(begin) || !ends_clean(end) || !ValidDate(year, month, day)) return;
    DateValue date{folded.origin[begin], folded.origin[end], Iso(year, month, day), ambiguous};
    if (!overlaps(date.begin, date.end)) out.push_back(date);
  };
  for (auto it = std::sregex_iterator(s.begin(), s.end(), iso); it != std::sregex_iterator(); ++it)
    add(*it, std::atoi((*it)[1].str().c_str()), std::atoi((*it)[3].str().c_str()),
        std::atoi((*it)[4].str().c_str()), false);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), day_month); it != std::sregex_iterator(); ++it) {
    std::string year = (*it)[3];
    std::erase(year, '\'');
    add(*it, Year(year), MonthOf((*it)[2]), std::atoi((*it)[1].str().c_str()), false);
  }
  for (auto it = std::sregex_iterator(s.begin(), s.end(), month_day); it != std::sregex_iterator(); ++it)
    add(*it, Year((*it)[3]), MonthOf((*it)[1]), std::atoi((*it)[2].str().c_str()), false);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), numeric); it != std::sregex_iterator(); ++it) {
    int a = std::atoi((*it)[1].str().c_str()), b = std::atoi((*it)[3].str().c_str());
    int year = Year((*it)[4]);
    // "12.50" style amounts with a dot are never two-part dates; a
    // two-digit year after dots ("01.05.14") is a date.
    bool day_first_valid = ValidDate(year, b, a), month_first_valid = ValidDate(year, a, b);
    if (!day_first_valid && !month_first_valid) continue;
    bool ambiguous = day_first_valid && month_first_valid && a != b;
    bool day_first = day_first_valid && (!month_first_valid || order == DateOrder::kDayFirst);
    add(*it, year, day_first ? b : a, day_first ? a : b, ambiguous);
  }
  std::sort(out.begin(), out.end(),
            [](const DateValue& x, const DateValue& y) { return x.begin < y.begin; });
  return out;
}

std::string CurrencyCode(std::string_view printed) {
  std::string p;
  for (char c : printed)
    if (c != '.' && c != ' ') p += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (p == "\xE2\x82\xAC" || p == "EUR" || p == "EURO" || p == "EUROS") return "EUR";
  if (p == "$" || p == "USD" || p == "US$") return "USD";
  if (p == "\xC2\xA3" || p == "GBP") return "GBP";
  if (p == "\xC2\xA5" || p == "JPY") return "JPY";
  if (p == "\xE2\x82\xB9" || p == "RS" || p == "INR" || p == "RS:") return "INR";
  if (p == "RM" || p == "MYR") return "MYR";
  if (p == "CHF" || p == "FR") return "CHF";
  if (p == "SGD" || p == "S$") return "SGD";
  if (p == "CAD" || p == "C$") return "CAD";
  if (p == "AUD" || p == "A$") return "AUD";
  if (p == "BRL" || p == "R$") return "BRL";
  return "";
}

std::vector<AmountValue> FindAmounts(std::string_view view) {
  std::string text(view);
  static const std::string currency =
      R"((?:€|\$|£|¥|₹|US\$|R\$|S\$|Rs\.?|RM|EUROS|EURO|EUR|USD|GBP|INR|MYR|CHF|SGD|JPY|CAD|AUD|BRL))";
  // Grouped with a decimal part, grouped without, plain with a decimal part
  // (OCR may put a space after the separator), plain integers.
  static const std::regex amount(
      "(" + currency + R"(\s?)?(-\s?)?(\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,2})?|\d{1,3}(?: \d{3})+[.,]\d{2}|\d+[.,] ?\d{1,2}|\d+))" +
          R"((?:\s?()" + currency + "))?",
      std::regex::icase);
  std::vector<AmountValue> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), amount);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    size_t begin = m.position(0), end = begin + m.length(0);
    size_t number_begin = m.position(3), number_end = number_begin + m.length(3);
    // Part of a longer token: letters or digits glued on, a date, a time, a percentage.
    auto glued = [&](size_t at) { return std::isalnum(static_cast<unsigned char>(text[at])); };
    if (number_begin > 0 && !m[1].matched && !m[2].matched &&
        (glued(number_begin - 1) || std::string("/:.,-").find(text[number_begin - 1]) != std::string::npos))
      continue;
    if (m[1].matched && begin > 0 && std::isalpha(static_cast<unsigned char>(text[begin - 1])) &&
        std::isalpha(static_cast<unsigned char>(text[begin])))
      continue;
    if (number_end < text.size() && !m[4].matched &&
        (glued(number_end) || text[number_end] == '%' || text[number_end] == ':' ||
         text[number_end] == '/' ||
         ((text[number_end] == '.' || text[number_end] == ',' || text[number_end] == '-') &&
          number_end + 1 < text.size() && IsDigit(text[number_end + 1]))))
      continue;
    if (m[4].matched && end < text.size() && std::isalpha(static_cast<unsigned char>(text[end])) &&
        std::isalpha(static_cast<unsigned char>(text[end - 1])))
      continue;
    std::string number = m[3];
    std::erase(number, ' ');
    std::string whole = number, decimals;
    size_t last = number.find_last_of(".,");
    if (last != std::string::npos) {
      size_t after = number.size() - last - 1;
      bool repeated = number.find(number[last]) != last;  // "1.234.567"
      if (after <= 2 && !(repeated && after != 2)) {
        whole = number.substr(0, last);
        decimals = number.substr(last + 1);
      }
    }
    std::erase_if(whole, [](char c) { return c == '.' || c == ',' || c == '\''; });
    std::string cur = m[1].matched ? m.str(1) : m[4].matched ? m.str(4) : "";
    while (!cur.empty() && std::isspace(static_cast<unsigned char>(cur.back()))) cur.pop_back();
    std::string code = CurrencyCode(cur);
    // The point OCR lost at the end of a line: "RM 64 13" is 64.13.
    static const std::regex lost_point(R"(^ (\d{2})\s*$)");
    std::smatch cents;
    if (decimals.empty() && m[1].matched && !m[4].matched && last == std::string::npos &&
        std::regex_search(text.cbegin() + end, text.cend(), cents, lost_point)) {
      decimals = cents.str(1);
      end = text.size();
    }
    if (decimals.empty() && code.empty()) continue;  // a bare integer
    if (decimals.size() == 1) decimals += '0';
    AmountValue value;
    value.begin = begin;
    value.end = end;
    value.currency = code;
    value.has_decimals = !decimals.empty();
    bool negative = m[2].matched;
    value.value = (negative ? "-" : "") + (whole.empty() ? "0" : whole) +
                  (decimals.empty() ? "" : "." + decimals);
    // Leading zeros are not printed in the normal form ("0.90" keeps its one).
    size_t digits = negative ? 1 : 0;
    while (value.value.size() > digits + 1 && value.value[digits] == '0' &&
           IsDigit(value.value[digits + 1]))
      value.value.erase(digits, 1);
    value.number = std::atof(value.value.c_str());
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace ocrchat::fields
