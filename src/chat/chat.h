// Chat over a finished job: answers a question from the job's extracted text
// only, citing the pages the answer comes from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/error.h"

namespace ocrchat::chat {

struct Citation {
  int page = 0;         // from 1, as shown to users ("p. 1")
  std::string snippet;  // occurs verbatim in that page's core::Page::Text()
  bool operator==(const Citation&) const = default;
};

struct Message {
  std::string role;  // "user" | "assistant"
  std::string content;
  std::vector<Citation> citations;  // empty for user messages
};

struct Reply {
  Message message;                    // role "assistant"
  std::vector<std::string> warnings;  // for the user, e.g. that a fallback was used
};

// The sentence given when the document does not hold what was asked.
inline constexpr const char kNotFoundAnswer[] = "I couldn't find that in the document.";

// Answers questions about one document. Every citation in a reply names a page
// that exists, and its snippet is a verbatim substring of that page's text; a
// question the document does not answer gets kNotFoundAnswer and no citations.
// `history` is the conversation so far, oldest first (as returned by earlier
// calls plus the user's messages); it steers follow-up questions ("and the
// date?"). Errors: kInvalidParameter for a blank question. Implementations
// keep no state between calls and may be called from several threads at once.
class Answerer {
 public:
  virtual ~Answerer() = default;
  virtual core::Result<Reply> Answer(const core::Document& doc,
                                     const std::vector<Message>& history,
                                     const std::string& question) = 0;
};

// Answers by retrieval (BM25 over sentence, line and table-row passages) and
// by rules for common questions (total, date, address, issuer, invoice
// number, summary). Deterministic, offline, fast.
std::unique_ptr<Answerer> MakeExtractiveAnswerer();

struct LlmConfig {
  std::string url;      // base of an OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1
  std::string model;
  std::string api_key;  // sent as "Authorization: Bearer <key>" when not empty
  int timeout_ms = 30000;  // for connecting and for the whole reply
  int max_passages = 8;    // page-labelled passages sent with the question
};

// Answers with a language model given the best passages of the document.
// Citations "(p. N)" in its reply are kept only when page N exists and one of
// its passages supports the cited sentence (that passage becomes the
// snippet); others are removed from the text and reported in warnings. When
// the model does not answer (timeout, connection error, HTTP error, malformed
// reply) the extractive answer is returned with a warning saying so; Answer
// therefore fails only where the extractive answerer does. https:// URLs
// work when cpp-httplib was built with OpenSSL; otherwise they fall back too.
std::unique_ptr<Answerer> MakeLlmAnswerer(LlmConfig config);

}  // namespace ocrchat::chat
