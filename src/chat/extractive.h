// The extractive answer to a resolved question, shared by the extractive
// answerer and the language-model answerer's fallback.
#pragma once

#include "chat/chat.h"
#include "chat/question.h"
#include "chat/retrieval.h"

namespace ocrchat::chat {

// ASCII letters lowercased, other bytes kept.
std::string Lower(std::string_view text);
// How an answer names a page (0-based index): "(p. 3)".
std::string PageLabel(int page);
// "2014-08-03" -> "3 August 2014"; other text as it is.
std::string HumanDate(const std::string& iso);

// Answers `query` from `corpus` alone: a typed value quoted with "(p. N)" and
// cited by the lines it was read from, the best passages for other
// questions, or kNotFoundAnswer with no citations.
Reply AnswerFromCorpus(const Corpus& corpus, const Query& query);

// Citations for segments of one page: consecutive segments share one
// snippet, so every snippet is verbatim page text.
std::vector<Citation> CiteSegments(const Corpus& corpus, int page, std::vector<size_t> segments);

}  // namespace ocrchat::chat
