// Fields read from the pages by layout: words grouped into phrases and
// rows from their boxes, labels paired with the value beside or below them.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "core/text.h"
#include "fields/fields.h"
#include "fields/letterhead.h"

namespace ocrchat::fields {
namespace {

constexpr size_t kMaxWordBytes = 100;
constexpr size_t kMaxPhraseWords = 40;
constexpr size_t kMaxLabels = 400;

// Words of one line that stand close together: a label, a value, a cell.
struct Phrase {
  int page = 0;
  std::string text;                 // words joined by single spaces
  std::vector<const core::Word*> words;
  std::vector<size_t> word_begin;   // byte of text where each word starts
  core::Box bbox;
  int row = 0;                      // index into the page's rows
  std::vector<LabelMatch> labels;   // non-overlapping where one holds another
};

struct PageLayout {
  int index = 0;
  int height = 1;
  std::vector<Phrase> phrases;           // by row, then left to right
  std::vector<std::vector<size_t>> rows;  // phrase indices, left to right
};

int Median(std::vector<int> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

int VerticalOverlap(const core::Box& a, const core::Box& b) {
  return std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
}

bool SameRow(const core::Box& a, const core::Box& b) {
  return VerticalOverlap(a, b) > 0.4 * std::min(a.Height(), b.Height());
}

Phrase MakePhrase(int page, const std::vector<const core::Word*>& words) {
  Phrase phrase;
  phrase.page = page;
  for (const core::Word* word : words) {
    if (!phrase.text.empty()) phrase.text += ' ';
    phrase.word_begin.push_back(phrase.text.size());
    phrase.text += word->text;
    phrase.words.push_back(word);
    phrase.bbox = phrase.bbox.Union(word->bbox);
  }
  return phrase;
}

// Labels of a phrase, without those that lie inside a longer one.
std::vector<LabelMatch> PhraseLabels(const std::string& text) {
  std::vector<LabelMatch> all = FindLabels(text);
  std::vector<LabelMatch> out;
  for (const LabelMatch& m : all) {
    bool inside = std::any_of(all.begin(), all.end(), [&](const LabelMatch& other) {
      return &other != &m && other.begin <= m.begin && other.end >= m.end &&
             other.end - other.begin > m.end - m.begin;
    });
    if (!inside) out.push_back(m);
  }
  // "Total Sales (Inclusive of GST)", "Total incl. VAT": a tax named after
  // a total's qualifier belongs to that total's label.
  static const std::regex qualifier(
      R"(^[\s(.:,!;]*(?:(?:of|incl\w*|excl\w*|inkl\w*|exkl\w*|zzgl|including|excluding|plus|hors|sans|\d+(?:[.,]\d+)?\s?%|@)[\s(.:,]*)*$)",
      std::regex::icase);
  std::vector<LabelMatch> kept;
  for (size_t i = 0; i < out.size(); ++i) {
    const LabelMatch& m = out[i];
    bool qualifies = false;
    if (m.field == FieldName::kTax)
      for (size_t k = 0; k < out.size(); ++k) {
        const LabelMatch& before = out[k];
        if (k == i || before.end > m.begin ||
            (before.field != FieldName::kTotal && before.field != FieldName::kSubtotal))
          continue;
        if (m.begin - before.end <= 40 &&
            std::regex_match(text.substr(before.end, m.begin - before.end), qualifier))
          qualifies = true;
      }
    if (!qualifies) kept.push_back(m);
  }
  return kept;
}

PageLayout Layout(const core::Page& page) {
  PageLayout layout;
  layout.index = page.index;
  layout.height = std::max(1, page.height);
  std::vector<Phrase> phrases;
  for (const core::Block& block : page.blocks) {
    for (const core::Line& line : block.lines) {
      std::vector<const core::Word*> words;
      std::vector<int> heights;
      // No label or value is longer than kMaxWordBytes; the limits keep what
      // the regular expressions read short, whatever a page holds.
      for (const core::Word& word : line.words)
        if (!word.bbox.Empty() && word.text.size() <= kMaxWordBytes &&
            !core::NormalizeSpace(word.text).empty()) {
          words.push_back(&word);
          heights.push_back(word.bbox.Height());
        }
      if (words.empty()) continue;
      std::sort(words.begin(), words.end(),
                [](const core::Word* a, const core::Word* b) { return a->bbox.x0 < b->bbox.x0; });
      // A gap wider than about two characters separates phrases (columns).
      int gap = std::max(4, static_cast<int>(1.5 * Median(heights)));
      std::vector<const core::Word*> current;
      for (const core::Word* word : words) {
        if (!current.empty() &&
            (word->bbox.x0 - current.back()->bbox.x1 > gap || current.size() >= kMaxPhraseWords)) {
          phrases.push_back(MakePhrase(page.index, current));
          current.clear();
        }
        current.push_back(word);
      }
      phrases.push_back(MakePhrase(page.index, current));
    }
  }
  // Rows: phrases sharing most of their height, top to bottom.
  std::sort(phrases.begin(), phrases.end(), [](const Phrase& a, const Phrase& b) {
    return a.bbox.y0 + a.bbox.y1 < b.bbox.y0 + b.bbox.y1;
  });
  std::vector<core::Box> row_boxes;
  std::vector<std::vector<Phrase>> rows;
  for (Phrase& phrase : phrases) {
    std::optional<size_t> row;
    for (size_t r = rows.size(); r-- > 0 && r + 3 >= rows.size();)
      if (SameRow(row_boxes[r], phrase.bbox) &&
          std::all_of(rows[r].begin(), rows[r].end(),
                      [&](const Phrase& p) { return SameRow(p.bbox, phrase.bbox); })) {
        row = r;
        break;
      }
    if (!row) {
      rows.emplace_back();
      row_boxes.push_back({});
      row = rows.size() - 1;
    }
    row_boxes[*row] = row_boxes[*row].Union(phrase.bbox);
    rows[*row].push_back(std::move(phrase));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::sort(rows[r].begin(), rows[r].end(),
              [](const Phrase& a, const Phrase& b) { return a.bbox.x0 < b.bbox.x0; });
    layout.rows.emplace_back();
    for (Phrase& phrase : rows[r]) {
      phrase.row = static_cast<int>(r);
      phrase.labels = PhraseLabels(phrase.text);
      layout.rows.back().push_back(layout.phrases.size());
      layout.phrases.push_back(std::move(phrase));
    }
  }
  return layout;
}

// ---- values ----

enum class Kind { kDate, kAmount, kIdentifier, kText };

Kind KindOf(FieldName name) {
  switch (name) {
    case FieldName::kIssueDate:
    case FieldName::kDueDate: return Kind::kDate;
    case FieldName::kTotal:
    case FieldName::kSubtotal:
    case FieldName::kTax: return Kind::kAmount;
    case FieldName::kInvoiceNumber: return Kind::kIdentifier;
    default: return Kind::kText;
  }
}

// A value read from part of a phrase: bytes [begin, end) of its text.
struct Value {
  size_t begin = 0, end = 0;
  std::string normal;
  std::string currency;
  double number = 0;
  bool has_decimals = false;
};

std::optional<Value> ReadIdentifier(const std::string& text, size_t from, size_t to) {
  static const std::regex token(R"([A-Za-z0-9][A-Za-z0-9_\-/.]*[A-Za-z0-9]|\d)");
  std::string part = text.substr(from, to - from);
  // Words that sit between a label and its number: "No.", "Nr", ":", "#".
  static const std::regex filler(R"(^[\s:#.\-]*(?:(?:no|nr|n|num|number|nummer|numero)\b[.:]?[\s:#]*)?)",
                                 std::regex::icase);
  std::smatch lead;
  size_t skip = std::regex_search(part, lead, filler) ? lead.length(0) : 0;
  std::smatch m;
  std::string rest = part.substr(skip);
  if (!std::regex_search(rest, m, token) || m.position(0) != 0) return std::nullopt;
  std::string id = m.str(0);
  if (id.size() < 3 || std::none_of(id.begin(), id.end(), ::isdigit)) return std::nullopt;
  if (!FindDates(id).empty()) return std::nullopt;
  // A price is not a number of a document.
  static const std::regex price(R"(\d{1,3}([.,]\d{3})*[.,]\d{2})");
  if (std::regex_match(id, price)) return std::nullopt;
  Value value;
  value.begin = from + skip;
  value.end = value.begin + id.size();
  value.normal = id;
  return value;
}

std::optional<Value> ReadValue(Kind kind, const std::string& text, size_t from, size_t to,
                               DateOrder order) {
  if (from >= to) return std::nullopt;
  std::string part = text.substr(from, to - from);
  switch (kind) {
    case Kind::kDate: {
      std::vector<DateValue> dates = FindDates(part, order);
      if (dates.empty()) return std::nullopt;
      return Value{from + dates[0].begin, from + dates[0].end, dates[0].iso, "", 0, false};
    }
    case Kind::kAmount: {
      std::vector<AmountValue> amounts = FindAmounts(part);
      if (amounts.empty()) return std::nullopt;
      // The last amount with decimals: totals stand at the right.
      auto best = amounts.rbegin();
      for (auto it = amounts.rbegin(); it != amounts.rend(); ++it)
        if (it->has_decimals) {
          best = it;
          break;
        }
      return Value{from + best->begin, from + best->end, best->value, best->currency,
                   best->number, best->has_decimals};
    }
    case Kind::kIdentifier: return ReadIdentifier(text, from, to);
    case Kind::kText: {
      std::string_view trimmed = core::Trim(std::string_view(part));
      std::string clean(trimmed);
      while (!clean.empty() && (clean.front() == ':' || clean.front() == ' ')) clean.erase(0, 1);
      if (clean.size() < 2) return std::nullopt;
      size_t at = text.find(clean, from);
      return Value{at, at + clean.size(), clean, "", 0, false};
    }
  }
  return std::nullopt;
}

struct Candidate {
  Field field;
  double score = 0;
  double number = 0;
  int row = 0;
};

Field FieldOf(FieldName name, const Phrase& phrase, const Value& value, std::string label) {
  Field field;
  field.name = name;
  field.text = phrase.text.substr(value.begin, value.end - value.begin);
  field.value = value.normal;
  field.label = std::move(label);
  field.page = phrase.page;
  field.currency = value.currency;
  double confidence = 0;
  int count = 0;
  for (size_t w = 0; w < phrase.words.size(); ++w) {
    size_t begin = phrase.word_begin[w], end = begin + phrase.words[w]->text.size();
    if (begin < value.end && value.begin < end) {
      field.bbox = field.bbox.Union(phrase.words[w]->bbox);
      confidence += phrase.words[w]->confidence;
      ++count;
    }
  }
  field.confidence = count ? static_cast<float>(confidence / count) : 0;
  return field;
}

// Whether a phrase starts with a label that would take a value of its own.
bool StartsWithLabel(const Phrase& phrase) {
  return std::any_of(phrase.labels.begin(), phrase.labels.end(), [&](const LabelMatch& m) {
    return m.begin <= 1 && (m.weight >= 1.5 || m.field == FieldName::kOther);
  });
}

// The phrases to the right of phrase `p` on its row, left to right. The
// row is followed by the boxes, not the row grouping, as photographed
// receipts slant: a phrase sharing a quarter of the height, nearest in
// height where two stand one above the other.
std::vector<size_t> RightOf(const PageLayout& layout, size_t p) {
  const Phrase& phrase = layout.phrases[p];
  std::vector<size_t> row;
  auto center_distance = [&](const core::Box& b) {
    return std::abs((b.y0 + b.y1) - (phrase.bbox.y0 + phrase.bbox.y1));
  };
  for (size_t q = 0; q < layout.phrases.size(); ++q) {
    const core::Box& b = layout.phrases[q].bbox;
    if (q == p || b.x0 < phrase.bbox.x1 - 2) continue;
    if (VerticalOverlap(b, phrase.bbox) <= 0.25 * std::min(b.Height(), phrase.bbox.Height())) continue;
    row.push_back(q);
  }
  std::erase_if(row, [&](size_t q) {
    const core::Box& b = layout.phrases[q].bbox;
    return std::any_of(row.begin(), row.end(), [&](size_t o) {
      const core::Box& c = layout.phrases[o].bbox;
      return o != q && std::min(b.x1, c.x1) > std::max(b.x0, c.x0) &&
             center_distance(c) < center_distance(b);
    });
  });
  std::sort(row.begin(), row.end(), [&](size_t a, size_t b) {
    return layout.phrases[a].bbox.x0 < layout.phrases[b].bbox.x0;
  });
  return row;
}

// Values for the label `m` of phrase `p`: after it in the phrase, in the
// phrases to its right on the row, or in the phrase directly below.
std::vector<Candidate> Pair(const PageLayout& layout, size_t p, const LabelMatch& m,
                            DateOrder order) {
  const Phrase& phrase = layout.phrases[p];
  Kind kind = KindOf(m.field);
  std::string label = phrase.text.substr(m.begin, m.end - m.begin);
  while (!label.empty() && (label.back() == ' ')) label.pop_back();
  std::vector<Candidate> out;
  auto add = [&](const Phrase& where, const Value& value, double bonus) {
    Candidate c;
    c.field = FieldOf(m.field, where, value, label);
    for (size_t w = 0; w < phrase.words.size(); ++w)
      if (phrase.word_begin[w] < m.end && m.begin < phrase.word_begin[w] + phrase.words[w]->text.size())
        c.field.label_bbox = c.field.label_bbox.Union(phrase.words[w]->bbox);
    c.score = m.weight + bonus;
    c.number = value.number;
    c.row = phrase.row;
    if (kind == Kind::kAmount && !value.has_decimals) c.score -= 0.3;
    out.push_back(std::move(c));
  };
  // Inline: up to the next label in the phrase.
  size_t stop = phrase.text.size();
  for (const LabelMatch& other : phrase.labels)
    if (other.begin >= m.end && other.begin < stop && other.field != m.field) stop = other.begin;
  std::optional<Value> inline_value = ReadValue(kind, phrase.text, m.end, stop, order);
  bool inline_only_value = inline_value && kind != Kind::kAmount;
  if (inline_value) add(phrase, *inline_value, 0.3);
  if (inline_only_value || stop < phrase.text.size()) return out;
  // Right: for amounts the row's last amount before another label.
  std::vector<size_t> row = RightOf(layout, p);
  std::optional<Candidate> last_right;
  // A value stands within a few cells of its label.
  for (size_t k = 0; k < row.size() && k < 6; ++k) {
    const Phrase& right = layout.phrases[row[k]];
    if (StartsWithLabel(right)) break;
    std::optional<Value> value = ReadValue(kind, right.text, 0, right.text.size(), order);
    if (!value) {
      if (kind == Kind::kAmount) continue;
      break;
    }
    std::vector<Candidate> one;
    std::swap(one, out);
    add(right, *value, 0.2);
    std::swap(one, out);
    last_right = one.front();
    if (kind != Kind::kAmount) break;
  }
  if (last_right) {
    // The row's last amount, not one inside the label ("Tax 15% on $ 112.90").
    out.clear();
    out.push_back(*last_right);
    return out;
  }
  if (inline_value) return out;
  // Below: the nearest phrase under the label that shares its columns.
  std::optional<size_t> below;
  int height = std::max(1, phrase.bbox.Height());
  for (size_t q = 0; q < layout.phrases.size(); ++q) {
    const Phrase& other = layout.phrases[q];
    if (other.row <= phrase.row || other.bbox.y0 - phrase.bbox.y1 > 3 * height) continue;
    int overlap = std::min(other.bbox.x1, phrase.bbox.x1) - std::max(other.bbox.x0, phrase.bbox.x0);
    if (overlap <= 0) continue;
    if (!below || other.bbox.y0 < layout.phrases[*below].bbox.y0) below = q;
  }
  // A weak label ("Amount" heading a column) takes no value from below.
  if (m.weight < 1 || !below || StartsWithLabel(layout.phrases[*below])) return out;
  const Phrase& under = layout.phrases[*below];
  if (std::optional<Value> value = ReadValue(kind, under.text, 0, under.text.size(), order)) {
    if (kind == Kind::kIdentifier && value->begin > 2) return out;
    add(under, *value, 0.1);
  }
  return out;
}

// ---- letterhead ----

// The issuer: the first line at the top of the first page that names a
// business, else the first name-like line there; a name broken over two
// lines is joined.
std::optional<Field> Issuer(const PageLayout& layout) {
  std::vector<size_t> top;
  for (size_t r = 0; r < layout.rows.size() && r < 10; ++r)
    for (size_t p : layout.rows[r]) top.push_back(p);
  std::optional<size_t> chosen;
  for (size_t p : top) {
    const std::string& text = layout.phrases[p].text;
    if (layout.phrases[p].row >= 8) break;
    bool address = NamesAStreet(text) && std::any_of(text.begin(), text.end(), ::isdigit);
    if (HasBusinessSuffix(text) && IsNameLike(text) && !IsStopLine(text) && !address) {
      chosen = p;
      break;
    }
  }
  if (!chosen)
    for (size_t p : top) {
      const std::string& text = layout.phrases[p].text;
      if (layout.phrases[p].row >= 5) break;
      if (IsNameLike(text) && !IsStopLine(text) && !IsStreetLike(text) && FindLabels(text).empty()) {
        chosen = p;
        break;
      }
    }
  if (!chosen) return std::nullopt;
  // "THREE STOOGES" above "BISTRO & CAFE": a line naming only the kind of
  // business follows the name itself.
  static const std::regex kind(R"(^\W*(\w+\s*)?(&\s*)?\b(cafe|bistro|restaurant|restoran|bakery|kitchen|bar|pub)\b\W*(&\s*\w+)?\W*$)",
                               std::regex::icase);
  if (std::regex_search(layout.phrases[*chosen].text, kind)) {
    const Phrase& named = layout.phrases[*chosen];
    for (size_t p : top) {
      const Phrase& above = layout.phrases[p];
      int overlap = std::min(above.bbox.x1, named.bbox.x1) - std::max(above.bbox.x0, named.bbox.x0);
      if (above.row != named.row - 1 || overlap <= 0 || named.bbox.y0 - above.bbox.y1 > named.bbox.Height())
        continue;
      if (IsNameLike(above.text) && !IsStopLine(above.text) && !IsStreetLike(above.text) &&
          above.words.size() >= 2 && FindLabels(above.text).empty())
        chosen = p;
      break;
    }
  }
  const Phrase& phrase = layout.phrases[*chosen];
  Field field;
  field.name = FieldName::kIssuer;
  field.text = phrase.text;
  field.page = phrase.page;
  field.bbox = phrase.bbox;
  double confidence = 0;
  for (const core::Word* w : phrase.words) confidence += w->confidence;
  field.confidence = static_cast<float>(confidence / phrase.words.size());
  // The name runs on: "HOME MASTER HARDWARE &" / "ELECTRICAL", "... (SETIA" / "ALAM) SDN BHD".
  auto nearest_below = [&](const Phrase& from) -> const Phrase* {
    const Phrase* best = nullptr;
    for (const Phrase& other : layout.phrases) {
      if (other.row <= from.row || other.bbox.y0 - from.bbox.y1 > from.bbox.Height()) continue;
      int overlap = std::min(other.bbox.x1, from.bbox.x1) - std::max(other.bbox.x0, from.bbox.x0);
      if (overlap <= 0) continue;
      if (!best || other.bbox.y0 < best->bbox.y0) best = &other;
    }
    return best;
  };
  static const std::regex legal_tail(R"(^\W*(sdn\.?|bhd\.?|berhad|s/b|ltd\.?|\(m\)|enterprise|trading)\b)",
                                     std::regex::icase);
  const Phrase* last = &phrase;
  for (int k = 0; k < 2; ++k) {
    const Phrase* next = nearest_below(*last);
    if (!next) break;
    const std::string& previous = last->text;
    bool open = std::count(previous.begin(), previous.end(), '(') >
                std::count(previous.begin(), previous.end(), ')');
    bool continues = open || previous.ends_with("&") || previous.ends_with("-") ||
                     previous.ends_with(",") ||
                     std::regex_search(next->text, legal_tail);
    if (!continues || IsStopLine(next->text) || !IsNameLike(next->text) || IsStreetLike(next->text) ||
        std::any_of(next->text.begin(), next->text.end(), ::isdigit))
      break;
    field.text += " " + next->text;
    field.bbox = field.bbox.Union(next->bbox);
    last = next;
  }
  field.value = core::NormalizeSpace(field.text);
  return field;
}

// Up to four address-like lines under the issuer.
std::optional<Field> IssuerAddress(const PageLayout& layout, const Field& issuer) {
  Field field;
  field.name = FieldName::kIssuerAddress;
  field.page = issuer.page;
  core::Box last = issuer.bbox;
  std::vector<std::string> parts;
  for (int k = 0; k < 4; ++k) {
    const Phrase* best = nullptr;
    for (const Phrase& other : layout.phrases) {
      if (other.bbox.y0 < last.y1 - last.Height() / 3 || other.bbox.y0 - last.y1 > 1.2 * last.Height())
        continue;
      int overlap = std::min(other.bbox.x1, last.x1) - std::max(other.bbox.x0, last.x0);
      if (overlap <= 0) continue;
      if (!best || other.bbox.y0 < best->bbox.y0) best = &other;
    }
    if (!best || (IsStopLine(best->text) && !parts.empty()) || !best->labels.empty()) break;
    bool addressy = std::any_of(best->text.begin(), best->text.end(), ::isdigit) || !parts.empty();
    if (!addressy) break;
    parts.push_back(best->text);
    field.bbox = field.bbox.Union(best->bbox);
    field.confidence = 1;
    last = best->bbox;
  }
  if (parts.empty()) return std::nullopt;
  for (const std::string& part : parts) field.text += (field.text.empty() ? "" : ", ") + part;
  field.value = field.text;
  double confidence = 0;
  int count = 0;
  for (const Phrase& p : layout.phrases)
    if (p.page == field.page && p.bbox.x0 >= field.bbox.x0 && p.bbox.x1 <= field.bbox.x1 &&
        p.bbox.y0 >= field.bbox.y0 && p.bbox.y1 <= field.bbox.y1)
      for (const core::Word* w : p.words) {
        confidence += w->confidence;
        ++count;
      }
  field.confidence = count ? static_cast<float>(confidence / count) : 0;
  return field;
}

// ---- line items ----

bool IsHeaderCue(const std::string& folded_word) {
  static const std::set<std::string> cues = {
      "description", "item", "items", "product", "article", "artikel", "omschrijving",
      "beschreibung", "designation", "descripcion", "descrizione", "descricao", "qty",
      "quantity", "menge", "aantal", "nombre", "quantite", "cantidad", "quantita",
      "quantidade", "price", "prijs", "preis", "prix", "precio", "prezzo", "preco",
      "amount", "bedrag", "betrag", "montant", "importe", "importo", "valor", "rate",
      "zeilenbetrag", "pos", "unit", "hoeveelheid", "title"};
  return cues.contains(folded_word);
}

bool IsQuantityCue(const std::string& w) {
  static const std::set<std::string> cues = {"qty", "quantity", "menge", "aantal", "nombre",
                                             "quantite", "cantidad", "quantita", "quantidade",
                                             "hoeveelheid"};
  return cues.contains(w);
}

std::vector<std::string> FoldedWords(const std::string& text) {
  std::string folded = Fold(text).text;
  std::vector<std::string> out;
  std::string word;
  for (char c : folded) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += c;
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(word);
  return out;
}

void ReadLineItems(const PageLayout& layout, Fields& out) {
  for (size_t r = 0; r < layout.rows.size(); ++r) {
    int cues = 0;
    std::optional<core::Box> quantity_column;
    for (size_t p : layout.rows[r])
      for (const std::string& w : FoldedWords(layout.phrases[p].text))
        if (IsHeaderCue(w)) {
          ++cues;
          if (IsQuantityCue(w)) quantity_column = layout.phrases[p].bbox;
        }
    if (cues < 2) continue;
    for (size_t next = r + 1; next < layout.rows.size(); ++next) {
      const std::vector<size_t>& row = layout.rows[next];
      bool totals = std::any_of(row.begin(), row.end(), [&](size_t p) {
        return std::any_of(layout.phrases[p].labels.begin(), layout.phrases[p].labels.end(),
                           [](const LabelMatch& m) {
                             return m.field == FieldName::kTotal || m.field == FieldName::kSubtotal;
                           });
      });
      if (totals) break;
      const Phrase& first = layout.phrases[row.front()];
      const Phrase& last = layout.phrases[row.back()];
      std::vector<AmountValue> amounts = FindAmounts(last.text);
      if (row.size() < 2 || amounts.empty() || !IsNameLike(first.text)) continue;
      LineItem item;
      item.page = layout.index;
      item.amount = amounts.back().value;
      item.description = first.text;
      for (size_t k = 1; k + 1 < row.size(); ++k) {
        const Phrase& cell = layout.phrases[row[k]];
        if (IsNameLike(cell.text) && !std::any_of(cell.text.begin(), cell.text.end(), ::isdigit)) {
          item.description += " " + cell.text;
          continue;
        }
        std::vector<AmountValue> in_cell = FindAmounts(cell.text);
        bool under_quantity = quantity_column &&
                              std::min(cell.bbox.x1, quantity_column->x1) -
                                      std::max(cell.bbox.x0, quantity_column->x0) > 0;
        static const std::regex number(R"(^\s*(\d+(?:[.,]\d+)?)\b)");
        std::smatch m;
        if (under_quantity && std::regex_search(cell.text, m, number) && !item.quantity) {
          std::string q = m.str(1);
          std::replace(q.begin(), q.end(), ',', '.');
          item.quantity = q;
        } else if (!in_cell.empty() && !item.unit_price) {
          item.unit_price = in_cell.back().value;
        }
      }
      for (size_t p : row) {
        item.text += (item.text.empty() ? "" : " ") + layout.phrases[p].text;
        item.bbox = item.bbox.Union(layout.phrases[p].bbox);
      }
      out.line_items.push_back(std::move(item));
    }
    if (!out.line_items.empty()) return;
  }
}

// The rightmost amount of a row, with the phrase it was printed in.
std::optional<std::pair<const Phrase*, AmountValue>> RowAmount(const PageLayout& layout,
                                                               const std::vector<size_t>& row) {
  for (size_t k = row.size(); k-- > 0;) {
    const Phrase& phrase = layout.phrases[row[k]];
    std::vector<AmountValue> amounts = FindAmounts(phrase.text);
    if (!amounts.empty()) return std::pair{&phrase, amounts.back()};
  }
  return std::nullopt;
}

bool RowSays(const PageLayout& layout, const std::vector<size_t>& row, const std::regex& words) {
  return std::any_of(row.begin(), row.end(), [&](size_t p) {
    return std::regex_search(Fold(layout.phrases[p].text).text, words);
  });
}

// Receipts whose total label OCR lost: the first amount below the subtotal
// that is at least the subtotal ("Sub Total 68.87", "GST 4.13", then a
// misread "TOze RM 73. 00"), before any payment; else what was paid in
// cash when no change was given.
std::optional<Field> UnlabelledTotal(const std::vector<PageLayout>& layouts, const Field* subtotal) {
  static const std::regex payment(R"(\b(cash|change|tender\w*|paid|card|visa|master|credit|debit)\b)");
  static const std::regex change(R"(\bchange\b)");
  static const std::regex cash(R"(\bcash\b)");
  auto field_of = [](const Phrase& phrase, const AmountValue& amount) {
    Value value{amount.begin, amount.end, amount.value, amount.currency, amount.number,
                amount.has_decimals};
    return FieldOf(FieldName::kTotal, phrase, value, "");
  };
  if (subtotal && std::atof(subtotal->value.c_str()) > 0) {
    const PageLayout& layout = layouts[subtotal->page];
    double base = std::atof(subtotal->value.c_str());
    int seen = 0;
    for (size_t r = 0; r < layout.rows.size() && seen < 8; ++r) {
      const std::vector<size_t>& row = layout.rows[r];
      if (layout.phrases[row.front()].bbox.y0 <= subtotal->bbox.y1 - subtotal->bbox.Height() / 2) continue;
      ++seen;
      if (RowSays(layout, row, payment)) break;
      bool labelled = std::any_of(row.begin(), row.end(), [&](size_t p) {
        return std::any_of(layout.phrases[p].labels.begin(), layout.phrases[p].labels.end(),
                           [](const LabelMatch& m) { return m.field == FieldName::kTax || m.field == FieldName::kOther; });
      });
      if (labelled) continue;
      if (auto found = RowAmount(layout, row); found && found->second.number >= base)
        return field_of(*found->first, found->second);
    }
  }
  for (const PageLayout& layout : layouts) {
    std::optional<Field> paid;
    for (const std::vector<size_t>& row : layout.rows) {
      auto found = RowAmount(layout, row);
      if (RowSays(layout, row, change) && found && found->second.number > 0) return std::nullopt;
      if (!paid && found && found->second.number > 0 && RowSays(layout, row, cash))
        paid = field_of(*found->first, found->second);
    }
    if (paid) return paid;
  }
  return std::nullopt;
}

// Per page (by index), what a receipt says was paid less the change given:
// the amount of the first row that pays ("CASH RM 50.00") less that of the
// first "change" row below it. The arithmetic holds when OCR misread one
// of the totals ("Net Total: 58.20" for "$8.20").
std::map<int, double> PaidLessChange(const std::vector<PageLayout>& layouts) {
  static const std::regex pays(R"(\b(cash|tender\w*|paid|card|visa|master|credit|debit)\b)");
  static const std::regex change(R"(\bchange\b)");
  // The last amount in the phrase, else the first to its right.
  auto amount_of = [](const PageLayout& layout, size_t p) -> std::optional<double> {
    std::vector<AmountValue> amounts = FindAmounts(layout.phrases[p].text);
    if (!amounts.empty()) return amounts.back().number;
    for (size_t q : RightOf(layout, p)) {
      amounts = FindAmounts(layout.phrases[q].text);
      if (!amounts.empty()) return amounts.front().number;
    }
    return std::nullopt;
  };
  std::map<int, double> out;
  for (const PageLayout& layout : layouts) {
    std::optional<double> paid;
    for (size_t p = 0; p < layout.phrases.size(); ++p) {
      const std::string folded = Fold(layout.phrases[p].text).text;
      bool says_change = std::regex_search(folded, change);
      if (!paid) {
        if (!says_change && std::regex_search(folded, pays)) paid = amount_of(layout, p);
        continue;
      }
      if (!says_change) continue;
      std::optional<double> given = amount_of(layout, p);
      if (given && *given >= 0 && *paid - *given > 0) out[layout.index] = *paid - *given;
      break;
    }
  }
  return out;
}

// Per page (by index), the bottom of the highest phrase saying "rounding".
std::map<int, int> RoundingRows(const std::vector<PageLayout>& layouts) {
  std::map<int, int> out;
  for (const PageLayout& layout : layouts)
    for (const Phrase& phrase : layout.phrases)
      if (Fold(phrase.text).text.find("rounding") != std::string::npos) {
        auto [it, added] = out.emplace(layout.index, phrase.bbox.y1);
        if (!added) it->second = std::min(it->second, phrase.bbox.y1);
      }
  return out;
}

// Month first when some numeric date on the pages reads only that way
// ("03/20/2023"); day first otherwise.
DateOrder OrderOf(const std::vector<PageLayout>& layouts) {
  for (const PageLayout& layout : layouts)
    for (const Phrase& phrase : layout.phrases) {
      static const std::regex numeric(R"(\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\b)");
      for (auto it = std::sregex_iterator(phrase.text.begin(), phrase.text.end(), numeric);
           it != std::sregex_iterator(); ++it) {
        int a = std::stoi((*it)[1]), b = std::stoi((*it)[2]);
        if (a <= 12 && b > 12 && b <= 31) return DateOrder::kMonthFirst;
        if (b <= 12 && a > 12) return DateOrder::kDayFirst;
      }
    }
  return DateOrder::kDayFirst;
}

std::string DocumentText(const core::Document& document) {
  std::string text;
  for (const core::Page& page : document.pages) text += page.Text() + "\n";
  return text;
}

int CountCues(const std::string& folded, const std::vector<std::regex>& cues) {
  int count = 0;
  for (const std::regex& cue : cues)
    if (std::regex_search(folded, cue)) ++count;
  return count;
}

std::vector<std::regex> CueWords(std::initializer_list<const char*> words) {
  std::vector<std::regex> out;
  for (const char* word : words) out.emplace_back(std::string("\\b") + word + "\\b");
  return out;
}

DocumentType ClassifyText(const std::string& text, bool has_total) {
  std::string folded = Fold(text).text;
  static const std::vector<std::regex> invoice = CueWords({
      "invoice", "tax invoice", "bill to", "due date", "rechnung", "rechnungsnr", "rechnungsdatum",
      "facture", "factura", "fattura", "factuur", "factuurnummer", "factuurdatum", "fatura",
      "nota fiscal", "total ttc", "mwst", "btw", "tva", "iva", "vat"});
  static const std::vector<std::regex> receipt = CueWords({
      "receipt", "cashier", "cash", "change", "tendered", "kassenbon", "quittung", "recu",
      "ticket de caisse", "recibo", "ricevuta", "scontrino", "kassabon", "kasbon", "thank you",
      "tunai", "terima kasih", "rounding", "counter"});
  int invoice_cues = CountCues(folded, invoice);
  int receipt_cues = CountCues(folded, receipt);
  if (receipt_cues == 0 && invoice_cues == 0) return has_total ? DocumentType::kReceipt : DocumentType::kOther;
  if (receipt_cues >= 2 || receipt_cues > invoice_cues) return DocumentType::kReceipt;
  if (invoice_cues >= 2 || (invoice_cues >= 1 && has_total)) return DocumentType::kInvoice;
  return has_total ? DocumentType::kInvoice : DocumentType::kOther;
}

}  // namespace

bool HasBusinessSuffix(const std::string& text) {
  static const std::regex suffix(
      R"(\b(sdn|bhd|berhad|s/b|ltd|limited|inc|llc|corp|corporation|co|company|enterprises?|trading|gmbh|ag|kg|b\.?v|n\.?v|s\.?a\.?s|sarl|s\.?a|s\.?l|s\.?p\.?a|s\.?r\.?l|lda|ltda|plc|pte|pvt|perniagaan|restaurant|restoran|stores?|mart|supermarket|minimarket|hardware|stationery|bakery|cafe|shop|holdings|industries|services|marketing|kedai|pharmacy|farmasi|hotel|gift)\b\.?)",
      std::regex::icase);
  return std::regex_search(text, suffix);
}

bool IsStopLine(const std::string& text) {
  static const std::regex stop(
      R"(\b(tel|fax|phone|ph|h/p|hp|gst|sst|reg|roc|email|e-mail|www|http|invoice|inv|receipt|tax|date|cashier|document|doc|bill|order|table|counter|terminal|time|member|served|slip|cash|qty|rechnung|facture|factura|fattura|factuur|fatura|page|seite)\b|@)",
      std::regex::icase);
  return std::regex_search(text, stop);
}

bool IsNameLike(const std::string& text) {
  // "(M)", and a registration number cut short at the end: "(126:".
  static const std::regex parenthesised(R"(\([^)]*\)|\([^)]*$)");
  std::string bare = std::regex_replace(text, parenthesised, " ");
  int letters = 0, others = 0;
  for (unsigned char c : bare) {
    if (std::isalpha(c) || c >= 0x80) ++letters;
    else if (!std::isspace(c) && c != '&' && c != '.') ++others;
  }
  return letters >= 3 && letters >= 2 * others;
}

bool NamesAStreet(const std::string& text) {
  static const std::regex street(
      R"(\b(jalan|jln|lorong|lrg|taman|tmn|road|rd|street|st|avenue|ave|lane|blvd|\w*strasse|\w*straße|\w*straat|rue|via|calle|rua|\w*weg|plein|postfach)\b|^\W*(no|lot)\b\.?\s*\d)",
      std::regex::icase);
  return std::regex_search(text, street);
}

bool IsStreetLike(const std::string& text) {
  static const std::regex house_number(R"(^\W*\d+[a-z]?\s*[,.\-]?\s)", std::regex::icase);
  return NamesAStreet(text) || std::regex_search(text, house_number);
}

bool IsAddressLike(const std::string& text) {
  static const std::regex place(
      R"(\b(jl|lot|no|boulevard|drive|bandar|kawasan|persiaran|seksyen|section|floor|level|blok|block|unit|suite|kampung|kg|batu|plaza|mall|complex|centre|center|building|bldg|pusat|industri|perindustrian|square|johor|selangor|kuala|lumpur|penang|pinang|melaka|malacca|perak|kedah|sabah|sarawak|pahang|negeri|sembilan|terengganu|kelantan|perlis|putrajaya|labuan|wilayah|bahru|alam|petaling|pj|cheras|puchong|klang|ampang|kepong|subang|jaya|city)\b|(^|[\s,])\d{5}([\s,.]|$)|^\W*\d+[a-z]?\s*[,.\-]?\s*[a-z])",
      std::regex::icase);
  // A stamp with a time of day, or a company registration number alone.
  static const std::regex other(R"(\d{1,2}:\d{2}|^\s*\(?\d{5,8}-?[a-z]\)?\s*$)", std::regex::icase);
  return (IsStreetLike(text) || std::regex_search(text, place)) && !std::regex_search(text, other) &&
         FindDates(text).empty();
}

const char* DocumentTypeName(DocumentType type) {
  switch (type) {
    case DocumentType::kInvoice: return "invoice";
    case DocumentType::kReceipt: return "receipt";
    case DocumentType::kOther: return "other";
  }
  return "other";
}

const char* FieldKey(FieldName name) {
  switch (name) {
    case FieldName::kInvoiceNumber: return "invoice_number";
    case FieldName::kIssueDate: return "issue_date";
    case FieldName::kDueDate: return "due_date";
    case FieldName::kTotal: return "total";
    case FieldName::kSubtotal: return "subtotal";
    case FieldName::kTax: return "tax";
    case FieldName::kCurrency: return "currency";
    case FieldName::kIssuer: return "issuer";
    case FieldName::kIssuerAddress: return "issuer_address";
    case FieldName::kCustomer: return "customer";
    case FieldName::kOther: return "other";
  }
  return "other";
}

const Field* Fields::Find(FieldName name) const {
  for (const Field& field : fields)
    if (field.name == name) return &field;
  return nullptr;
}

Fields Extract(const core::Document& document) {
  std::vector<PageLayout> layouts;
  for (const core::Page& page : document.pages) layouts.push_back(Layout(page));
  DateOrder order = OrderOf(layouts);
  std::map<FieldName, std::vector<Candidate>> candidates;
  for (size_t l = 0; l < layouts.size(); ++l) {
    const PageLayout& layout = layouts[l];
    // A page of labels is no invoice: past kMaxLabels the rest are not paired.
    size_t paired = 0;
    for (size_t p = 0; p < layout.phrases.size(); ++p)
      for (const LabelMatch& m : layout.phrases[p].labels) {
        if (m.field == FieldName::kOther || m.field == FieldName::kIssuer) continue;
        if (++paired > kMaxLabels) break;
        for (Candidate& c : Pair(layout, p, m, order)) {
          // The first page holds the header; totals stand lower down.
          c.score -= 0.2 * l;
          double y = static_cast<double>(layout.phrases[p].bbox.y0) / layout.height;
          c.score += KindOf(m.field) == Kind::kAmount ? 0.3 * y : -0.3 * y;
          candidates[m.field].push_back(std::move(c));
        }
      }
  }
  Fields out;
  // The largest labelled total is the one to pay (a subtotal, a line's
  // "Total" column are smaller).
  if (auto it = candidates.find(FieldName::kTotal); it != candidates.end()) {
    double largest = 0;
    for (const Candidate& c : it->second) largest = std::max(largest, c.number);
    for (Candidate& c : it->second)
      if (c.number == largest) c.score += 0.5;
    // A receipt rounds what is paid to 5 cents on a row after "Rounding
    // Adj": a total printed below that row is the one paid.
    std::map<int, int> rounding = RoundingRows(layouts);
    for (Candidate& c : it->second)
      if (auto row = rounding.find(c.field.page); row != rounding.end() && row->second <= c.field.bbox.y0)
        c.score += 1;
    // A total that the payment confirms is the one paid.
    std::map<int, double> paid = PaidLessChange(layouts);
    for (Candidate& c : it->second)
      if (auto total = paid.find(c.field.page); total != paid.end() && std::abs(total->second - c.number) < 0.005)
        c.score += 1.5;
  }
  for (auto& [name, list] : candidates) {
    if (list.empty()) continue;
    const Candidate& best = *std::max_element(
        list.begin(), list.end(), [](const Candidate& a, const Candidate& b) { return a.score < b.score; });
    out.fields.push_back(best.field);
  }
  if (!out.Find(FieldName::kTotal))
    if (std::optional<Field> total = UnlabelledTotal(layouts, out.Find(FieldName::kSubtotal)))
      out.fields.push_back(std::move(*total));
  // An issue date without a label: the first date of the first page that
  // no other label claims.
  if (!out.Find(FieldName::kIssueDate) && !layouts.empty()) {
    for (const Phrase& phrase : layouts[0].phrases) {
      bool claimed = std::any_of(phrase.labels.begin(), phrase.labels.end(), [](const LabelMatch& m) {
        return m.field == FieldName::kDueDate || m.field == FieldName::kOther;
      });
      if (claimed) continue;
      std::vector<DateValue> dates = FindDates(phrase.text, order);
      if (dates.empty()) continue;
      Value value{dates[0].begin, dates[0].end, dates[0].iso, "", 0, false};
      out.fields.push_back(FieldOf(FieldName::kIssueDate, phrase, value, ""));
      break;
    }
  }
  if (!layouts.empty()) {
    if (std::optional<Field> issuer = Issuer(layouts[0])) {
      if (std::optional<Field> address = IssuerAddress(layouts[0], *issuer))
        out.fields.push_back(*address);
      out.fields.push_back(std::move(*issuer));
    }
  }
  // The currency: the total's, else the one printed most often.
  std::string currency;
  Field currency_field;
  currency_field.name = FieldName::kCurrency;
  if (const Field* total = out.Find(FieldName::kTotal); total && !total->currency.empty()) {
    currency = total->currency;
    currency_field.text = total->text;
    currency_field.page = total->page;
    currency_field.bbox = total->bbox;
    currency_field.confidence = total->confidence;
  } else {
    std::map<std::string, int> seen;
    for (const PageLayout& layout : layouts)
      for (const Phrase& phrase : layout.phrases)
        for (const AmountValue& a : FindAmounts(phrase.text))
          if (!a.currency.empty() && ++seen[a.currency] > seen[currency]) {
            currency = a.currency;
            currency_field.text = phrase.text.substr(a.begin, a.end - a.begin);
            currency_field.page = phrase.page;
            currency_field.bbox = phrase.bbox;
            currency_field.confidence = 1;
          }
  }
  // Else a code or symbol printed on its own ("Factuur totaal EUR  49,99").
  if (currency.empty()) {
    static const std::regex code(R"((?:^|[\s(])(EUR|USD|GBP|CHF|INR|MYR|SGD|JPY|CAD|AUD|BRL|€|£|₹)(?=$|[\s):]))");
    std::map<std::string, int> seen;
    for (const PageLayout& layout : layouts)
      for (const Phrase& phrase : layout.phrases) {
        std::smatch m;
        if (!std::regex_search(phrase.text, m, code)) continue;
        std::string found = CurrencyCode(m.str(1));
        if (++seen[found] > seen[currency]) {
          currency = found;
          currency_field.text = m.str(1);
          currency_field.page = phrase.page;
          currency_field.bbox = phrase.bbox;
          currency_field.confidence = 1;
        }
      }
  }
  if (!currency.empty()) {
    currency_field.value = currency;
    for (Field& field : out.fields)
      if (KindOf(field.name) == Kind::kAmount && field.currency.empty()) field.currency = currency;
    out.fields.push_back(currency_field);
  }
  for (const PageLayout& layout : layouts) {
    ReadLineItems(layout, out);
    if (!out.line_items.empty()) break;
  }
  if (!out.line_items.empty()) {
    double sum = 0;
    for (const LineItem& item : out.line_items) sum += std::atof(item.amount.c_str());
    const Field* base = out.Find(FieldName::kSubtotal);
    if (!base) base = out.Find(FieldName::kTotal);
    out.line_items_partial = !base || std::abs(sum - std::atof(base->value.c_str())) > 0.015;
  }
  std::stable_sort(out.fields.begin(), out.fields.end(),
                   [](const Field& a, const Field& b) { return a.name < b.name; });
  out.type = ClassifyText(DocumentText(document), out.Find(FieldName::kTotal) != nullptr);
  return out;
}

DocumentType Classify(const core::Document& document) {
  return Extract(document).type;
}

}  // namespace ocrchat::fields
