// Question classification, query expansion and follow-up resolution.
#include "chat/question.h"

#include <algorithm>
#include <numeric>
#include <regex>

#include "core/text.h"

namespace ocrchat::chat {
namespace {

bool Has(const std::vector<std::string>& tokens, std::initializer_list<std::string_view> words) {
  for (const std::string& token : tokens)
    for (std::string_view word : words)
      if (token == word) return true;
  return false;
}

Intent Classify(const std::vector<std::string>& raw, const std::string& lower) {
  if (Has(raw, {"summarize", "summarise", "summary", "overview", "gist", "tldr"}) ||
      (Has(raw, {"about"}) && Has(raw, {"document", "this", "it", "file", "page"}) &&
       raw.size() <= 7))
    return Intent::kSummary;
  if ((Has(raw, {"invoice", "inv", "receipt", "bill", "order", "reference", "ref", "document",
                 "doc"}) &&
       Has(raw, {"number", "no", "num", "id"})) ||
      lower.find('#') != std::string::npos)
    return Intent::kInvoiceNumber;
  if (Has(raw, {"total", "amount", "cost", "pay", "paid", "payable", "due", "balance", "sum",
                "spent", "spend", "charged", "owe"}) ||
      lower.find("how much") != std::string::npos)
    return Intent::kTotal;
  if (Has(raw, {"date", "dated", "when", "day"})) return Intent::kDate;
  if (Has(raw, {"address", "where", "located", "location", "situated"})) return Intent::kAddress;
  if (Has(raw, {"company", "vendor", "seller", "merchant", "store", "shop", "issued", "issuer",
                "business", "supplier", "restaurant", "issuing", "letterhead", "sold"}))
    return Intent::kCompany;
  return Intent::kGeneral;
}

// Words that belong to an intent or to talking about documents in general:
// absent from the page, they still do not make a question unanswerable.
bool IsQuestionVocabulary(const std::string& token) {
  static const std::set<std::string> words = [] {
    std::set<std::string> stems;
    for (const char* word : {
      "total", "amount", "cost", "pay", "paid", "payable", "due", "balance", "sum", "spent",
      "spend", "charged", "owe", "grand", "final", "price", "date", "dated", "day", "address",
      "located", "location", "situated", "company", "vendor", "seller", "merchant", "store",
      "shop", "issued", "issuer", "business", "supplier", "restaurant", "issuing", "letterhead",
      "sold", "name", "invoice", "inv", "receipt", "bill", "order", "reference", "ref",
      "document", "doc", "number", "no", "num", "id", "summarize", "summarise", "summary",
      "overview", "gist", "tldr", "page", "file", "issue", "purchase", "purchased", "transaction",
      "bought", "buy", "made", "happen", "happened", "print", "printed", "written", "write",
      "sign", "signed", "created", "cost", "costs", "value", "figure", "written", "tax", "vat",
      "gst", "subtotal", "currency", "customer", "client", "deadline", "issued", "net"})
      stems.insert(Stem(word));
    return stems;
  }();
  return words.contains(token);
}

void Expand(const Corpus& corpus, Intent intent, std::map<std::string, double>& terms) {
  auto add = [&](std::initializer_list<const char*> words, double weight) {
    for (const char* word : words) terms.emplace(Stem(word), weight);
  };
  switch (intent) {
    case Intent::kTotal:
      add({"total", "amount", "due", "balance", "sum", "ttl", "nett", "grand", "payable"}, 0.6);
      break;
    case Intent::kDate: {
      add({"date", "dated", "tarikh"}, 0.6);
      static const std::regex date_shape(R"(\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4})");
      for (const Passage& passage : corpus.passages())
        for (const std::string& token : passage.tokens)
          if (std::regex_match(token, date_shape)) terms.emplace(token, 0.4);
      break;
    }
    case Intent::kAddress: {
      add({"address", "street", "road", "jalan", "jln", "no", "lot", "taman", "avenue"}, 0.5);
      static const std::regex postcode(R"(\d{5})");
      for (const Passage& passage : corpus.passages())
        for (const std::string& token : passage.tokens)
          if (std::regex_match(token, postcode)) terms.emplace(token, 0.3);
      break;
    }
    case Intent::kCompany:
      add({"company", "sdn", "bhd", "ltd", "inc", "enterprise", "trading", "limited"}, 0.5);
      break;
    case Intent::kInvoiceNumber:
      add({"invoice", "inv", "no", "number", "receipt", "bill"}, 0.6);
      break;
    case Intent::kGeneral:
    case Intent::kSummary:
      break;
  }
}

std::optional<int> PageMentioned(const std::string& lower, int page_count) {
  static const std::regex numbered(R"((?:page|p\.)\s*(\d+))");
  std::smatch match;
  if (std::regex_search(lower, match, numbered)) return std::stoi(match[1]) - 1;
  static const std::vector<std::pair<std::string, int>> ordinals = {
      {"first page", 0}, {"second page", 1}, {"third page", 2}, {"fourth page", 3},
      {"fifth page", 4}};
  for (const auto& [words, page] : ordinals)
    if (lower.find(words) != std::string::npos) return page;
  if (lower.find("last page") != std::string::npos && page_count > 0) return page_count - 1;
  return std::nullopt;
}

bool IsFollowUpOpening(const std::vector<std::string>& raw, const std::string& lower) {
  if (raw.empty()) return false;
  if (raw[0] == "and" || raw[0] == "also" || raw[0] == "then") return true;
  return lower.starts_with("what about") || lower.starts_with("how about");
}

}  // namespace

Query ResolveQuestion(const Corpus& corpus, const std::vector<Message>& history,
                      const std::string& question) {
  std::string lower = question;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> raw = Tokenize(question, false, false);
  Query query;
  query.intent = Classify(raw, lower);
  query.page = PageMentioned(lower, static_cast<int>(corpus.pages().size()));
  for (const std::string& token : Tokenize(question)) {
    if (token == Stem("page") && query.page) continue;
    if (std::all_of(token.begin(), token.end(), ::isdigit) && query.page &&
        std::stoi(token) == *query.page + 1)
      continue;
    query.terms[token] = 1.0;
    query.content_terms.push_back(token);
  }

  const Message* previous_question = nullptr;
  const Message* previous_answer = nullptr;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->role == "assistant" && !previous_answer && !previous_question) previous_answer = &*it;
    if (it->role == "user") {
      previous_question = &*it;
      break;
    }
  }
  size_t own_terms = std::count_if(query.content_terms.begin(), query.content_terms.end(),
                                   [](const std::string& t) { return !IsQuestionVocabulary(t); });
  bool follow_up = previous_question &&
                   (IsFollowUpOpening(raw, lower) || query.content_terms.size() <= 2);
  if (follow_up) {
    if (previous_answer)
      for (const Citation& citation : previous_answer->citations)
        query.focus_pages.insert(citation.page - 1);
    std::vector<std::string> previous_raw = Tokenize(previous_question->content, false, false);
    std::string previous_lower = previous_question->content;
    std::transform(previous_lower.begin(), previous_lower.end(), previous_lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    Intent previous_intent = Classify(previous_raw, previous_lower);
    if (query.intent == Intent::kGeneral && own_terms == 0) {
      // "and on page 2?": the previous question again, elsewhere.
      query.intent = previous_intent;
      for (const std::string& token : Tokenize(previous_question->content)) {
        query.terms[token] = 1.0;
        query.content_terms.push_back(token);
      }
    } else if (query.intent == Intent::kGeneral) {
      // "and for the battery?": the new terms lead, the old ones give context.
      for (const std::string& token : Tokenize(previous_question->content))
        query.terms.emplace(token, 0.3);
    }
  }
  for (const std::string& token : query.content_terms) {
    if (IsQuestionVocabulary(token)) continue;
    if (!corpus.Contains(token) && !core::IsCjk(core::DecodeUtf8(token)[0])) ++query.foreign_terms;
    if (corpus.Contains(token)) ++query.subject_terms;
  }
  static const std::u32string kCjkQuestionWords = U"的是在了吗呢么什哪里谁多少几何为和有这那个请问吧呀啊";
  for (char32_t c : core::DecodeUtf8(question))
    if (core::IsCjk(c) && c >= 0x3400 && kCjkQuestionWords.find(c) == std::u32string::npos &&
        query.cjk_chars.find(c) == std::u32string::npos)
      query.cjk_chars += c;
  Expand(corpus, query.intent, query.terms);
  return query;
}

