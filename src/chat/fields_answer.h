// Answers from a document's invoice and receipt fields: each part of a
// compound question ("the invoice total and due date") answered on its own,
// cited by the lines the value was read from.
#pragma once

#include <string>
#include <vector>

#include "chat/chat.h"
#include "chat/question.h"
#include "chat/retrieval.h"
#include "fields/fields.h"

namespace ocrchat::chat {

// The fields a question asks for, in the order it names them: "What is the
// invoice total and due date?" -> {kTotal, kDueDate}. "Amount due" is the
// total, "due" alone the due date, "date" alone the issue date.
std::vector<fields::FieldName> AskedFields(const std::string& question);

// The answer to `query` (asking `asked`): every part from `found` when it
// holds it, else from the extractive rules for that part, else "not found"
// for that part alone; a due date not printed is said so, with the issue
// date beside it when there is one. A single part answered by the rules
// keeps the rules' wording.
Reply AnswerFromFields(const Corpus& corpus, const fields::Fields& found, const Query& query,
                       const std::vector<fields::FieldName>& asked);

// The fields as lines for a language model: "[p. 1] total: 4.11 USD (printed
// "$4.11", label "TOTAL AMOUNT DUE ON")"; "" when none was found.
std::string FieldsContext(const fields::Fields& found);

// The extractive answer to `question`: from the fields for what they answer
// (see AskedFields), from the passages for the rest. `doc` is what `corpus`
// was built from.
Reply AnswerQuestion(const core::Document& doc, const Corpus& corpus, const Query& query,
                     const std::string& question);

}  // namespace ocrchat::chat
