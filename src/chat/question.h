// What a question asks for: its kind, its weighted search terms (with
// expansions), the pages it is about, resolved against the conversation.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chat/chat.h"
#include "chat/retrieval.h"

namespace ocrchat::chat {

enum class Intent { kGeneral, kTotal, kDate, kAddress, kCompany, kInvoiceNumber, kSummary };

struct Query {
  Intent intent = Intent::kGeneral;
  std::map<std::string, double> terms;     // question terms (1.0) and expansions (< 1)
  std::vector<std::string> content_terms;  // the question's own non-stopword terms
  std::set<int> focus_pages;               // from 0: pages the conversation was about
  std::optional<int> page;                 // from 0: "on page 2" restricts to that page
  // Own terms that are neither in the document nor words for asking about
  // documents ("blood" in "the patient's blood type"): a typed question with
  // any is not about this document.
  int foreign_terms = 0;
  // Own terms that occur in the document and name no intent ("widget" in
  // "how much is the widget?"): the question is about them, not the total.
  int subject_terms = 0;
  // The question's CJK characters other than question words (的, 哪, 什么...):
  // coverage of CJK questions is counted in characters, as their bigrams
  // often straddle word boundaries.
  std::u32string cjk_chars;
};

// Classifies `question`, expands its terms, and, for a short follow-up ("and
// the date?"), carries over the previous user question's terms and the pages
// the last answer cited.
Query ResolveQuestion(const Corpus& corpus, const std::vector<Message>& history,
                      const std::string& question);

// Indices into corpus.passages() of the best `k` passages for `query`, best
// first; passages on focus pages get a small boost, and only `query.page` is
// searched when set. Passages scoring 0 are left out.
std::vector<size_t> TopPassages(const Corpus& corpus, const Query& query, size_t k);

// Share (by IDF) of the query's own terms that occur in `passage`, in [0, 1].
double Coverage(const Corpus& corpus, const Query& query, const Passage& passage);

}  // namespace ocrchat::chat