double Coverage(const Corpus& corpus, const Query& query, const Passage& passage) {
  double total = 0, found = 0;
  if (!query.cjk_chars.empty()) {
    std::u32string text = core::DecodeUtf8(passage.text);
    for (char32_t c : query.cjk_chars) {
      total += 1;
      if (text.find(c) != std::u32string::npos) found += 1;
    }
  }
  std::set<std::string> seen;
  for (const std::string& term : query.content_terms) {
    if (!seen.insert(term).second) continue;
    if (!query.cjk_chars.empty() && core::IsCjk(core::DecodeUtf8(term)[0])) continue;
    double idf = corpus.Idf(term);
    total += idf;
    if (std::find(passage.tokens.begin(), passage.tokens.end(), term) != passage.tokens.end())
      found += idf;
  }
  return total > 0 ? found / total : 0;
}

std::vector<size_t> TopPassages(const Corpus& corpus, const Query& query, size_t k) {
  std::vector<double> scores = corpus.Score(query.terms);
  const auto& passages = corpus.passages();
  for (size_t i = 0; i < passages.size(); ++i) {
    if (query.page && passages[i].page != *query.page) scores[i] = 0;
    if (query.focus_pages.contains(passages[i].page)) scores[i] *= 1.25;
  }
  std::vector<size_t> order(passages.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<size_t> top;
  for (size_t i : order) {
    if (top.size() >= k || scores[i] <= 0) break;
    top.push_back(i);
  }
  return top;
}

}  // namespace ocrchat::chat
